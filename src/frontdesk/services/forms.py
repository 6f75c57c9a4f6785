"""Forms on appointments and patients: generation from service and calendar forms, filling,
completing and signing — after which a form never changes again.

Who may act on a form:
- admins, receptionists and system actors (automation, sync): every form of the organization;
- specialists: forms of the appointments assigned to them, and forms tied to no appointment;
- patients: forms of the people they act for (`Actor.person_ids`), and never the clinical
  documents staff write (see `frontdesk.domain.form_fields`). Patients cannot create or delete
  forms.

A form moves created → completed → signed. Partial saves are allowed while it is `created`;
a `completed` form may still be corrected before signing, as long as it stays complete. Once
signed, every write — values, completing, signing again, deleting — is refused with
ImmutableRecord, and the store refuses it too (`frontdesk.store.guards`).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import STAFF_ROLES, FormSource, FormStatus, Role
from frontdesk.domain.errors import (
    AlreadyExists,
    DomainError,
    ImmutableRecord,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.events import EventName
from frontdesk.domain.form_fields import (
    PREFILL_SOURCES,
    check_complete,
    check_may_fill,
    normalize_values,
)
from frontdesk.domain.form_signature import check_signature_input, content_hash, hash_matches
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.services.access import can_see_appointment
from frontdesk.services.appointment_records import load_appointment
from frontdesk.services.consents import grant_consents_given_by
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.services.patients import load_person
from frontdesk.services.permissions import require_appointment_access, require_staff
from frontdesk.store.models import (
    Appointment,
    CalendarForm,
    FormInstance,
    FormTemplate,
    Membership,
    Organization,
    PatientPerson,
    ServiceForm,
    User,
)
from frontdesk.store.unit_of_work import UnitOfWork

DELETE_REASON_MAX = 500


# --- generation -------------------------------------------------------------------------------


def generate_appointment_forms(
    tx: UnitOfWork, appointment: Appointment, person: PatientPerson
) -> list[FormInstance]:
    """Create the appointment's forms from its service's forms, then its calendar's, merged
    and de-duplicated by template key (the service's entry wins). Runs in the caller's
    transaction; a template that already has a live form on this appointment is skipped, so
    calling it again creates nothing twice. Returns only the forms it created."""
    wanted = _wanted_template_keys(tx, appointment)
    existing = _live_template_keys(tx, appointment.id)
    pending = [(key, source) for key, source in wanted if key not in existing]
    templates = _current_templates(tx, appointment.organization_id, [key for key, _ in pending])
    created: list[FormInstance] = []
    for key, source in pending:
        # A key whose template was retired (tombstoned) has no current version: nothing to ask.
        template = templates.get(key)
        if template is None:
            continue
        instance = _instantiate(
            template,
            person,
            source=source,
            appointment_id=appointment.id,
            blocking=template.blocking,
        )
        tx.session.add(instance)
        _announce_created(tx, instance)
        created.append(instance)
    return created


def _wanted_template_keys(tx: UnitOfWork, appointment: Appointment) -> list[tuple[str, FormSource]]:
    service_keys = tx.session.scalars(
        select(ServiceForm.template_key)
        .where(ServiceForm.service_id == appointment.service_id, ServiceForm.deleted_at.is_(None))
        .order_by(ServiceForm.position, ServiceForm.template_key)
    ).all()
    calendar_keys: Sequence[str] = ()
    if appointment.calendar_id is not None:
        calendar_keys = tx.session.scalars(
            select(CalendarForm.template_key)
            .where(CalendarForm.calendar_id == appointment.calendar_id)
            .order_by(CalendarForm.position, CalendarForm.template_key)
        ).all()
    merged: dict[str, FormSource] = {}
    for key in service_keys:
        merged.setdefault(key, FormSource.SERVICE)
    for key in calendar_keys:
        merged.setdefault(key, FormSource.CALENDAR)
    return list(merged.items())


def _live_template_keys(tx: UnitOfWork, appointment_id: uuid.UUID) -> set[str]:
    return set(tx.session.scalars(_live_template_keys_statement(), {"id": appointment_id}))


@cache
def _live_template_keys_statement() -> Select[str]:
    # Built once: the automation engine asks for every form it adds to an appointment.
    return select(FormInstance.template_key).where(
        FormInstance.appointment_id == bindparam("id"),
        FormInstance.deleted_at.is_(None),
    )


def _current_templates(
    tx: UnitOfWork, organization_id: uuid.UUID, keys: Sequence[str]
) -> dict[str, FormTemplate]:
    if not keys:
        return {}
    rows = tx.session.scalars(
        select(FormTemplate).where(
            FormTemplate.organization_id == organization_id,
            FormTemplate.template_key.in_(keys),
            FormTemplate.is_current.is_(True),
            FormTemplate.deleted_at.is_(None),
        )
    ).all()
    return {row.template_key: row for row in rows}


def _instantiate(
    template: FormTemplate,
    person: PatientPerson,
    *,
    source: FormSource,
    appointment_id: uuid.UUID | None,
    blocking: bool,
    form_id: uuid.UUID | None = None,
    automation_execution_id: uuid.UUID | None = None,
) -> FormInstance:
    # The fields are copied, not shared: a later template edit must not change this form.
    fields = copy.deepcopy(list(template.fields))
    return FormInstance(
        # The id is made now so the form.created event can name it before the flush.
        id=form_id or new_id(),
        organization_id=template.organization_id,
        template_id=template.id,
        template_key=template.template_key,
        template_version=template.version,
        appointment_id=appointment_id,
        patient_person_id=person.id,
        form_type=template.form_type,
        title=template.title,
        status=FormStatus.CREATED,
        blocking=blocking,
        source=source,
        fields=fields,
        values=prefilled_values(fields, person),
        automation_execution_id=automation_execution_id,
    )


def prefilled_values(fields: Sequence[Mapping[str, Any]], person: PatientPerson) -> dict[str, Any]:
    """Answers taken from the person's profile for fields whose "prefill" names it. A profile
    value the field would not accept (a country in a date field) is left for the patient."""
    values: dict[str, Any] = {}
    for definition in fields:
        attribute = PREFILL_SOURCES.get(str(definition.get("prefill")))
        if attribute is None:
            continue
        raw = getattr(person, attribute)
        key = definition["key"]
        try:
            value = normalize_values(fields, {key: raw})[key]
        except InvalidInput:
            continue
        if value is not None:
            values[key] = value
    return values


def _announce_created(tx: UnitOfWork, form: FormInstance) -> None:
    tx.emit(EventName.FORM_CREATED, "form", form.id, _event_payload(form))
    tx.audit(
        "form.created", "form", form.id, {"template_key": form.template_key, "source": form.source}
    )


def _event_payload(form: FormInstance) -> dict[str, Any]:
    return {
        "form_id": form.id,
        "template_key": form.template_key,
        "form_type": form.form_type,
        "appointment_id": form.appointment_id,
        "patient_person_id": form.patient_person_id,
        "blocking": form.blocking,
        "source": form.source,
    }


# --- creating one form ------------------------------------------------------------------------


def create_form(
    ctx: ServiceContext,
    *,
    template_key: str,
    patient_person_id: uuid.UUID,
    appointment_id: uuid.UUID | None = None,
    source: FormSource = FormSource.STAFF,
    blocking: bool | None = None,
) -> Outcome[FormInstance]:
    """Ask a patient for one form from the current version of a template, on an appointment
    or on the patient alone. `blocking=None` takes the template's setting."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        form = add_form(
            tx,
            template_key=template_key,
            patient_person_id=patient_person_id,
            appointment_id=appointment_id,
            source=source,
            blocking=blocking,
        )
    return Outcome(form, tx.changes)


