"""What each role receives, on a real server: an admin, a receptionist and two specialists,
rows of every narrowed table made for each specialist; each desk holds exactly what its rule
says, and `removed` names only rows a desk once had."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from frontdesk.domain.enums import AlertKind, FormType, MessageChannel, MessageStatus, Role
from frontdesk.server.receive_rules import RECEIVE_RULES, Receives, receive_clause
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sync_pull import Reader, build_page
from frontdesk.services import booking, catalog
from frontdesk.store.models import (
    Alert,
    AutomationExecution,
    AutomationRule,
    FormInstance,
    FormTemplate,
    Notification,
    OutboundMessage,
    Review,
    SyncConflict,
)
from frontdesk.sync.tables import SYNCED_TABLES
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory, seed_catalog

TEN = NOW + timedelta(days=1, hours=3)
Rows = dict[str, set[uuid.UUID]]


@dataclass
class Made:
    """The rows of the narrowed tables, by who should receive them."""

    everyone: Rows = field(default_factory=lambda: defaultdict(set))
    front_desk: Rows = field(default_factory=lambda: defaultdict(set))  # admins, receptionists
    admins: Rows = field(default_factory=lambda: defaultdict(set))
    specialist: dict[uuid.UUID, Rows] = field(default_factory=dict)  # by specialist id
    author: dict[uuid.UUID, Rows] = field(default_factory=dict)  # by user id


def _held(desk: Desk, table_name: str) -> set[uuid.UUID]:
    with desk.mirror.sessions() as session:
        return {
            uuid.UUID(row_id) for row_id in session.scalars(text(f"SELECT id FROM {table_name}"))
        }


def _server(clinic: Clinic) -> Session:
    sessions = scoped_sessions(
        clinic.server.database.engine, Scope(organization_id=clinic.organization_id, role="admin")
    )
    return sessions()  # the caller commits and closes it


def _specialist_rows(
    session: Session,
    org: uuid.UUID,
    specialist_id: uuid.UUID,
    appointment_id: uuid.UUID,
    patient_id: uuid.UUID,
    template_id: uuid.UUID,
    rule_id: uuid.UUID,
) -> Rows:
    """Rows of every narrowed table about one specialist's appointment."""
    form = FormInstance(
        organization_id=org,
        template_id=template_id,
        template_key="intake",
        template_version=1,
        appointment_id=appointment_id,
        patient_person_id=patient_id,
        form_type=FormType.SURVEY,
        title="Intake",
    )
    review = Review(
        organization_id=org, appointment_id=appointment_id, patient_person_id=patient_id, rating=2
    )
    addressed = Notification(
        organization_id=org, target="specialist", specialist_id=specialist_id, message="Yours"
    )
    session.add_all([form, review, addressed])
    session.flush()
    runs = [
        AutomationExecution(
            organization_id=org,
            automation_rule_id=rule_id,
            execution_key=f"{kind}:{subject}",
            trigger_event="test.event",
            trigger_entity_type=kind,
            trigger_entity_id=subject,
            status="success",
            executed_at=NOW,
        )
        for kind, subject in (
            ("appointment", appointment_id),
            ("form", form.id),
            ("review", review.id),
        )
    ]
    conflict = SyncConflict(
        organization_id=org, table_name="appointments", row_id=appointment_id, kind="field"
    )
    session.add_all([*runs, conflict])
    session.flush()
    history = session.scalars(
        text("SELECT id FROM appointment_status_history WHERE appointment_id = :a"),
        {"a": appointment_id},
    ).all()
    return {
        "appointments": {appointment_id},
        "appointment_status_history": set(history),
        "form_instances": {form.id},
        "reviews": {review.id},
        "notifications": {addressed.id},
        "automation_executions": {run.id for run in runs},
        "sync_conflicts": {conflict.id},
    }


