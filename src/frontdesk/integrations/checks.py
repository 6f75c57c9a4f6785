"""Plain-words checks of the fields a message adapter writes into a header or an address,
run before any provider is asked: a value that can never be sent is an `UnsendableError`
at once, instead of an exception that stops the delivery run and leaves the message pending
forever."""

from __future__ import annotations

from frontdesk.integrations.errors import UnsendableError

# RFC 5322: a header line is at most 998 characters; RFC 5321: a path at most 256.
HEADER_MAX = 998
ADDRESS_MAX = 254


def check_header_text(value: str, what: str, *, limit: int = HEADER_MAX) -> None:
    """UnsendableError naming `what` ("the subject") when `value` cannot be one header."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsendableError(f"{what} has characters that cannot be written out") from None
    if "\r" in value or "\n" in value:
        raise UnsendableError(f"{what} contains a line break")
    if "\x00" in value:
        raise UnsendableError(f"{what} contains a NUL character")
    if any(not ch.isprintable() and ch != "\t" for ch in value):
        raise UnsendableError(f"{what} contains a control character")
    if len(value) > limit:
        raise UnsendableError(f"{what} is longer than {limit} characters")


def printable(value: str, limit: int = 80) -> str:
    """`value` for an alert: control characters shown as escapes (\\n), cut at `limit`."""
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
