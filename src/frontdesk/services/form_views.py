"""Reading forms for the desk: a searchable list, and one form with what the filler needs
(its fields, answers, who may sign it, and its seal once signed). Read-only; filling,
completing and signing go through `services.forms`.

Scope follows `services.forms`: admins and reception see every form of the organization,
specialists the forms of their own appointments and forms tied to no appointment, patients
the forms of the people they act for.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true

from frontdesk.domain.enums import FormStatus, FormType, Role
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.field_names import between
from frontdesk.domain.form_fields import STAFF_FILLED_TYPES
from frontdesk.i18n.text import T_
from frontdesk.services.access import ORGANIZATION_WIDE_ROLES
from frontdesk.services.appointment_records import organization_zone
from frontdesk.services.context import ServiceContext
from frontdesk.services.forms import verify_signature
from frontdesk.services.not_found import not_found
from frontdesk.services.search_text import LIKE_ESCAPE, contains_pattern, search_words
from frontdesk.store.models import Appointment, FormInstance, PatientPerson
from frontdesk.store.unit_of_work import Actor

LIST_LIMIT_MAX = 2000


@dataclass(frozen=True, slots=True)
class FormRow:
    """One form as a list shows it."""

    id: uuid.UUID
    title: str
    form_type: FormType
    status: FormStatus
    blocking: bool
    patient_person_id: uuid.UUID
    patient_name: str
    appointment_id: uuid.UUID | None
    appointment_start_local: datetime | None
    created_local: datetime


@dataclass(frozen=True, slots=True)
class Signer:
    """Someone who may sign a form at the desk: the patient, or the guardian who manages
    them (`on_behalf_by_person_id` is then the guardian's person id)."""

    name: str
    on_behalf_by_person_id: uuid.UUID | None

    @property
    def is_guardian(self) -> bool:
        return self.on_behalf_by_person_id is not None


@dataclass(frozen=True)
class FormDetail:
    row: FormRow
    fields: list[dict[str, Any]]
    values: dict[str, Any]
    signers: list[Signer]
    # Whether the actor may write it at all (a patient never writes a clinical document).
    writable: bool
    signer_name: str | None
    signed_local: datetime | None
    signed_on_behalf_by_name: str | None
    signature_svg: str | None
    content_hash: str | None
    # Recomputed now: False would mean the stored form no longer matches its seal.
    seal_intact: bool | None


def form_scope(actor: Actor, organization_id: uuid.UUID) -> ColumnElement[bool]:
    """A where-clause on FormInstance selecting the live forms `actor` may see."""
    live = and_(FormInstance.organization_id == organization_id, FormInstance.deleted_at.is_(None))
    if actor.role is None or actor.role in ORGANIZATION_WIDE_ROLES:
        return live
    if actor.role == Role.SPECIALIST and actor.specialist_id is not None:
        own_appointments = select(Appointment.id).where(
            Appointment.specialist_id == actor.specialist_id
        )
        return and_(
            live,
            or_(
                FormInstance.appointment_id.is_(None),
                FormInstance.appointment_id.in_(own_appointments),
            ),
        )
    if actor.role == Role.PATIENT and actor.person_ids:
        return and_(live, FormInstance.patient_person_id.in_(sorted(actor.person_ids)))
    return false()


def list_forms(
    ctx: ServiceContext,
    *,
    text: str = "",
    statuses: Iterable[FormStatus | str] | None = None,
    person_id: uuid.UUID | None = None,
    appointment_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[FormRow]:
    """Forms the actor may see, newest first. `text` matches the title or the patient's name
    (every word somewhere); `statuses=None` means any status."""
    words = search_words(text)
    wanted = _statuses(statuses)
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise InvalidInput.single("limit", between("limit", 1, LIST_LIMIT_MAX))
    query = (
        select(FormInstance, PatientPerson.first_name, PatientPerson.last_name, Appointment)
        .join(PatientPerson, PatientPerson.id == FormInstance.patient_person_id)
        .outerjoin(Appointment, Appointment.id == FormInstance.appointment_id)
        .where(form_scope(ctx.actor, ctx.organization_id))
        .where(FormInstance.status.in_(wanted) if wanted is not None else true())
        .order_by(FormInstance.id.desc())
        .limit(limit)
    )
    if person_id is not None:
        query = query.where(FormInstance.patient_person_id == person_id)
    if appointment_id is not None:
        query = query.where(FormInstance.appointment_id == appointment_id)
    for word in words:
        pattern = contains_pattern(word)
        query = query.where(
            or_(
                func.lower(FormInstance.title).like(pattern, escape=LIKE_ESCAPE),
                func.lower(PatientPerson.first_name).like(pattern, escape=LIKE_ESCAPE),
                func.lower(PatientPerson.last_name).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
        return [
            _row(form, f"{first} {last}".strip(), appointment, tz)
            for form, first, last, appointment in session.execute(query)
        ]


def form_detail(ctx: ServiceContext, form_id: uuid.UUID) -> FormDetail:
    """One form with everything the filler shows, if the actor may see it."""
    with ctx.sessions() as session:
        found = session.execute(
            select(FormInstance, PatientPerson, Appointment)
            .join(PatientPerson, PatientPerson.id == FormInstance.patient_person_id)
            .outerjoin(Appointment, Appointment.id == FormInstance.appointment_id)
            .where(form_scope(ctx.actor, ctx.organization_id), FormInstance.id == form_id)
        ).one_or_none()
        if found is None:
            raise NotFound(not_found("form"), field="form_id")
        form, person, appointment = found
        tz = organization_zone(session, ctx.organization_id)
        guardian = (
            session.get(PatientPerson, person.manager_person_id)
            if person.manager_person_id
            else None
        )
        on_behalf = (
            session.get(PatientPerson, form.signed_on_behalf_by_person_id)
            if form.signed_on_behalf_by_person_id
            else None
        )
        signers = [Signer(person.name, None)]
        if guardian is not None and guardian.deleted_at is None:
            # A dependent's guardian is the usual signer, so they come first.
            signers.insert(0, Signer(guardian.name, guardian.id))
        signed = form.status == FormStatus.SIGNED
        return FormDetail(
            row=_row(form, person.name, appointment, tz),
            fields=[dict(field) for field in form.fields],
            values=dict(form.values),
            signers=signers,
            writable=not signed
            and not (ctx.actor.role == Role.PATIENT and form.form_type in STAFF_FILLED_TYPES),
            signer_name=form.signer_name,
            signed_local=form.signed_at.astimezone(tz) if form.signed_at else None,
            signed_on_behalf_by_name=on_behalf.name if on_behalf else None,
            signature_svg=form.signature_svg,
            content_hash=form.content_hash,
            seal_intact=verify_signature(form) if signed else None,
        )


def _row(
    form: FormInstance, patient_name: str, appointment: Appointment | None, tz: Any
) -> FormRow:
    return FormRow(
        id=form.id,
        title=form.title,
        form_type=FormType(form.form_type),
        status=FormStatus(form.status),
        blocking=form.blocking,
        patient_person_id=form.patient_person_id,
        patient_name=patient_name,
        appointment_id=form.appointment_id,
        appointment_start_local=appointment.started_at.astimezone(tz) if appointment else None,
        created_local=form.created_at.astimezone(tz),
    )


def _statuses(statuses: Iterable[FormStatus | str] | None) -> list[str] | None:
    if statuses is None:
        return None
    parsed = []
    for index, value in enumerate(statuses):
        try:
            parsed.append(str(FormStatus(value)))
        except ValueError:
            raise InvalidInput.single(
                f"statuses[{index}]",
                T_("“{value}” is not a form status.", value=str(value)),
            ) from None
    return parsed
