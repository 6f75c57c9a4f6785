"""Reviews: after a done appointment the patient rates it 1–5 stars; anything below 5 raises
an alert for an admin, in the same transaction.

Who may submit: the patient (for their own appointments and those of people they manage),
reception or an admin recording a rating the patient gave them, and system actors (a review
link processed by the server). Never a specialist: a rating is the patient's word about them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from frontdesk.domain.clock import zone
from frontdesk.domain.enums import AlertKind, AppointmentStatus, Role
from frontdesk.domain.errors import (
    AlreadyExists,
    DomainError,
    FieldError,
    InvalidInput,
    PermissionDenied,
)
from frontdesk.domain.events import DeskEventName
from frontdesk.domain.field_names import not_text, too_long
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.services.alerts import raise_alert
from frontdesk.services.appointment_records import load_appointment
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.models import Appointment, Organization, PatientPerson, Review, Specialist
from frontdesk.store.unit_of_work import UnitOfWork

RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000
# Ratings at or below this are critical alerts; the rest below 5 are warnings.
CRITICAL_RATING = 2

_STARS = T_("Give from 1 to 5 stars.")


def submit_review(
    ctx: ServiceContext, appointment_id: uuid.UUID, *, rating: int, comment: str = ""
) -> Outcome[Review]:
    """Record the one review of a done appointment; a rating below 5 alerts an admin."""
    text = _check_input(rating, comment)
    if ctx.actor.role == Role.SPECIALIST:
        raise PermissionDenied(
            T_("A specialist does not review appointments: the patient does."), field="actor"
        )
    with ctx.transaction() as tx:
        appointment = _reviewable_appointment(tx, appointment_id)
        review = Review(
            id=new_id(),
            organization_id=ctx.organization_id,
            appointment_id=appointment.id,
            patient_person_id=appointment.patient_person_id,
            rating=rating,
            comment=text,
        )
        tx.session.add(review)
        tx.emit(
            DeskEventName.REVIEW_SUBMITTED,
            "review",
            review.id,
            {
                "review_id": review.id,
                "appointment_id": appointment.id,
                "patient_person_id": appointment.patient_person_id,
                "specialist_id": appointment.specialist_id,
                "rating": rating,
                "has_comment": bool(text),
            },
        )
        tx.audit("review.submitted", "review", review.id, {"rating": rating})
        if rating < RATING_MAX:
            _alert_low_rating(tx, review, appointment)
    return Outcome(review, tx.changes)


def _check_input(rating: Any, comment: Any) -> str:
    errors: list[FieldError] = []
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not RATING_MIN <= rating <= RATING_MAX
    ):
        errors.append(FieldError("rating", _STARS))
    text = comment.strip() if isinstance(comment, str) else None
    if text is None:
        errors.append(FieldError("comment", not_text("comment")))
    elif len(text) > COMMENT_MAX:
        errors.append(FieldError("comment", too_long("comment", COMMENT_MAX)))
    if errors:
        raise InvalidInput(errors)
    return text or ""


def _reviewable_appointment(tx: UnitOfWork, appointment_id: uuid.UUID) -> Appointment:
    appointment = load_appointment(tx, appointment_id)
    if tx.actor.role == Role.PATIENT and appointment.patient_person_id not in tx.actor.person_ids:
        raise PermissionDenied(
            T_("You may review only your own appointments."), field="appointment_id"
        )
    if appointment.status != AppointmentStatus.DONE:
        raise DomainError(
            T_(
                "A review can be left once the appointment is done; it is “{status}”.",
                status=AppointmentStatus(appointment.status).text,
            ),
            field="status",
        )
    already = tx.session.scalar(select(Review.id).where(Review.appointment_id == appointment.id))
    if already is not None:
        raise AlreadyExists(
            T_("This appointment has been reviewed already."), field="appointment_id"
        )
    return appointment


def _alert_low_rating(tx: UnitOfWork, review: Review, appointment: Appointment) -> None:
    specialist = tx.session.get_one(Specialist, appointment.specialist_id)
    person = tx.session.get_one(PatientPerson, appointment.patient_person_id)
    organization = tx.session.get_one(Organization, tx.organization_id)
    # The day as the clinic saw it, not in UTC.
    day = appointment.started_at.astimezone(zone(organization.timezone)).date()
    raise_alert(
        tx,
        kind=AlertKind.LOW_RATING,
        severity="critical" if review.rating <= CRITICAL_RATING else "warning",
        title=T_(
            "Low rating: {rating} of {stars} stars for {specialist} ({day})",
            rating=review.rating,
            stars=RATING_MAX,
            specialist=specialist.name,
            day=day,
        ),
        body=(
            T_("{person} wrote: {comment}", person=person.name, comment=review.comment)
            if review.comment
            else T_("No comment.")
        ),
        subject_type="review",
        subject_id=review.id,
        details={
            "rating": review.rating,
            "appointment_id": appointment.id,
            "patient_person_id": appointment.patient_person_id,
            "specialist_id": appointment.specialist_id,
        },
    )
