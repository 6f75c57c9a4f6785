"""The desk's sign-in: which server, which account; the refresh token in the OS keyring.

The profile keeps `account.json` (server address, e-mail, user, organization, role, CA file);
the refresh token and the device secret go to the keyring (or, where there is no real
keyring, to files readable only by this user, as the mirror's key does). Access tokens live
in memory. The device secret is made at the first sign-in and kept after sign-out: it is how
this desk proves its device id to the server (registered with it at sign-in)."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backends.fail
import keyring.errors
from sqlalchemy import delete, func, select

from frontdesk.domain.enums import Role
from frontdesk.i18n.text import T_
from frontdesk.private_files import write_private_text
from frontdesk.store.mirror import open_mirror
from frontdesk.store.models import LocalSetting, OutboxMutation
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import DEVICE_SETTING
from frontdesk.sync.apply import CURSOR_SETTING
from frontdesk.sync.protocol import DEVICE_KEY_HEADER
from frontdesk.sync.transport import (
    SignedOut,
    SyncError,
    Transport,
    check_server_url,
    raise_for_answer,
)

ACCOUNT_FILE = "account.json"
TOKEN_FILE = "refresh-token"
DEVICE_SECRET_FILE = "device-secret"
KEYRING_SERVICE = "frontdesk-sync"
DEVICE_SECRET_SUFFIX = "#device"
# Refresh a little before the access token runs out rather than after a refusal.
EXPIRY_MARGIN_SECONDS = 30


@dataclass
class Account:
    profile: Profile
    server_url: str
    email: str
    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: Role
    specialist_id: uuid.UUID | None
    device_id: uuid.UUID
    ca_path: str | None = None
    _access_token: str | None = field(default=None, repr=False)
    _expires_at: float = 0.0
    _transport: Transport | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def verify(self) -> str | bool:
        return self.ca_path or True

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = Transport(self.server_url, verify=self.verify)
        return self._transport

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def access_token(self) -> str:
        with self._lock:
            if self._access_token is None or time.monotonic() >= self._expires_at:
                self._refresh()
            assert self._access_token is not None
            return self._access_token

    def forget_access_token(self) -> None:
        """The server refused it: the next request refreshes first."""
        with self._lock:
            self._access_token = None

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authorized request; one refresh and retry when the access token was refused."""
        response = self._send(method, path, **kwargs)
        if response.status_code == 401:
            self.forget_access_token()
            response = self._send(method, path, **kwargs)
            if response.status_code == 401:
                raise SignedOut(
                    T_("The server no longer accepts this session: sign in again."),
                    field="account",
                )
        return response

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {
            **kwargs.pop("headers", {}),
            **self.device_headers(),
            "Authorization": f"Bearer {self.access_token()}",
        }
        return self.transport.request(method, path, headers=headers, **kwargs)

    def device_headers(self) -> dict[str, str]:
        """The proof of this desk's device (none when its secret was lost: the server
        refuses push and pull, and signing in again says why)."""
        secret = load_device_secret(self.profile)
        return {DEVICE_KEY_HEADER: secret} if secret else {}

    def _refresh(self) -> None:
        token = load_refresh_token(self.profile)
        if token is None:
            raise SignedOut(
                T_("This desk is not signed in: sign in (or run `frontdesk login`)."),
                field="account",
            )
        # With the device key: if the answer is lost, asking again soon gets the same pair.
        response = self.transport.request(
            "POST",
            "/v1/auth/refresh",
            json={"refresh_token": token},
            headers=self.device_headers(),
        )
        if response.status_code == 401:
            raise SignedOut(T_("The session has ended: sign in again."), field="account")
        raise_for_answer(response, T_("Renewing the session"))
        self._take_tokens(response.json())

    def _take_tokens(self, body: dict[str, Any]) -> None:
        store_refresh_token(self.profile, str(body["refresh_token"]))
        self._access_token = str(body["access_token"])
        self._expires_at = time.monotonic() + max(
            0, int(body["expires_in"]) - EXPIRY_MARGIN_SECONDS
        )


@dataclass(frozen=True)
class ClinicChoice:
    slug: str
    name: str


class ChooseClinic(SyncError):
    """The account works for several clinics: sign in again naming one (`organization_slug`)."""

    def __init__(self, clinics: list[ClinicChoice]) -> None:
        listed = tuple(f"{c.name} ({c.slug})" for c in clinics)
        super().__init__(
            T_("This account works for several clinics; choose one: {clinics}.", clinics=listed),
            field="organization_slug",
        )
        self.clinics = clinics


def sign_in(
    profile: Profile,
    *,
    server_url: str,
    email: str,
    password: str,
    verify: str | bool = True,
    organization_slug: str | None = None,
) -> Account:
    """Sign this desk in; the refresh token goes to the keyring, the rest to the profile.
    Signing in to another server or organization starts its sync from the beginning."""
    check_server_url(server_url)  # before anything is opened or sent
    mirror = open_mirror(profile)
    try:
        device_id = mirror.device_id
        next_seq = _next_push_seq(mirror.sessions, device_id)
    finally:
        mirror.close()
    before = _account_file(profile)
    transport = Transport(server_url, verify=verify)
    body: dict[str, Any] = {
        "email": email,
        "password": password,
        "device_id": str(device_id),
        "device_secret": _device_secret(profile),
        "device_label": socket.gethostname()[:100],
        "next_seq": next_seq,
    }
    if organization_slug:
        body["organization_slug"] = organization_slug
    response = transport.request("POST", "/v1/auth/login", json=body)
    if response.status_code == 401:
        transport.close()
        raise SyncError(T_("Wrong e-mail or password."), field="password")
    if response.status_code == 409:
        transport.close()
        raise ChooseClinic(
            [ClinicChoice(c["slug"], c["name"]) for c in response.json()["detail"]["clinics"]]
        )
    try:
        raise_for_answer(response, T_("Signing in"))

    except SyncError:
        transport.close()
        raise
    answer = response.json()
    account = Account(
        profile=profile,
        server_url=transport.server_url,
        email=email,
        user_id=uuid.UUID(answer["user_id"]),
        organization_id=uuid.UUID(answer["organization_id"]),
        role=Role(answer["role"]),
        specialist_id=_optional_id(answer.get("specialist_id")),
        device_id=device_id,
        ca_path=str(Path(verify).resolve()) if isinstance(verify, str) else None,
        _transport=transport,
    )
    account._take_tokens(answer)
    if before and (
        before.get("server_url") != account.server_url
        or before.get("organization_id") != str(account.organization_id)
    ):
        _forget_cursor(profile)
    _write_account_file(account)
    return account


