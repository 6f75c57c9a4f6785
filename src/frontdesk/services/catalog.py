"""Setting up an organization: its staff, specialists, services, calendars and form templates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from frontdesk.domain.clock import zone
from frontdesk.domain.contact import normalize_email
from frontdesk.domain.enums import AppointmentType, FormType, Role
from frontdesk.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.field_names import number_taken, required
from frontdesk.domain.form_fields import field_definition_errors
from frontdesk.domain.slots import MAX_BOOKING_HORIZON_DAYS
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import (
    Calendar,
    CalendarForm,
    FormTemplate,
    Membership,
    Organization,
    Service,
    ServiceForm,
    ServiceSpecialist,
    Specialist,
    User,
)
from frontdesk.store.unit_of_work import UnitOfWork

_HORIZON = T_("Patients can book from 1 to {days} days ahead.", days=MAX_BOOKING_HORIZON_DAYS)


def create_organization(
    ctx: ServiceContext, *, name: str, slug: str, timezone: str, country: str | None = None
) -> Outcome[Organization]:
    """Create the organization whose id `ctx.organization_id` names."""
    zone(timezone)
    if not slug or not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise InvalidInput.single(
            "slug", T_("Use only lower-case letters, digits and hyphens in the short name.")
        )
    with ctx.transaction() as tx:
        if tx.session.scalar(select(Organization.id).where(Organization.slug == slug)):
            raise InvalidInput.single(
                "slug", T_("The short name “{slug}” is taken: choose another.", slug=slug)
            )
        org = Organization(
            id=ctx.organization_id, name=name, slug=slug, timezone=timezone, country=country
        )
        tx.session.add(org)
        tx.audit("organization.created", "organization", org.id)
    return Outcome(org, tx.changes)


def set_booking_horizon(ctx: ServiceContext, days: int) -> Outcome[Organization]:
    """How many days ahead (from today) the public booking page offers slots."""
    if ctx.actor.role not in (None, Role.ADMIN):
        raise PermissionDenied(
            T_("You are not allowed to change how far ahead patients can book: ask an admin."),
            field="actor",
        )
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput.single("booking_horizon_days", _HORIZON)
    if not 1 <= days <= MAX_BOOKING_HORIZON_DAYS:
        raise InvalidInput.single("booking_horizon_days", _HORIZON)
    with ctx.transaction() as tx:
        org = tx.session.get(Organization, ctx.organization_id)
        if org is None:
            raise NotFound(not_found("organization"), field="organization_id")
        before = org.booking_horizon_days
        org.booking_horizon_days = days
        tx.audit(
            "organization.booking_horizon_changed",
            "organization",
            org.id,
            {"from": before, "to": days},
        )
    return Outcome(org, tx.changes)


def add_staff_user(
    ctx: ServiceContext, *, email: str, display_name: str, role: Role
) -> Outcome[User]:
    if role not in (Role.ADMIN, Role.RECEPTIONIST, Role.SPECIALIST):
        raise InvalidInput.single(
            "role", T_("Choose a staff role: administrator, receptionist or specialist.")
        )
    address = normalize_email(email)
    with ctx.transaction() as tx:
        # Addresses are one account whatever their case (the server links patients so too).
        user = tx.session.scalar(select(User).where(func.lower(User.email) == address.lower()))
        if user is None:
            user = User(email=address, display_name=display_name)
            tx.session.add(user)
            tx.session.flush()
        elif not user.display_name:
            user.display_name = display_name  # a patient's account, which has no name yet
        tx.session.add(Membership(organization_id=ctx.organization_id, user_id=user.id, role=role))
        tx.audit("staff.added", "user", user.id, {"role": role})
    return Outcome(user, tx.changes)


def add_specialist(
    ctx: ServiceContext,
    *,
    name: str,
    specialty: str = "",
    email: str | None = None,
    user_id: uuid.UUID | None = None,
) -> Outcome[Specialist]:
    if not name.strip():
        raise InvalidInput.single("name", required("name"))
    with ctx.transaction() as tx:
        specialist = Specialist(
            organization_id=ctx.organization_id,
            name=name.strip(),
            specialty=specialty,
            email=normalize_email(email) if email else None,
            user_id=user_id,
        )
        tx.session.add(specialist)
        tx.audit("specialist.added", "specialist", None, {"name": specialist.name})
    return Outcome(specialist, tx.changes)


def add_form_template(
    ctx: ServiceContext,
    *,
    key: str,
    title: str,
    form_type: FormType,
    fields: Sequence[dict[str, Any]],
    blocking: bool = False,
    body: str = "",
    reference: int | None = None,
) -> Outcome[FormTemplate]:
    """Add a template, or a new version of the template with this key. A new version keeps
    the template's short reference number unless another is given."""
    errors = field_definition_errors(fields)
    if not key.strip():
        errors.insert(0, FieldError("key", T_("Give the template a key.")))
    if errors:
        raise InvalidInput(errors)
    with ctx.transaction() as tx:
        previous = tx.session.scalars(
            select(FormTemplate).where(
                FormTemplate.organization_id == ctx.organization_id,
                FormTemplate.template_key == key,
                FormTemplate.is_current.is_(True),
            )
        ).all()
        for old in previous:
            old.is_current = False
        if reference is None:
            reference = next((t.reference for t in previous), None)
        else:
            _require_free_reference(tx, ctx.organization_id, reference, key)
        template = FormTemplate(
            organization_id=ctx.organization_id,
            template_key=key,
            version=max((t.version for t in previous), default=0) + 1,
            title=title,
            form_type=FormType(form_type),
            blocking=blocking,
            fields=list(fields),
            body=body,
            reference=reference,
        )
        tx.session.add(template)
        tx.audit("form_template.saved", "form_template", None, {"key": key})
    return Outcome(template, tx.changes)


