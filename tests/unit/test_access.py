from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.services.access import appointment_scope, can_see_appointment
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import Appointment
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic, build_clinic
from tests.support.rows import insert_appointment, insert_person

START = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


@dataclass
class Arranged:
    guardian: uuid.UUID
    child: uuid.UUID
    stranger: uuid.UUID
    guardian_appointment: uuid.UUID
    child_appointment: uuid.UUID
    stranger_appointment: uuid.UUID
    deleted_appointment: uuid.UUID
    foreign_appointment: uuid.UUID


@pytest.fixture
def arranged(clinic: Clinic, mirror: Mirror) -> Arranged:
    """A guardian and the child they manage, a stranger, a soft-deleted appointment, and an
    appointment of another organization in the same mirror."""
    guardian = insert_person(clinic, first_name="Ioana")
    child = insert_person(
        clinic, first_name="Matei", email=None, phone=None, manager_person_id=guardian.id
    )
    stranger = insert_person(clinic, first_name="Radu", email="radu@example.com")
    mine = insert_appointment(clinic, start=START, person_id=guardian.id)
    childs = insert_appointment(
        clinic,
        start=START + timedelta(hours=1),
        person_id=child.id,
        specialist_id=clinic.other_specialist_id,
    )
    strangers = insert_appointment(clinic, start=START + timedelta(hours=2), person_id=stranger.id)
    deleted = insert_appointment(clinic, start=START + timedelta(hours=3), person_id=guardian.id)
    with mirror.sessions.begin() as session:
        session.get_one(Appointment, deleted.id).deleted_at = START
    other_clinic = build_clinic(mirror.sessions)
    outsider = insert_person(other_clinic, first_name="Ioana")
    foreign = insert_appointment(other_clinic, start=START, person_id=outsider.id)
    return Arranged(
        guardian.id,
        child.id,
        stranger.id,
        mine.id,
        childs.id,
        strangers.id,
        deleted.id,
        foreign.id,
    )


def _visible(mirror: Mirror, actor: Actor, organization_id: uuid.UUID) -> set[uuid.UUID]:
    with mirror.sessions() as session:
        return set(
            session.scalars(select(Appointment.id).where(appointment_scope(actor, organization_id)))
        )


def _actors(clinic: Clinic, arranged: Arranged) -> dict[str, Actor]:
    return {
        "admin": clinic.admin,
        "receptionist": clinic.receptionist,
        "specialist": clinic.specialist_actor,
        "guardian": Actor(
            Role.PATIENT, label="Ioana", person_ids=frozenset({arranged.guardian, arranged.child})
        ),
        "child": Actor(Role.PATIENT, label="Matei", person_ids=frozenset({arranged.child})),
        "system": Actor.system("automation"),
        "specialist without record": Actor(Role.SPECIALIST, label="new hire"),
        "patient without persons": Actor(Role.PATIENT, label="nobody"),
    }


def _expected(arranged: Arranged) -> dict[str, set[uuid.UUID]]:
    everyone = {
        arranged.guardian_appointment,
        arranged.child_appointment,
        arranged.stranger_appointment,
    }
    return {
        "admin": everyone,
        "receptionist": everyone,
        # The child's appointment is with the other specialist.
        "specialist": {arranged.guardian_appointment, arranged.stranger_appointment},
        "guardian": {arranged.guardian_appointment, arranged.child_appointment},
        "child": {arranged.child_appointment},
        "system": set(),
        "specialist without record": set(),
        "patient without persons": set(),
    }


ROLES = [
    "admin",
    "receptionist",
    "specialist",
    "guardian",
    "child",
    "system",
    "specialist without record",
    "patient without persons",
]


@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_exactly_its_scope(
    who: str, clinic: Clinic, mirror: Mirror, arranged: Arranged
) -> None:
    actor = _actors(clinic, arranged)[who]
    assert _visible(mirror, actor, clinic.organization_id) == _expected(arranged)[who]


@pytest.mark.parametrize("who", ROLES)
def test_the_row_check_agrees_with_the_query(
    who: str, clinic: Clinic, mirror: Mirror, arranged: Arranged
) -> None:
    actor = _actors(clinic, arranged)[who]
    with mirror.sessions() as session:
        every_row = session.scalars(select(Appointment)).all()
        seen = {a.id for a in every_row if can_see_appointment(actor, clinic.organization_id, a)}
    assert seen == _expected(arranged)[who]


def test_another_organizations_rows_never_appear(
    clinic: Clinic, mirror: Mirror, arranged: Arranged
) -> None:
    for actor in _actors(clinic, arranged).values():
        assert arranged.foreign_appointment not in _visible(mirror, actor, clinic.organization_id)


def test_an_admin_of_one_organization_sees_nothing_when_asking_for_another(
    clinic: Clinic, mirror: Mirror, arranged: Arranged
) -> None:
    assert _visible(mirror, clinic.admin, uuid.uuid4()) == set()


def test_soft_deleted_appointments_are_invisible_to_everyone(
    clinic: Clinic, mirror: Mirror, arranged: Arranged
) -> None:
    with mirror.sessions() as session:
        deleted = session.get_one(Appointment, arranged.deleted_appointment)
        for actor in _actors(clinic, arranged).values():
            assert not can_see_appointment(actor, clinic.organization_id, deleted)
            assert arranged.deleted_appointment not in _visible(
                mirror, actor, clinic.organization_id
            )