def _made(
    clinic: Clinic, front: Desk, users: dict[str, uuid.UUID]
) -> tuple[Made, dict[str, uuid.UUID]]:
    seeded = seed_catalog(front)
    specialists = {
        name: catalog.add_specialist(front.ctx, name=f"Dr {name}", user_id=user_id).value.id
        for name, user_id in users.items()
    }
    service_id = catalog.add_service(
        front.ctx, name="Consult 2", duration_minutes=30, specialist_ids=list(specialists.values())
    ).value.id
    appointments = {
        name: booking.book_walk_in(
            front.ctx,
            patient_person_id=seeded.patient_ids[i],
            service_id=service_id,
            specialist_id=specialist_id,
            start=TEN + timedelta(hours=i),
        ).value.appointment.id
        for i, (name, specialist_id) in enumerate(specialists.items())
    }
    front.sync()
    org = clinic.organization_id
    made = Made()
    session = _server(clinic)
    template = FormTemplate(
        organization_id=org, template_key="intake", title="Intake", form_type=FormType.SURVEY
    )
    rule = AutomationRule(organization_id=org, name="Test rule", trigger_event="test.event")
    session.add_all([template, rule])
    session.flush()
    for i, (name, specialist_id) in enumerate(specialists.items()):
        made.specialist[specialist_id] = _specialist_rows(
            session,
            org,
            specialist_id,
            appointments[name],
            seeded.patient_ids[i],
            template.id,
            rule.id,
        )
    loose_form = FormInstance(
        organization_id=org,
        template_id=template.id,
        template_key="intake",
        template_version=1,
        patient_person_id=seeded.patient_ids[0],
        form_type=FormType.SURVEY,
        title="On no appointment",
    )
    for_staff = Notification(organization_id=org, target="staff", message="Desk")
    for_patient = Notification(
        organization_id=org,
        target="patient",
        patient_person_id=seeded.patient_ids[0],
        message="Patient",
    )
    message = OutboundMessage(
        organization_id=org,
        channel=MessageChannel.EMAIL,
        recipient="p0@example.com",
        patient_person_id=seeded.patient_ids[0],
        idempotency_key="test:message",
        status=MessageStatus.SENT,  # so no delivery worker picks it up
    )
    low_rating = Alert(organization_id=org, kind=AlertKind.LOW_RATING, title="Low rating")
    template_limit = Alert(organization_id=org, kind=AlertKind.TEMPLATE_LIMIT, title="Template")
    session.add_all([loose_form, for_staff, for_patient, message, low_rating, template_limit])
    session.flush()

    def run(kind: str | None, subject: uuid.UUID | None) -> uuid.UUID:
        execution = AutomationExecution(
            organization_id=org,
            automation_rule_id=rule.id,
            execution_key=f"shared:{kind}:{subject}",
            trigger_event="test.event",
            trigger_entity_type=kind,
            trigger_entity_id=subject,
            status="success",
            executed_at=NOW,
        )
        session.add(execution)
        session.flush()
        return execution.id

    refused = SyncConflict(
        organization_id=org,
        table_name="appointments",
        row_id=uuid.uuid4(),
        kind="rejected",
        row_missing=True,
        author_user_id=users["one"],
    )
    session.add(refused)
    session.flush()
    made.everyone["form_instances"] = {loose_form.id}
    made.everyone["alerts"] = {template_limit.id}
    made.everyone["automation_executions"] = {
        run("patient", seeded.patient_ids[0]),
        run("organization", org),
        run("alert", template_limit.id),
    }
    made.front_desk["notifications"] = {for_staff.id, for_patient.id}
    made.front_desk["outbound_messages"] = {message.id}
    made.front_desk["automation_executions"] = {run(None, None)}
    # A run goes where the row that triggered it goes: this alert is the admins' alone.
    made.admins["alerts"] = {low_rating.id}
    made.admins["automation_executions"] = {run("alert", low_rating.id)}
    made.author[users["one"]] = {"sync_conflicts": {refused.id}}
    session.commit()
    session.close()
    return made, specialists


def _expected(made: Made, role: Role, specialist_id: uuid.UUID | None, user_id: uuid.UUID) -> Rows:
    expected: Rows = defaultdict(set)
    parts = [made.everyone, made.author.get(user_id, {})]
    if role in (Role.ADMIN, Role.RECEPTIONIST):
        # Every specialist's rows, and every refused write's conflict.
        parts += [made.front_desk, *made.specialist.values(), *made.author.values()]
    if role == Role.ADMIN:
        parts.append(made.admins)
    if role == Role.SPECIALIST and specialist_id is not None:
        parts.append(made.specialist[specialist_id])
    for part in parts:
        for table_name, ids in part.items():
            expected[table_name] |= ids
    return expected