def _require_free_reference(
    tx: UnitOfWork, organization_id: uuid.UUID, reference: int, key: str
) -> None:
    holder = tx.session.scalar(
        select(FormTemplate.template_key).where(
            FormTemplate.organization_id == organization_id,
            FormTemplate.reference == reference,
            FormTemplate.template_key != key,
        )
    )
    if holder is not None:
        raise InvalidInput.single("reference", number_taken(reference, holder))


def add_service(
    ctx: ServiceContext,
    *,
    name: str,
    duration_minutes: int,
    appointment_type: AppointmentType = AppointmentType.IN_CLINIC,
    specialist_ids: Sequence[uuid.UUID] = (),
    form_keys: Sequence[str] = (),
    followup_service_id: uuid.UUID | None = None,
) -> Outcome[Service]:
    if not 5 <= duration_minutes <= 8 * 60:
        raise InvalidInput.single("duration_minutes", T_("A service lasts from 5 to 480 minutes."))
    with ctx.transaction() as tx:
        _require_specialists(tx, ctx.organization_id, specialist_ids)
        _require_template_keys(tx, ctx.organization_id, form_keys)
        service = Service(
            organization_id=ctx.organization_id,
            name=name,
            duration_minutes=duration_minutes,
            appointment_type=AppointmentType(appointment_type),
            followup_service_id=followup_service_id,
        )
        tx.session.add(service)
        tx.session.flush()
        for specialist_id in specialist_ids:
            tx.session.add(
                ServiceSpecialist(
                    organization_id=ctx.organization_id,
                    service_id=service.id,
                    specialist_id=specialist_id,
                )
            )
        for position, key in enumerate(form_keys):
            tx.session.add(
                ServiceForm(
                    organization_id=ctx.organization_id,
                    service_id=service.id,
                    template_key=key,
                    position=position,
                )
            )
        tx.audit("service.added", "service", service.id, {"name": name})
    return Outcome(service, tx.changes)


def add_calendar(
    ctx: ServiceContext,
    *,
    name: str,
    specialist_id: uuid.UUID | None = None,
    form_keys: Sequence[str] = (),
) -> Outcome[Calendar]:
    with ctx.transaction() as tx:
        if specialist_id is not None:
            _require_specialists(tx, ctx.organization_id, [specialist_id])
        _require_template_keys(tx, ctx.organization_id, form_keys)
        calendar = Calendar(
            organization_id=ctx.organization_id, name=name, specialist_id=specialist_id
        )
        tx.session.add(calendar)
        tx.session.flush()
        for position, key in enumerate(form_keys):
            tx.session.add(
                CalendarForm(
                    organization_id=ctx.organization_id,
                    calendar_id=calendar.id,
                    template_key=key,
                    position=position,
                )
            )
        tx.audit("calendar.added", "calendar", calendar.id, {"name": name})
    return Outcome(calendar, tx.changes)


def _require_specialists(
    tx: UnitOfWork, organization_id: uuid.UUID, specialist_ids: Sequence[uuid.UUID]
) -> None:
    found = set(
        tx.session.scalars(
            select(Specialist.id).where(
                Specialist.organization_id == organization_id, Specialist.id.in_(specialist_ids)
            )
        )
    )
    for index, specialist_id in enumerate(specialist_ids):
        if specialist_id not in found:
            raise NotFound(not_found("specialist"), field=f"specialist_ids[{index}]")


def _require_template_keys(tx: UnitOfWork, organization_id: uuid.UUID, keys: Sequence[str]) -> None:
    found = set(
        tx.session.scalars(
            select(FormTemplate.template_key).where(
                FormTemplate.organization_id == organization_id,
                FormTemplate.template_key.in_(keys),
                FormTemplate.is_current.is_(True),
            )
        )
    )
    for index, key in enumerate(keys):
        if key not in found:
            raise NotFound(
                T_("There is no form template “{reference}” in this clinic.", reference=key),
                field=f"form_keys[{index}]",
            )