def add_form(
    tx: UnitOfWork,
    *,
    template_key: str,
    patient_person_id: uuid.UUID,
    appointment_id: uuid.UUID | None = None,
    source: FormSource = FormSource.STAFF,
    blocking: bool | None = None,
    form_id: uuid.UUID | None = None,
    automation_execution_id: uuid.UUID | None = None,
    current_template: FormTemplate | None = None,
    known_new: bool = False,
) -> FormInstance:
    """`create_form` inside the caller's transaction (for automation actions, which pass a
    derived `form_id` so running an occurrence twice asks for the form once). The engine's
    shortcuts: `current_template`, the current version of `template_key` read already (it
    reads each once per batch); `known_new`, no form can have `form_id` yet (a fresh run),
    so it is not looked for and the row is written at once without an ORM flush."""
    if form_id is not None and not known_new:
        existing = tx.session.get(FormInstance, form_id)
        if existing is not None and existing.organization_id == tx.organization_id:
            return existing
    try:
        chosen_source = FormSource(source)
    except ValueError:
        raise InvalidInput.single(
            "source", T_("“{value}” is not a way a form is asked for.", value=str(source))
        ) from None
    person = load_person(tx, patient_person_id, field="patient_person_id")
    if appointment_id is not None:
        _require_appointment_of(tx, appointment_id, person)
        if template_key in _live_template_keys(tx, appointment_id):
            raise AlreadyExists(
                T_("This appointment has this form already ({key}).", key=template_key),
                field="template_key",
            )
    template = current_template
    if template is None or template.template_key != template_key:
        template = _current_templates(tx, tx.organization_id, [template_key]).get(template_key)
    if template is None:
        raise NotFound(not_found("form template"), field="template_key")
    form = _instantiate(
        template,
        person,
        source=chosen_source,
        appointment_id=appointment_id,
        blocking=template.blocking if blocking is None else blocking,
        form_id=form_id,
        automation_execution_id=automation_execution_id,
    )
    if known_new:
        tx.insert_now(form)
    else:
        tx.session.add(form)
    _announce_created(tx, form)
    return form


