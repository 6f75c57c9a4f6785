"""What stops a person from booking: an unsigned blocking form, a booking block that has not
been lifted, or a required consent that is missing (never given, or given and revoked).

Booking is refused with `BookingBlocked`, whose message lists every outstanding item in words,
so the desk can tell the patient everything at once rather than one refusal at a time.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.errors import BookingBlocked
from frontdesk.services.forms import outstanding_forms
from frontdesk.store.models import BookingBlock, Consent


def outstanding_items(
    session: Session, organization_id: uuid.UUID, person_id: uuid.UUID
) -> list[str]:
    """Everything the person must clear before booking, oldest first within each kind."""
    return [
        *_unsigned_blocking_forms(session, organization_id, person_id),
        *_open_booking_blocks(session, organization_id, person_id),
        *_missing_consents(session, organization_id, person_id),
    ]


def check_not_blocked(session: Session, organization_id: uuid.UUID, person_id: uuid.UUID) -> None:
    items = outstanding_items(session, organization_id, person_id)
    if items:
        raise BookingBlocked(items)


def _unsigned_blocking_forms(
    session: Session, organization_id: uuid.UUID, person_id: uuid.UUID
) -> list[str]:
    forms = outstanding_forms(session, organization_id, person_id, blocking_only=True)
    return [f"sign the form “{form.title}”" for form in forms]


def _open_booking_blocks(
    session: Session, organization_id: uuid.UUID, person_id: uuid.UUID
) -> list[str]:
    reasons = session.scalars(
        select(BookingBlock.reason)
        .where(
            BookingBlock.organization_id == organization_id,
            BookingBlock.patient_person_id == person_id,
            BookingBlock.lifted_at.is_(None),
        )
        .order_by(BookingBlock.id)
    )
    return [f"booking block to be lifted: {reason}" for reason in reasons]


def _missing_consents(
    session: Session, organization_id: uuid.UUID, person_id: uuid.UUID
) -> list[str]:
    consents = session.scalars(
        select(Consent)
        .where(
            Consent.organization_id == organization_id,
            Consent.patient_person_id == person_id,
            Consent.required.is_(True),
        )
        .order_by(Consent.id)
    )
    return [
        f"give the required consent “{consent.consent_type}”"
        + (" (it was revoked)" if consent.granted_at is not None else "")
        for consent in consents
        # A revoked consent is as missing as one never given.
        if consent.granted_at is None or consent.revoked_at is not None
    ]
