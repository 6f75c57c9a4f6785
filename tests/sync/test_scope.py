"""What a desk receives follows its user's role; when the scope changes, rows move."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from frontdesk.domain.enums import Role
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import booking, catalog
from frontdesk.store.models import Appointment, AppointmentStatusChange, PatientPerson
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory, seed_catalog


def _appointment_ids(desk: Desk) -> set[object]:
    with desk.mirror.sessions() as session:
        return set(session.scalars(select(Appointment.id)))


def _history_of(desk: Desk, appointment_id: object) -> list[object]:
    with desk.mirror.sessions() as session:
        return list(
            session.scalars(
                select(AppointmentStatusChange.id).where(
                    AppointmentStatusChange.appointment_id == appointment_id
                )
            )
        )


def test_a_specialist_desk_holds_their_appointments_and_follows_reassignment(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    doctor_user = sync_clinic.server.create_user(
        sync_clinic.organization_id, "dr@example.com", role=Role.SPECIALIST
    )
    front.sync()  # the new account arrives with its membership
    seeded = seed_catalog(front)
    mine = catalog.add_specialist(front.ctx, name="Dr Own", user_id=doctor_user.id).value
    service_id = catalog.add_service(
        front.ctx,
        name="Own consult",
        duration_minutes=30,
        specialist_ids=[mine.id, seeded.other_specialist_id],
    ).value.id
    start = NOW + timedelta(days=1, hours=3)
    own = booking.book_walk_in(
        front.ctx,
        patient_person_id=seeded.patient_ids[0],
        service_id=service_id,
        specialist_id=mine.id,
        start=start,
    ).value.appointment
    theirs = booking.book_walk_in(
        front.ctx,
        patient_person_id=seeded.patient_ids[1],
        service_id=service_id,
        specialist_id=seeded.other_specialist_id,
        start=start + timedelta(hours=2),
    ).value.appointment
    front.sync()

    doctor = make_desk("doctor", Role.SPECIALIST, "dr@example.com", new_user=False)

    assert doctor.account.specialist_id == mine.id
    assert _appointment_ids(doctor) == {own.id}
    assert _history_of(doctor, own.id)
    assert _history_of(doctor, theirs.id) == []
    with doctor.mirror.sessions() as session:  # the rest of the organization is there
        assert len(session.scalars(select(PatientPerson)).all()) == len(seeded.patient_ids)

    # Another desk swaps the two appointments' specialists.
    sessions = scoped_sessions(
        sync_clinic.server.database.engine,
        Scope(organization_id=sync_clinic.organization_id, role="admin"),
    )
    with sessions.begin() as session:
        for appointment_id, specialist_id in (
            (own.id, seeded.other_specialist_id),
            (theirs.id, mine.id),
        ):
            session.execute(
                text(
                    "UPDATE appointments SET specialist_id = :s, row_version = row_version + 1 "
                    "WHERE id = :id"
                ),
                {"s": specialist_id, "id": appointment_id},
            )
    report = doctor.sync()

    assert report.removed >= 2  # the appointment that left, and its status history
    assert _appointment_ids(doctor) == {theirs.id}
    assert _history_of(doctor, own.id) == []
    assert _history_of(doctor, theirs.id)


def test_a_new_role_brings_the_whole_organization_on_the_next_pull(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    seeded = seed_catalog(front)
    booking.book_walk_in(
        front.ctx,
        patient_person_id=seeded.patient_ids[0],
        service_id=seeded.service_id,
        specialist_id=seeded.specialist_id,
        start=NOW + timedelta(days=1),
    )
    front.sync()
    helper = make_desk("helper", Role.SPECIALIST)
    assert _appointment_ids(helper) == set()

    sessions = scoped_sessions(
        sync_clinic.server.database.engine,
        Scope(organization_id=sync_clinic.organization_id, role="admin"),
    )
    with sessions.begin() as session:
        session.execute(
            text("UPDATE memberships SET role = 'receptionist' WHERE user_id = :u"),
            {"u": helper.account.user_id},
        )
    promoted = make_desk(
        "helper", Role.RECEPTIONIST, "helper@example.com", new_user=False, initial_sync=False
    )
    promoted.mirror.close()
    promoted.mirror = helper.mirror  # the same desk, signed in again with its new role
    promoted.sync()

    assert len(_appointment_ids(promoted)) == 1