def _require_appointment_of(
    tx: UnitOfWork, appointment_id: uuid.UUID, person: PatientPerson
) -> Appointment:
    appointment = load_appointment(tx, appointment_id)
    require_appointment_access(tx.actor, appointment, patient_may=False)
    if appointment.patient_person_id != person.id:
        raise InvalidInput.single(
            "appointment_id",
            T_("This appointment is not {person}'s but another patient's.", person=person.name),
        )
    return appointment


def _load_appointment(
    session: Session, organization_id: uuid.UUID, appointment_id: uuid.UUID
) -> Appointment:
    # `appointment_records.load_appointment` for a reader that has a session, not a transaction.
    appointment = session.get(Appointment, appointment_id)
    if (
        appointment is None
        or appointment.organization_id != organization_id
        or appointment.deleted_at is not None
    ):
        raise NotFound(not_found("appointment"), field="appointment_id")
    return appointment


# --- filling, completing, signing, deleting ---------------------------------------------------


def save_values(
    ctx: ServiceContext, form_id: uuid.UUID, values: Mapping[str, Any]
) -> Outcome[FormInstance]:
    """Save some answers (a partial save). `None` or an empty answer clears a field. Only the
    given keys are validated while the form is open; a completed form must stay complete."""
    with ctx.transaction() as tx:
        form = _writable_form(tx, form_id)
        region = _organization_country(tx)
        given = normalize_values(form.fields, values, region=region)
        merged = {**form.values, **given}
        merged = {key: value for key, value in merged.items() if value is not None}
        if form.status == FormStatus.COMPLETED:
            merged = check_complete(form.form_type, form.fields, merged, region=region)
        if merged != form.values:
            # A new dict, so the JSON column sees the change.
            form.values = merged
            tx.audit("form.values_saved", "form", form.id, {"keys": sorted(given)})
    return Outcome(form, tx.changes)


def complete(ctx: ServiceContext, form_id: uuid.UUID) -> Outcome[FormInstance]:
    """Mark a form complete: every required answer present and valid (and, for a disclaimer,
    every required yes/no accepted)."""
    with ctx.transaction() as tx:
        form = _writable_form(tx, form_id)
        if form.status == FormStatus.COMPLETED:
            raise DomainError(T_("This form is completed already."), field="status")
        values = check_complete(
            form.form_type, form.fields, form.values, region=_organization_country(tx)
        )
        if values != form.values:
            form.values = values
        form.status = FormStatus.COMPLETED
        form.completed_at = tx.now
        tx.emit(EventName.FORM_COMPLETED, "form", form.id, _event_payload(form))
        tx.audit("form.completed", "form", form.id, {"template_key": form.template_key})
    return Outcome(form, tx.changes)


def sign(
    ctx: ServiceContext,
    form_id: uuid.UUID,
    *,
    signer_name: str,
    signature_svg: str,
    signed_by_user_id: uuid.UUID | None = None,
    on_behalf_by_person_id: uuid.UUID | None = None,
) -> Outcome[FormInstance]:
    """Sign a completed form, sealing its content with a hash. A guardian signing for a
    dependent passes their own person id as `on_behalf_by_person_id`; they must be the
    person who manages the dependent."""
    with ctx.transaction() as tx:
        form = _writable_form(tx, form_id)
        if form.status != FormStatus.COMPLETED:
            raise DomainError(
                T_("Only a completed form can be signed: complete it first."), field="status"
            )
        name, svg = check_signature_input(signer_name, signature_svg)
        if on_behalf_by_person_id is not None:
            _check_guardian(tx, form, on_behalf_by_person_id)
        else:
            _check_patient_signs_own(tx, form)
        _check_signer_user(tx, form, signed_by_user_id, on_behalf_by_person_id)
        form.signer_name = name
        form.signature_svg = svg
        form.signed_by_user_id = signed_by_user_id
        form.signed_on_behalf_by_person_id = on_behalf_by_person_id
        form.signed_at = tx.now
        if tx.actor.role in STAFF_ROLES:
            form.witnessed_by_user_id = tx.actor.user_id
        form.status = FormStatus.SIGNED
        form.content_hash = content_hash(signed_content(form))
        tx.emit(
            EventName.FORM_SIGNED,
            "form",
            form.id,
            {**_event_payload(form), "on_behalf": on_behalf_by_person_id is not None},
        )
        tx.audit(
            "form.signed",
            "form",
            form.id,
            {"content_hash": form.content_hash, "on_behalf_by": on_behalf_by_person_id},
        )
        # A consent asked for through this form is given by signing it.
        grant_consents_given_by(tx, form)
    return Outcome(form, tx.changes)


