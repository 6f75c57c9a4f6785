"""The desk's read-side services: patient search and profile, form lists and detail,
appointment detail, the forms onboarding will generate, and what may be booked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdesk.domain.enums import AppointmentStatus, FormSource, FormStatus, Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services import booking, forms, lifecycle, onboarding, reviews
from frontdesk.services.appointment_views import appointment_detail, planned_forms, sessions_today
from frontdesk.services.booking_choices import booking_choices
from frontdesk.services.form_views import form_detail, list_forms
from frontdesk.services.patient_directory import patient_profile, search_people
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import TOMORROW_10, book

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0 L10 10"/></svg>'


def test_search_matches_every_word_in_name_phone_or_email(clinic: Clinic) -> None:
    insert_person(clinic, first_name="Ana", last_name="Pop", email="ana@x.ro", phone="+40700000001")
    insert_person(clinic, first_name="Ana", last_name="Ionescu", email=None, phone="+40700000002")
    insert_person(clinic, first_name="Dan", last_name="Pop", email="dan@x.ro", phone=None)

    assert [row.name for row in search_people(clinic.ctx, "ana")] == ["Ana Ionescu", "Ana Pop"]
    assert [row.name for row in search_people(clinic.ctx, "POP ana")] == ["Ana Pop"]
    assert [row.name for row in search_people(clinic.ctx, "0002")] == ["Ana Ionescu"]
    assert [row.name for row in search_people(clinic.ctx, "dan@")] == ["Dan Pop"]
    assert search_people(clinic.ctx, "100%") == []  # a LIKE wildcard is a literal character
    assert len(search_people(clinic.ctx, "")) == 3


def test_search_refuses_bad_input_and_patients(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput) as too_long:
        search_people(clinic.ctx, "x" * 101)
    assert too_long.value.field == "text"
    with pytest.raises(InvalidInput) as limit:
        search_people(clinic.ctx, "", limit=0)
    assert limit.value.field == "limit"
    with pytest.raises(PermissionDenied):
        search_people(clinic.as_(Actor(Role.PATIENT)), "")


def test_profile_has_dependents_appointments_and_forms(clinic: Clinic) -> None:
    parent = insert_person(clinic, first_name="Maria", last_name="Stan", email="m@x.ro")
    child = insert_person(
        clinic,
        first_name="Luca",
        last_name="Stan",
        email=None,
        phone=None,
        manager_person_id=parent.id,
    )
    booked = booking.book_walk_in(
        clinic.ctx,
        patient_person_id=child.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    ).value

    profile = patient_profile(clinic.ctx, parent.id)
    assert [d.name for d in profile.dependents] == ["Luca Stan"]
    assert profile.appointments == []

    child_profile = patient_profile(clinic.ctx, child.id)
    assert child_profile.person.manager_name == "Maria Stan"
    assert [a.id for a in child_profile.appointments] == [booked.appointment.id]
    assert child_profile.appointments[0].start_local.hour == 10  # Bucharest time
    assert {f.title for f in child_profile.forms} == {
        "Intake questionnaire",
        "Privacy Policy & GDPR Consent",
    }

    with pytest.raises(NotFound) as missing:
        patient_profile(clinic.ctx, clinic.specialist_id)
    assert missing.value.field == "person_id"


def test_specialist_sees_only_own_appointments_and_their_forms(clinic: Clinic) -> None:
    person = insert_person(clinic)
    # The video follow-up asks only for the (non-blocking) intake form, so both can be booked.
    for service_id, specialist_id, start in (
        (clinic.video_service_id, clinic.specialist_id, TOMORROW_10),
        (
            clinic.consult_service_id,
            clinic.other_specialist_id,
            datetime(2026, 3, 4, 8, tzinfo=UTC),
        ),
    ):
        booking.book_walk_in(
            clinic.ctx,
            patient_person_id=person.id,
            service_id=service_id,
            specialist_id=specialist_id,
            start=start,
        )
    specialist = clinic.as_(clinic.specialist_actor)
    profile = patient_profile(specialist, person.id)
    assert [a.specialist_name for a in profile.appointments] == ["Dr Mihai Popescu"]
    assert [f.title for f in profile.forms] == ["Intake questionnaire"]
    assert len(list_forms(clinic.ctx, person_id=person.id)) == 3


def test_form_list_filters_by_status_and_text(clinic: Clinic) -> None:
    person = insert_person(clinic, first_name="Irina", last_name="Vlad")
    booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    )
    privacy = next(f for f in list_forms(clinic.ctx) if f.title.startswith("Privacy"))
    forms.save_values(clinic.ctx, privacy.id, {"agree": True})
    forms.complete(clinic.ctx, privacy.id)

    assert [f.title for f in list_forms(clinic.ctx, statuses=[FormStatus.COMPLETED])] == [
        privacy.title
    ]
    assert len(list_forms(clinic.ctx, statuses=[])) == 0
    assert [f.title for f in list_forms(clinic.ctx, text="irina intake")] == [
        "Intake questionnaire"
    ]
    with pytest.raises(InvalidInput) as bad:
        list_forms(clinic.ctx, statuses=["lost"])
    assert bad.value.field == "statuses[0]"


def test_form_detail_offers_the_guardian_and_shows_the_seal(clinic: Clinic) -> None:
    parent = insert_person(clinic, first_name="Maria", last_name="Stan", email="m@x.ro")
    child = insert_person(
        clinic,
        first_name="Luca",
        last_name="Stan",
        email=None,
        phone=None,
        manager_person_id=parent.id,
    )
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=child.id).value
    detail = form_detail(clinic.ctx, form.id)
    assert [(s.name, s.on_behalf_by_person_id) for s in detail.signers] == [
        ("Maria Stan", parent.id),
        ("Luca Stan", None),
    ]
    assert detail.writable
    assert detail.seal_intact is None

    forms.save_values(clinic.ctx, form.id, {"agree": True})
    forms.complete(clinic.ctx, form.id)
    forms.sign(
        clinic.ctx,
        form.id,
        signer_name="Maria Stan",
        signature_svg=SVG,
        on_behalf_by_person_id=parent.id,
    )
    signed = form_detail(clinic.ctx, form.id)
    assert not signed.writable
    assert signed.seal_intact is True
    assert signed.signed_on_behalf_by_name == "Maria Stan"
    assert signed.signature_svg == SVG

    with pytest.raises(NotFound) as hidden:
        form_detail(clinic.as_(Actor(Role.PATIENT, person_ids=frozenset())), form.id)
    assert hidden.value.field == "form_id"


def test_appointment_detail_has_history_forms_room_and_review(clinic: Clinic) -> None:
    booked = book(clinic.ctx, clinic, calendar_id=clinic.public_calendar_id)
    assert [
        (p.template_key, p.source) for p in planned_forms(clinic.ctx, booked.appointment.id)
    ] == [
        ("intake", FormSource.SERVICE),
        ("privacy", FormSource.SERVICE),
        ("promo", FormSource.CALENDAR),
    ]
    onboarding.onboard(clinic.ctx, booked.appointment.id)
    clinic.clock.set(TOMORROW_10)
    lifecycle.start_session(clinic.ctx, booked.appointment.id)
    lifecycle.complete(clinic.ctx, booked.appointment.id)
    reviews.submit_review(clinic.ctx, booked.appointment.id, rating=4, comment="Good")

    detail = appointment_detail(clinic.ctx, booked.appointment.id)
    assert detail.status == AppointmentStatus.DONE
    assert detail.calendar_name == "Spring campaign"
    assert detail.patient_name == "Ioana Marin"
    assert [step.to_status for step in detail.history] == [
        "booked",
        "upcoming",
        "inprogress",
        "done",
    ]
    assert detail.history[1].actor_label == "Rita"
    assert len(detail.forms) == 3
    assert detail.video_room_url is not None
    assert detail.video_room_url.startswith("https://")
    assert detail.review is not None
    assert (detail.review.rating, detail.review.comment) == (
        4,
        "Good",
    )

    other = clinic.as_(Actor(Role.SPECIALIST, specialist_id=clinic.other_specialist_id))
    with pytest.raises(NotFound):
        appointment_detail(other, booked.appointment.id)


def test_booking_choices_list_services_with_their_specialists(clinic: Clinic) -> None:
    choices = booking_choices(clinic.ctx)
    assert choices.timezone == "Europe/Bucharest"
    assert [s.name for s in choices.services] == ["Physiotherapy consult", "Video follow-up"]
    assert [s.name for s in choices.specialists_for(clinic.video_service_id)] == [
        "Dr Mihai Popescu"
    ]
    assert len(choices.specialists_for(clinic.consult_service_id)) == 2


def test_sessions_today_are_the_clinic_local_day_in_the_actor_scope(clinic: Clinic) -> None:
    person = insert_person(clinic)
    # 23:30 UTC on Monday is already Tuesday 01:30 in Bucharest: not today's session. The
    # consult (which asks for a blocking form) is booked last.
    for specialist_id, start in (
        (clinic.specialist_id, datetime(2026, 3, 2, 8, 0, tzinfo=UTC)),
        (clinic.specialist_id, datetime(2026, 3, 2, 23, 30, tzinfo=UTC)),
        (clinic.other_specialist_id, datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
    ):
        booking.book_walk_in(
            clinic.ctx,
            patient_person_id=person.id,
            service_id=clinic.video_service_id
            if specialist_id == clinic.specialist_id
            else clinic.consult_service_id,
            specialist_id=specialist_id,
            start=start,
        )
    day, everyone = sessions_today(clinic.ctx)
    assert day.isoformat() == "2026-03-02"
    assert [e.specialist_name for e in everyone] == ["Dr Mihai Popescu", "Dr Elena Ionescu"]
    _, own = sessions_today(clinic.as_(clinic.specialist_actor))
    assert [e.start_local.hour for e in own] == [10]


def test_reads_for_the_desk_refuse_outsiders(clinic: Clinic) -> None:
    person = insert_person(clinic)
    booked = booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.video_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    ).value
    stranger = clinic.as_(Actor(Role.PATIENT))
    with pytest.raises(PermissionDenied) as choices:
        booking_choices(stranger)
    assert choices.value.field == "actor"
    with pytest.raises(PermissionDenied):
        patient_profile(stranger, person.id)
    # Another specialist's appointment, or a patient with no persons, is not there to see.
    other = clinic.as_(Actor(Role.SPECIALIST, specialist_id=clinic.other_specialist_id))
    for ctx in (other, stranger):
        with pytest.raises(NotFound) as missing:
            planned_forms(ctx, booked.appointment.id)
        assert missing.value.field == "appointment_id"
    assert list_forms(stranger) == []
    assert list_forms(clinic.as_(Actor(Role.PATIENT, person_ids=frozenset({person.id}))))
