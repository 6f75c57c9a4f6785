"""Features unlocked for a patient: video sessions, treatment plans, telerehab, booking and
exercise videos. Rules unlock them (`grant_access`); staff may revoke them.

One grant row per (person, feature). Granting what is already granted keeps the row and
only ever lengthens it (a grant with no end wins over one with an end), so running the same
automation twice grants once; granting again after a revocation brings the row back.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.ids import new_id
from frontdesk.domain.rules.actions import ACCESS_FEATURES
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.patients import load_person
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import AccessGrant
from frontdesk.store.unit_of_work import UnitOfWork

MAX_DURATION_DAYS = 3650


def grant_access(
    ctx: ServiceContext,
    patient_person_id: uuid.UUID,
    feature: str,
    *,
    duration_days: int | None = None,
) -> Outcome[AccessGrant]:
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        grant = grant_access_in(tx, patient_person_id, feature, duration_days=duration_days)
    return Outcome(grant, tx.changes)


def grant_access_in(
    tx: UnitOfWork,
    patient_person_id: uuid.UUID,
    feature: str,
    *,
    duration_days: int | None = None,
    grant_id: uuid.UUID | None = None,
    automation_execution_id: uuid.UUID | None = None,
) -> AccessGrant:
    """Unlock `feature` inside the caller's transaction (see the module docstring);
    `grant_id` is the id a new grant row gets."""
    chosen = check_feature(feature)
    if duration_days is not None and not 1 <= duration_days <= MAX_DURATION_DAYS:
        raise InvalidInput.single(
            "duration_days",
            T_("Give access for 1 to {days} days.", days=MAX_DURATION_DAYS),
        )
    person = load_person(tx, patient_person_id, field="patient_person_id")
    expires_at = tx.now + timedelta(days=duration_days) if duration_days is not None else None
    grant = _grant_row(tx.session, tx.organization_id, person.id, chosen)
    if grant is not None and grant.id == grant_id:
        return grant  # this very grant was made already (the same occurrence ran again)
    if grant is None:
        grant = AccessGrant(
            id=grant_id or new_id(),
            organization_id=tx.organization_id,
            patient_person_id=person.id,
            feature=chosen,
            granted_at=tx.now,
            expires_at=expires_at,
            automation_execution_id=automation_execution_id,
        )
        tx.session.add(grant)
    elif not _is_active(grant, tx.now):
        grant.granted_at = tx.now
        grant.expires_at = expires_at
        grant.revoked_at = None
        grant.automation_execution_id = automation_execution_id
    elif grant.expires_at is not None and (expires_at is None or expires_at > grant.expires_at):
        grant.expires_at = expires_at
    else:
        return grant
    tx.audit(
        "access.granted",
        "access_grant",
        grant.id,
        {"patient_person_id": person.id, "feature": chosen, "expires_at": grant.expires_at},
    )
    return grant


def revoke_access(
    ctx: ServiceContext, patient_person_id: uuid.UUID, feature: str
) -> Outcome[AccessGrant]:
    """Lock the feature again. Refused when the person does not have it."""
    require_staff(ctx.actor, field="actor")
    chosen = check_feature(feature)
    with ctx.transaction() as tx:
        person = load_person(tx, patient_person_id, field="patient_person_id")
        grant = _grant_row(tx.session, ctx.organization_id, person.id, chosen)
        if grant is None or not _is_active(grant, tx.now):
            raise NotFound(
                T_("The patient has no such access ({feature}) to take back.", feature=chosen),
                field="feature",
            )
        grant.revoked_at = tx.now
        tx.audit(
            "access.revoked",
            "access_grant",
            grant.id,
            {"patient_person_id": person.id, "feature": chosen},
        )
    return Outcome(grant, tx.changes)


def has_access(
    session: Session,
    organization_id: uuid.UUID,
    patient_person_id: uuid.UUID,
    feature: str,
    *,
    now: datetime,
) -> bool:
    """Whether the feature is unlocked for the person at `now` (granted, not revoked, not
    lapsed)."""
    grant = _grant_row(session, organization_id, patient_person_id, check_feature(feature))
    return grant is not None and _is_active(grant, now)


def check_feature(feature: str) -> str:
    if feature not in ACCESS_FEATURES:
        raise InvalidInput.single(
            "feature",
            T_("Choose what to give access to: {choices}.", choices=", ".join(ACCESS_FEATURES)),
        )
    return feature


def _is_active(grant: AccessGrant, now: datetime) -> bool:
    return grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > now)


def _grant_row(
    session: Session, organization_id: uuid.UUID, person_id: uuid.UUID, feature: str
) -> AccessGrant | None:
    return session.scalar(
        select(AccessGrant).where(
            AccessGrant.organization_id == organization_id,
            AccessGrant.patient_person_id == person_id,
            AccessGrant.feature == feature,
        )
    )