def delete_form(ctx: ServiceContext, form_id: uuid.UUID, *, reason: str) -> Outcome[FormInstance]:
    """Withdraw a form that was asked for by mistake (a tombstone; the row stays). A signed
    form is a clinical record and cannot be withdrawn."""
    require_staff(ctx.actor, field="actor")
    why = reason.strip() if isinstance(reason, str) else ""
    if not why or len(why) > DELETE_REASON_MAX:
        raise InvalidInput.single(
            "reason",
            T_("Say why, in 1 to {limit} characters.", limit=DELETE_REASON_MAX),
        )
    with ctx.transaction() as tx:
        form = _writable_form(tx, form_id)
        form.deleted_at = tx.now
        tx.audit("form.deleted", "form", form.id, {"reason": why})
    return Outcome(form, tx.changes)


def _writable_form(tx: UnitOfWork, form_id: uuid.UUID) -> FormInstance:
    """The live form, if the actor may write it and it is not signed."""
    form = tx.session.get(FormInstance, form_id)
    if form is None or form.organization_id != tx.organization_id or form.deleted_at:
        raise NotFound(not_found("form"), field="form_id")
    _check_may_act(tx, form)
    if form.status == FormStatus.SIGNED:
        raise ImmutableRecord(
            T_(
                "The form was signed on {when} UTC and can no longer change.",
                when=f"{form.signed_at:%Y-%m-%d %H:%M}",
            ),
            field="form_id",
        )
    check_may_fill(form.form_type, tx.actor.role)
    return form


def _check_may_act(tx: UnitOfWork, form: FormInstance) -> None:
    actor = tx.actor
    if actor.role == Role.PATIENT:
        allowed = form.patient_person_id in actor.person_ids
    elif actor.role == Role.SPECIALIST and form.appointment_id is not None:
        appointment = tx.session.get(Appointment, form.appointment_id)
        allowed = appointment is not None and can_see_appointment(
            actor, tx.organization_id, appointment
        )
    else:
        allowed = True
    if not allowed:
        raise PermissionDenied(
            T_("You are not allowed to fill this form: ask the front desk."), field="form_id"
        )


def _organization_country(tx: UnitOfWork) -> str | None:
    # National phone numbers typed into a form are read in the clinic's country.
    organization = tx.session.get(Organization, tx.organization_id)
    return organization.country if organization else None


def _check_signer_user(
    tx: UnitOfWork,
    form: FormInstance,
    user_id: uuid.UUID | None,
    guardian_id: uuid.UUID | None,
) -> None:
    """The user sealed into the signature: the actor themself or, for an admin, a member of
    this organization or the account of the form's patient (or the guardian signing)."""
    if user_id is None:
        return
    if tx.actor.role == Role.PATIENT and user_id != tx.actor.user_id:
        raise PermissionDenied(T_("You may sign only as yourself."), field="signed_by_user_id")
    if tx.session.get(User, user_id) is None:
        raise NotFound(not_found("user"), field="signed_by_user_id")
    if user_id == tx.actor.user_id:
        return
    if tx.actor.role == Role.ADMIN:
        member = tx.session.scalar(
            select(Membership.id).where(
                Membership.organization_id == tx.organization_id, Membership.user_id == user_id
            )
        )
        person_ids = [form.patient_person_id, *([guardian_id] if guardian_id else [])]
        patient_account = tx.session.scalar(
            select(PatientPerson.id).where(
                PatientPerson.id.in_(person_ids), PatientPerson.user_id == user_id
            )
        )
        if member is not None or patient_account is not None:
            return
    raise PermissionDenied(
        T_(
            "The form can be signed as you, or, by an admin, as a member of the clinic or the "
            "patient's own account."
        ),
        field="signed_by_user_id",
    )


