"""Building a pull page: the rows changed after a device's cursor, in version order.

The change log holds one entry per row (its latest version), so a pull from the start is a
full copy of what the device may see, and a later pull sends each changed row once, as it
is now. Rows are turned into JSON by PostgreSQL and the page is assembled as text, so the
server never builds Python objects for them.

Scope: admins and receptionists receive the whole organization. A specialist's desk receives
the appointments assigned to them and what hangs off those (status history, reviews, the
forms of those appointments); the rest of the organization (patients, catalog, rules) too.
A logged row outside the scope is sent as `removed`, so when an appointment moves to another
specialist it leaves one desk and arrives at the other on their next pull. Conflicts carry
field values, so a specialist receives only those about rows in their scope, and those of
their own refused inserts (the row never reached the server: the values are theirs)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from frontdesk.domain.enums import Role
from frontdesk.store.wire import column_kinds
from frontdesk.sync.protocol import decode_cursor, encode_cursor
from frontdesk.sync.tables import HIDDEN_COLUMNS, SYNCED_TABLES, USERS_TABLE, table

# Tables whose rows a specialist sees only through an appointment of theirs.
_THROUGH_APPOINTMENT = ("appointment_status_history", "reviews", "form_instances")
_NARROWED_TABLES = ("appointments", *_THROUGH_APPOINTMENT)


@dataclass(frozen=True)
class Reader:
    organization_id: uuid.UUID
    role: Role
    specialist_id: uuid.UUID | None
    user_id: uuid.UUID

    @property
    def scope(self) -> str:
        if self.role == Role.SPECIALIST:
            return f"specialist:{self.specialist_id or ''}"
        return "organization"

    @property
    def narrowed(self) -> bool:
        return self.role not in (Role.ADMIN, Role.RECEPTIONIST)


def _scope_clause(reader: Reader, table_name: str, alias: str = "t") -> str:
    """SQL limiting `alias` (a row of `table_name`) to what the reader may receive."""
    if not reader.narrowed:
        return "TRUE"
    if table_name == "appointments":
        return f"{alias}.specialist_id = :specialist"
    if table_name in _THROUGH_APPOINTMENT:
        mine = (
            f"EXISTS (SELECT 1 FROM appointments a WHERE a.id = {alias}.appointment_id "
            "AND a.specialist_id = :specialist)"
        )
        if table_name == "form_instances":
            return f"({alias}.appointment_id IS NULL OR {mine})"
        return mine
    if table_name == "sync_conflicts":
        return _conflict_scope_clause(reader, alias)
    return "TRUE"


def _conflict_scope_clause(reader: Reader, alias: str) -> str:
    """A conflict about a row of a narrowed table goes with that row; a refused insert (no
    row on the server, or one outside the author's scope: it holds only the author's values)
    goes to its author alone."""
    about_row = " ".join(
        f"WHEN '{name}' THEN EXISTS (SELECT 1 FROM {name} r WHERE r.id = {alias}.row_id "
        f"AND {_scope_clause(reader, name, 'r')})"
        for name in _NARROWED_TABLES
    )
    own_refused = f"({alias}.row_missing AND {alias}.author_user_id = :user)"
    return f"(CASE {alias}.table_name {about_row} ELSE TRUE END OR {own_refused})"


def _user_columns(table_name: str) -> list[str]:
    return [
        column.name
        for column in table(table_name).c
        for key in column.foreign_keys
        if key.column.table.name == USERS_TABLE
    ]


@dataclass(frozen=True)
class BuiltPage:
    body: str  # JSON text in the shape of `protocol.PullPage`
    cursor: str
    more: bool
    scope: str


def build_page(
    session: Session, reader: Reader, cursor: str, scope: str | None, limit: int
) -> BuiltPage:
    """The page after `cursor`."""
    connection = session.connection()
    connection.execute(text("SELECT set_config('TimeZone', 'UTC', true)"))
    reset = scope is not None and scope != reader.scope
    after_version, after_seq = (0, 0) if reset else decode_cursor(cursor)
    entries = connection.execute(
        text(
            "SELECT table_name, row_id, version, seq FROM sync_changes "
            "WHERE organization_id = :org AND (version, seq) > (:version, :seq) "
            "ORDER BY version, seq LIMIT :limit"
        ),
        {"org": reader.organization_id, "version": after_version, "seq": after_seq, "limit": limit},
    ).all()
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    for entry in entries:
        wanted[entry.table_name].append(entry.row_id)
    if wanted.get("sync_conflicts"):
        _add_conflicted_rows(connection, reader, wanted)
    if reader.narrowed and wanted.get("appointments"):
        _add_appointment_children(connection, wanted)
    rows: dict[str, str] = {}
    removed: dict[str, list[str]] = {}
    user_ids: set[uuid.UUID] = set()
    for table_name, ids in wanted.items():
        columns, values = _storage_select(table_name)
        found = connection.execute(
            text(
                f"SELECT t.id, {values} AS doc FROM {table_name} t "
                f"WHERE t.id = ANY(:ids) AND {_scope_clause(reader, table_name)}"
            ),
            _scope_params(reader, ids),
        ).all()
        if found:
            rows[table_name] = _table_rows(columns, [row.doc for row in found])
        gone = set(ids) - {row.id for row in found}
        if gone:
            removed[table_name] = sorted(row_id.hex for row_id in gone)
        user_ids |= _named_users(connection, table_name, [row.id for row in found])
    users = _users(connection, user_ids)
    last = entries[-1] if entries else None
    next_cursor = (
        encode_cursor(last.version, last.seq) if last else encode_cursor(after_version, after_seq)
    )
    version = connection.scalar(
        text("SELECT version FROM sync_org_versions WHERE organization_id = :org"),
        {"org": reader.organization_id},
    )
    more = len(entries) == limit
    body = "".join(
        [
            '{"cursor":',
            json.dumps(next_cursor),
            ',"more":',
            "true" if more else "false",
            ',"version":',
            str(int(version or 0)),
            ',"scope":',
            json.dumps(reader.scope),
            ',"reset":',
            "true" if reset else "false",
            ',"rows":{',
            ",".join(f'"{name}":{table_rows}' for name, table_rows in rows.items()),
            '},"removed":',
            json.dumps(removed),
            ',"users":',
            users,
            "}",
        ]
    )
    return BuiltPage(body, next_cursor, more, reader.scope)


def _scope_params(reader: Reader, ids: list[uuid.UUID]) -> dict[str, object]:
    return {"ids": ids, "specialist": reader.specialist_id, "user": reader.user_id}


def _add_conflicted_rows(
    connection: Connection, reader: Reader, wanted: dict[str, list[uuid.UUID]]
) -> None:
    """A conflict travels with the row it is about, as the server has it: a desk whose write
    was refused gets the server's row back in the same page (and so converges)."""
    named = connection.execute(
        text(
            "SELECT t.table_name, t.row_id FROM sync_conflicts t "
            f"WHERE t.id = ANY(:ids) AND {_scope_clause(reader, 'sync_conflicts')}"
        ),
        _scope_params(reader, wanted["sync_conflicts"]),
    ).all()
    for table_name, row_id in named:
        if table_name in SYNCED_TABLES and row_id not in wanted[table_name]:
            wanted[table_name].append(row_id)


