"""Reviews: 1–5 stars after a done appointment, one each; below 5 alerts an admin."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import AlertKind, AppointmentStatus, Role
from frontdesk.domain.errors import (
    AlreadyExists,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.events import DeskEventName
from frontdesk.services import alerts, reviews
from frontdesk.store.models import Alert, Appointment, DomainEvent, Review
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_appointment, insert_person

# 23:30 UTC is already the next day in Bucharest (UTC+2).
START = datetime.fromisoformat("2026-03-02T23:30:00+00:00")


def _appointment(
    clinic: Clinic, status: AppointmentStatus = AppointmentStatus.DONE, **extra: Any
) -> Appointment:
    person = insert_person(clinic, **extra)
    return insert_appointment(clinic, start=START, person_id=person.id, status=status)


def _patient(clinic: Clinic, appointment: Appointment) -> Actor:
    return Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({appointment.patient_person_id}))


def _refused(
    clinic: Clinic, error: type[DomainError], field: str, call: Callable[[], object]
) -> DomainError:
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(error) as exc:
        call()
    assert exc.value.field == field, exc.value
    assert fingerprint(clinic.ctx.sessions) == before
    return exc.value


def _alerts(clinic: Clinic) -> list[Alert]:
    with clinic.ctx.sessions() as session:
        return list(session.scalars(select(Alert)))


def test_a_five_star_review_raises_no_alert(clinic: Clinic) -> None:
    appointment = _appointment(clinic)
    patient = clinic.as_(_patient(clinic, appointment))

    outcome = reviews.submit_review(patient, appointment.id, rating=5, comment="  Great!  ")

    review = outcome.value
    assert (review.rating, review.comment, review.patient_person_id) == (
        5,
        "Great!",
        appointment.patient_person_id,
    )
    assert outcome.changes.events == [DeskEventName.REVIEW_SUBMITTED]
    assert outcome.changes.created["reviews"] == {review.id}
    assert _alerts(clinic) == []


@pytest.mark.parametrize(("rating", "severity"), [(1, "critical"), (2, "critical"), (4, "warning")])
def test_below_five_stars_alerts_an_admin_in_the_same_transaction(
    clinic: Clinic, rating: int, severity: str
) -> None:
    appointment = _appointment(clinic)

    outcome = reviews.submit_review(
        clinic.as_(_patient(clinic, appointment)),
        appointment.id,
        rating=rating,
        comment="Waited 40 minutes.",
    )

    assert outcome.changes.events == [DeskEventName.REVIEW_SUBMITTED, DeskEventName.ALERT_RAISED]
    assert outcome.changes.created["alerts"]
    [alert] = _alerts(clinic)
    assert alert.kind == AlertKind.LOW_RATING
    assert alert.severity == severity
    # The local day: 23:30 UTC on 2 March is 3 March in Bucharest.
    assert alert.title == f"Low rating: {rating} of 5 stars for Dr Mihai Popescu (03 Mar 2026)"
    assert alert.body == "Ioana Marin wrote: Waited 40 minutes."
    assert (alert.subject_type, alert.subject_id) == ("review", outcome.value.id)
    assert alerts.alert_details(alert) == {
        "rating": rating,
        "appointment_id": str(appointment.id),
        "patient_person_id": str(appointment.patient_person_id),
        "specialist_id": str(clinic.specialist_id),
    }
    assert alert.acknowledged_at is None
    with clinic.ctx.sessions() as session:
        names = session.scalars(
            select(DomainEvent.name).where(DomainEvent.subject_id.in_([alert.id, outcome.value.id]))
        ).all()
    assert sorted(names) == ["alert.raised", "review.submitted"]


def test_the_review_event_carries_no_comment_text(clinic: Clinic) -> None:
    appointment = _appointment(clinic)
    reviews.submit_review(clinic.ctx, appointment.id, rating=3, comment="Private words")

    with clinic.ctx.sessions() as session:
        event = session.scalars(
            select(DomainEvent).where(DomainEvent.name == DeskEventName.REVIEW_SUBMITTED)
        ).one()
    assert event.payload["rating"] == 3
    assert event.payload["has_comment"] is True
    assert "Private words" not in str(event.payload)


def test_a_low_rating_without_comment_says_so(clinic: Clinic) -> None:
    appointment = _appointment(clinic)

    reviews.submit_review(clinic.ctx, appointment.id, rating=3)

    assert _alerts(clinic)[0].body == "No comment."


@pytest.mark.parametrize(
    ("rating", "comment", "fields"),
    [
        (0, "", ["rating"]),
        (6, "", ["rating"]),
        (-1, "", ["rating"]),
        (4.5, "", ["rating"]),
        ("5", "", ["rating"]),
        (True, "", ["rating"]),
        (None, "", ["rating"]),
        (5, "x" * 2001, ["comment"]),
        (5, 42, ["comment"]),
        (9, "x" * 2001, ["rating", "comment"]),
    ],
)
def test_bad_input_names_every_field_and_writes_nothing(
    clinic: Clinic, rating: Any, comment: Any, fields: list[str]
) -> None:
    appointment = _appointment(clinic)

    error = _refused(
        clinic,
        InvalidInput,
        fields[0],
        lambda: reviews.submit_review(clinic.ctx, appointment.id, rating=rating, comment=comment),
    )
    assert isinstance(error, InvalidInput)
    assert [e.field for e in error.errors] == fields


def test_a_comment_of_exactly_2000_characters_is_fine(clinic: Clinic) -> None:
    appointment = _appointment(clinic)

    review = reviews.submit_review(clinic.ctx, appointment.id, rating=5, comment="x" * 2000).value

    assert len(review.comment) == 2000


@pytest.mark.parametrize(
    "status",
    [s for s in AppointmentStatus if s != AppointmentStatus.DONE],
)
def test_only_a_done_appointment_can_be_reviewed(clinic: Clinic, status: AppointmentStatus) -> None:
    appointment = _appointment(clinic, status)

    error = _refused(
        clinic,
        DomainError,
        "status",
        lambda: reviews.submit_review(clinic.ctx, appointment.id, rating=5),
    )
    assert status.label in str(error)


def test_one_review_per_appointment(clinic: Clinic) -> None:
    appointment = _appointment(clinic)
    reviews.submit_review(clinic.ctx, appointment.id, rating=2)

    _refused(
        clinic,
        AlreadyExists,
        "appointment_id",
        lambda: reviews.submit_review(clinic.ctx, appointment.id, rating=5),
    )
    assert len(_alerts(clinic)) == 1


def test_an_unknown_or_deleted_appointment_is_not_found(clinic: Clinic) -> None:
    appointment = _appointment(clinic)
    with clinic.ctx.sessions.begin() as session:
        session.get_one(Appointment, appointment.id).deleted_at = clinic.clock.now()

    for appointment_id in (uuid.uuid4(), appointment.id):
        _refused(
            clinic,
            NotFound,
            "appointment_id",
            lambda appointment_id=appointment_id: reviews.submit_review(
                clinic.ctx, appointment_id, rating=5
            ),
        )


def test_a_patient_reviews_only_their_own_appointments(clinic: Clinic) -> None:
    mine = _appointment(clinic)
    theirs = _appointment(clinic, first_name="Dan", email=None, phone=None)
    patient = clinic.as_(_patient(clinic, mine))

    _refused(
        clinic,
        PermissionDenied,
        "appointment_id",
        lambda: reviews.submit_review(patient, theirs.id, rating=1),
    )


def test_a_guardian_reviews_their_dependents_appointment(clinic: Clinic) -> None:
    guardian = insert_person(clinic)
    child = insert_person(
        clinic, first_name="Matei", email=None, phone=None, manager_person_id=guardian.id
    )
    appointment = insert_appointment(
        clinic, start=START, person_id=child.id, status=AppointmentStatus.DONE
    )
    actor = Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({guardian.id, child.id}))

    review = reviews.submit_review(clinic.as_(actor), appointment.id, rating=5).value

    assert review.patient_person_id == child.id


def test_a_specialist_cannot_review(clinic: Clinic) -> None:
    appointment = _appointment(clinic)

    _refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: reviews.submit_review(
            clinic.as_(clinic.specialist_actor), appointment.id, rating=5
        ),
    )


def test_reception_and_the_system_may_record_a_patients_rating(clinic: Clinic) -> None:
    first = _appointment(clinic)
    second = _appointment(clinic, first_name="Dan", email=None, phone=None)

    reviews.submit_review(clinic.ctx, first.id, rating=5)
    reviews.submit_review(clinic.as_(Actor.system("review link")), second.id, rating=5)

    with clinic.ctx.sessions() as session:
        assert len(session.scalars(select(Review)).all()) == 2
