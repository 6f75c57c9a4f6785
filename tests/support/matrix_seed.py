"""A clinic on the server with rows in every synced table, for the write-rule matrix.

The demo clinic (through the services, on sessions scoped to the organization) gives most
tables; the services then add what the demo leaves empty (plans and enrolments, segment
members, grants, blocks, consents, message templates, reviews and the alerts they raise), a
refused push records a sync conflict, and the engine's own bookkeeping (runs, outbound
messages) is inserted directly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import MessageChannel, Role
from frontdesk.domain.rules.actions import ACCESS_FEATURES
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sync_apply import apply_push
from frontdesk.server.sync_rules import Pusher
from frontdesk.services import (
    access_grants,
    booking_blocks,
    consents,
    messages,
    plans,
    reviews,
    segments,
)
from frontdesk.services.context import ServiceContext
from frontdesk.services.demo import seed_demo_clinic
from frontdesk.store.models import (
    Appointment,
    AutomationExecution,
    AutomationRule,
    Membership,
    OutboundMessage,
    PatientPerson,
    Segment,
    Service,
    Specialist,
)
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.protocol import Mutation, PushRequest
from tests.support.write_matrix import Staff

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
ROWS_PER_TABLE = 3


def seed_matrix_clinic(engine: Engine) -> Staff:
    organization_id = uuid.uuid4()
    admin_scope = Scope(organization_id=organization_id, role=Role.ADMIN, public_slug="riverside")
    sessions = scoped_sessions(engine, admin_scope)
    seed_demo_clinic(sessions, NOW, organization_id=organization_id, record_outbox=False)
    staff = _staff(sessions, organization_id)
    ctx = ServiceContext(
        sessions=sessions,
        organization_id=organization_id,
        actor=Actor(Role.ADMIN, staff.users[Role.ADMIN], "Admin"),
        clock=FixedClock(NOW),
        record_outbox=False,
    )
    _services_rows(ctx, sessions, staff)
    _engine_rows(sessions, organization_id)
    _a_refused_push(engine, staff)
    return staff


def _staff(sessions, organization_id: uuid.UUID) -> Staff:  # type: ignore[no-untyped-def]
    with sessions() as session:
        users = {
            Role(m.role): m.user_id
            for m in session.scalars(select(Membership).order_by(Membership.created_at.desc()))
        }
        # The first specialist (the demo's busiest) pushes as a specialist.
        specialist = session.scalars(select(Specialist).order_by(Specialist.created_at)).first()
    assert specialist is not None
    assert specialist.user_id is not None
    users[Role.SPECIALIST] = specialist.user_id
    return Staff(organization_id, users, specialist.id)


def _services_rows(ctx: ServiceContext, sessions, staff: Staff) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        people = list(session.scalars(select(PatientPerson.id).order_by(PatientPerson.created_at)))
        segment_ids = list(session.scalars(select(Segment.id)))
        service_id = session.scalars(select(Service.id)).first()
        done = list(
            session.scalars(
                select(Appointment.id)
                .where(Appointment.status == "done")
                .order_by(Appointment.started_at)
            )
        )
    assert service_id is not None
    receptionist = ctx.acting_as(Actor(Role.RECEPTIONIST, staff.users[Role.RECEPTIONIST], "Desk"))
    for i in range(ROWS_PER_TABLE):
        person = people[i]
        segments.add_member(ctx, segment_ids[i % len(segment_ids)], person)
        service_plan = plans.create_service_plan(
            ctx, name=f"Knee block {i}", service_id=service_id, session_count=6
        ).value
        plans.enrol(ctx, service_plan.id, person)
        treatment_plan = plans.create_treatment_plan(
            ctx, name=f"Home exercises {i}", type="telerehab", specialist_id=staff.specialist_id
        ).value
        plans.activate_treatment_plan(ctx, treatment_plan.id)
        plans.assign_treatment_plan(ctx, treatment_plan.id, person, start_date=NOW.date())
        access_grants.grant_access(ctx, person, ACCESS_FEATURES[i % len(ACCESS_FEATURES)])
        booking_blocks.block_booking(ctx, person, f"unpaid invoice {i}")
        consents.require_consent(ctx, person, f"biometric_data_{i}")
        messages.save_message_template(
            ctx,
            key=f"reminder_{i}",
            channel=MessageChannel.EMAIL,
            subject=f"Reminder {i}",
            body="See you soon",
        )
    # Reviews (a rating below 5 alerts an admin) of done visits with every specialist.
    for appointment_id in done[: 3 * ROWS_PER_TABLE]:
        reviews.submit_review(receptionist, appointment_id, rating=3, comment="fine")


def _engine_rows(sessions, organization_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        rule = session.scalars(select(AutomationRule)).first()
        assert rule is not None
        for i in range(ROWS_PER_TABLE):
            execution = AutomationExecution(
                organization_id=organization_id,
                automation_rule_id=rule.id,
                execution_key=f"{rule.id}:matrix:{i}",
                trigger_event=rule.trigger_event,
                status="success",
                executed_at=NOW - timedelta(hours=i),
            )
            session.add(execution)
            session.add(
                OutboundMessage(
                    organization_id=organization_id,
                    channel=MessageChannel.EMAIL,
                    recipient=f"patient{i}@example.com",
                    subject="Welcome",
                    body_text="Welcome to the clinic",
                    idempotency_key=f"matrix-{i}",
                )
            )


def _a_refused_push(engine: Engine, staff: Staff) -> None:
    """Conflicts to resolve: a receptionist's and a specialist's desk renaming the clinic
    (admins only), so each role has conflicts of its own."""
    for role in (Role.RECEPTIONIST, Role.SPECIALIST):
        scope = Scope(organization_id=staff.organization_id, role=role, user_id=staff.users[role])
        pusher = Pusher(
            organization_id=staff.organization_id,
            user_id=staff.users[role],
            device_id=uuid.uuid4(),
            now=NOW,
            role=role,
        )
        mutations = [
            Mutation(
                seq=i + 1,
                table="organizations",
                row_id=staff.organization_id,
                operation="update",
                changed={"name": f"Renamed {i}"},
                base_version=1,
            )
            for i in range(ROWS_PER_TABLE)
        ]
        with scoped_sessions(engine, scope).begin() as session:
            results = apply_push(
                session, pusher, PushRequest(device_id=pusher.device_id, mutations=mutations)
            )
        assert {r.outcome for r in results.results} == {"conflict"}
