"""Setting up what the clinic sells: a service's name, description, length, price, mode, who
performs it, the forms it needs (in order) and its short number; retiring it and bringing it
back. Only admins (and the trusted in-process callers: the demo, an import) do this.

Refusals name the field as the Services screen labels it; their words are marked with `N_`
so the screen shows them in the desk's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from sqlalchemy import func, select

from frontdesk.domain.enums import AppointmentType, Role
from frontdesk.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import FormTemplate, Service, ServiceForm, ServiceSpecialist, Specialist
from frontdesk.store.unit_of_work import UnitOfWork

MIN_MINUTES = 5
MAX_MINUTES = 8 * 60
MAX_NAME = 200
MAX_DESCRIPTION = 4000
MAX_REFERENCE = 999_999
MAX_PRICE = Decimal("1000000")

# Whole sentences naming the field as the editor does (each language words it its own way).
ADMINS_ONLY = T_("Only an admin can set up services: ask an admin.")
NAME_REQUIRED = T_("Type the service's name.")
NAME_TOO_LONG = T_("The name is longer than 200 characters.")
DESCRIPTION_TOO_LONG = T_("The description is longer than 4000 characters.")
DURATION_RANGE = T_("The duration must be from 5 to 480 minutes.")
PRICE_INVALID = T_("The price must be an amount such as 150 or 150.50, not negative.")
CURRENCY_REQUIRED = T_("Choose the currency of the price.")
CURRENCY_UNKNOWN = T_("The currency is not a currency code such as RON or EUR.")
REFERENCE_RANGE = T_("The number must be a whole number from 1 to 999999.")
REFERENCE_TAKEN = T_("Another service has this number already: choose another.")
MODE_UNKNOWN = T_("Choose video or in clinic.")
PERFORMER_UNKNOWN = T_("A chosen specialist is not an active specialist of this clinic.")
PERFORMER_REPEATED = T_("A specialist is chosen twice: choose each once.")
FORM_UNKNOWN = T_("A chosen form is not a form template of this clinic.")
FORM_REPEATED = T_("A form is chosen twice: choose each once.")


@dataclass(frozen=True)
class ServiceDraft:
    """What the editor sends. `price` is in the currency's main unit (150.50); `reference`
    None on a new service takes the next free number."""

    name: str
    duration_minutes: int
    appointment_type: AppointmentType | str = AppointmentType.IN_CLINIC
    description: str = ""
    price: Decimal | str | None = None
    currency: str | None = None
    is_public: bool = True
    reference: int | None = None
    specialist_ids: Sequence[uuid.UUID] = ()
    form_keys: Sequence[str] = ()


@dataclass(frozen=True)
class ServiceRecord:
    """A service as the Services screen lists and edits it."""

    id: uuid.UUID
    reference: int | None
    name: str
    description: str
    duration_minutes: int
    appointment_type: AppointmentType
    price_cents: int | None
    currency: str | None
    is_public: bool
    retired: bool
    specialist_ids: tuple[uuid.UUID, ...] = ()
    form_keys: tuple[str, ...] = ()
    performer_names: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ServiceChoices:
    """What the editor offers: active specialists (id, name) and current form templates
    (key, title), in the order people read them."""

    specialists: tuple[Choice, ...]
    forms: tuple[Choice, ...]


def _require_admin(ctx: ServiceContext) -> None:
    if ctx.actor.role not in (None, Role.ADMIN):
        raise PermissionDenied(ADMINS_ONLY, field="actor")


# --- checks ----------------------------------------------------------------------------------


@dataclass
class _Checked:
    name: str
    description: str
    duration_minutes: int
    appointment_type: AppointmentType
    price_cents: int | None
    currency: str | None
    reference: int | None


def _check(draft: ServiceDraft) -> tuple[_Checked | None, list[FieldError]]:
    """Every field's problem at once (the form shows them all)."""
    errors: list[FieldError] = []
    name = (draft.name or "").strip()
    if not name:
        errors.append(FieldError("name", NAME_REQUIRED))
    elif len(name) > MAX_NAME:
        errors.append(FieldError("name", NAME_TOO_LONG))
    description = (draft.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.append(FieldError("description", DESCRIPTION_TOO_LONG))
    minutes = draft.duration_minutes
    whole = isinstance(minutes, int) and not isinstance(minutes, bool)
    if not whole or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors.append(FieldError("duration_minutes", DURATION_RANGE))
    try:
        mode = AppointmentType(draft.appointment_type)
    except ValueError:
        errors.append(FieldError("appointment_type", MODE_UNKNOWN))
        mode = AppointmentType.IN_CLINIC
    price_cents, currency = _price(draft, errors)
    reference = draft.reference
    if reference is not None and (
        isinstance(reference, bool)
        or not isinstance(reference, int)
        or not 1 <= reference <= MAX_REFERENCE
    ):
        errors.append(FieldError("reference", REFERENCE_RANGE))
    if errors:
        return None, errors
    checked = _Checked(name, description, minutes, mode, price_cents, currency, reference)
    return checked, errors


def _price(draft: ServiceDraft, errors: list[FieldError]) -> tuple[int | None, str | None]:
    raw = draft.price
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None  # no price: a currency alone means nothing
    try:
        amount = Decimal(raw.strip().replace(",", ".") if isinstance(raw, str) else raw)
    except InvalidOperation:
        errors.append(FieldError("price", PRICE_INVALID))
        return None, None
    cents = amount * 100
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE or cents != cents.to_integral():
        errors.append(FieldError("price", PRICE_INVALID))
        return None, None
    code = (draft.currency or "").strip().upper()
    if not code:
        errors.append(FieldError("currency", CURRENCY_REQUIRED))
    elif code not in list_currencies():
        errors.append(FieldError("currency", CURRENCY_UNKNOWN))
    return int(cents), code


def _check_links(tx: UnitOfWork, organization_id: uuid.UUID, draft: ServiceDraft) -> None:
    errors: list[FieldError] = []
    active = set(
        tx.session.scalars(
            select(Specialist.id).where(
                Specialist.organization_id == organization_id,
                Specialist.id.in_(list(draft.specialist_ids)),
                Specialist.is_active.is_(True),
            )
        )
    )
    for index, specialist_id in enumerate(draft.specialist_ids):
        if specialist_id not in active:
            errors.append(FieldError(f"specialist_ids[{index}]", PERFORMER_UNKNOWN))
        elif specialist_id in draft.specialist_ids[:index]:
            errors.append(FieldError(f"specialist_ids[{index}]", PERFORMER_REPEATED))
    keys = set(
        tx.session.scalars(
            select(FormTemplate.template_key).where(
                FormTemplate.organization_id == organization_id,
                FormTemplate.template_key.in_(list(draft.form_keys)),
                FormTemplate.is_current.is_(True),
                FormTemplate.deleted_at.is_(None),
            )
        )
    )
    for index, key in enumerate(draft.form_keys):
        if key not in keys:
            errors.append(FieldError(f"form_keys[{index}]", FORM_UNKNOWN))
        elif key in draft.form_keys[:index]:
            errors.append(FieldError(f"form_keys[{index}]", FORM_REPEATED))
    if errors:
        raise InvalidInput(errors)


def _settle_reference(
    tx: UnitOfWork, organization_id: uuid.UUID, wanted: int | None, own: uuid.UUID | None
) -> int:
    """The wanted number if no other service (retired ones included: rules may still cite
    them) holds it; none wanted: the next after the highest."""
    numbers = Service.reference.is_not(None) & (Service.organization_id == organization_id)
    if wanted is None:
        highest = tx.session.scalar(select(func.max(Service.reference)).where(numbers))
        return (highest or 0) + 1
    holder = tx.session.scalar(
        select(Service.id).where(numbers, Service.reference == wanted, Service.id != own)
    )
    if holder is not None:
        raise InvalidInput.single("reference", REFERENCE_TAKEN)
    return wanted


# --- writes ----------------------------------------------------------------------------------


def create_service(ctx: ServiceContext, draft: ServiceDraft) -> Outcome[Service]:
    """A new service with its performers and forms, in one transaction."""
    _require_admin(ctx)
    checked, errors = _check(draft)
    if checked is None:
        raise InvalidInput(errors)
    with ctx.transaction() as tx:
        _check_links(tx, ctx.organization_id, draft)
        service = Service(
            organization_id=ctx.organization_id,
            reference=_settle_reference(tx, ctx.organization_id, checked.reference, None),
        )
        _apply(service, checked, draft.is_public)
        tx.session.add(service)
        tx.session.flush()
        _set_links(tx, service, draft)
        tx.audit(
            "service.added", "service", service.id, {"name": service.name, "ref": service.reference}
        )
    return Outcome(service, tx.changes)


def update_service(
    ctx: ServiceContext, service_id: uuid.UUID, draft: ServiceDraft
) -> Outcome[Service]:
    """Change every field of a service; performers and forms become exactly the draft's.
    A draft without a number keeps the service's (or gives it the next free one)."""
    _require_admin(ctx)
    checked, errors = _check(draft)
    if checked is None:
        raise InvalidInput(errors)
    with ctx.transaction() as tx:
        service = _load(tx, ctx.organization_id, service_id)
        _check_links(tx, ctx.organization_id, draft)
        wanted = checked.reference if checked.reference is not None else service.reference
        service.reference = _settle_reference(tx, ctx.organization_id, wanted, service.id)
        _apply(service, checked, draft.is_public)
        _set_links(tx, service, draft)
        tx.audit("service.changed", "service", service.id, {"name": service.name})
    return Outcome(service, tx.changes)


def retire_service(ctx: ServiceContext, service_id: uuid.UUID) -> Outcome[Service]:
    """No longer offered (booked appointments keep it); rules citing it stop finding it."""
    return _set_retired(ctx, service_id, retired=True)


def restore_service(ctx: ServiceContext, service_id: uuid.UUID) -> Outcome[Service]:
    """Offered again, with its number, performers and forms as they were."""
    return _set_retired(ctx, service_id, retired=False)


def _set_retired(ctx: ServiceContext, service_id: uuid.UUID, *, retired: bool) -> Outcome[Service]:
    _require_admin(ctx)
    with ctx.transaction() as tx:
        service = _load(tx, ctx.organization_id, service_id)
        if (service.deleted_at is not None) != retired:
            service.deleted_at = tx.now if retired else None
            action = "service.retired" if retired else "service.restored"
            tx.audit(action, "service", service.id, {"name": service.name})
    return Outcome(service, tx.changes)


def _load(tx: UnitOfWork, organization_id: uuid.UUID, service_id: uuid.UUID) -> Service:
    service = tx.session.get(Service, service_id)
    if service is None or service.organization_id != organization_id:
        raise NotFound(not_found("service"), field="service_id")
    return service


def _apply(service: Service, checked: _Checked, is_public: bool) -> None:
    service.name = checked.name
    service.description = checked.description
    service.duration_minutes = checked.duration_minutes
    service.appointment_type = checked.appointment_type
    service.price_cents = checked.price_cents
    service.currency = checked.currency
    service.is_public = bool(is_public)


def _set_links(tx: UnitOfWork, service: Service, draft: ServiceDraft) -> None:
    """Performers and forms as the draft lists them: rows no longer wanted are tombstoned,
    rows wanted again revived, so a sync round carries each change."""
    now = tx.now
    performers = {
        row.specialist_id: row
        for row in tx.session.scalars(
            select(ServiceSpecialist).where(ServiceSpecialist.service_id == service.id)
        )
    }
    for specialist_id, row in performers.items():
        if specialist_id not in draft.specialist_ids and row.deleted_at is None:
            row.deleted_at = now
    for specialist_id in draft.specialist_ids:
        row = performers.get(specialist_id)
        if row is None:
            tx.session.add(
                ServiceSpecialist(
                    organization_id=service.organization_id,
                    service_id=service.id,
                    specialist_id=specialist_id,
                )
            )
        elif row.deleted_at is not None:
            row.deleted_at = None
    forms = {
        row.template_key: row
        for row in tx.session.scalars(
            select(ServiceForm).where(ServiceForm.service_id == service.id)
        )
    }
    for key, row in forms.items():
        if key not in draft.form_keys and row.deleted_at is None:
            row.deleted_at = now
    for position, key in enumerate(draft.form_keys):
        form = forms.get(key)
        if form is None:
            tx.session.add(
                ServiceForm(
                    organization_id=service.organization_id,
                    service_id=service.id,
                    template_key=key,
                    position=position,
                )
            )
            continue
        if form.deleted_at is not None:
            form.deleted_at = None
        if form.position != position:
            form.position = position


# --- reads -----------------------------------------------------------------------------------


def list_services(ctx: ServiceContext, *, include_retired: bool = True) -> list[ServiceRecord]:
    """Every service of the clinic by number then name, with its performers and forms in
    order."""
    with ctx.sessions() as session:
        query = select(Service).where(Service.organization_id == ctx.organization_id)
        if not include_retired:
            query = query.where(Service.deleted_at.is_(None))
        services = session.scalars(
            query.order_by(Service.reference.is_(None), Service.reference, Service.name)
        ).all()
        performers: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
        for service_id, specialist_id, name in session.execute(
            select(ServiceSpecialist.service_id, Specialist.id, Specialist.name)
            .join(Specialist, Specialist.id == ServiceSpecialist.specialist_id)
            .where(
                ServiceSpecialist.organization_id == ctx.organization_id,
                ServiceSpecialist.deleted_at.is_(None),
            )
            .order_by(ServiceSpecialist.id)
        ):
            performers.setdefault(service_id, []).append((specialist_id, name))
        forms: dict[uuid.UUID, list[str]] = {}
        for service_id, key in session.execute(
            select(ServiceForm.service_id, ServiceForm.template_key)
            .where(
                ServiceForm.organization_id == ctx.organization_id,
                ServiceForm.deleted_at.is_(None),
            )
            .order_by(ServiceForm.position, ServiceForm.template_key)
        ):
            forms.setdefault(service_id, []).append(key)
        return [
            ServiceRecord(
                id=s.id,
                reference=s.reference,
                name=s.name,
                description=s.description,
                duration_minutes=s.duration_minutes,
                appointment_type=AppointmentType(s.appointment_type),
                price_cents=s.price_cents,
                currency=s.currency,
                is_public=s.is_public,
                retired=s.deleted_at is not None,
                specialist_ids=tuple(i for i, _ in performers.get(s.id, ())),
                form_keys=tuple(forms.get(s.id, ())),
                performer_names=tuple(n for _, n in performers.get(s.id, ())),
            )
            for s in services
        ]


def service_choices(ctx: ServiceContext) -> ServiceChoices:
    """The active specialists and current form templates the editor offers."""
    with ctx.sessions() as session:
        specialists = session.execute(
            select(Specialist.id, Specialist.name)
            .where(
                Specialist.organization_id == ctx.organization_id, Specialist.is_active.is_(True)
            )
            .order_by(Specialist.name, Specialist.id)
        ).all()
        forms = session.execute(
            select(FormTemplate.template_key, FormTemplate.title)
            .where(
                FormTemplate.organization_id == ctx.organization_id,
                FormTemplate.is_current.is_(True),
                FormTemplate.deleted_at.is_(None),
            )
            .order_by(FormTemplate.title, FormTemplate.template_key)
        ).all()
    return ServiceChoices(
        specialists=tuple(Choice(str(i), name) for i, name in specialists),
        forms=tuple(Choice(key, title) for key, title in forms),
    )
