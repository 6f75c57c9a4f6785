"""Every staff role against every synced table: insert, update of each field group, delete.

The cases are generated from the synced tables and `domain.write_rules`; each is pushed to a
real PostgreSQL server database (row-level security on) as the role's desk would. A refused
case leaves the server's row (or table) as it was and records a `rejected` conflict whose
reason is the rule's plain words; an allowed one is applied."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.write_rules import WRITE_RULES
from frontdesk.i18n.text import shown
from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from frontdesk.server.sync_apply import apply_push
from frontdesk.server.sync_rules import Pusher
from frontdesk.store.models import Appointment, SyncConflict
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.protocol import Mutation, MutationResult, PushRequest, PushResponse
from frontdesk.sync.tables import PUSHABLE_TABLES
from tests.support.matrix_seed import NOW, seed_matrix_clinic
from tests.support.postgres import drop_database, fresh_database
from tests.support.write_matrix import (
    STAFF_ROLES,
    Case,
    Planner,
    Staff,
    generate_cases,
    json_of,
    mutation_for,
    read_rows,
    session_as,
)
from tests.sync.conftest import NOW as DESK_NOW
from tests.sync.conftest import (  # noqa: F401  (fixtures: a desk signed in to a live server)
    DeskFactory,
    make_desk,
    seed_catalog,
    sync_clinic,
    walk_in,
)

CASES = generate_cases()


@pytest.fixture(scope="module")
def clinic(pg_url: str, pg_template: str) -> Iterator[tuple[ServerDatabase, Staff]]:
    """One seeded clinic for the whole matrix: seeding it is most of the module's time."""
    admin = sqlalchemy_url(pg_url)
    url = fresh_database(admin, pg_template)
    database = ServerDatabase().attach(url)
    try:
        yield database, seed_matrix_clinic(database.engine)
    finally:
        database.dispose()
        drop_database(admin, str(url.database))


def test_every_pushable_table_has_a_rule_and_every_rule_a_pushable_table() -> None:
    assert sorted(PUSHABLE_TABLES - set(WRITE_RULES)) == []
    assert sorted(set(WRITE_RULES) - PUSHABLE_TABLES) == []


def test_the_matrix_covers_every_table_role_and_field_group() -> None:
    covered = {(c.table, c.role) for c in CASES}
    assert covered == {(t, r) for t in PUSHABLE_TABLES for r in STAFF_ROLES}
    assert any(c.refusal is None for c in CASES)
    assert any(c.refusal for c in CASES)
    # A specialist is tried on another specialist's rows wherever the rules scope them.
    assert {c.table for c in CASES if c.foreign} == {
        "appointments",
        "appointment_status_history",
        "form_instances",
    }


def _push(
    database: ServerDatabase, staff: Staff, role: Role, mutations: list[Mutation]
) -> PushResponse:
    pusher = Pusher(
        organization_id=staff.organization_id,
        user_id=staff.users[role],
        device_id=uuid.uuid4(),  # a fresh device: its sequence starts at 1
        now=NOW,
        role=role,
        specialist_id=staff.specialist_id if role == Role.SPECIALIST else None,
    )
    with session_as(database.engine, staff, role) as session, session.begin():
        return apply_push(
            session, pusher, PushRequest(device_id=pusher.device_id, mutations=mutations)
        )


def _conflicts(database: ServerDatabase, staff: Staff) -> dict[Any, dict[str, Any]]:
    return read_rows(database.engine, staff, ["sync_conflicts"])["sync_conflicts"]


def _exists(
    database: ServerDatabase, staff: Staff, name: str, row_id: uuid.UUID, rows: dict[str, Any]
) -> bool:
    return row_id in rows[name]


Planned = list[tuple[Case, Mutation, dict[str, Any], Any]]
# The batch path decides a whole push in memory; the careful one (taken when a push holds
# anything it cannot handle, here a table that does not sync) decides each mutation alone.
PATHS = ("batch", "careful")


