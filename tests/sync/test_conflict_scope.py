"""Conflicts carry field values, so a specialist's desk receives only those about rows in
their scope (and their own refused writes); an admin's desk receives them all."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.services import booking, catalog, lifecycle
from frontdesk.store.models import SyncConflict
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory, seed_catalog

TEN = NOW + timedelta(days=1, hours=3)


def _conflicted_rows(desk: Desk, table_name: str = "appointments") -> set[uuid.UUID]:
    with desk.mirror.sessions() as session:
        return set(
            session.scalars(
                select(SyncConflict.row_id).where(SyncConflict.table_name == table_name)
            )
        )


def _conflict_count(desk: Desk) -> int:
    with desk.mirror.sessions() as session:
        return len(session.scalars(select(SyncConflict.id)).all())


def _conflict_both_ways(front: Desk, back: Desk, appointment_id: uuid.UUID) -> None:
    lifecycle.reschedule(front.ctx, appointment_id, start=TEN + timedelta(hours=5))
    lifecycle.reschedule(back.ctx, appointment_id, start=TEN + timedelta(hours=6))
    front.sync()
    back.sync()


def test_a_specialist_receives_only_conflicts_about_their_own_rows(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    doctor_user = sync_clinic.server.create_user(
        sync_clinic.organization_id, "dr@example.com", role=Role.SPECIALIST
    )
    front.sync()
    seeded = seed_catalog(front)
    mine = catalog.add_specialist(front.ctx, name="Dr Own", user_id=doctor_user.id).value
    service_id = catalog.add_service(
        front.ctx,
        name="Own consult",
        duration_minutes=30,
        specialist_ids=[mine.id, seeded.other_specialist_id],
    ).value.id

    def book(specialist_id: uuid.UUID, start_offset: timedelta) -> uuid.UUID:
        return booking.book_walk_in(
            front.ctx,
            patient_person_id=seeded.patient_ids[0],
            service_id=service_id,
            specialist_id=specialist_id,
            start=TEN + start_offset,
        ).value.appointment.id

    own = book(mine.id, timedelta(0))
    theirs = book(seeded.other_specialist_id, timedelta(hours=1))
    front.sync()
    back = make_desk("back", Role.RECEPTIONIST)
    doctor = make_desk("doctor", Role.SPECIALIST, "dr@example.com", new_user=False)
    _conflict_both_ways(front, back, own)
    _conflict_both_ways(front, back, theirs)

    # The doctor books over a slot the front desk just took for them: the server refuses it.
    taken = book(mine.id, timedelta(hours=2))
    front.sync()
    refused = booking.book_walk_in(
        doctor.ctx,
        patient_person_id=seeded.patient_ids[1],
        service_id=service_id,
        specialist_id=mine.id,
        start=TEN + timedelta(hours=2),
    ).value.appointment.id
    doctor.sync()
    front.sync()

    assert taken != refused
    assert _conflicted_rows(front) == {own, theirs, refused}
    assert _conflicted_rows(doctor) == {own, refused}
    back.sync()
    assert _conflicted_rows(back) == {own, theirs, refused}


def test_another_specialist_does_not_receive_a_refused_insert_of_a_colleague(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    doctor_user = sync_clinic.server.create_user(
        sync_clinic.organization_id, "dr@example.com", role=Role.SPECIALIST
    )
    colleague_user = sync_clinic.server.create_user(
        sync_clinic.organization_id, "colleague@example.com", role=Role.SPECIALIST
    )
    front.sync()
    seeded = seed_catalog(front)
    mine = catalog.add_specialist(front.ctx, name="Dr Own", user_id=doctor_user.id).value
    catalog.add_specialist(front.ctx, name="Dr Other", user_id=colleague_user.id)
    service_id = catalog.add_service(
        front.ctx, name="Own consult", duration_minutes=30, specialist_ids=[mine.id]
    ).value.id
    front.sync()
    doctor = make_desk("doctor", Role.SPECIALIST, "dr@example.com", new_user=False)
    colleague = make_desk("colleague", Role.SPECIALIST, "colleague@example.com", new_user=False)
    for desk in (front, doctor):
        booking.book_walk_in(
            desk.ctx,
            patient_person_id=seeded.patient_ids[0],
            service_id=service_id,
            specialist_id=mine.id,
            start=TEN,
        )
    front.sync()
    doctor.sync()
    colleague.sync()
    front.sync()

    assert len(_conflicted_rows(doctor)) == 1
    assert _conflicted_rows(doctor, "appointment_status_history")  # its history, refused too
    assert _conflict_count(front) == _conflict_count(doctor)
    assert _conflict_count(colleague) == 0