def _next_push_seq(sessions: Any, device_id: uuid.UUID) -> int:
    """The sequence number this desk's next push starts at: its oldest unsent mutation, or
    the next one it will write (a new registration's numbering starts there)."""
    with sessions() as session:
        oldest = session.scalar(
            select(func.min(OutboxMutation.device_seq)).where(
                OutboxMutation.pushed_at.is_(None), OutboxMutation.device_id == device_id
            )
        )
        device = session.scalar(select(LocalSetting).where(LocalSetting.key == DEVICE_SETTING))
    if oldest is not None:
        return int(oldest)
    return int(device.value["next_seq"]) if device is not None else 1


def _device_secret(profile: Profile) -> str:
    secret = load_device_secret(profile)
    if secret is None:
        secret = secrets.token_urlsafe(32)
        _store_secret(profile, DEVICE_SECRET_SUFFIX, DEVICE_SECRET_FILE, secret)
    return secret


def _account_file(profile: Profile) -> dict[str, Any]:
    path = profile.home / ACCOUNT_FILE
    return dict(json.loads(path.read_text())) if path.exists() else {}


def _forget_cursor(profile: Profile) -> None:
    mirror = open_mirror(profile)
    try:
        with mirror.sessions.begin() as session:
            session.execute(delete(LocalSetting).where(LocalSetting.key == CURSOR_SETTING))
    finally:
        mirror.close()


def current_account(profile: Profile) -> Account | None:
    data = _account_file(profile)
    if not data or load_refresh_token(profile) is None:
        return None
    return Account(
        profile=profile,
        server_url=data["server_url"],
        email=data["email"],
        user_id=uuid.UUID(data["user_id"]),
        organization_id=uuid.UUID(data["organization_id"]),
        role=Role(data["role"]),
        specialist_id=_optional_id(data.get("specialist_id")),
        device_id=uuid.UUID(data["device_id"]),
        ca_path=data.get("ca_path"),
    )


def sign_out(profile: Profile) -> None:
    """Revoke the session at the server when it can be reached, and forget it here."""
    account = current_account(profile)
    token = load_refresh_token(profile)
    if account is not None and token is not None:
        try:
            account.transport.request("POST", "/v1/auth/logout", json={"refresh_token": token})
        except SyncError:
            pass  # offline: the token is forgotten here and expires at the server
        finally:
            account.close()
    _forget_refresh_token(profile)
    (profile.home / ACCOUNT_FILE).unlink(missing_ok=True)


def _optional_id(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


def _write_account_file(account: Account) -> None:
    data = {
        "server_url": account.server_url,
        "email": account.email,
        "user_id": str(account.user_id),
        "organization_id": str(account.organization_id),
        "role": account.role.value,
        "specialist_id": str(account.specialist_id) if account.specialist_id else None,
        "device_id": str(account.device_id),
        "ca_path": account.ca_path,
    }
    write_private_text(account.profile.home / ACCOUNT_FILE, json.dumps(data, indent=2))


def _keyring_account(profile: Profile, suffix: str = "") -> str:
    return str(profile.home.resolve()) + suffix


def _keyring_usable() -> bool:
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return False
    return float(getattr(backend, "priority", 0)) >= 1


def store_refresh_token(profile: Profile, token: str) -> None:
    _store_secret(profile, "", TOKEN_FILE, token)


def load_refresh_token(profile: Profile) -> str | None:
    return _load_secret(profile, "", TOKEN_FILE)


def load_device_secret(profile: Profile) -> str | None:
    return _load_secret(profile, DEVICE_SECRET_SUFFIX, DEVICE_SECRET_FILE)


def _store_secret(profile: Profile, suffix: str, file_name: str, value: str) -> None:
    if _keyring_usable():
        try:
            keyring.set_password(KEYRING_SERVICE, _keyring_account(profile, suffix), value)
            (profile.home / file_name).unlink(missing_ok=True)
            return
        except keyring.errors.KeyringError:
            pass  # a locked or broken keyring: the private file below
    write_private_text(profile.home / file_name, value)


def _load_secret(profile: Profile, suffix: str, file_name: str) -> str | None:
    path = profile.home / file_name
    if path.exists():
        return path.read_text().strip() or None
    if not _keyring_usable():
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, _keyring_account(profile, suffix))
    except keyring.errors.KeyringError:
        return None


def _forget_refresh_token(profile: Profile) -> None:
    (profile.home / TOKEN_FILE).unlink(missing_ok=True)
    if _keyring_usable():
        # Nothing stored there is fine too.
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, _keyring_account(profile))
