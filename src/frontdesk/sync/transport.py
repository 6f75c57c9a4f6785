"""HTTP to the server: TLS verified (a clinic's own CA allowed), the schema version on every
request, the server's clock read from every answer."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime
from typing import Any

import httpx

from frontdesk.domain.errors import DomainError, Words, words_from_wire
from frontdesk.i18n.text import T_, Text
from frontdesk.sync.protocol import SCHEMA_HEADER, SCHEMA_VERSION, SERVER_TIME_HEADER

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
PLAIN_HTTP_REFUSED = T_(
    "The server address must start with https:// (only a server on this computer may use http://)."
)


class SyncError(DomainError):
    """Sync could not run; the message says why and what to do."""


class ServerUnreachable(SyncError):
    """The server did not answer (offline, wrong address, certificate refused)."""


class OutdatedClient(SyncError):
    """The server needs a newer Front Desk (HTTP 426)."""


class SignedOut(SyncError):
    """The session ended (refresh token revoked or expired): sign in again."""


def tls_context(verify: str | bool) -> ssl.SSLContext | bool:
    """Certificates checked against the system's CAs, or against the clinic's CA file.
    Never unchecked: a desk sends passwords and patient data."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    if verify is not True:
        raise SyncError(
            T_("Certificate checks cannot be turned off: give the clinic's CA file instead."),
            field="ca",
        )
    return verify


def check_server_url(server_url: str) -> str:
    """`server_url` if a desk may send passwords and patient data there: over HTTPS, or over
    plain HTTP to this computer alone (the demo, a test) — on any network, HTTP can be read
    and changed on the way."""
    given = server_url.strip()
    try:
        url = httpx.URL(given)
    except httpx.InvalidURL:
        raise SyncError(PLAIN_HTTP_REFUSED, field="server") from None
    if url.host and (url.scheme == "https" or (url.scheme == "http" and _loopback(url.host))):
        return given
    raise SyncError(PLAIN_HTTP_REFUSED, field="server")


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


class Transport:
    """One connection pool to one server."""

    def __init__(self, server_url: str, *, verify: str | bool = True) -> None:
        self.server_url = check_server_url(server_url).rstrip("/")
        self.client = httpx.Client(
            base_url=self.server_url,
            verify=tls_context(verify),
            timeout=TIMEOUT,
            headers={SCHEMA_HEADER: str(SCHEMA_VERSION)},
        )
        # Seconds the server's clock is ahead of ours (None until the first answer).
        self.clock_skew_seconds: float | None = None

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ServerUnreachable(
                T_(
                    "The server {server} cannot be reached ({details}); your work is kept on "
                    "this computer.",
                    server=self.server_url,
                    details=str(error),
                ),
                field="server",
            ) from error
        self.read_clock(response)
        if response.status_code == 426:
            raise OutdatedClient(refusal_words(response), field="version")
        return response

    def read_clock(self, response: httpx.Response) -> None:
        """Notes how far the server's clock (from the answer's header) is from ours."""
        stamp = response.headers.get(SERVER_TIME_HEADER)
        if not stamp:
            return
        try:
            server_now = datetime.fromisoformat(stamp)
        except ValueError:
            return
        if server_now.tzinfo is not None:
            self.clock_skew_seconds = (server_now - datetime.now(UTC)).total_seconds()


def refusal_words(response: httpx.Response) -> Words:
    """Why the server refused, in this desk's language: a service's refusal comes with its
    words language-neutral (`text`, see `server.errors`); other answers as they are."""
    try:
        body = response.json()
    except ValueError:
        return response.text or f"HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        found = tuple(words_from_wire(d.get("text", d.get("msg", ""))) for d in detail)
        return found[0] if len(found) == 1 else Text("{items}", {"items": found})
    return str(detail) if detail else f"HTTP {response.status_code}"


def raise_for_answer(response: httpx.Response, what: Text) -> None:
    """A clear error for any answer other than success. `what`: what was being done
    ("Signing in")."""
    if response.is_success:
        return
    raise SyncError(
        T_(
            "{what} did not work: {reason} (HTTP {status})",
            what=what,
            reason=refusal_words(response),
            status=response.status_code,
        )
    )
