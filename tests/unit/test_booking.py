"""Booking: the public page (phase 1), staff bookings and walk-ins, double booking and its
override, the same-day warning, idempotent resubmission, and refusals that write nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import AppointmentSource, AppointmentStatus, AppointmentType, Role
from frontdesk.domain.errors import (
    DomainError,
    DoubleBooking,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.events import EventName
from frontdesk.services import booking, catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import (
    Appointment,
    AuditEntry,
    FormInstance,
    OutboxMutation,
    PatientPerson,
    Service,
)
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic, build_clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_appointment, insert_person
from tests.unit.appointment_helpers import (
    TOMORROW_10,
    RecordingRooms,
    audit_actions,
    book,
    event_names,
    history,
    later,
    with_rooms,
)

S = AppointmentStatus


def _public(
    clinic: Clinic, ctx: ServiceContext | None = None, **changes: Any
) -> booking.BookingResult:
    arguments: dict[str, Any] = {
        "service_id": clinic.consult_service_id,
        "start": TOMORROW_10,
        "name": "Ioana Maria Marin",
        "email": "Ioana.Marin@Example.com",
        "phone": "0721 000 111",
        "client_id": "browser-1",
        "idempotency_key": "submit-1",
        **changes,
    }
    return booking.book_public(ctx or clinic.ctx, **arguments).value


def _walk_in(clinic: Clinic, person_id: uuid.UUID, **changes: Any) -> booking.BookingResult:
    arguments: dict[str, Any] = {
        "patient_person_id": person_id,
        # The video follow-up has no blocking form, so walk-ins can follow one another.
        "service_id": clinic.video_service_id,
        "specialist_id": clinic.specialist_id,
        "start": TOMORROW_10,
        **changes,
    }
    return booking.book_walk_in(clinic.ctx, **arguments).value


# ---- public booking ---------------------------------------------------------------------


def test_public_booking_creates_the_person_and_a_booked_appointment(clinic: Clinic) -> None:
    outcome = booking.book_public(
        clinic.ctx,
        service_id=clinic.consult_service_id,
        calendar_id=clinic.public_calendar_id,
        start=datetime.fromisoformat("2026-03-03T10:00:00+02:00"),
        name="Ioana Maria Marin",
        email="Ioana.Marin@Example.com",
        phone="0721 000 111",
        client_id="browser-1",
        idempotency_key="submit-1",
    )
    appointment = outcome.value.appointment
    with clinic.ctx.sessions() as session:
        person = session.get_one(PatientPerson, appointment.patient_person_id)
    assert (person.first_name, person.last_name, person.phone, person.email) == (
        "Ioana Maria",
        "Marin",
        "+40721000111",
        "Ioana.Marin@example.com",
    )
    assert person.user_id is None  # no account until onboarding
    assert appointment.status == S.BOOKED
    assert appointment.source == AppointmentSource.PUBLIC
    assert appointment.contact_email == "Ioana.Marin@example.com"
    assert appointment.booking_client_id == "browser-1"
    assert appointment.calendar_id == clinic.public_calendar_id
    assert appointment.specialist_id == clinic.specialist_id  # the first free one
    assert appointment.started_at == TOMORROW_10
    assert appointment.ended_at == TOMORROW_10 + timedelta(minutes=45)
    assert appointment.type == AppointmentType.IN_CLINIC
    assert outcome.value.warnings == []
    assert history(clinic.ctx.sessions, appointment.id) == [(None, S.BOOKED)]
    assert event_names(clinic.ctx.sessions, appointment.id) == [
        EventName.APPOINTMENT_BOOKED,
        EventName.APPOINTMENT_FIRST_BOOKED,
    ]
    assert outcome.changes.created["appointments"] == {appointment.id}
    assert outcome.changes.created["patient_persons"] == {person.id}
    with clinic.ctx.sessions() as session:
        pushed = set(session.scalars(select(OutboxMutation.table_name)))
    assert {"appointments", "patient_persons", "appointment_status_history"} <= pushed


def test_public_booking_takes_the_next_free_specialist_then_refuses(clinic: Clinic) -> None:
    first = _public(clinic, idempotency_key="a").appointment
    second = _public(clinic, idempotency_key="b", email="b@example.com", phone="0721000112")
    assert first.specialist_id == clinic.specialist_id
    assert second.appointment.specialist_id == clinic.other_specialist_id
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(DoubleBooking) as full:
        _public(clinic, idempotency_key="c", start=later(TOMORROW_10, 30))
    assert full.value.field == "start"
    assert set(full.value.conflicting_ids) == {str(first.id), str(second.appointment.id)}
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_calendar_tied_to_one_specialist_books_only_them(clinic: Clinic) -> None:
    calendar = catalog.add_calendar(
        clinic.ctx, name="Dr Elena's page", specialist_id=clinic.other_specialist_id
    ).value
    result = _public(clinic, calendar_id=calendar.id)
    assert result.appointment.specialist_id == clinic.other_specialist_id


def test_a_resubmitted_public_booking_returns_the_first_and_writes_nothing(
    clinic: Clinic,
) -> None:
    first = _public(clinic)
    before = fingerprint(clinic.ctx.sessions)
    again = booking.book_public(
        clinic.ctx,
        service_id=clinic.consult_service_id,
        start=TOMORROW_10,
        name="Ioana Maria Marin",
        email="Ioana.Marin@Example.com",
        phone="0721 000 111",
        client_id="browser-1",
        idempotency_key="submit-1",
    )
    assert again.value.appointment.id == first.appointment.id
    assert again.value.replayed is True
    assert not again.changes
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_key_reused_for_another_booking_is_refused(clinic: Clinic) -> None:
    _public(clinic)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(InvalidInput) as reused:
        _public(clinic, start=later(TOMORROW_10, 120))
    assert reused.value.field == "idempotency_key"
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_submission_racing_past_the_lookup_returns_the_winner(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _public(clinic)
    real_replay = booking._replay
    calls: list[str] = []

    def late_replay(*args: Any) -> Appointment | None:
        # The first lookup misses, as if the winner had not committed yet.
        calls.append("lookup")
        return None if len(calls) == 1 else real_replay(*args)

    monkeypatch.setattr(booking, "_replay", late_replay)
    before = fingerprint(clinic.ctx.sessions)
    again = booking.book_public(
        clinic.ctx,
        service_id=clinic.consult_service_id,
        start=TOMORROW_10,
        name="Ioana Maria Marin",
        email="ioana.marin@example.com",
        phone="0721 000 111",
        client_id="browser-1",
        idempotency_key="submit-1",
    )
    assert again.value.appointment.id == first.appointment.id
    assert again.value.replayed is True
    assert fingerprint(clinic.ctx.sessions) == before


def _hidden_service(clinic: Clinic) -> dict[str, Any]:
    with clinic.ctx.sessions.begin() as session:
        session.get_one(Service, clinic.video_service_id).is_public = False
    return {"service_id": clinic.video_service_id}


PUBLIC_REFUSALS: list[tuple[str, Callable[[Clinic], dict[str, Any]], type[DomainError], str]] = [
    ("unknown service", lambda c: {"service_id": uuid.uuid4()}, NotFound, "service_id"),
    ("unknown calendar", lambda c: {"calendar_id": uuid.uuid4()}, NotFound, "calendar_id"),
    ("private service", _hidden_service, NotFound, "service_id"),
    ("bad email", lambda c: {"email": "ioana@"}, InvalidInput, "email"),
    ("bad phone", lambda c: {"phone": "12345"}, InvalidInput, "phone"),
    ("missing phone", lambda c: {"phone": "  "}, InvalidInput, "phone"),
    ("missing email", lambda c: {"email": ""}, InvalidInput, "email"),
    ("missing name", lambda c: {"name": "   "}, InvalidInput, "name"),
    ("long name", lambda c: {"name": "A" * 150 + " Pop"}, InvalidInput, "name"),
    ("naive start", lambda c: {"start": datetime(2026, 3, 3, 10, 0)}, InvalidInput, "start"),
    ("past start", lambda c: {"start": datetime(2026, 3, 1, 9, tzinfo=UTC)}, InvalidInput, "start"),
    ("blank client id", lambda c: {"client_id": " "}, InvalidInput, "client_id"),
    ("blank key", lambda c: {"idempotency_key": ""}, InvalidInput, "idempotency_key"),
    ("long key", lambda c: {"idempotency_key": "k" * 201}, InvalidInput, "idempotency_key"),
]


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [case[1:] for case in PUBLIC_REFUSALS],
    ids=[case[0] for case in PUBLIC_REFUSALS],
)
def test_bad_public_booking_names_the_field_and_writes_nothing(
    clinic: Clinic,
    changes: Callable[[Clinic], dict[str, Any]],
    error: type[DomainError],
    field: str,
) -> None:
    arguments = changes(clinic)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(error) as refused:
        _public(clinic, **arguments)
    assert refused.value.field == field
    assert fingerprint(clinic.ctx.sessions) == before


def test_every_bad_contact_field_is_reported_together(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput) as bad:
        _public(clinic, email="nope", phone="nope")
    assert [e.field for e in bad.value.errors] == ["email", "phone"]


# ---- staff bookings and walk-ins ----------------------------------------------------------


def test_a_walk_in_for_a_patient_is_onboarded_at_once(clinic: Clinic) -> None:
    rooms = RecordingRooms()
    person = insert_person(clinic)
    outcome = booking.book_walk_in(
        with_rooms(clinic, rooms),
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
        notes="  came with a referral ",
    )
    appointment = outcome.value.appointment
    assert appointment.status == S.UPCOMING
    assert appointment.source == AppointmentSource.WALK_IN
    assert appointment.notes == "came with a referral"
    assert appointment.created_by_user_id == clinic.receptionist.user_id
    assert appointment.video_room_url is not None
    assert rooms.created == [(appointment.video_room_name, appointment.ended_at)]
    assert history(clinic.ctx.sessions, appointment.id) == [
        (None, S.BOOKED),
        (S.BOOKED, S.UPCOMING),
    ]
    with clinic.ctx.sessions() as session:
        keys = set(
            session.scalars(
                select(FormInstance.template_key).where(
                    FormInstance.appointment_id == appointment.id
                )
            )
        )
    assert keys == {"intake", "privacy"}
    assert event_names(clinic.ctx.sessions, appointment.id) == [
        EventName.APPOINTMENT_BOOKED,
        EventName.APPOINTMENT_FIRST_BOOKED,
        "appointment.onboarded",
    ]
    assert EventName.PATIENT_ONBOARDED not in outcome.changes.events


def test_a_walk_in_for_someone_not_yet_a_patient_waits_for_onboarding(clinic: Clinic) -> None:
    person = insert_person(clinic, onboarded=False)
    result = _walk_in(clinic, person.id)
    assert result.appointment.status == S.BOOKED
    assert result.appointment.video_room_name is None


def test_first_booked_fires_only_for_the_first_live_appointment(clinic: Clinic) -> None:
    person = insert_person(clinic, onboarded=False)
    tombstoned = insert_appointment(
        clinic, start=later(TOMORROW_10, -24 * 60), person_id=person.id, status=S.DONE
    )
    with clinic.ctx.sessions.begin() as session:
        session.get_one(Appointment, tombstoned.id).deleted_at = clinic.clock.now()
    first = _walk_in(clinic, person.id).appointment
    second = _walk_in(clinic, person.id, start=later(TOMORROW_10, 24 * 60)).appointment
    assert EventName.APPOINTMENT_FIRST_BOOKED in event_names(clinic.ctx.sessions, first.id)
    assert event_names(clinic.ctx.sessions, second.id) == [EventName.APPOINTMENT_BOOKED]


def test_staff_booking_by_phone_is_a_staff_booking(clinic: Clinic) -> None:
    person = insert_person(clinic, onboarded=False)
    result = booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.video_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
        calendar_id=clinic.public_calendar_id,
    ).value
    assert result.appointment.source == AppointmentSource.STAFF
    assert result.appointment.type == AppointmentType.VIDEO
    assert result.appointment.ended_at == later(TOMORROW_10, 30)


def test_a_patient_books_for_themselves_but_not_for_others(clinic: Clinic) -> None:
    person = insert_person(clinic, onboarded=False)
    stranger = insert_person(clinic, first_name="Other", email=None, phone=None)
    ctx = clinic.as_(Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({person.id})))
    arguments: dict[str, Any] = {
        "service_id": clinic.consult_service_id,
        "specialist_id": clinic.specialist_id,
        "start": TOMORROW_10,
    }
    own = booking.book_for_patient(ctx, patient_person_id=person.id, **arguments).value
    assert own.appointment.source == AppointmentSource.PUBLIC
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(PermissionDenied) as denied:
        booking.book_for_patient(ctx, patient_person_id=stranger.id, **arguments)
    assert denied.value.field == "patient_person_id"
    with pytest.raises(InvalidInput) as past:
        booking.book_for_patient(
            ctx, patient_person_id=person.id, **{**arguments, "start": later(TOMORROW_10, -2000)}
        )
    assert past.value.field == "start"
    with pytest.raises(PermissionDenied):
        booking.book_walk_in(ctx, patient_person_id=person.id, **arguments)
    assert fingerprint(clinic.ctx.sessions) == before


def test_the_automation_engine_books_as_automation(clinic: Clinic) -> None:
    person = insert_person(clinic, onboarded=False)
    result = booking.book_for_patient(
        clinic.as_(Actor.system("automation")),
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    ).value
    assert result.appointment.source == AppointmentSource.AUTOMATION


def _deleted_person(clinic: Clinic) -> dict[str, Any]:
    person = insert_person(clinic, deleted_at=clinic.clock.now())
    return {"patient_person_id": person.id}


def _new_specialist(clinic: Clinic) -> dict[str, Any]:
    outsider = catalog.add_specialist(clinic.ctx, name="Dr Outsider").value
    return {"specialist_id": outsider.id}


STAFF_REFUSALS: list[tuple[str, Callable[[Clinic], dict[str, Any]], type[DomainError], str]] = [
    (
        "unknown person",
        lambda c: {"patient_person_id": uuid.uuid4()},
        NotFound,
        "patient_person_id",
    ),
    ("deleted person", _deleted_person, NotFound, "patient_person_id"),
    ("unknown service", lambda c: {"service_id": uuid.uuid4()}, NotFound, "service_id"),
    ("unknown calendar", lambda c: {"calendar_id": uuid.uuid4()}, NotFound, "calendar_id"),
    ("unknown specialist", lambda c: {"specialist_id": uuid.uuid4()}, NotFound, "specialist_id"),
    ("wrong specialist", _new_specialist, InvalidInput, "specialist_id"),
    ("naive start", lambda c: {"start": datetime(2026, 3, 3, 10)}, InvalidInput, "start"),
    ("blank override", lambda c: {"override_reason": "  "}, InvalidInput, "override_reason"),
]


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [case[1:] for case in STAFF_REFUSALS],
    ids=[case[0] for case in STAFF_REFUSALS],
)
def test_bad_walk_in_names_the_field_and_writes_nothing(
    clinic: Clinic,
    changes: Callable[[Clinic], dict[str, Any]],
    error: type[DomainError],
    field: str,
) -> None:
    person = insert_person(clinic)
    arguments = {"patient_person_id": person.id, **changes(clinic)}
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(error) as refused:
        booking.book_walk_in(
            clinic.ctx,
            **{
                "service_id": clinic.consult_service_id,
                "specialist_id": clinic.specialist_id,
                "start": TOMORROW_10,
                **arguments,
            },
        )
    assert refused.value.field == field
    assert fingerprint(clinic.ctx.sessions) == before


# ---- double booking ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.BOOKED, S.UPCOMING, S.CONFIRMED, S.INPROGRESS])
def test_an_overlap_with_an_active_appointment_is_refused(clinic: Clinic, status: S) -> None:
    other = insert_person(clinic, first_name="Other", email=None, phone=None)
    taken = insert_appointment(
        clinic, start=later(TOMORROW_10, 15), person_id=other.id, status=status
    )
    person = insert_person(clinic)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(DoubleBooking) as refused:
        _walk_in(clinic, person.id)
    assert refused.value.field == "start"
    assert refused.value.conflicting_ids == (str(taken.id),)
    assert "Dr Mihai Popescu is already booked at Tue 03 Mar 10:15–11:00" in str(refused.value)
    assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize("status", [S.DONE, S.CANCELLED, S.NOSHOW])
def test_ended_appointments_free_the_time(clinic: Clinic, status: S) -> None:
    other = insert_person(clinic, first_name="Other", email=None, phone=None)
    insert_appointment(clinic, start=TOMORROW_10, person_id=other.id, status=status)
    assert _walk_in(clinic, insert_person(clinic).id).warnings == []


def test_soft_deleted_back_to_back_and_other_specialists_do_not_conflict(clinic: Clinic) -> None:
    other = insert_person(clinic, first_name="Other", email=None, phone=None)
    deleted = insert_appointment(clinic, start=TOMORROW_10, person_id=other.id)
    with clinic.ctx.sessions.begin() as session:
        session.get_one(Appointment, deleted.id).deleted_at = clinic.clock.now()
    insert_appointment(clinic, start=later(TOMORROW_10, -45), person_id=other.id)  # ends at 10:00
    insert_appointment(clinic, start=later(TOMORROW_10, 30), person_id=other.id)  # starts 10:30
    insert_appointment(
        clinic, start=TOMORROW_10, person_id=other.id, specialist_id=clinic.other_specialist_id
    )
    result = _walk_in(clinic, insert_person(clinic).id)
    assert result.appointment.double_booking_override_reason is None


def test_staff_may_override_a_double_booking_with_a_recorded_reason(clinic: Clinic) -> None:
    other = insert_person(clinic, first_name="Other", email=None, phone=None)
    taken = insert_appointment(clinic, start=TOMORROW_10, person_id=other.id)
    person = insert_person(clinic)
    result = _walk_in(clinic, person.id, override_reason=" emergency, short check ")
    appointment = result.appointment
    assert appointment.double_booking_override_reason == "emergency, short check"
    assert "appointment.double_booking_overridden" in audit_actions(
        clinic.ctx.sessions, appointment.id
    )
    with clinic.ctx.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "appointment.double_booking_overridden")
        ).one()
    assert entry.details == {"reason": "emergency, short check", "overlaps": [str(taken.id)]}
    assert entry.actor_user_id == clinic.receptionist.user_id


def test_an_override_without_a_conflict_is_not_recorded(clinic: Clinic) -> None:
    result = _walk_in(clinic, insert_person(clinic).id, override_reason="just in case")
    assert result.appointment.double_booking_override_reason is None


def test_patients_and_system_callers_can_never_override(clinic: Clinic) -> None:
    person = insert_person(clinic)
    arguments: dict[str, Any] = {
        "patient_person_id": person.id,
        "service_id": clinic.consult_service_id,
        "specialist_id": clinic.specialist_id,
        "start": TOMORROW_10,
        "override_reason": "please",
    }
    patient = Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({person.id}))
    for actor in (patient, Actor.system("automation")):
        with pytest.raises(PermissionDenied) as denied:
            booking.book_for_patient(clinic.as_(actor), **arguments)
        assert denied.value.field == "override_reason"


# ---- same-day warning ---------------------------------------------------------------------


def test_a_second_appointment_the_same_local_day_warns_but_books(clinic: Clinic) -> None:
    person = insert_person(clinic)
    insert_appointment(clinic, start=TOMORROW_10, person_id=person.id)
    result = _walk_in(
        clinic,
        person.id,
        start=later(TOMORROW_10, 240),
    )
    assert result.appointment.id
    assert result.warnings == [
        "the patient already has Physiotherapy consult at Tue 03 Mar 10:00 that day"
    ]
    assert "appointment.same_day_warning" in audit_actions(
        clinic.ctx.sessions, result.appointment.id
    )


def test_the_same_day_is_the_organizations_local_day(clinic: Clinic) -> None:
    person = insert_person(clinic)
    # 23:00 on Tuesday in Bucharest is 21:00 UTC; 00:30 on Wednesday is 22:30 UTC Tuesday.
    insert_appointment(clinic, start=datetime(2026, 3, 3, 21, 0, tzinfo=UTC), person_id=person.id)
    next_day = _walk_in(clinic, person.id, start=datetime(2026, 3, 3, 22, 30, tzinfo=UTC))
    assert next_day.warnings == []
    same_day = _walk_in(clinic, person.id, start=datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    assert len(same_day.warnings) == 1  # 00:00 Tuesday, local


def test_cancelled_appointments_that_day_do_not_warn(clinic: Clinic) -> None:
    person = insert_person(clinic)
    insert_appointment(clinic, start=TOMORROW_10, person_id=person.id, status=S.CANCELLED)
    assert _walk_in(clinic, person.id, start=later(TOMORROW_10, 120)).warnings == []


def test_a_public_booking_by_a_new_person_never_warns(clinic: Clinic) -> None:
    assert book(clinic.ctx, clinic).warnings == []


def test_bookings_in_another_organization_are_invisible(clinic: Clinic) -> None:
    other = build_clinic(clinic.ctx.sessions, clinic.clock)
    with pytest.raises(NotFound):
        booking.book_public(
            other.ctx,
            service_id=clinic.consult_service_id,
            start=TOMORROW_10,
            name="A B",
            email="a@example.com",
            phone="0721000111",
            client_id="x",
            idempotency_key="y",
        )


# ---- the public page books only what it offers --------------------------------------------

SUNDAY_NIGHT = datetime(2026, 3, 8, 1, 7, tzinfo=UTC)  # Sunday 03:07 in Bucharest
PAGE = Actor.system("public booking page")


@pytest.mark.parametrize(
    "start",
    [
        SUNDAY_NIGHT,
        later(TOMORROW_10, 5),  # 10:05 falls between the quarter-hour starts
        datetime(2027, 3, 3, 8, 30, tzinfo=UTC),  # a slot, beyond the 365-day horizon
        datetime(2026, 3, 2, 6, 0, tzinfo=UTC),  # 08:00 today, gone
        datetime(2026, 3, 2, 8, 45, tzinfo=UTC),  # 10:45 today: within two hours' notice
        datetime(2026, 3, 3, 14, 30, tzinfo=UTC),  # 16:30 tomorrow: would end after 17:00
    ],
    ids=["sunday-03:07", "between-slots", "beyond-horizon", "past", "notice", "closing"],
)
def test_the_page_may_not_book_a_start_it_does_not_offer(clinic: Clinic, start: datetime) -> None:
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(InvalidInput) as refused:
        _public(clinic, start=start, ctx=clinic.ctx.acting_as(PAGE))
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("start", "That time is not offered: choose one of the free times.")
    ]
    assert fingerprint(clinic.ctx.sessions) == before


def test_the_page_books_an_offered_start(clinic: Clinic) -> None:
    ten_thirty = later(TOMORROW_10, 30)
    booked = _public(clinic, start=ten_thirty, ctx=clinic.ctx.acting_as(PAGE))
    assert booked.appointment.started_at == ten_thirty


def test_staff_book_any_future_time_for_a_new_person_or_a_walk_in(clinic: Clinic) -> None:
    entered = _public(clinic, start=SUNDAY_NIGHT)
    walk_in = _walk_in(clinic, insert_person(clinic).id, start=later(SUNDAY_NIGHT, 60))
    assert (entered.appointment.started_at, walk_in.appointment.started_at) == (
        SUNDAY_NIGHT,
        later(SUNDAY_NIGHT, 60),
    )
