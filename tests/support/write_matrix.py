"""The role × table × operation matrix of `domain.write_rules`: the cases generated from the
synced tables and the rules, and the pushes that try each of them against a seeded server.

A case is one role making one change to one table: an insert, an update of one field of a
field group (fields the same roles may change), or a delete (`deleted_at`). Its verdict is
what the rules say; a specialist is also tried on another specialist's rows of the tables
scoped to appointments, which the rules refuse whatever the fields."""

from __future__ import annotations

import enum
import itertools
import typing
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Float, Integer, String, Table, UniqueConstraint, select
from sqlalchemy.orm import Session

from frontdesk.domain.appointment_states import ALLOWED
from frontdesk.domain.enums import AppointmentStatus, FormStatus, Role
from frontdesk.domain.write_rules import (
    BOOKKEEPING,
    WRITE_RULES,
    RowScope,
    specialist_row_refusal,
    write_refusal,
)
from frontdesk.i18n.text import Text
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sync_rules import json_value
from frontdesk.store.base import Base
from frontdesk.store.wire import column_kinds
from frontdesk.sync.protocol import Mutation
from frontdesk.sync.tables import HIDDEN_COLUMNS, PUSHABLE_TABLES, table

Rows = dict[str, dict[Any, dict[str, Any]]]  # table → id → row
STAFF_ROLES = (Role.ADMIN, Role.RECEPTIONIST, Role.SPECIALIST)
# Numbers new values across the whole run: unique texts and far-apart appointment times.
_SERIAL = itertools.count(1)
# Kinds of field in the order a group's representative is picked: a value that can change
# without touching another rule (time slots, references) first.
_KIND_RANK = {"bool": 0, "plain": 1, "json": 2, "date": 3, "instant": 3, "uuid": 4}
# Fields no generated value can change on its own: signing a form needs a seal of its
# content (tests/sync/test_signed_forms.py tries that); reassigning an appointment may clash
# with the other specialist's day (its patient changes as freely).
_NOT_REPRESENTATIVE = {("form_instances", "status"), ("appointments", "specialist_id")}


@dataclass(frozen=True)
class Case:
    table: str
    operation: str  # insert | update | delete
    field: str | None  # the field an update or delete changes
    role: Role
    foreign: bool = False  # a specialist writing a row of another specialist's appointment

    @property
    def refusal(self) -> Text | None:
        """The rules' plain-words refusal (None: the change is allowed)."""
        if self.operation == "insert":
            refusal = write_refusal(self.role, self.table, "insert")
        else:
            refusal = write_refusal(self.role, self.table, "update", [str(self.field)])
        if refusal is None and self.foreign:
            return specialist_row_refusal(self.table, None, [uuid.uuid4()])
        return refusal

    @property
    def id(self) -> str:
        what = self.operation if self.field is None else f"{self.operation}.{self.field}"
        return f"{self.role}:{self.table}:{what}" + (":foreign" if self.foreign else "")


def field_groups(name: str) -> list[list[str]]:
    """The rule's fields grouped by the roles that may change them (deleting apart)."""
    groups: dict[frozenset[Role], list[str]] = defaultdict(list)
    hidden = HIDDEN_COLUMNS.get(name, frozenset())  # the server ignores them from a desk
    for field, roles in WRITE_RULES[name].fields.items():
        if field != "deleted_at" and field not in hidden:
            groups[roles].append(field)
    return list(groups.values())


def representative(name: str, group: list[str]) -> str:
    kinds = column_kinds(table(name))
    usable = [f for f in group if (name, f) not in _NOT_REPRESENTATIVE] or group
    return min(usable, key=lambda f: _KIND_RANK[kinds[f]])


def generate_cases() -> list[Case]:
    cases: list[Case] = []
    for name in sorted(PUSHABLE_TABLES & set(WRITE_RULES)):
        rule = WRITE_RULES[name]
        kinds: list[tuple[str, str | None]] = [("insert", None)]
        kinds += [("update", representative(name, group)) for group in field_groups(name)]
        if "deleted_at" in table(name).c:
            kinds.append(("delete", "deleted_at"))
        for operation, field in kinds:
            for role in STAFF_ROLES:
                case = Case(name, operation, field, role)
                cases.append(case)
                if role == Role.SPECIALIST and rule.scope != RowScope.ANY and case.refusal is None:
                    cases.append(Case(name, operation, field, role, foreign=True))
    return cases


# --- the server's rows -------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """The seeded clinic's staff: one account per role, and the specialist's own record."""

    organization_id: uuid.UUID
    users: Mapping[Role, uuid.UUID]
    specialist_id: uuid.UUID


