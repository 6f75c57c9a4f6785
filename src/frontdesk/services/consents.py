"""Consents a patient must give ("biometric_data", "video_recording") and whether they have.

A required consent that is missing — never given, or given and then revoked — blocks booking
(`services.blocking`) until it is granted. One row per (person, consent type): requiring what
is already required changes nothing, so an automation that runs twice asks once. A consent may
name the form the patient gives it through; signing that form grants it.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.patients import load_person
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import Consent, FormInstance
from frontdesk.store.unit_of_work import Actor, UnitOfWork

# The rule format's key syntax, so a consent a rule names can always be stored and shown.
_CONSENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")


def require_consent(
    ctx: ServiceContext, patient_person_id: uuid.UUID, consent_type: str
) -> Outcome[Consent]:
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        consent = require_consent_in(tx, patient_person_id, consent_type)
    return Outcome(consent, tx.changes)


def require_consent_in(
    tx: UnitOfWork,
    patient_person_id: uuid.UUID,
    consent_type: str,
    *,
    consent_id: uuid.UUID | None = None,
    automation_execution_id: uuid.UUID | None = None,
) -> Consent:
    """Make the consent required inside the caller's transaction. A consent given already
    stays given (the requirement is met); `consent_id` is the id a new row gets."""
    kind = check_consent_type(consent_type)
    person = load_person(tx, patient_person_id, field="patient_person_id")
    consent = _consent_row(tx, person.id, kind)
    if consent is None:
        consent = Consent(
            id=consent_id or new_id(),
            organization_id=tx.organization_id,
            patient_person_id=person.id,
            consent_type=kind,
            required=True,
            automation_execution_id=automation_execution_id,
        )
        tx.session.add(consent)
    elif not consent.required:
        consent.required = True
    else:
        return consent
    tx.audit(
        "consent.required",
        "consent",
        consent.id,
        {"patient_person_id": person.id, "consent_type": kind},
    )
    return consent


def is_given(consent: Consent) -> bool:
    return consent.granted_at is not None and consent.revoked_at is None


def give_through_form(tx: UnitOfWork, consent: Consent, form: FormInstance) -> None:
    """Name the form the patient gives `consent` through: signing it will grant the consent."""
    if form.patient_person_id != consent.patient_person_id:
        raise InvalidInput.single("form_id", T_("This form is another patient's."))
    # The form row first: the link is a foreign key, and an update may be flushed before
    # an insert of another table.
    tx.session.flush()
    consent.form_instance_id = form.id
    tx.audit("consent.form_linked", "consent", consent.id, {"form_id": form.id})


def grant_consent(
    ctx: ServiceContext, patient_person_id: uuid.UUID, consent_type: str
) -> Outcome[Consent]:
    """The patient gives the consent (recorded by them, by staff, or by the system). A consent
    nobody asked for yet is recorded as given, so it is there when a rule asks for it."""
    kind = check_consent_type(consent_type)
    _require_may_consent_for(ctx.actor, patient_person_id)
    with ctx.transaction() as tx:
        person = load_person(tx, patient_person_id, field="patient_person_id")
        consent = _consent_row(tx, person.id, kind)
        if consent is None:
            consent = Consent(
                id=new_id(),
                organization_id=ctx.organization_id,
                patient_person_id=person.id,
                consent_type=kind,
                required=False,
            )
            tx.session.add(consent)
        elif is_given(consent):
            raise InvalidInput.single(
                "consent_type", T_("This consent ({kind}) was given already.", kind=kind)
            )
        _grant(tx, consent)
    return Outcome(consent, tx.changes)


def grant_consents_given_by(tx: UnitOfWork, form: FormInstance) -> list[Consent]:
    """Grant the consents given through `form`, which has just been signed (inside the
    signing transaction)."""
    consents = tx.session.scalars(
        select(Consent).where(
            Consent.form_instance_id == form.id,
            Consent.patient_person_id == form.patient_person_id,
        )
    ).all()
    waiting = [consent for consent in consents if not is_given(consent)]
    for consent in waiting:
        _grant(tx, consent)
    return waiting


def revoke_consent(
    ctx: ServiceContext, patient_person_id: uuid.UUID, consent_type: str
) -> Outcome[Consent]:
    """The patient withdraws the consent; a required one blocks booking again."""
    kind = check_consent_type(consent_type)
    _require_may_consent_for(ctx.actor, patient_person_id)
    with ctx.transaction() as tx:
        person = load_person(tx, patient_person_id, field="patient_person_id")
        consent = _consent_row(tx, person.id, kind)
        if consent is None or not is_given(consent):
            raise NotFound(
                T_("This consent ({kind}) was not given, so it cannot be withdrawn.", kind=kind),
                field="consent_type",
            )
        consent.revoked_at = tx.now
        tx.audit(
            "consent.revoked",
            "consent",
            consent.id,
            {"patient_person_id": person.id, "consent_type": kind},
        )
    return Outcome(consent, tx.changes)


def check_consent_type(consent_type: str) -> str:
    if not _CONSENT_TYPE.fullmatch(consent_type):
        raise InvalidInput.single(
            "consent_type",
            T_("Name the consent with letters, digits and _ . : - only (e.g. biometric_data)."),
        )
    return consent_type


def _grant(tx: UnitOfWork, consent: Consent) -> None:
    consent.granted_at = tx.now
    consent.revoked_at = None
    tx.audit(
        "consent.granted",
        "consent",
        consent.id,
        {"patient_person_id": consent.patient_person_id, "consent_type": consent.consent_type},
    )


def _require_may_consent_for(actor: Actor, person_id: uuid.UUID) -> None:
    """Staff and the system record consents for anyone; a patient only for the people they
    act for."""
    if actor.role == Role.PATIENT:
        if person_id not in actor.person_ids:
            raise PermissionDenied(
                T_(
                    "You may give or withdraw only your own consents and those of the people "
                    "you manage."
                ),
                field="patient_person_id",
            )
        return
    require_staff(actor, field="actor")


def _consent_row(tx: UnitOfWork, person_id: uuid.UUID, consent_type: str) -> Consent | None:
    return tx.session.scalar(
        select(Consent).where(
            Consent.organization_id == tx.organization_id,
            Consent.patient_person_id == person_id,
            Consent.consent_type == consent_type,
        )
    )