def _narrowed_rows(desk: Desk, made: Made) -> Rows:
    tables = {name for rows in _all_parts(made) for name in rows}
    return {name: _held(desk, name) & _all_ids(made, name) for name in tables}


def _all_parts(made: Made) -> list[Rows]:
    return [
        made.everyone,
        made.front_desk,
        made.admins,
        *made.specialist.values(),
        *made.author.values(),
    ]


def _all_ids(made: Made, table_name: str) -> set[uuid.UUID]:
    return {row_id for part in _all_parts(made) for row_id in part.get(table_name, set())}


def test_every_synced_table_has_a_receive_rule() -> None:
    assert set(RECEIVE_RULES) == set(SYNCED_TABLES)


def test_a_table_without_a_rule_is_refused_rather_than_sent_whole() -> None:
    with pytest.raises(KeyError, match="timers has no receive rule"):
        receive_clause(Role.SPECIALIST, "timers", "t")


def test_the_catalog_of_who_receives_what() -> None:
    """The whole list, so that a new table, or a change to who receives one, is a decision
    someone makes here."""
    narrowed = {name: rule for name, rule in RECEIVE_RULES.items() if rule != Receives.WHOLE}
    assert narrowed == {
        "appointments": Receives.OWN_APPOINTMENT,
        "appointment_status_history": Receives.THROUGH_APPOINTMENT,
        "reviews": Receives.THROUGH_APPOINTMENT,
        "form_instances": Receives.THROUGH_APPOINTMENT_OR_NONE,
        "notifications": Receives.ADDRESSED,
        "outbound_messages": Receives.FRONT_DESK,
        "alerts": Receives.ENGINE_ALERTS,
        "automation_executions": Receives.FOLLOWS_TRIGGER,
        "sync_conflicts": Receives.FOLLOWS_ROW,
    }
    assert sorted(name for name, rule in RECEIVE_RULES.items() if rule == Receives.WHOLE) == sorted(
        set(SYNCED_TABLES) - set(narrowed)
    )


