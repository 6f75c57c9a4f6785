"""Column values on the sync wire (JSON) and in each database.

The outbox and the pull carry JSON: UUIDs and instants as ISO strings. The server binds them
as Python values; the desktop writes them straight into SQLite in the form SQLAlchemy itself
stores (32-digit hex UUIDs, "YYYY-MM-DD HH:MM:SS.ffffff" UTC instants, JSON text), so rows
applied by sync read back exactly like rows written through the ORM."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Table, Uuid

from frontdesk.store.types import UTCDateTime

Kind = str  # "uuid" | "instant" | "date" | "json" | "bool" | "plain"


@cache
def column_kinds(table: Table) -> dict[str, Kind]:
    """Per column, which conversion its values need (computed once per table)."""
    kinds: dict[str, Kind] = {}
    for column in table.c:
        column_type = column.type
        if isinstance(column_type, Uuid):
            kinds[column.name] = "uuid"
        elif isinstance(column_type, UTCDateTime):
            kinds[column.name] = "instant"
        elif isinstance(column_type, Date):
            kinds[column.name] = "date"
        elif isinstance(column_type, JSON):
            kinds[column.name] = "json"
        elif isinstance(column_type, Boolean):
            kinds[column.name] = "bool"
        else:
            kinds[column.name] = "plain"
    return kinds


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"an instant without a time zone: {text!r}")
    return moment.astimezone(UTC)


_FROM_JSON: dict[Kind, Callable[[Any], Any]] = {
    "uuid": lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)),
    "instant": _instant,
    "date": date.fromisoformat,
}


def from_json(kind: Kind, value: Any) -> Any:
    """A JSON value as the Python value SQLAlchemy binds (the server's apply, a resolved
    conflict's values)."""
    if value is None:
        return None
    convert = _FROM_JSON.get(kind)
    return convert(value) if convert else value


def _sqlite_instant(text: str) -> str:
    # PostgreSQL writes "2026-03-02T07:00:00.5+00:00" (fraction trimmed); SQLAlchemy stores
    # "2026-03-02 07:00:00.500000". The fast path covers UTC, the usual case.
    if text.endswith("+00:00") and len(text) >= 25 and text[10] == "T":
        body = text[:-6]
        fraction = body[20:] if len(body) > 19 else ""
        return f"{body[:10]} {body[11:19]}.{fraction.ljust(6, '0')}"
    return _instant(text).strftime("%Y-%m-%d %H:%M:%S.%f")


_TO_SQLITE: dict[Kind, Callable[[Any], Any]] = {
    "uuid": lambda v: str(v).replace("-", ""),
    "instant": _sqlite_instant,
    "date": str,
    "json": lambda v: json.dumps(v),
    "bool": int,
}


def sqlite_converters(table: Table) -> dict[str, Callable[[Any], Any] | None]:
    """Per column: how a JSON value becomes its SQLite storage value (None: as it is)."""
    return {name: _TO_SQLITE.get(kind) for name, kind in column_kinds(table).items()}


def to_sqlite(convert: Callable[[Any], Any] | None, value: Any) -> Any:
    if value is None or convert is None:
        return value
    return convert(value)
