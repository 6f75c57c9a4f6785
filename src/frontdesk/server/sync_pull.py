"""Building a pull page: the rows changed after a device's cursor, in version order.

The change log holds one entry per row (its latest version), so a pull from the start is a
full copy of what the device may see, and a later pull sends each changed row once, as it
is now. Rows are turned into JSON by PostgreSQL and the page is assembled as text, so the
server never builds Python objects for them.

Scope: what each role receives is declared table by table in `receive_rules`. A logged row
outside the reader's scope is sent as `removed` only when the desk could have had it: never on
a pull from the start, and otherwise only for a row whose appointment left this specialist
(`sync_departures`, filled by a trigger when an appointment's specialist changes). So when an
appointment moves to another specialist it leaves one desk and arrives at the other on their
next pull, and `removed` never names a colleague's rows. A desk whose scope changed, or whose
cursor a restore from a backup undid (`sync_history`), pulls again from the start (`reset`)
and forgets, in the same transaction, what it held before."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from frontdesk.domain.enums import STAFF_ROLES, Role
from frontdesk.server.receive_rules import APPOINTMENT_ANCHORS, ON_APPOINTMENT, receive_clause
from frontdesk.server.sync_history import cursor_never_issued
from frontdesk.store.wire import column_kinds
from frontdesk.sync.protocol import decode_cursor, encode_cursor
from frontdesk.sync.tables import HIDDEN_COLUMNS, SYNCED_TABLES, USERS_TABLE, table


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
    return receive_clause(reader.role, table_name, alias)


def _once_in_scope_clause(table_name: str, alias: str = "t") -> str | None:
    """SQL true for a row outside a specialist's scope that was once in it: its appointment
    left them. None: a row of this table never leaves a scope it was in (the fields that
    decide it never change), so it is never named in `removed`."""
    anchor = APPOINTMENT_ANCHORS.get(table_name)
    if anchor is None:
        return None
    return (
        "EXISTS (SELECT 1 FROM sync_departures d WHERE d.organization_id = :org "
        f"AND d.appointment_id = {anchor.format(a=alias)} AND d.specialist_id = :specialist)"
    )


def _user_columns(table_name: str) -> list[str]:
    hidden = HIDDEN_COLUMNS.get(table_name, frozenset())
    return [
        column.name
        for column in table(table_name).c
        for key in column.foreign_keys
        if key.column.table.name == USERS_TABLE and column.name not in hidden
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
    after_version, after_seq = decode_cursor(cursor)
    # A changed scope, or a cursor from history a restore undid: start again from the top.
    reset = (scope is not None and scope != reader.scope) or (
        after_version > 0 and cursor_never_issued(connection, reader.organization_id, after_version)
    )
    if reset:
        after_version, after_seq = 0, 0
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
        _add_appointment_children(connection, reader, wanted)
    from_start = (after_version, after_seq) == (0, 0)
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
        left = (
            set()
            if from_start or not reader.narrowed
            else _left(connection, reader, table_name, gone)
        )
        if left:
            removed[table_name] = sorted(row_id.hex for row_id in left)
        user_ids |= _named_users(connection, table_name, [row.id for row in found])
    users = _users(connection, reader, user_ids)
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
    return {
        "ids": ids,
        "specialist": reader.specialist_id,
        "user": reader.user_id,
        "org": reader.organization_id,
    }


def _left(
    connection: Connection, reader: Reader, table_name: str, gone: set[uuid.UUID]
) -> set[uuid.UUID]:
    """The rows of `gone` (outside the reader's scope) that were once in it."""
    once = _once_in_scope_clause(table_name)
    if not gone or once is None:
        return set()
    return set(
        connection.scalars(
            text(f"SELECT t.id FROM {table_name} t WHERE t.id = ANY(:ids) AND {once}"),
            _scope_params(reader, sorted(gone)),
        )
    )


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


def _add_appointment_children(
    connection: Connection, reader: Reader, wanted: dict[str, list[uuid.UUID]]
) -> None:
    """A specialist's scope follows the appointment: its dependents go where it goes (its
    status history, reviews and forms; the automation runs and conflicts about any of them).
    Only for the appointments that are theirs or left them: the others' dependents are
    neither sent nor named."""
    appointment_ids = connection.scalars(
        text(
            "SELECT a.id FROM appointments a WHERE a.id = ANY(:ids) "
            f"AND ({_scope_clause(reader, 'appointments', 'a')} "
            f"OR {_once_in_scope_clause('appointments', 'a')})"
        ),
        _scope_params(reader, wanted["appointments"]),
    ).all()
    if not appointment_ids:
        return
    for child in ON_APPOINTMENT:
        _add(
            wanted,
            child,
            connection.scalars(
                text(f"SELECT id FROM {child} WHERE appointment_id = ANY(:ids)"),
                {"ids": appointment_ids},
            ).all(),
        )
    anchored = [row_id for name in ("appointments", *ON_APPOINTMENT) for row_id in wanted[name]]
    _add(
        wanted,
        "automation_executions",
        connection.scalars(
            text("SELECT id FROM automation_executions WHERE trigger_entity_id = ANY(:ids)"),
            {"ids": anchored},
        ).all(),
    )
    _add(
        wanted,
        "sync_conflicts",
        connection.scalars(
            text("SELECT id FROM sync_conflicts WHERE row_id = ANY(:ids)"), {"ids": anchored}
        ).all(),
    )


def _add(wanted: dict[str, list[uuid.UUID]], table_name: str, extra: Sequence[uuid.UUID]) -> None:
    if extra:
        known = set(wanted[table_name])
        wanted[table_name].extend(row_id for row_id in extra if row_id not in known)


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


def _users(connection: Connection, reader: Reader, user_ids: set[uuid.UUID]) -> str:
    """The accounts the page's rows name: the clinic's own staff as they are; any other (a
    patient who acted in the portal) as a blank stand-in, so an account's name, address, age
    or state elsewhere never reaches a clinic."""
    columns, values = _storage_select(USERS_TABLE)
    found = (
        connection.scalars(
            text(
                f"SELECT CASE WHEN EXISTS (SELECT 1 FROM memberships m "
                f"WHERE m.user_id = t.id AND m.organization_id = :org AND m.role IN {_STAFF}) "
                f"THEN {values} ELSE {_stand_in()} END FROM users t "
                "WHERE t.id = ANY(:ids)"
            ),
            {"ids": sorted(user_ids), "org": reader.organization_id},
        ).all()
        if user_ids
        else []
    )
    return _table_rows(columns, list(found))


_STAFF = "(" + ", ".join(f"'{role.value}'" for role in sorted(STAFF_ROLES)) + ")"
_STAND_IN = {
    "email": "replace(t.id::text, '-', '') || '@account.invalid'",  # unique, as the mirror wants
    "display_name": "''::text",
    "is_active": "1",
    "created_at": "'1970-01-01 00:00:00.000000'::text",
    "updated_at": "'1970-01-01 00:00:00.000000'::text",
    "row_version": "1",
}


@cache
def _stand_in() -> str:
    """A row of `users` that says nothing but its id, in the mirror's storage form."""
    columns, _ = _storage_select(USERS_TABLE)
    rendered = [
        "replace(t.id::text, '-', '')" if name == "id" else _STAND_IN[name] for name in columns
    ]
    return f"json_build_array({', '.join(rendered)})::text"


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
