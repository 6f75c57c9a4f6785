"""The lifecycle after booking: every allowed and every refused transition, the side effects
of the specification, reinstatement, rescheduling, check-in, and who may do what."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from frontdesk.domain.appointment_states import ALLOWED, ENDED_STATUSES
from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.domain.errors import (
    AlreadyExists,
    DoubleBooking,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from frontdesk.domain.events import DeskEventName, EventName
from frontdesk.integrations.video import room_name
from frontdesk.services import lifecycle, onboarding
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import (
    Appointment,
    AppointmentStatusChange,
    DomainEvent,
    Notification,
)
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_appointment, insert_person
from tests.unit.appointment_helpers import (
    TOMORROW_10,
    RecordingRooms,
    book,
    event_names,
    events_named,
    history,
    later,
    with_rooms,
)

S = AppointmentStatus
ROOM_HOLDING = frozenset({S.UPCOMING, S.CONFIRMED, S.INPROGRESS, S.DONE})


def _appointment_in(clinic: Clinic, status: S, *, minutes_ago: int = 10) -> Appointment:
    """An appointment of an onboarded patient in `status`, started `minutes_ago` (so a no-show
    may be recorded), with a room if its status has one."""
    person = insert_person(clinic)
    appointment = insert_appointment(
        clinic,
        start=clinic.clock.now() - timedelta(minutes=minutes_ago),
        person_id=person.id,
        status=status,
    )
    if status in ROOM_HOLDING:
        with clinic.ctx.sessions.begin() as session:
            row = session.get_one(Appointment, appointment.id)
            row.video_room_name = room_name(clinic.organization_id, row.id)
            row.video_room_url = f"https://video.test/{row.video_room_name}"
            row.video_room_expires_at = row.ended_at
            appointment = row
    return appointment


def _reload(clinic: Clinic, appointment_id: uuid.UUID) -> Appointment:
    with clinic.ctx.sessions() as session:
        return session.get_one(Appointment, appointment_id)


def _through_services(ctx: ServiceContext, clinic: Clinic, *path: S) -> Appointment:
    """A public booking, onboarded, then moved along `path` by the services."""
    appointment = book(ctx, clinic).appointment
    onboarding.onboard(ctx, appointment.id)
    for status in path:
        appointment = lifecycle.change_status(ctx, appointment.id, status, reason="test").value
    return _reload(clinic, appointment.id)


# ---- the whole matrix ---------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_transition_is_either_made_or_refused_with_nothing_written(
    clinic: Clinic, current: S, target: S
) -> None:
    ctx = with_rooms(clinic, RecordingRooms()).acting_as(clinic.admin)
    appointment = _appointment_in(clinic, current)
    before = fingerprint(clinic.ctx.sessions)
    if target in ALLOWED[current]:
        outcome = lifecycle.change_status(ctx, appointment.id, target, reason="matrix")
        assert outcome.value.status == target
        assert _reload(clinic, appointment.id).status == target
        assert history(clinic.ctx.sessions, appointment.id)[-1] == (current, target)
        assert outcome.changes.updated["appointments"] == {appointment.id}
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            lifecycle.change_status(ctx, appointment.id, target, reason="matrix")
        assert refused.value.field == "status"
        assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize("status", list(S))
def test_check_in_only_for_upcoming_or_confirmed(clinic: Clinic, status: S) -> None:
    appointment = _appointment_in(clinic, status)
    before = fingerprint(clinic.ctx.sessions)
    if status in (S.UPCOMING, S.CONFIRMED):
        checked = lifecycle.check_in(clinic.ctx, appointment.id).value
        assert checked.checked_in_at == clinic.clock.now()
        assert checked.status == status  # not a status change
        assert history(clinic.ctx.sessions, appointment.id) == []
        assert event_names(clinic.ctx.sessions, appointment.id) == [
            DeskEventName.APPOINTMENT_CHECKED_IN
        ]
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            lifecycle.check_in(clinic.ctx, appointment.id)
        assert refused.value.field == "status"
        assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize("status", list(S))
def test_reschedule_only_before_the_session(clinic: Clinic, status: S) -> None:
    appointment = _appointment_in(clinic, status)
    before = fingerprint(clinic.ctx.sessions)
    new_start = later(TOMORROW_10, 24 * 60)
    if status in (S.BOOKED, S.UPCOMING, S.CONFIRMED):
        moved = lifecycle.reschedule(clinic.ctx, appointment.id, start=new_start).value
        assert moved.appointment.started_at == new_start
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            lifecycle.reschedule(clinic.ctx, appointment.id, start=new_start)
        assert refused.value.field == "status"
        assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize("status", [s for s in S if s not in ENDED_STATUSES])
def test_only_ended_appointments_can_be_reinstated(clinic: Clinic, status: S) -> None:
    appointment = _appointment_in(clinic, status)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(TransitionNotAllowed) as refused:
        lifecycle.reinstate(clinic.ctx, appointment.id)
    assert refused.value.field == "status"
    assert fingerprint(clinic.ctx.sessions) == before


def test_unknown_status_and_unknown_appointment_name_their_field(clinic: Clinic) -> None:
    appointment = _appointment_in(clinic, S.UPCOMING)
    with pytest.raises(InvalidInput) as unknown:
        lifecycle.change_status(clinic.ctx, appointment.id, "archived")
    assert unknown.value.field == "to_status"
    for operation in (lifecycle.confirm, lifecycle.check_in, lifecycle.start_session):
        with pytest.raises(NotFound) as missing:
            operation(clinic.ctx, uuid.uuid4())
        assert missing.value.field == "appointment_id"


# ---- side effects and records -------------------------------------------------------------


def test_confirming_notifies_the_specialist(clinic: Clinic) -> None:
    appointment = _through_services(clinic.ctx, clinic)
    outcome = lifecycle.confirm(clinic.ctx, appointment.id, reason="phoned back")
    with clinic.ctx.sessions() as session:
        note = session.scalars(select(Notification)).one()
    assert (note.target, note.specialist_id) == ("specialist", clinic.specialist_id)
    assert note.message == "Ioana Marin confirmed Physiotherapy consult on Tue 03 Mar 10:00"
    assert note.patient_person_id is None  # a banner for the specialist, not the patient
    assert outcome.changes.events == [DeskEventName.APPOINTMENT_CONFIRMED]
    assert outcome.changes.created["notifications"] == {note.id}


def test_every_status_change_records_actor_time_and_reason(clinic: Clinic) -> None:
    appointment = _through_services(clinic.ctx, clinic)
    clinic.clock.advance(timedelta(minutes=5))
    lifecycle.confirm(clinic.as_(clinic.admin), appointment.id, reason="phoned back")
    with clinic.ctx.sessions() as session:
        change = session.scalars(
            select(AppointmentStatusChange).where(AppointmentStatusChange.to_status == S.CONFIRMED)
        ).one()
    assert (change.from_status, change.to_status) == (S.UPCOMING, S.CONFIRMED)
    assert (change.actor_user_id, change.actor_label) == (clinic.admin.user_id, "Ana Admin")
    assert change.changed_at == clinic.clock.now()
    assert change.reason == "phoned back"


def test_starting_and_completing_a_session(clinic: Clinic) -> None:
    appointment = _through_services(clinic.ctx, clinic, S.CONFIRMED)
    specialist = clinic.as_(clinic.specialist_actor)
    started = lifecycle.start_session(specialist, appointment.id)
    assert started.value.session_started_at == clinic.clock.now()
    assert started.changes.events == [EventName.APPOINTMENT_STARTED]
    clinic.clock.advance(timedelta(minutes=40))
    done = lifecycle.complete(specialist, appointment.id)
    assert done.value.completed_at == clinic.clock.now()
    assert done.changes.events == [EventName.APPOINTMENT_COMPLETED]
    [event] = events_named(clinic.ctx.sessions, EventName.APPOINTMENT_COMPLETED)
    assert event.payload["from_status"] == "inprogress"
    assert event.payload["appointment_id"] == str(appointment.id)
    assert history(clinic.ctx.sessions, appointment.id) == [
        (None, S.BOOKED),
        (S.BOOKED, S.UPCOMING),
        (S.UPCOMING, S.CONFIRMED),
        (S.CONFIRMED, S.INPROGRESS),
        (S.INPROGRESS, S.DONE),
    ]


@pytest.mark.parametrize("status", [S.UPCOMING, S.CONFIRMED])
def test_cancelling_records_who_when_why_and_deletes_the_room(clinic: Clinic, status: S) -> None:
    rooms = RecordingRooms()
    ctx = with_rooms(clinic, rooms)
    appointment = _through_services(ctx, clinic, *([S.CONFIRMED] if status == S.CONFIRMED else []))
    name = appointment.video_room_name
    outcome = lifecycle.cancel(ctx, appointment.id, reason="  feeling better ")
    cancelled = outcome.value
    assert cancelled.status == S.CANCELLED
    assert cancelled.cancelled_at == clinic.clock.now()
    assert cancelled.cancelled_by_user_id == clinic.receptionist.user_id
    assert cancelled.cancellation_reason == "feeling better"
    assert rooms.deleted == [name]
    assert (cancelled.video_room_name, cancelled.video_room_url) == (None, None)
    assert outcome.changes.events == [EventName.APPOINTMENT_CANCELED]
    [event] = events_named(clinic.ctx.sessions, EventName.APPOINTMENT_CANCELED)
    assert event.payload["reason"] == "feeling better"


def test_cancelling_needs_a_reason(clinic: Clinic) -> None:
    appointment = _appointment_in(clinic, S.UPCOMING)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(InvalidInput) as refused:
        lifecycle.cancel(clinic.ctx, appointment.id, reason="   ")
    assert refused.value.field == "reason"
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_booked_appointment_cancelled_has_no_room_to_delete(clinic: Clinic) -> None:
    rooms = RecordingRooms()
    appointment = book(clinic.ctx, clinic).appointment
    lifecycle.cancel(with_rooms(clinic, rooms), appointment.id, reason="duplicate booking")
    assert rooms.deleted == []


def test_a_no_show_deletes_the_room_once_the_start_has_passed(clinic: Clinic) -> None:
    rooms = RecordingRooms()
    ctx = with_rooms(clinic, rooms)
    appointment = _through_services(ctx, clinic)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(TransitionNotAllowed) as early:
        lifecycle.mark_no_show(ctx, appointment.id)
    assert early.value.field == "status"
    assert fingerprint(clinic.ctx.sessions) == before
    clinic.clock.set(appointment.started_at + timedelta(minutes=15))
    outcome = lifecycle.mark_no_show(ctx, appointment.id, reason="did not come")
    assert outcome.value.status == S.NOSHOW
    assert outcome.value.video_room_name is None
    assert rooms.deleted == [room_name(clinic.organization_id, appointment.id)]
    assert outcome.changes.events == [DeskEventName.APPOINTMENT_NOSHOW]


def test_checking_in_twice_is_refused(clinic: Clinic) -> None:
    appointment = _appointment_in(clinic, S.CONFIRMED)
    lifecycle.check_in(clinic.ctx, appointment.id)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(AlreadyExists, match="checked in already, at Mon 02 Mar 09:00"):
        lifecycle.check_in(clinic.ctx, appointment.id)
    assert fingerprint(clinic.ctx.sessions) == before


# ---- reinstatement ------------------------------------------------------------------------


@pytest.mark.parametrize("prior", [S.UPCOMING, S.CONFIRMED])
def test_reinstating_restores_the_prior_status_and_recreates_the_room(
    clinic: Clinic, prior: S
) -> None:
    rooms = RecordingRooms()
    ctx = with_rooms(clinic, rooms)
    appointment = _through_services(ctx, clinic, *([S.CONFIRMED] if prior == S.CONFIRMED else []))
    lifecycle.cancel(ctx, appointment.id, reason="mistake")
    rooms.created.clear()
    outcome = lifecycle.reinstate(ctx, appointment.id, reason="patient called back")
    back = outcome.value
    name = room_name(clinic.organization_id, appointment.id)
    assert back.status == prior
    assert (back.cancelled_at, back.cancelled_by_user_id, back.cancellation_reason) == (
        None,
        None,
        None,
    )
    assert rooms.created == [(name, back.ended_at)]
    assert back.video_room_name == name
    assert history(clinic.ctx.sessions, appointment.id)[-2:] == [
        (prior, S.CANCELLED),
        (S.CANCELLED, prior),
    ]
    assert outcome.changes.events == [DeskEventName.APPOINTMENT_REINSTATED]


def test_reinstating_a_booked_no_show_opens_no_room(clinic: Clinic) -> None:
    rooms = RecordingRooms()
    ctx = with_rooms(clinic, rooms)
    appointment = book(ctx, clinic).appointment
    clinic.clock.set(appointment.started_at + timedelta(minutes=20))
    lifecycle.mark_no_show(ctx, appointment.id)
    back = lifecycle.reinstate(ctx, appointment.id).value
    assert back.status == S.BOOKED
    assert back.video_room_name is None
    assert rooms.created == []


def test_reinstating_into_a_taken_slot_needs_an_override(clinic: Clinic) -> None:
    appointment = book(clinic.ctx, clinic).appointment
    lifecycle.cancel(clinic.ctx, appointment.id, reason="moved abroad")
    # Dr Mihai's time is given to someone else (public booking takes the first free).
    taker = book(clinic.ctx, clinic, email="b@example.com", phone="0733 111 222").appointment
    assert taker.specialist_id == appointment.specialist_id
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(DoubleBooking) as taken:
        lifecycle.reinstate(clinic.ctx, appointment.id)
    assert taken.value.conflicting_ids == (str(taker.id),)
    assert fingerprint(clinic.ctx.sessions) == before
    back = lifecycle.reinstate(clinic.ctx, appointment.id, override_reason="both fit").value
    assert back.status == S.BOOKED
    assert back.double_booking_override_reason == "both fit"


def test_an_ended_appointment_without_history_cannot_be_reinstated(clinic: Clinic) -> None:
    appointment = _appointment_in(clinic, S.CANCELLED)
    with pytest.raises(TransitionNotAllowed, match="no earlier status"):
        lifecycle.reinstate(clinic.ctx, appointment.id)


# ---- rescheduling -------------------------------------------------------------------------


def test_rescheduling_moves_the_time_keeps_the_length_and_tells_the_engine(
    clinic: Clinic,
) -> None:
    rooms = RecordingRooms()
    ctx = with_rooms(clinic, rooms)
    appointment = _through_services(ctx, clinic)
    lifecycle.check_in(ctx, appointment.id)
    new_start = later(TOMORROW_10, 26 * 60)
    outcome = lifecycle.reschedule(ctx, appointment.id, start=new_start, reason="clash")
    moved = outcome.value.appointment
    assert (moved.started_at, moved.ended_at) == (new_start, later(new_start, 45))
    assert moved.checked_in_at is None
    assert moved.status == S.UPCOMING
    assert moved.video_room_expires_at == moved.ended_at
    assert rooms.created[-1] == (moved.video_room_name, moved.ended_at)
    assert outcome.changes.events == [DeskEventName.APPOINTMENT_RESCHEDULED]
    [event] = events_named(clinic.ctx.sessions, DeskEventName.APPOINTMENT_RESCHEDULED)
    assert event.payload["old_start"] == TOMORROW_10.isoformat()
    assert event.payload["new_start"] == new_start.isoformat()
    assert event.payload["reason"] == "clash"


def test_rescheduling_rechecks_double_booking_and_clears_a_stale_override(
    clinic: Clinic,
) -> None:
    other = insert_person(clinic, first_name="Other", email=None, phone=None)
    blocker = insert_appointment(clinic, start=later(TOMORROW_10, 180), person_id=other.id)
    appointment = book(clinic.ctx, clinic).appointment
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(DoubleBooking) as refused:
        lifecycle.reschedule(clinic.ctx, appointment.id, start=later(TOMORROW_10, 200))
    assert refused.value.conflicting_ids == (str(blocker.id),)
    assert fingerprint(clinic.ctx.sessions) == before

    squeezed = lifecycle.reschedule(
        clinic.ctx, appointment.id, start=later(TOMORROW_10, 200), override_reason="urgent"
    ).value.appointment
    assert squeezed.double_booking_override_reason == "urgent"
    freed = lifecycle.reschedule(
        clinic.ctx, appointment.id, start=later(TOMORROW_10, 300)
    ).value.appointment
    assert freed.double_booking_override_reason is None


def test_rescheduling_warns_about_a_second_appointment_that_day(clinic: Clinic) -> None:
    appointment = book(clinic.ctx, clinic).appointment
    insert_appointment(
        clinic,
        start=later(TOMORROW_10, 24 * 60),
        person_id=appointment.patient_person_id,
        specialist_id=clinic.other_specialist_id,
    )
    moved = lifecycle.reschedule(clinic.ctx, appointment.id, start=later(TOMORROW_10, 25 * 60))
    assert moved.value.warnings == [
        "the patient already has Physiotherapy consult at Wed 04 Mar 10:00 that day"
    ]


def test_bad_reschedules_name_the_field(clinic: Clinic) -> None:
    appointment = book(clinic.ctx, clinic).appointment
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(InvalidInput) as naive:
        lifecycle.reschedule(clinic.ctx, appointment.id, start=TOMORROW_10.replace(tzinfo=None))
    assert naive.value.field == "start"
    with pytest.raises(InvalidInput) as same:
        lifecycle.reschedule(clinic.ctx, appointment.id, start=TOMORROW_10)
    assert same.value.field == "start"
    with pytest.raises(InvalidInput) as blank:
        lifecycle.reschedule(
            clinic.ctx, appointment.id, start=later(TOMORROW_10, 60), override_reason=""
        )
    assert blank.value.field == "override_reason"
    assert fingerprint(clinic.ctx.sessions) == before


# ---- who may do what ----------------------------------------------------------------------


def _patient_of(appointment: Appointment) -> Actor:
    return Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({appointment.patient_person_id}))


def test_a_patient_confirms_and_cancels_their_own_appointment(clinic: Clinic) -> None:
    appointment = _through_services(clinic.ctx, clinic)
    as_patient = clinic.as_(_patient_of(appointment))
    assert lifecycle.confirm(as_patient, appointment.id).value.status == S.CONFIRMED
    cancelled = lifecycle.cancel(as_patient, appointment.id, reason="sick").value
    assert cancelled.status == S.CANCELLED


def test_a_patient_may_not_touch_someone_elses_appointment_or_run_the_desk(
    clinic: Clinic,
) -> None:
    appointment = _through_services(clinic.ctx, clinic)
    stranger = clinic.as_(Actor(Role.PATIENT, None, "Other", person_ids=frozenset({uuid.uuid4()})))
    own = clinic.as_(_patient_of(appointment))
    before = fingerprint(clinic.ctx.sessions)
    refusals = [
        lambda: lifecycle.confirm(stranger, appointment.id),
        lambda: lifecycle.cancel(stranger, appointment.id, reason="x"),
        lambda: lifecycle.check_in(own, appointment.id),
        lambda: lifecycle.start_session(own, appointment.id),
        lambda: lifecycle.mark_no_show(own, appointment.id),
        lambda: lifecycle.reschedule(own, appointment.id, start=later(TOMORROW_10, 60)),
        lambda: lifecycle.reinstate(own, appointment.id),
    ]
    for refuse in refusals:
        with pytest.raises(PermissionDenied):
            refuse()
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_specialist_runs_only_their_own_sessions(clinic: Clinic) -> None:
    appointment = _through_services(clinic.ctx, clinic)
    elena = Actor(Role.SPECIALIST, None, "Dr Elena", specialist_id=clinic.other_specialist_id)
    before = fingerprint(clinic.ctx.sessions)
    for operation in (lifecycle.start_session, lifecycle.complete, lifecycle.confirm):
        with pytest.raises(PermissionDenied) as denied:
            operation(clinic.as_(elena), appointment.id)
        assert denied.value.field == "appointment_id"
    assert fingerprint(clinic.ctx.sessions) == before
    mihai = clinic.as_(clinic.specialist_actor)
    assert lifecycle.start_session(mihai, appointment.id).value.status == S.INPROGRESS
    assert lifecycle.complete(mihai, appointment.id).value.status == S.DONE


def test_the_automation_engine_may_run_the_lifecycle(clinic: Clinic) -> None:
    appointment = _through_services(clinic.ctx, clinic)
    engine = clinic.as_(Actor.system("automation"))
    cancelled = lifecycle.cancel(engine, appointment.id, reason="unpaid deposit").value
    assert cancelled.cancelled_by_user_id is None
    with clinic.ctx.sessions() as session:
        change = session.scalars(
            select(AppointmentStatusChange).where(AppointmentStatusChange.to_status == S.CANCELLED)
        ).one()
        [event] = session.scalars(
            select(DomainEvent).where(DomainEvent.name == EventName.APPOINTMENT_CANCELED)
        )
    assert change.actor_label == "automation"
    assert event.actor_user_id is None
