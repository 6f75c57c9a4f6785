"""The desk's remembered identity, standalone set-up, and the flow board's time in status."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.services import lifecycle, onboarding
from frontdesk.services.desk_identity import (
    first_member,
    forget,
    identity_for_user,
    remember,
    remembered,
    setup_standalone,
)
from frontdesk.services.flow_board import flow_board
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import Organization
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book


def test_a_member_is_found_with_role_name_and_specialist_record(clinic: Clinic) -> None:
    sessions = clinic.ctx.sessions
    specialist = first_member(sessions, clinic.organization_id, Role.SPECIALIST)
    assert specialist.actor == clinic.specialist_actor
    with pytest.raises(NotFound) as refused:
        identity_for_user(sessions, clinic.organization_id, uuid.uuid4())
    assert refused.value.field == "user_id"
    with pytest.raises(NotFound) as none:
        first_member(sessions, uuid.uuid4(), Role.ADMIN)
    assert none.value.field == "role"


def test_the_identity_is_remembered_until_forgotten(clinic: Clinic) -> None:
    sessions = clinic.ctx.sessions
    assert remembered(sessions) is None
    identity = first_member(sessions, clinic.organization_id, Role.RECEPTIONIST)
    remember(sessions, identity)
    assert remembered(sessions) == identity
    forget(sessions)
    assert remembered(sessions) is None


def test_standalone_set_up_refuses_bad_fields_before_writing_anything(mirror: Mirror) -> None:
    with pytest.raises(InvalidInput) as refused:
        setup_standalone(
            mirror.sessions, clinic_name=" ", timezone="UTC", admin_name="", admin_email="x"
        )
    assert [e.field for e in refused.value.errors] == ["clinic_name", "admin_name", "admin_email"]
    with pytest.raises(InvalidInput) as zone:
        setup_standalone(
            mirror.sessions,
            clinic_name="Lakeside",
            timezone="Nowhere/City",
            admin_name="Maria",
            admin_email="maria@lakeside.example",
        )
    assert zone.value.field == "timezone"
    with mirror.sessions() as session:
        assert session.scalars(select(Organization)).all() == []
    assert remembered(mirror.sessions) is None


def test_the_board_knows_since_when_each_appointment_is_in_its_status(clinic: Clinic) -> None:
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    waiting = book(clinic.ctx, clinic, start=start).appointment
    onboarded = book(
        clinic.ctx,
        clinic,
        start=start,
        name="Dan Toma",
        email="dan@example.com",
        phone="0722 333 444",
    )
    onboarding.onboard(clinic.ctx, onboarded.appointment.id, keep_separate=True)
    clinic.clock.advance(timedelta(minutes=20))
    lifecycle.confirm(clinic.ctx, onboarded.appointment.id)
    board = flow_board(clinic.ctx)
    assert str(board.day) == "2026-03-02"
    since = {card.entry.id: (card.entry.status, card.status_since) for card in board.cards}
    assert since[onboarded.appointment.id] == (AppointmentStatus.CONFIRMED, clinic.clock.now())
    assert since[waiting.id][0] == AppointmentStatus.BOOKED
    assert since[waiting.id][1] <= clinic.clock.now() - timedelta(minutes=20)