def test_each_role_receives_exactly_what_its_rule_says(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    users = {
        name: sync_clinic.server.create_user(
            sync_clinic.organization_id, f"{name}@example.com", role=Role.SPECIALIST
        ).id
        for name in ("one", "two")
    }
    front.sync()
    made, specialists = _made(sync_clinic, front, users)
    back = make_desk("back", Role.RECEPTIONIST)
    one = make_desk("one", Role.SPECIALIST, "one@example.com", new_user=False)
    two = make_desk("two", Role.SPECIALIST, "two@example.com", new_user=False)
    front.sync()

    for desk in (front, back, one, two):
        expected = _expected(
            made, desk.account.role, desk.account.specialist_id, desk.account.user_id
        )
        held = _narrowed_rows(desk, made)
        assert {name: ids for name, ids in held.items() if ids} == {
            name: ids for name, ids in expected.items() if ids
        }, desk.name
    # The tables every role receives whole are the same on every desk.
    for name, rule in RECEIVE_RULES.items():
        if rule == Receives.WHOLE:
            assert _held(one, name) == _held(two, name) == _held(back, name) == _held(front, name)
    assert one.account.specialist_id == specialists["one"]


def _page(clinic: Clinic, desk: Desk | Reader, cursor: str) -> dict[str, list[str]]:
    reader = (
        desk
        if isinstance(desk, Reader)
        else Reader(
            clinic.organization_id,
            desk.account.role,
            desk.account.specialist_id,
            desk.account.user_id,
        )
    )
    sessions = scoped_sessions(
        clinic.server.database.engine, Scope(organization_id=clinic.organization_id, role="admin")
    )
    with sessions.begin() as session:
        built = build_page(session, reader, cursor, reader.scope, 10_000)
    return dict(json.loads(built.body)["removed"])


def test_removed_names_only_rows_the_desk_once_had(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    users = {
        name: sync_clinic.server.create_user(
            sync_clinic.organization_id, f"{name}@example.com", role=Role.SPECIALIST
        ).id
        for name in ("one", "two")
    }
    front.sync()
    made, specialists = _made(sync_clinic, front, users)
    one = make_desk("one", Role.SPECIALIST, "one@example.com", new_user=False)
    two = make_desk("two", Role.SPECIALIST, "two@example.com", new_user=False)
    assert _page(sync_clinic, one, "") == {}  # from the start: nothing to forget
    cursor_one = _cursor(one)
    cursor_two = _cursor(two)

    # Specialist one's appointment goes to specialist two; two's appointment changes.
    ones = next(iter(made.specialist[specialists["one"]]["appointments"]))
    twos = next(iter(made.specialist[specialists["two"]]["appointments"]))
    session = _server(sync_clinic)
    session.execute(
        text(
            "UPDATE appointments SET specialist_id = :s, row_version = row_version + 1 "
            "WHERE id = :id"
        ),
        {"s": specialists["two"], "id": ones},
    )
    session.execute(
        text(
            "UPDATE appointments SET notes = 'moved', row_version = row_version + 1 WHERE id = :id"
        ),
        {"id": twos},
    )
    session.commit()
    session.close()

    left = made.specialist[specialists["one"]]
    removed = _page(sync_clinic, one, cursor_one)
    assert {name: set(map(uuid.UUID, ids)) for name, ids in removed.items()} == {
        name: left[name]
        for name in (
            "appointments",
            "appointment_status_history",
            "form_instances",
            "reviews",
            "automation_executions",
            "sync_conflicts",
        )
    }
    assert _page(sync_clinic, two, cursor_two) == {}  # it arrives there; nothing leaves
    colleague = Reader(sync_clinic.organization_id, Role.SPECIALIST, uuid.uuid4(), uuid.uuid4())
    assert _page(sync_clinic, colleague, cursor_one) == {}  # never theirs: never named
    assert _page(sync_clinic, one, "") == {}  # from the start: still nothing
    one.sync()
    two.sync()
    assert ones not in _held(one, "appointments")
    assert {ones, twos} <= _held(two, "appointments")
    assert left["notifications"] <= _held(one, "notifications")  # addressed to them still

    # A later change to a row specialist one never had is not named on their next pull.
    session = _server(sync_clinic)
    session.execute(
        text(
            "UPDATE appointments SET notes = 'again', row_version = row_version + 1 WHERE id = :id"
        ),
        {"id": twos},
    )
    session.commit()
    session.close()
    assert _page(sync_clinic, one, _cursor(one)) == {}


def _cursor(desk: Desk) -> str:
    with desk.mirror.sessions() as session:
        value = session.scalar(text("SELECT value FROM local_settings WHERE key = 'sync_cursor'"))
    return str(json.loads(value)["cursor"])


def test_a_desk_whose_scope_narrows_forgets_what_it_may_no_longer_see(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    helper = make_desk("helper", Role.RECEPTIONIST)
    colleague = sync_clinic.server.create_user(
        sync_clinic.organization_id, "two@example.com", role=Role.SPECIALIST
    )
    front.sync()  # the new accounts arrive with their memberships
    made, specialists = _made(
        sync_clinic, front, {"one": helper.account.user_id, "two": colleague.id}
    )
    front.sync()
    helper.sync()
    assert len(_held(helper, "appointments")) == 2
    assert made.front_desk["outbound_messages"] <= _held(helper, "outbound_messages")

    session = _server(sync_clinic)
    session.execute(
        text("UPDATE memberships SET role = 'specialist' WHERE user_id = :u"),
        {"u": helper.account.user_id},
    )
    session.commit()
    session.close()
    demoted = make_desk(
        "helper", Role.SPECIALIST, "helper@example.com", new_user=False, initial_sync=False
    )
    demoted.mirror.close()
    demoted.mirror = helper.mirror  # the same desk, signed in again with its new role
    report = demoted.sync()

    mine = made.specialist[specialists["one"]]
    assert _held(demoted, "appointments") == mine["appointments"]
    assert _held(demoted, "outbound_messages") == set()
    assert _held(demoted, "notifications") == mine["notifications"]
    assert _held(demoted, "organizations") == {sync_clinic.organization_id}
    assert report.removed == 0  # forgotten by the desk itself: the server names nothing