def _check_guardian(tx: UnitOfWork, form: FormInstance, guardian_id: uuid.UUID) -> None:
    guardian = tx.session.get(PatientPerson, guardian_id)
    if guardian is None or guardian.organization_id != tx.organization_id or guardian.deleted_at:
        raise NotFound(not_found("person"), field="on_behalf_by_person_id")
    dependent = tx.session.get_one(PatientPerson, form.patient_person_id)
    if dependent.manager_person_id != guardian_id:
        raise PermissionDenied(
            T_(
                "{guardian} does not manage {person}'s record, so cannot sign for them.",
                guardian=guardian.name,
                person=dependent.name,
            ),
            field="on_behalf_by_person_id",
        )
    if tx.actor.role == Role.PATIENT and guardian_id not in tx.actor.person_ids:
        raise PermissionDenied(
            T_("You may sign for someone only as yourself."), field="on_behalf_by_person_id"
        )


def _check_patient_signs_own(tx: UnitOfWork, form: FormInstance) -> None:
    # A patient may fill a dependent's form, but a signature must say who really signed.
    if tx.actor.role != Role.PATIENT:
        return
    person = tx.session.get_one(PatientPerson, form.patient_person_id)
    if person.user_id is None or person.user_id != tx.actor.user_id:
        raise PermissionDenied(
            T_(
                "You are signing for {person}: say who signs for them (their guardian).",
                person=person.name,
            ),
            field="on_behalf_by_person_id",
        )


# --- the seal ---------------------------------------------------------------------------------


def signed_content(form: FormInstance) -> dict[str, Any]:
    """What a signature seals: the form's identity, its questions and answers, who signed,
    for whom, with what, and when."""
    if form.signed_at is None:
        raise ValueError("the form is not signed")
    return {
        "form_id": str(form.id),
        "organization_id": str(form.organization_id),
        "patient_person_id": str(form.patient_person_id),
        "appointment_id": str(form.appointment_id) if form.appointment_id else None,
        "template_key": form.template_key,
        "template_version": form.template_version,
        "form_type": str(form.form_type),
        "title": form.title,
        "fields": form.fields,
        "values": form.values,
        "signer_name": form.signer_name,
        "signed_by_user_id": str(form.signed_by_user_id) if form.signed_by_user_id else None,
        "signed_on_behalf_by_person_id": (
            str(form.signed_on_behalf_by_person_id) if form.signed_on_behalf_by_person_id else None
        ),
        "signature_svg": form.signature_svg,
        "signed_at": form.signed_at.astimezone(UTC).isoformat(),
    }


def verify_signature(form: FormInstance) -> bool:
    """Whether a signed form still matches the hash recorded when it was signed."""
    if form.status != FormStatus.SIGNED or form.signed_at is None:
        return False
    return hash_matches(signed_content(form), form.content_hash)


# --- reading ----------------------------------------------------------------------------------


def forms_for_appointment(ctx: ServiceContext, appointment_id: uuid.UUID) -> list[FormInstance]:
    """Every live form of an appointment, in the order they were asked for (service forms,
    then calendar forms, then any added later)."""
    with ctx.sessions() as session:
        appointment = _load_appointment(session, ctx.organization_id, appointment_id)
        if ctx.actor.role is not None and not can_see_appointment(
            ctx.actor, ctx.organization_id, appointment
        ):
            raise PermissionDenied(
                T_("You are not allowed to see this appointment: ask the front desk."),
                field="appointment_id",
            )
        return list(
            session.scalars(
                select(FormInstance)
                .where(
                    FormInstance.organization_id == ctx.organization_id,
                    FormInstance.appointment_id == appointment_id,
                    FormInstance.deleted_at.is_(None),
                )
                # UUIDv7 ids are time-ordered: creation order, stable across devices.
                .order_by(FormInstance.id)
            )
        )


def outstanding_forms(
    session: Session,
    organization_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    blocking_only: bool = False,
) -> list[FormInstance]:
    """A person's live forms that are not signed yet, oldest first. Runs in the caller's
    session (booking checks it inside its own transaction)."""
    query = select(FormInstance).where(
        FormInstance.organization_id == organization_id,
        FormInstance.patient_person_id == person_id,
        FormInstance.deleted_at.is_(None),
        FormInstance.status != FormStatus.SIGNED,
    )
    if blocking_only:
        query = query.where(FormInstance.blocking.is_(True))
    return list(session.scalars(query.order_by(FormInstance.id)))