def admin_scope(staff: Staff) -> Scope:
    return Scope(organization_id=staff.organization_id, role=Role.ADMIN)


def read_rows(engine: Engine, staff: Staff, names: Iterable[str]) -> Rows:
    """Every row of these tables the clinic's admin sees, by id."""
    with scoped_sessions(engine, admin_scope(staff))() as session:
        return {
            name: {row.id: dict(row._mapping) for row in session.execute(select(table(name)))}
            for name in names
        }


def _enum_of(name: str, field: str) -> type[enum.Enum] | None:
    model = next((m.class_ for m in Base.registry.mappers if m.local_table.name == name), None)
    if model is None:
        return None
    hint = typing.get_type_hints(model).get(field)
    for arg in typing.get_args(hint):
        for inner in (arg, *typing.get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, enum.Enum):
                return inner
    return None


def _fits(column_type: Any, text: str) -> str:
    length = getattr(column_type, "length", None)
    return text[:length] if length else text


@dataclass
class Planner:
    """Builds each case's mutation from the server's current rows."""

    staff: Staff
    rows: Rows
    # Unique keys taken by new rows of this push (table → keys).
    reserved: dict[str, set[tuple[Any, ...]]] = dataclass_field(
        default_factory=lambda: defaultdict(set)
    )

    def _next(self) -> int:
        return next(_SERIAL)

    def owner(self, name: str, row: Mapping[str, Any]) -> uuid.UUID | None:
        """The specialist of the appointment a row is on (None: on none)."""
        scope = WRITE_RULES[name].scope
        if scope == RowScope.OWN_APPOINTMENT:
            return row.get("specialist_id")
        if scope == RowScope.THROUGH_APPOINTMENT and row.get("appointment_id"):
            return self.rows["appointments"][row["appointment_id"]]["specialist_id"]
        return None

    def _in_scope(self, case: Case, row: Mapping[str, Any]) -> bool:
        if case.role != Role.SPECIALIST or WRITE_RULES[case.table].scope == RowScope.ANY:
            return True
        owner = self.owner(case.table, row)
        if case.foreign:
            return owner is not None and owner != self.staff.specialist_id
        return owner == self.staff.specialist_id

    def _suitable(self, case: Case, row: Mapping[str, Any]) -> bool:
        if row.get("deleted_at") is not None or not self._in_scope(case, row):
            return False
        if case.table == "form_instances":
            return row["status"] != FormStatus.SIGNED  # a signed form changes for nobody
        if case.table == "appointments" and case.field == "status":
            return bool(ALLOWED[AppointmentStatus(row["status"])])
        if case.table == "organizations":
            return row["id"] == self.staff.organization_id
        if case.table == "sync_conflicts" and case.role == Role.SPECIALIST:
            return row["author_user_id"] == self.staff.users[Role.SPECIALIST]  # their own
        return True

    def pick_row(self, case: Case, used: set[tuple[str, Any]]) -> dict[str, Any]:
        candidates = [r for r in self.rows[case.table].values() if self._suitable(case, r)]
        if not candidates:
            raise LookupError(f"no row of {case.table} to try {case.id} on")
        fresh = [r for r in candidates if (case.table, r["id"]) not in used]
        row = (fresh or candidates)[0]
        used.add((case.table, row["id"]))
        return row

    # --- values ---

    def _other_id(self, name: str, field: str, row: Mapping[str, Any]) -> uuid.UUID:
        column = table(name).c[field]
        target = next(iter(column.foreign_keys)).column.table.name
        if target == "users":  # accounts are not pushed: the clinic's staff are at hand
            pool = [u for u in self.staff.users.values() if u != row[field]]
        else:
            pool = [
                r["id"]
                for r in self.rows[target].values()
                if r["id"] != row[field] and r.get("deleted_at") is None
            ]
        unique = [columns for columns in _unique_sets(table(name)) if field in columns]
        for candidate in pool:
            keys = [
                tuple(candidate if c == field else row[c] for c in columns) for columns in unique
            ]
            if all(
                key not in self._taken(name, columns)
                for key, columns in zip(keys, unique, strict=True)
            ):
                self.reserved[name].update(keys)
                return candidate
        raise LookupError(f"no free {field} for a row of {name}")

    def _taken(self, name: str, columns: tuple[str, ...]) -> set[tuple[Any, ...]]:
        taken = {tuple(r[c] for c in columns) for r in self.rows[name].values()}
        return taken | self.reserved[name]

    def new_value(self, name: str, field: str, row: Mapping[str, Any]) -> Any:
        """A valid value different from the row's."""
        current = row[field]
        column = table(name).c[field]
        kind = column_kinds(table(name))[field]
        if field == "deleted_at":
            return datetime.now().astimezone()
        if name == "appointments" and field == "status":
            return sorted(ALLOWED[AppointmentStatus(current)])[0].value
        if column.foreign_keys:
            return self._other_id(name, field, row)
        if kind == "uuid":
            return uuid.uuid4()
        if kind == "bool":
            return not current
        if kind in ("instant", "date"):
            if current is None:
                return datetime.now().astimezone() if kind == "instant" else date.today()
            return current + timedelta(days=1)
        if kind == "json":
            if isinstance(current, list):
                return [*current, "matrix"] if not current else current[:-1]
            return {**(current or {}), "matrix": self._next()}
        options = _enum_of(name, field)
        if options is not None:
            return next(o.value for o in options if o.value != current)
        if isinstance(column.type, Integer | Float):
            if any(field in columns for columns in _unique_sets(table(name))):
                return 1000 + self._next()  # a reference no other row has
            if current is None:
                return 1
            return current + 1 if current < 5 else current - 1  # within every 1..n range
        return _fits(column.type, f"m{self._next()}-{current or ''}")

    def insert_values(self, case: Case, source: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `source` that the table's unique constraints and the schedule allow."""
        target = table(case.table)
        values = {k: v for k, v in source.items() if k not in BOOKKEEPING - {"created_at"}}
        n = self._next()
        for columns in _unique_sets(target):
            texts = [c for c in columns if isinstance(target.c[c].type, String)]
            numbers = [c for c in columns if isinstance(target.c[c].type, Integer)]
            if texts:
                for c in texts:
                    if values.get(c) is not None:
                        values[c] = _fits(target.c[c].type, f"m{n}-{values[c]}")
            elif numbers:
                for c in numbers:
                    values[c] = 1000 + n
            else:
                values[columns[-1]] = self._unused(case, target, columns, values)
        if case.table == "appointments":
            # Far apart: one specialist's appointments may not overlap.
            shift = timedelta(days=400 + 3 * n)
            values["started_at"] += shift
            values["ended_at"] += shift
        return values

    def _unused(
        self, case: Case, target: Table, columns: tuple[str, ...], values: dict[str, Any]
    ) -> uuid.UUID:
        """For a new row whose unique key is all references (a review's appointment, a
        segment's member...): a referenced row no other row of the table names yet."""
        field = columns[-1]
        referenced = next(iter(target.c[field].foreign_keys)).column.table.name
        taken = self._taken(case.table, columns)
        if referenced == "users":
            # Accounts are not pushed, and join a clinic on the server: no desk adds a member,
            # so any account will do (every staff account is a member already).
            return uuid.uuid4()
        for candidate in self.rows[referenced].values():
            if field == "appointment_id" and not self._in_scope(
                case, {"appointment_id": candidate["id"]}
            ):
                continue
            key = tuple(candidate["id"] if c == field else values[c] for c in columns)
            if key not in taken:
                self.reserved[case.table].add(key)  # another case must take another one
                return candidate["id"]
        raise LookupError(f"no free {field} for a new row of {case.table}")


def _unique_sets(target: Table) -> list[tuple[str, ...]]:
    sets = [
        tuple(c.name for c in constraint.columns if c.name != "organization_id")
        for constraint in target.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    sets += [
        tuple(c.name for c in index.columns if c.name != "organization_id")
        for index in target.indexes
        if index.unique
    ]
    return [s for s in sets if s]


def json_of(value: Any) -> Any:
    """A value as a desk sends it (instants in UTC)."""
    return json_value(value)


def mutation_for(
    planner: Planner, case: Case, seq: int, used: set[tuple[str, Any]]
) -> tuple[Mutation, dict[str, Any], Any]:
    """The case's mutation, the row it starts from (none for an insert) and the value it
    writes (an update) or the new row's id (an insert)."""
    row = planner.pick_row(case, used)
    if case.operation == "insert":
        row_id = uuid.uuid4()
        values = planner.insert_values(case, row)
        changed = {k: json_of(v) for k, v in values.items()}
        return (
            Mutation(seq=seq, table=case.table, row_id=row_id, operation="insert", changed=changed),
            {},
            row_id,
        )
    field = str(case.field)
    value = planner.new_value(case.table, field, row)
    mutation = Mutation(
        seq=seq,
        table=case.table,
        row_id=row["id"],
        operation="update",
        changed={field: json_of(value)},
        base_version=row["row_version"],
    )
    return mutation, row, value


def session_as(engine: Engine, staff: Staff, role: Role) -> Session:
    scope = Scope(organization_id=staff.organization_id, role=role, user_id=staff.users[role])
    return scoped_sessions(engine, scope)()
