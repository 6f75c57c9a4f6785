"""Applying pulled pages to the mirror: a page and its cursor in one SQLite transaction.

A crash in the middle of a page rolls the whole page back with the cursor, so the next pull
asks for the same page again: no gap, no duplicate. The server sends rows already in the
mirror's storage form (`protocol.TableRows`); they go in with the driver's `executemany`,
because the ORM's per-row bookkeeping would cost more than the data. The server's row wins,
except:

- a form signed on this desk is never overwritten (signed forms are immutable here too);
- fields of rows with changes still waiting in the outbox keep this desk's values, so a
  pull never undoes a local edit before the server has seen it.

Foreign keys are not checked while a page is applied: pages follow commit order, not
reference order, and a specialist's desk holds only part of the organization. The server
checked them when the rows were written."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Index

from frontdesk.domain.enums import FormStatus
from frontdesk.store.unit_of_work import DEVICE_SETTING
from frontdesk.store.wire import sqlite_converters, to_sqlite
from frontdesk.sync.tables import SYNCED_TABLES, table

CURSOR_SETTING = "sync_cursor"
_NEVER_OVERLAID = frozenset({"id", "organization_id", "row_version", "created_at"})


@dataclass(frozen=True)
class TableRows:
    columns: list[str]
    values: list[list[Any]]

    @classmethod
    def from_json(cls, body: dict[str, Any] | None) -> TableRows:
        body = body or {}
        return cls(list(body.get("columns", [])), body.get("values") or [])

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.values]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.values]


@dataclass
class PulledPage:
    cursor: str
    scope: str
    more: bool
    version: int
    reset: bool
    rows: dict[str, TableRows]
    removed: dict[str, list[str]]
    users: TableRows

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> PulledPage:
        return cls(
            cursor=str(body["cursor"]),
            scope=str(body["scope"]),
            more=bool(body["more"]),
            version=int(body["version"]),
            reset=bool(body.get("reset", False)),
            rows={
                name: TableRows.from_json(rows) for name, rows in (body.get("rows") or {}).items()
            },
            removed=body.get("removed") or {},
            users=TableRows.from_json(body.get("users")),
        )

    @property
    def row_count(self) -> int:
        return sum(len(rows.values) for rows in self.rows.values())


@dataclass
class CursorState:
    cursor: str = ""
    scope: str | None = None
    version: int = 0
    pulled_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def read_cursor(engine: Engine) -> CursorState:
    with engine.connect() as connection:
        raw = connection.exec_driver_sql(
            "SELECT value FROM local_settings WHERE key = ?", (CURSOR_SETTING,)
        ).scalar()
    if raw is None:
        return CursorState()
    data = json.loads(raw)
    return CursorState(
        cursor=data.get("cursor", ""),
        scope=data.get("scope"),
        version=int(data.get("version", 0)),
        pulled_at=data.get("pulled_at"),
    )


def _quoted(names: Iterable[str]) -> str:
    # Some column names are SQL words ("values").
    return ", ".join(f'"{name}"' for name in names)


def _secondary_indexes() -> list[Index]:
    return [
        index
        for name in SYNCED_TABLES
        for index in table(name).indexes
        if not index.unique and index.name
    ]


def drop_secondary_indexes(engine: Engine) -> None:
    """For a desk's first sync: building an index once at the end is several times cheaper
    than keeping it up to date row by row (unique indexes stay: they decide replacements)."""
    with engine.begin() as connection:
        for index in _secondary_indexes():
            connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{index.name}"')


def restore_indexes(engine: Engine) -> None:
    """Create every secondary index that is missing (a first sync cut short leaves them out)."""
    with engine.begin() as connection:
        for index in _secondary_indexes():
            index.create(connection, checkfirst=True)


def apply_page(engine: Engine, page: PulledPage, organization_id: uuid.UUID | None = None) -> None:
    """Write one page and its cursor atomically. A `reset` page (the desk's scope changed)
    first forgets what the desk held of `organization_id` under its old scope."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        # Outside any transaction: SQLite ignores this pragma inside one.
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                _apply(connection, page, organization_id)
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def _apply(connection: Connection, page: PulledPage, organization_id: uuid.UUID | None) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    pending = _pending_changes(cursor)
    if page.reset and organization_id is not None:
        _forget_organization(cursor, organization_id)
    if page.users.values:
        _write_users(cursor, page.users)
    for table_name in SYNCED_TABLES:
        rows = page.rows.get(table_name)
        if rows is None or not rows.values:
            continue
        if table_name == "form_instances":
            rows = _without_signed_here(cursor, rows)
        write_rows(cursor, table_name, rows)
    for table_name, ids in page.removed.items():
        _remove(cursor, table_name, [i for i in ids if (table_name, i) not in pending])
    if "sync_conflicts" in page.rows:
        _drop_refused_rows(cursor, page.rows["sync_conflicts"], pending)
    _overlay_pending(cursor, page, pending)
    _store_cursor(cursor, page)


def write_rows(cursor: Any, table_name: str, rows: TableRows) -> None:
    known = set(table(table_name).c.keys())
    if not set(rows.columns) <= known:  # a newer server's extra columns are left out
        keep = [i for i, name in enumerate(rows.columns) if name in known]
        rows = TableRows(
            [rows.columns[i] for i in keep], [[row[i] for i in keep] for row in rows.values]
        )
    # OR REPLACE: the server's row wins over a local row that collides with it on any unique
    # key (a local row the server refused; its values are kept in the conflict record).
    cursor.executemany(
        f"INSERT OR REPLACE INTO {table_name} ({_quoted(rows.columns)}) "
        f"VALUES ({', '.join('?' for _ in rows.columns)})",
        rows.values,
    )


def _write_users(cursor: Any, users: TableRows) -> None:
    """Accounts named by the rows. An address already used here by another local account
    (one this desk created offline, which the server will refuse) keeps the local row."""
    ids, emails = users.column("id"), users.column("email")
    fresh = [
        row
        for row, user_id, email in zip(users.values, ids, emails, strict=True)
        if cursor.execute(
            "SELECT 1 FROM users WHERE email = ? AND id <> ?", (email, user_id)
        ).fetchone()
        is None
    ]
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in users.columns if n != "id")
    cursor.executemany(
        f"INSERT INTO users ({_quoted(users.columns)}) "
        f"VALUES ({', '.join('?' for _ in users.columns)}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}",
        fresh,
    )