def _add_appointment_children(connection: Connection, wanted: dict[str, list[uuid.UUID]]) -> None:
    """A specialist's scope follows the appointment: its dependents go where it goes."""
    appointment_ids = wanted["appointments"]
    for child in _THROUGH_APPOINTMENT:
        extra = connection.scalars(
            text(f"SELECT id FROM {child} WHERE appointment_id = ANY(:ids)"),
            {"ids": appointment_ids},
        ).all()
        if extra:
            known = set(wanted[child])
            wanted[child].extend(row_id for row_id in extra if row_id not in known)


def _named_users(connection: Connection, table_name: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    columns = _user_columns(table_name)
    if not columns or not ids:
        return set()
    named = connection.scalars(
        text(
            f"SELECT DISTINCT u FROM {table_name} t, "
            f"unnest(ARRAY[{', '.join('t.' + c for c in columns)}]) AS u "
            "WHERE t.id = ANY(:ids) AND u IS NOT NULL"
        ),
        {"ids": ids},
    ).all()
    return set(named)


def _users(connection: Connection, user_ids: set[uuid.UUID]) -> str:
    columns, values = _storage_select(USERS_TABLE)
    found = (
        connection.scalars(
            text(f"SELECT {values} FROM users t WHERE t.id = ANY(:ids)"),
            {"ids": sorted(user_ids)},
        ).all()
        if user_ids
        else []
    )
    return _table_rows(columns, list(found))


# How each kind of column is written for the mirror: as SQLAlchemy stores it in SQLite.
_STORAGE_FORM = {
    "uuid": "replace({}::text, '-', '')",
    "instant": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
    "date": "to_char({}, 'YYYY-MM-DD')",
    "json": "{}::text",
    "bool": "{}::int",
}


@cache
def _storage_select(table_name: str) -> tuple[list[str], str]:
    """The columns a desk receives, and the SQL that renders a row `t` of them as a JSON
    array in the mirror's storage form (so the desk writes it without converting)."""
    hidden = HIDDEN_COLUMNS.get(table_name, frozenset())
    kinds = {n: k for n, k in column_kinds(table(table_name)).items() if n not in hidden}
    rendered = [_STORAGE_FORM.get(kind, "{}").format(f't."{name}"') for name, kind in kinds.items()]
    return list(kinds), f"json_build_array({', '.join(rendered)})::text"


def _table_rows(columns: list[str], docs: list[str]) -> str:
    return f'{{"columns":{json.dumps(columns)},"values":[{",".join(docs)}]}}'
