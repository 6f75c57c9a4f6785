"""The server's settings: where its data is, how it listens, how long tokens live."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk.domain.errors import InvalidInput
from frontdesk.file_access import explained
from frontdesk.i18n.text import T_
from frontdesk.private_files import PRIVATE_FILE_MODE, tighten, write_private_text
from frontdesk.server.environment import (
    DATABASE_URL_ENV,
    SMS_TOKEN_ENV,
    SMTP_PASSWORD_ENV,
    TOKEN_SECRET_ENV,
    environment_value,
)

TOKEN_SECRET_FILE = "token-secret"
SMS_TOKEN_FILE = "sms-token"
# Whose files a refusal to use them is about ("run as the data directory's owner").
DATA_DIR_OWNER = "the data directory's"
# HS256 keys shorter than the hash (32 bytes) can be guessed offline from any token.
MIN_TOKEN_SECRET_LENGTH = 32


# The sign-in limits as docs/server.md names them, for the words of a refusal.
_SETTING_NAMES = {
    "login_backoff_seconds": T_("First wait after failed sign-ins"),
    "login_backoff_max_seconds": T_("Longest wait after failed sign-ins"),
    "login_known_days": T_("Days a sign-in keeps its source known"),
}


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8443
    certfile: Path | None = None
    keyfile: Path | None = None
    token_secret: str = field(default="", repr=False)
    access_token_seconds: int = 15 * 60
    refresh_token_days: int = 30
    # "N per period" strings of the `limits` library. Sign-in attempts: per address, or per
    # account and source for a source that signed in to the account lately.
    login_rate_limit: str = "10/minute"
    # Failed sign-ins allowed before each new one doubles the wait (docs/server.md,
    # "Sign-in limits"): per account from unknown sources, per address, per known source.
    login_free_failures: int = 5
    login_free_failures_per_address: int = 10
    login_free_failures_known: int = 10
    login_backoff_seconds: int = 2
    login_backoff_max_seconds: int = 15 * 60
    # How long a successful sign-in makes its address or desk known to the account.
    login_known_days: int = 30
    # A refresh token presented again this soon by its own desk gets the same new pair.
    refresh_grace_seconds: int = 60
    # Reverse proxies whose X-Forwarded-For names the caller (none: the socket's address).
    trusted_proxies: tuple[str, ...] = ()
    booking_rate_limit: str = "20/hour"
    max_body_bytes: int = 5 * 1024 * 1024
    # Open live update streams (`/v1/sync/live`) one account may hold in this process; one
    # more is refused with 429 (docs/decisions.md, "Live updates").
    live_streams_per_account: int = 5
    # Outbound e-mail from the server's delivery worker; no host: the server sends nothing.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_from: str | None = None
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    # Outbound SMS through the provider's HTTP API; no URL: the server sends no SMS. The
    # token comes from the environment or a file, never the command line (`ps` shows that).
    sms_url: str | None = None
    sms_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if len(self.token_secret) < MIN_TOKEN_SECRET_LENGTH:
            raise InvalidInput.single(
                "token_secret",
                T_(
                    "The token secret must be at least {count} characters long: set {env} to "
                    "a long random value, or leave it unset.",
                    count=MIN_TOKEN_SECRET_LENGTH,
                    env=TOKEN_SECRET_ENV,
                ),
            )
        for name in ("login_backoff_seconds", "login_backoff_max_seconds", "login_known_days"):
            if getattr(self, name) < 1:
                raise InvalidInput.single(
                    name, T_("“{field}” must be at least 1.", field=_SETTING_NAMES[name])
                )
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_address(proxy)
            except ValueError:
                raise InvalidInput.single(
                    "trusted_proxies",
                    T_(
                        "The trusted proxy “{proxy}” is not an IP address (--trusted-proxy).",
                        proxy=proxy,
                    ),
                ) from None
        if self.refresh_grace_seconds < 0:
            raise InvalidInput.single(
                "refresh_grace_seconds",
                T_("The grace for a refresh token's reuse must not be negative."),
            )
        if self.live_streams_per_account < 1:
            raise InvalidInput.single(
                "live_streams_per_account",
                T_(
                    "The live update streams per account must be at least 1 (each desk "
                    "holds one stream)."
                ),
            )

    @classmethod
    def load(cls, data_dir: Path, **overrides: object) -> ServerConfig:
        """Settings for the server whose data lives in `data_dir`: the database URL from the
        environment when not given, and a token secret kept in the data directory (made once)
        so tokens survive a restart. A data directory or secret file this user may not use is
        a FileAccessRefused naming it and the fix."""
        with explained("use", owner=DATA_DIR_OWNER):
            data_dir.mkdir(parents=True, exist_ok=True)
            if "database_url" not in overrides:
                overrides["database_url"] = environment_value(DATABASE_URL_ENV)
            overrides.setdefault("smtp_password", environment_value(SMTP_PASSWORD_ENV) or "")
            overrides.setdefault(
                "sms_token",
                environment_value(SMS_TOKEN_ENV) or _file_text(data_dir / SMS_TOKEN_FILE),
            )
            if not overrides.get("token_secret"):
                overrides["token_secret"] = environment_value(TOKEN_SECRET_ENV) or _stored_secret(
                    data_dir / TOKEN_SECRET_FILE
                )
        return cls(data_dir=data_dir, **overrides)  # type: ignore[arg-type]

    @property
    def uses_tls(self) -> bool:
        return self.certfile is not None


def _file_text(path: Path) -> str:
    """A secret kept in a file: its content, the file closed to other users first."""
    with explained("read", owner=DATA_DIR_OWNER):
        if not path.exists():
            return ""
        tighten(path, PRIVATE_FILE_MODE)
        return path.read_text().strip()


def _stored_secret(path: Path) -> str:
    if path.exists():
        return _file_text(path)
    secret = secrets.token_urlsafe(48)
    with explained("write", owner=DATA_DIR_OWNER):
        write_private_text(path, secret)
    return secret