def _without_signed_here(cursor: Any, rows: TableRows) -> TableRows:
    """A form signed on this desk is never overwritten (signed forms are immutable), unless
    the server refused that signature: then the signed values live on in the open conflict
    (written before the forms) and the form becomes the server's again."""
    ids = rows.column("id")
    signed: set[str] = set()
    for chunk in _chunks(ids, 500):
        found = cursor.execute(
            f"SELECT id FROM form_instances WHERE status = ? AND id IN ({_marks(chunk)}) "
            "AND id NOT IN (SELECT row_id FROM sync_conflicts WHERE table_name = "
            "'form_instances' AND kind = 'rejected' AND status = 'open')",
            (FormStatus.SIGNED.value, *chunk),
        ).fetchall()
        signed |= {row[0] for row in found}
    if not signed:
        return rows
    return TableRows(
        rows.columns,
        [row for row, row_id in zip(rows.values, ids, strict=True) if row_id not in signed],
    )


def _pending_changes(cursor: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Fields of rows this desk changed and has not pushed yet, merged in order."""
    pending: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for table_name, row_id, changed in cursor.execute(
        "SELECT table_name, row_id, changed FROM sync_outbox WHERE pushed_at IS NULL "
        "ORDER BY device_seq"
    ):
        pending[(table_name, row_id)].update(json.loads(changed))
    return pending


def _overlay_pending(
    cursor: Any, page: PulledPage, pending: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Fields this desk changed and has not pushed yet keep this desk's values."""
    if not pending:
        return
    for table_name, rows in page.rows.items():
        if table_name not in SYNCED_TABLES:
            continue
        converters = sqlite_converters(table(table_name))
        for row_id in rows.column("id"):
            local = pending.get((table_name, row_id))
            if not local:
                continue
            fields = {
                k: v for k, v in local.items() if k in converters and k not in _NEVER_OVERLAID
            }
            if not fields:
                continue
            assignments = ", ".join(f'"{name}" = ?' for name in fields)
            values = [to_sqlite(converters[k], v) for k, v in fields.items()]
            cursor.execute(f"UPDATE {table_name} SET {assignments} WHERE id = ?", (*values, row_id))


def _drop_refused_rows(
    cursor: Any, conflicts: TableRows, pending: dict[tuple[str, str], Any]
) -> None:
    """A row the server refused to create (or a row outside its author's scope) exists only on
    the desk that wrote it: it goes there, its values stay in the conflict record (resolving it
    with "keep mine" creates the row again). Another desk's copy of that row is the server's
    and stays."""
    device = _device_hex(cursor)
    for conflict in conflicts.dicts():
        if not conflict["row_missing"] or conflict["status"] != "open":
            continue
        if conflict["device_id"] != device:
            continue
        table_name, row_id = conflict["table_name"], conflict["row_id"]
        if table_name in SYNCED_TABLES and (table_name, row_id) not in pending:
            _remove(cursor, table_name, [row_id])


def _forget_organization(cursor: Any, organization_id: uuid.UUID) -> None:
    """Before a pull from the start under a new scope: the server names in `removed` only
    rows the desk had under its current scope, so the rows of the old one go here (all but
    the organization itself and rows with changes still to push; the pages bring back what
    the new scope holds)."""
    for table_name in SYNCED_TABLES:
        if table_name == "organizations":
            continue
        cursor.execute(
            f"DELETE FROM {table_name} WHERE organization_id = ? AND id NOT IN "
            "(SELECT row_id FROM sync_outbox WHERE pushed_at IS NULL AND table_name = ?)",
            (organization_id.hex, table_name),
        )


def _device_hex(cursor: Any) -> str | None:
    """This desk's device id as pulled rows hold ids (32 hex digits)."""
    found = cursor.execute(
        "SELECT value FROM local_settings WHERE key = ?", (DEVICE_SETTING,)
    ).fetchone()
    return uuid.UUID(json.loads(found[0])["device_id"]).hex if found else None


def _remove(cursor: Any, table_name: str, ids: list[str]) -> None:
    if table_name not in SYNCED_TABLES:
        return
    for chunk in _chunks(ids, 500):
        cursor.execute(f"DELETE FROM {table_name} WHERE id IN ({_marks(chunk)})", tuple(chunk))


def _store_cursor(cursor: Any, page: PulledPage) -> None:
    value = {
        "cursor": page.cursor,
        "scope": page.scope,
        "version": page.version,
        "pulled_at": datetime.now(UTC).isoformat(),
    }
    cursor.execute(
        "INSERT INTO local_settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (CURSOR_SETTING, json.dumps(value)),
    )


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
