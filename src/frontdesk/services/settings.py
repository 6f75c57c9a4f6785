"""The desk's own settings, declared once with their type and default, stored per profile in
`local_settings` (never synced: another desk may use another mail server). Secrets never go
there: the SMTP password and the SMS token live in the OS keyring.

Rows are keyed `setting.<key>` so they never meet the mirror's own facts (`device`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import keyring
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.contact import normalize_email
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.field_names import field_name
from frontdesk.i18n import LANGUAGES, N_
from frontdesk.i18n.text import T_, Text
from frontdesk.integrations.email import SmtpEmailSender
from frontdesk.integrations.sms import HttpSmsSender
from frontdesk.store.models import LocalSetting

T = TypeVar("T")

SMTP_KEYRING_SERVICE = "frontdesk-smtp"
SMS_KEYRING_SERVICE = "frontdesk-sms"
_ROW_PREFIX = "setting."


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type[T]
    default: T
    help: str
    # Checks and normalises a value of the right type; raises ValueError with a reason.
    check: Callable[[T], T] | None = None
    choices: tuple[T, ...] = ()
    """The values it may take (picked from a list), or () for any of its type."""

    def parse(self, value: object) -> T:
        """`value` as this setting holds it, or InvalidInput naming the setting."""
        # bool is an int in Python; a port of True is a mistake, not 1.
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise InvalidInput.single(
                self.key,
                T_(
                    "“{field}” must be {kind}.",
                    field=field_name(self.key),
                    kind=_TYPE_WORDS[self.type],
                ),
            )
        if self.choices and value not in self.choices:
            allowed = ", ".join(str(choice) for choice in self.choices)
            raise InvalidInput.single(
                self.key,
                T_(
                    "“{field}” must be one of: {allowed}.",
                    field=field_name(self.key),
                    allowed=allowed,
                ),
            )
        if self.check is None:
            return value
        try:
            return self.check(value)
        except ValueError as exc:
            raise InvalidInput.single(self.key, str(exc)) from None


_TYPE_WORDS: dict[type[Any], Text] = {
    str: T_("text"),
    int: T_("a whole number"),
    bool: T_("yes or no"),
}


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("must be between 1 and 65535")
    return value


def _address(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalize_email(value)
    except InvalidInput as exc:
        raise ValueError(exc.errors[0].message) from None


def _host(value: str) -> str:
    host = value.strip()
    if any(c.isspace() or c in "/@" for c in host):
        raise ValueError("must be a host name or address, e.g. smtp.example.com")
    return host


def _url(value: str) -> str:
    url = value.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValueError("must start with https:// (or http:// on a private network)")
    return url


AUTO = "auto"
"""Language and theme: follow the operating system."""

# The help texts are marked for translation; the settings page shows them translated.
LANGUAGE = Setting(
    "language",
    str,
    AUTO,
    N_("the desk's language; the system's unless one is chosen (applies at the next start)"),
    choices=(AUTO, *LANGUAGES),
)
THEME = Setting(
    "theme",
    str,
    AUTO,
    N_("light or dark; the system's unless one is chosen"),
    choices=(AUTO, "light", "dark"),
)
SMTP_HOST = Setting(
    "smtp_host", str, "", N_("SMTP server; empty = the desk sends no e-mail"), _host
)
SMTP_PORT = Setting("smtp_port", int, 587, N_("SMTP port (587 with STARTTLS, 25 plain)"), _port)
SMTP_STARTTLS = Setting("smtp_starttls", bool, True, N_("upgrade the connection with STARTTLS"))
SMTP_USERNAME = Setting("smtp_username", str, "", N_("SMTP login; empty = no login"))
FROM_ADDRESS = Setting("from_address", str, "", N_("the clinic's sender address"), _address)
SMS_API_URL = Setting(
    "sms_api_url", str, "", N_("SMS provider endpoint; empty = outbox file"), _url
)

SETTINGS: dict[str, Setting[Any]] = {
    s.key: s
    for s in (
        LANGUAGE,
        THEME,
        SMTP_HOST,
        SMTP_PORT,
        SMTP_STARTTLS,
        SMTP_USERNAME,
        FROM_ADDRESS,
        SMS_API_URL,
    )
}


def get_setting(sessions: sessionmaker[Session], setting: Setting[T]) -> T:
    with sessions() as session:
        row = session.get(LocalSetting, _ROW_PREFIX + setting.key)
    if row is None:
        return setting.default
    stored = row.value.get("value")
    # A value that no longer fits (written by an older version) reads as the default.
    try:
        return setting.parse(stored)
    except InvalidInput:
        return setting.default


def set_setting(sessions: sessionmaker[Session], setting: Setting[T], value: object) -> T:
    """Store `value` (checked and normalised) and return what was stored."""
    parsed = setting.parse(value)
    with sessions.begin() as session:
        row = session.get(LocalSetting, _ROW_PREFIX + setting.key)
        if row is None:
            session.add(LocalSetting(key=_ROW_PREFIX + setting.key, value={"value": parsed}))
        else:
            row.value = {"value": parsed}
    return parsed


def _smtp_account(host: str, username: str) -> str:
    # The password belongs to a login on a server, whichever profile uses it.
    return f"{username}@{host}"


def set_smtp_password(host: str, username: str, password: str) -> None:
    keyring.set_password(SMTP_KEYRING_SERVICE, _smtp_account(host, username), password)


def set_sms_token(url: str, token: str) -> None:
    keyring.set_password(SMS_KEYRING_SERVICE, url, token)


def email_sender(sessions: sessionmaker[Session]) -> SmtpEmailSender | None:
    """The SMTP sender the settings describe, or None when no SMTP server is set."""
    host = get_setting(sessions, SMTP_HOST)
    if not host:
        return None
    sender = get_setting(sessions, FROM_ADDRESS)
    if not sender:
        raise InvalidInput.single(FROM_ADDRESS.key, T_("Set the sender address to send e-mail."))
    username = get_setting(sessions, SMTP_USERNAME)
    password = ""
    if username:
        password = keyring.get_password(SMTP_KEYRING_SERVICE, _smtp_account(host, username)) or ""
    return SmtpEmailSender(
        host,
        get_setting(sessions, SMTP_PORT),
        from_address=sender,
        username=username,
        password=password,
        starttls=get_setting(sessions, SMTP_STARTTLS),
    )


def sms_sender(sessions: sessionmaker[Session]) -> HttpSmsSender | None:
    """The SMS provider the settings describe, or None (the desk then writes an outbox file)."""
    url = get_setting(sessions, SMS_API_URL)
    if not url:
        return None
    token = keyring.get_password(SMS_KEYRING_SERVICE, url)
    if not token:
        raise InvalidInput.single(
            SMS_API_URL.key, T_("Store the SMS provider's token to send text messages.")
        )
    return HttpSmsSender(url, token)
