"""Two desks edit while offline, then sync: desks and server converge and nothing is lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.services import lifecycle, patients
from frontdesk.store.models import Appointment, SyncConflict
from tests.sync.conftest import NOW, Clinic, DeskFactory, seed_catalog, walk_in
from tests.sync.snapshots import differences, mirror_snapshot, server_snapshot


def test_offline_edits_on_two_desks_converge(make_desk: DeskFactory, sync_clinic: Clinic) -> None:
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    seeded = seed_catalog(front, patients_count=3)
    ten = NOW + timedelta(days=1, hours=3)
    shared = walk_in(front, seeded, ten)
    other = walk_in(front, seeded, ten, patient=1, specialist=seeded.other_specialist_id)
    front.sync()
    back.sync()

    # Offline: both move the same appointment (to different times); one desk cancels the
    # other appointment while the second moves it; both book the same slot; each registers
    # a patient of its own.
    lifecycle.reschedule(front.ctx, shared.id, start=ten + timedelta(hours=1))
    lifecycle.reschedule(back.ctx, shared.id, start=ten + timedelta(hours=2))
    lifecycle.cancel(front.ctx, other.id, reason="patient called")
    lifecycle.reschedule(back.ctx, other.id, start=ten + timedelta(days=1))
    slot = ten + timedelta(hours=5)
    front_booking = walk_in(front, seeded, slot, patient=1)
    back_booking = walk_in(back, seeded, slot, patient=2)
    front_patient = patients.register_patient(
        front.ctx,
        first_name="Ioana",
        last_name="Front",
        email="ioana@example.com",
        request_account=False,
    ).value
    back_patient = patients.register_patient(
        back.ctx,
        first_name="Radu",
        last_name="Back",
        email="radu@example.com",
        request_account=False,
    ).value

    front.sync()
    back_report = back.sync()
    front.sync()

    server = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert differences(mirror_snapshot(front.mirror.sessions), server) == []
    assert differences(mirror_snapshot(back.mirror.sessions), server) == []

    appointments = server["appointments"]
    # The first desk to sync won the shared appointment's time; both patients exist.
    assert appointments[str(shared.id)]["started_at"] == (ten + timedelta(hours=1)).isoformat()
    # Different fields of one appointment merge: cancelled, and moved.
    assert appointments[str(other.id)]["status"] == AppointmentStatus.CANCELLED
    assert appointments[str(other.id)]["started_at"] == (ten + timedelta(days=1)).isoformat()
    assert str(front_booking.id) in appointments
    assert str(back_booking.id) not in appointments
    assert {str(front_patient.id), str(back_patient.id)} <= set(server["patient_persons"])

    # What the second desk lost is kept in conflicts that both desks see.
    conflicts = {c["row_id"]: c for c in server["sync_conflicts"].values()}
    moved = conflicts[str(shared.id)]
    assert moved["fields"]["started_at"]["mine"] == (ten + timedelta(hours=2)).isoformat()
    assert moved["status"] == "open"
    # ... except the video room's expiry, which cancelling cleared and moving set.
    assert set(conflicts[str(other.id)]["fields"]) == {"video_room_expires_at"}
    refused = conflicts[str(back_booking.id)]
    assert refused["row_missing"] is True
    assert refused["fields"]["specialist_id"]["mine"] == str(seeded.specialist_id)
    appointment_conflicts = {c.row_id for c in back_report.conflicts if c.table == "appointments"}
    assert appointment_conflicts == {shared.id, other.id, back_booking.id}
    # The refused booking's own rows (its status history) could not exist without it.
    dependents = [c for c in back_report.conflicts if c.table != "appointments"]
    assert {c.table for c in dependents} <= {"appointment_status_history", "form_instances"}
    assert all(c.kind == "rejected" for c in dependents)
    with back.mirror.sessions() as session:
        assert session.get(Appointment, back_booking.id) is None
        assert len(session.scalars(select(SyncConflict)).all()) == len(conflicts)