def _run(
    database: ServerDatabase, staff: Staff, role: Role, cases: list[Case], path: str
) -> tuple[Planned, list[MutationResult]]:
    planner = Planner(staff, read_rows(database.engine, staff, PUSHABLE_TABLES))
    used: set[tuple[str, Any]] = set()
    # A push's numbers follow on from 1 (the careful path's first is the timer below).
    first = 2 if path == "careful" else 1
    planned = [
        (case, *mutation_for(planner, case, seq, used))
        for seq, case in enumerate(cases, start=first)
    ]
    mutations = [mutation for _case, mutation, _row, _v in planned]
    if path == "careful":
        mutations.insert(
            0, Mutation(seq=1, table="timers", row_id=uuid.uuid4(), operation="insert", changed={})
        )
    results = _push(database, staff, role, mutations).results
    if path == "careful":
        assert results[0].outcome == "conflict"
        results = results[1:]
    return planned, results


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
def test_allowed_changes_are_applied(
    clinic: tuple[ServerDatabase, Staff], role: Role, path: str
) -> None:
    database, staff = clinic
    cases = [c for c in CASES if c.role == role and c.refusal is None]
    planned, results = _run(database, staff, role, cases, path)
    after = read_rows(database.engine, staff, PUSHABLE_TABLES)
    conflicts = _conflicts(database, staff)
    failures = []
    for (case, _mutation, row, value), result in zip(planned, results, strict=True):
        if result.outcome not in ("applied", "merged"):
            reason = shown(conflicts[result.conflict_id]["reason"]) if result.conflict_id else ""
            failures.append(f"{case.id}: {result.outcome} ({reason})")
            continue
        if case.operation == "insert":
            if not _exists(database, staff, case.table, value, after):
                failures.append(f"{case.id}: the new row is not on the server")
            continue
        now = after[case.table][row["id"]][str(case.field)]
        if json_of(now) != json_of(value) or now == row[case.field]:
            failures.append(f"{case.id}: {case.field} is {now!r}, wanted {value!r}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
def test_refused_changes_leave_the_server_as_it_was(
    clinic: tuple[ServerDatabase, Staff], role: Role, path: str
) -> None:
    database, staff = clinic
    cases = [c for c in CASES if c.role == role and c.refusal is not None]
    before = read_rows(database.engine, staff, PUSHABLE_TABLES - {"sync_conflicts"})
    planned, results = _run(database, staff, role, cases, path)
    after = read_rows(database.engine, staff, PUSHABLE_TABLES - {"sync_conflicts"})
    conflicts = _conflicts(database, staff)
    failures = []
    for (case, mutation, row, _value), result in zip(planned, results, strict=True):
        conflict = conflicts.get(result.conflict_id)
        if result.outcome != "conflict" or conflict is None:
            failures.append(f"{case.id}: {result.outcome}, not refused")
            continue
        reason = shown(conflict["reason"])  # stored language-neutral
        if (conflict["kind"], reason) != ("rejected", str(case.refusal)):
            failures.append(f"{case.id}: {conflict['kind']} conflict, {conflict['reason']!r}")
        if conflict["row_id"] != mutation.row_id or conflict["author_user_id"] != staff.users[role]:
            failures.append(f"{case.id}: the conflict names another row or author")
        if case.operation == "insert":
            if mutation.row_id in (
                conflicts if case.table == "sync_conflicts" else after[case.table]
            ):
                failures.append(f"{case.id}: the refused row is on the server")
        elif after[case.table][row["id"]] != row:
            failures.append(f"{case.id}: the refused change reached the row")
    # Nothing the refused pushes named changed: no row, no new row.
    if before != after:
        changed = [name for name in before if before[name] != after[name]]
        failures.append(f"tables changed by refused writes: {changed}")
    assert failures == [], "\n".join(failures)


def test_a_refused_change_comes_back_to_the_desk_as_a_conflict(
    make_desk: DeskFactory,  # noqa: F811  (the fixture imported above)
) -> None:
    """A desk whose code wrote past the rules (an older or altered desk: here a change made
    as the in-process system, which is not checked) pushes it; the server refuses it, and
    the next pull brings the conflict and the server's values back to that desk."""
    desk = make_desk("front", Role.RECEPTIONIST)
    seeded = seed_catalog(desk)
    appointment = walk_in(desk, seeded, DESK_NOW + timedelta(days=2))
    desk.sync()
    desk.sync()  # and what the server's engine did with the booking
    unchecked = desk.ctx.acting_as(Actor.system("an altered desk"))
    with unchecked.transaction() as tx:
        row = tx.session.get(Appointment, appointment.id)
        assert row is not None
        row.deleted_at = DESK_NOW  # removing an appointment is an admin's to do
    with desk.mirror.sessions() as session:
        assert session.get(Appointment, appointment.id).deleted_at is not None

    desk.sync()

    with desk.mirror.sessions() as session:
        conflicts = session.scalars(
            select(SyncConflict).where(SyncConflict.row_id == appointment.id)
        ).all()
        kept = session.get(Appointment, appointment.id)
    assert [(c.kind, shown(c.reason)) for c in conflicts] == [
        ("rejected", "You are not allowed to remove this (appointment): ask an admin to remove it.")
    ]
    assert kept is not None
    assert kept.deleted_at is None  # the server's value again
