"""Onboarding (phase 2): account, organization link, forms, video room and booked → upcoming in
one transaction; likely duplicates offered, linked or knowingly kept apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from frontdesk.domain.enums import AppointmentStatus, FormSource, Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from frontdesk.domain.events import EventName
from frontdesk.integrations.video import VideoRoom, room_name
from frontdesk.services import onboarding
from frontdesk.services.patients import DuplicatePerson
from frontdesk.store.models import (
    AppointmentStatusChange,
    BookingBlock,
    FormInstance,
    Patient,
    PatientPerson,
    User,
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
    history,
    later,
    with_rooms,
)

S = AppointmentStatus


def _forms(clinic: Clinic, appointment_id: uuid.UUID) -> list[FormInstance]:
    with clinic.ctx.sessions() as session:
        return list(
            session.scalars(
                select(FormInstance)
                .where(FormInstance.appointment_id == appointment_id)
                .order_by(FormInstance.id)
            )
        )


def _person(clinic: Clinic, person_id: uuid.UUID) -> PatientPerson:
    with clinic.ctx.sessions() as session:
        return session.get_one(PatientPerson, person_id)


def test_onboarding_creates_account_link_forms_room_and_events_together(clinic: Clinic) -> None:
    rooms = RecordingRooms()
    ctx = with_rooms(clinic, rooms)
    booked = book(ctx, clinic, calendar_id=clinic.public_calendar_id).appointment

    outcome = onboarding.onboard(ctx, booked.id, date_of_birth=date(1990, 5, 17))
    result = outcome.value
    appointment = result.appointment

    person = _person(clinic, booked.patient_person_id)
    assert result.person.id == person.id
    assert person.date_of_birth == date(1990, 5, 17)
    with clinic.ctx.sessions() as session:
        link = session.scalars(select(Patient).where(Patient.patient_person_id == person.id)).one()
        accounts = session.scalar(select(func.count()).select_from(User))
    # The login is asked for; the server makes it (a desk never writes an account).
    assert person.account_requested_at == clinic.clock.now()
    assert (person.user_id, accounts) == (None, 3)
    assert result.account_requested
    assert result.patient_created
    assert link.onboarded_by_user_id == clinic.receptionist.user_id
    # Service forms (intake, privacy) and calendar forms (promo, intake), merged.
    forms = _forms(clinic, appointment.id)
    assert {(f.template_key, f.source) for f in forms} == {
        ("intake", FormSource.SERVICE),
        ("privacy", FormSource.SERVICE),
        ("promo", FormSource.CALENDAR),
    }
    assert {f.id for f in result.forms} == {f.id for f in forms}
    intake = next(f for f in forms if f.template_key == "intake")
    assert intake.values == {"email": "ioana.marin@example.com"}  # pre-filled from the profile
    name = room_name(clinic.organization_id, appointment.id)
    assert name == f"restartix-{clinic.organization_id}-{appointment.id}"
    assert rooms.created == [(name, appointment.ended_at)]
    assert (appointment.video_room_name, appointment.video_room_expires_at) == (
        name,
        appointment.ended_at,
    )
    assert appointment.video_room_url == f"https://video.test/{name}"
    assert appointment.status == S.UPCOMING
    assert appointment.onboarded_at == clinic.clock.now()
    assert history(clinic.ctx.sessions, appointment.id) == [
        (None, S.BOOKED),
        (S.BOOKED, S.UPCOMING),
    ]
    assert outcome.changes.events == [
        EventName.PATIENT_ONBOARDED,
        EventName.FORM_CREATED,
        EventName.FORM_CREATED,
        EventName.FORM_CREATED,
        "appointment.onboarded",
    ]
    assert "users" not in outcome.changes.created
    assert outcome.changes.created["patients"] == {link.id}
    assert outcome.changes.created["form_instances"] == {f.id for f in forms}
    assert outcome.changes.updated["appointments"] == {appointment.id}


@dataclass
class _BrokenRooms:
    def create_room(self, name: str, expires_at: datetime) -> VideoRoom:
        raise ConnectionError("video provider unreachable")

    def delete_room(self, name: str) -> None:
        raise AssertionError("not called")


def test_a_failure_late_in_onboarding_leaves_nothing_half_written(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic).appointment
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(ConnectionError):
        onboarding.onboard(replace(clinic.ctx, video_rooms=_BrokenRooms()), booked.id)
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_likely_duplicate_is_offered_not_silently_created(clinic: Clinic) -> None:
    existing = insert_person(clinic, email="ioana@old-mail.example", phone="+40721000111")
    booked = book(clinic.ctx, clinic).appointment  # same phone as `existing`

    offered = onboarding.likely_duplicates(clinic.ctx, booked.id).value
    assert [(c.person_id, c.reasons) for c in offered] == [(existing.id, ("phone",))]
    assert not onboarding.likely_duplicates(clinic.ctx, booked.id).changes

    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(DuplicatePerson) as refused:
        onboarding.onboard(clinic.ctx, booked.id)
    assert refused.value.field == "link_person_id"
    assert [c.person_id for c in refused.value.candidates] == [existing.id]
    assert "Ioana Marin (same phone)" in str(refused.value)  # no id in the words
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_duplicate_by_name_and_birth_date_needs_the_birth_date(clinic: Clinic) -> None:
    insert_person(clinic, email=None, phone=None, date_of_birth=date(1990, 5, 17))
    booked = book(clinic.ctx, clinic, email="new@example.com", phone="0733 123 456").appointment
    with pytest.raises(DuplicatePerson):
        onboarding.onboard(clinic.ctx, booked.id, date_of_birth=date(1990, 5, 17))
    result = onboarding.onboard(clinic.ctx, booked.id, date_of_birth=date(1991, 1, 1)).value
    assert result.appointment.status == S.UPCOMING


def test_keeping_a_duplicate_separate_is_an_explicit_choice(clinic: Clinic) -> None:
    existing = insert_person(clinic)
    booked = book(clinic.ctx, clinic).appointment
    result = onboarding.onboard(clinic.ctx, booked.id, keep_separate=True).value
    assert result.person.id == booked.patient_person_id != existing.id
    assert result.retired_person_id is None
    assert result.account_requested  # `existing` has no login, so the kept person gets one


def test_linking_moves_the_appointment_and_retires_the_booking_person(clinic: Clinic) -> None:
    rooms = RecordingRooms()
    existing = insert_person(clinic, email=None, phone="+40721000111", onboarded=False)
    booked = book(with_rooms(clinic, rooms), clinic).appointment

    outcome = onboarding.onboard(with_rooms(clinic, rooms), booked.id, link_person_id=existing.id)
    result = outcome.value

    assert result.appointment.patient_person_id == existing.id
    assert result.person.id == existing.id
    assert result.retired_person_id == booked.patient_person_id
    retired = _person(clinic, booked.patient_person_id)
    assert retired.deleted_at == clinic.clock.now()
    linked = _person(clinic, existing.id)
    assert linked.email == "ioana.marin@example.com"  # a blank filled from the booking
    assert linked.account_requested_at is not None
    assert all(f.patient_person_id == existing.id for f in _forms(clinic, booked.id))
    assert EventName.PATIENT_ONBOARDED in outcome.changes.events


def test_linking_to_someone_already_a_patient_does_not_onboard_them_again(
    clinic: Clinic,
) -> None:
    existing = insert_person(clinic, phone=None, email="ioana.marin@example.com")
    booked = book(clinic.ctx, clinic).appointment
    outcome = onboarding.onboard(clinic.ctx, booked.id, link_person_id=existing.id)
    assert not outcome.value.patient_created
    assert outcome.value.outstanding == []
    assert EventName.PATIENT_ONBOARDED not in outcome.changes.events
    assert _person(clinic, existing.id).phone == "+40721000111"


def test_linking_a_blocked_patient_tells_staff_what_is_outstanding(clinic: Clinic) -> None:
    existing = insert_person(clinic)
    with clinic.ctx.sessions.begin() as session:
        session.add(
            BookingBlock(
                organization_id=clinic.organization_id,
                patient_person_id=existing.id,
                reason="unpaid invoice",
            )
        )
    booked = book(clinic.ctx, clinic).appointment
    result = onboarding.onboard(clinic.ctx, booked.id, link_person_id=existing.id).value
    assert result.outstanding == ["booking block to be lifted: unpaid invoice"]
    assert result.appointment.status == S.UPCOMING


def test_a_booking_person_with_other_appointments_is_kept_after_linking(clinic: Clinic) -> None:
    existing = insert_person(clinic, onboarded=False)
    booked = book(clinic.ctx, clinic).appointment
    insert_appointment(
        clinic, start=later(TOMORROW_10, 24 * 60), person_id=booked.patient_person_id
    )
    result = onboarding.onboard(clinic.ctx, booked.id, link_person_id=existing.id).value
    assert result.retired_person_id is None
    assert _person(clinic, booked.patient_person_id).deleted_at is None


def test_a_login_is_asked_for_once(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic).appointment
    first = onboarding.onboard(clinic.ctx, booked.id).value
    asked_at = first.person.account_requested_at
    clinic.clock.advance(timedelta(minutes=5))
    again = book(clinic.ctx, clinic, start=later(TOMORROW_10, 24 * 60)).appointment
    second = onboarding.onboard(clinic.ctx, again.id, link_person_id=first.person.id).value
    assert (first.account_requested, second.account_requested) == (True, False)
    assert _person(clinic, first.person.id).account_requested_at == asked_at


def test_no_account_without_an_email_or_when_not_wanted(clinic: Clinic) -> None:
    person = insert_person(clinic, email=None, onboarded=False)
    without_email = insert_appointment(
        clinic, start=TOMORROW_10, person_id=person.id, status=S.BOOKED
    )
    result = onboarding.onboard(clinic.ctx, without_email.id).value
    assert (result.account_requested, result.person.account_requested_at) == (False, None)
    assert result.patient_created

    booked = book(clinic.ctx, clinic, email="x@example.com", phone="0733 999 888").appointment
    kept = onboarding.onboard(clinic.ctx, booked.id, request_account=False).value
    assert kept.person.account_requested_at is None


def test_a_second_appointment_of_a_patient_is_onboarded_without_a_second_link(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    appointment = insert_appointment(
        clinic, start=TOMORROW_10, person_id=person.id, status=S.BOOKED
    )
    outcome = onboarding.onboard(clinic.ctx, appointment.id)
    assert not outcome.value.patient_created
    assert outcome.changes.events[-1] == "appointment.onboarded"
    assert EventName.PATIENT_ONBOARDED not in outcome.changes.events


@pytest.mark.parametrize("status", [s for s in S if s != S.BOOKED])
def test_only_booked_appointments_can_be_onboarded(clinic: Clinic, status: S) -> None:
    person = insert_person(clinic)
    appointment = insert_appointment(clinic, start=TOMORROW_10, person_id=person.id, status=status)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(TransitionNotAllowed) as refused:
        onboarding.onboard(clinic.ctx, appointment.id)
    assert refused.value.field == "status"
    assert fingerprint(clinic.ctx.sessions) == before


def test_bad_onboarding_input_names_the_field_and_writes_nothing(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic).appointment
    gone = insert_person(clinic, email=None, phone=None, deleted_at=clinic.clock.now())
    before = fingerprint(clinic.ctx.sessions)
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"link_person_id": uuid.uuid4()}, NotFound, "link_person_id"),
        ({"link_person_id": gone.id}, NotFound, "link_person_id"),
        ({"link_person_id": gone.id, "keep_separate": True}, InvalidInput, "keep_separate"),
        ({"date_of_birth": date(2027, 1, 1)}, InvalidInput, "date_of_birth"),
    ]
    for arguments, error, field in cases:
        with pytest.raises(error) as refused:
            onboarding.onboard(clinic.ctx, booked.id, **arguments)  # type: ignore[arg-type]
        assert refused.value.field == field  # type: ignore[attr-defined]
    with pytest.raises(NotFound) as missing:
        onboarding.onboard(clinic.ctx, uuid.uuid4())
    assert missing.value.field == "appointment_id"
    assert fingerprint(clinic.ctx.sessions) == before


def test_only_staff_onboard_and_a_specialist_only_their_own(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic).appointment  # with Dr Mihai, the first free
    person_id = booked.patient_person_id
    patient = Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({person_id}))
    stranger = Actor(Role.SPECIALIST, None, "Dr Elena", specialist_id=clinic.other_specialist_id)
    before = fingerprint(clinic.ctx.sessions)
    for actor in (patient, stranger):
        with pytest.raises(PermissionDenied):
            onboarding.onboard(clinic.as_(actor), booked.id)
        with pytest.raises(PermissionDenied):
            onboarding.likely_duplicates(clinic.as_(actor), booked.id)
    assert fingerprint(clinic.ctx.sessions) == before
    result = onboarding.onboard(clinic.as_(clinic.specialist_actor), booked.id).value
    assert result.appointment.status == S.UPCOMING


def test_onboarding_is_recorded_with_the_actor(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic).appointment
    onboarding.onboard(clinic.as_(clinic.admin), booked.id)
    assert event_names(clinic.ctx.sessions, booked.id)[-1] == "appointment.onboarded"
    with clinic.ctx.sessions() as session:
        change = session.scalars(
            select(AppointmentStatusChange).where(
                AppointmentStatusChange.appointment_id == booked.id,
                AppointmentStatusChange.to_status == S.UPCOMING,
            )
        ).one()
    assert (change.actor_user_id, change.actor_label) == (clinic.admin.user_id, "Ana Admin")
    assert change.changed_at == clinic.clock.now()


def test_onboarding_checks_the_birth_date_against_the_local_day(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic).appointment
    # 22:30 UTC on 2 March is already 00:30 on 3 March in Bucharest.
    clinic.clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    result = onboarding.onboard(clinic.ctx, booked.id, date_of_birth=date(2026, 3, 3)).value
    assert result.person.date_of_birth == date(2026, 3, 3)
