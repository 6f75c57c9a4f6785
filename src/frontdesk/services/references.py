"""Resolving what a rule cites — a form template, a segment, a treatment plan or a service — by
short number (42), by id (a UUID string) or by key/name, as the admin wrote it. Specialists
have no short number: they are cited by id or by name."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from frontdesk.domain.errors import NotFound
from frontdesk.i18n.text import T_
from frontdesk.store.models import FormTemplate, Segment, Service, Specialist, TreatmentPlan

Reference = int | str | uuid.UUID


def _as_uuid(value: Reference) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
    return None


def resolve_form_template(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> FormTemplate:
    """The current version of the cited template, or NotFound naming `field`."""
    query = select(FormTemplate).where(
        FormTemplate.organization_id == organization_id,
        FormTemplate.is_current.is_(True),
        FormTemplate.deleted_at.is_(None),
    )
    as_id = _as_uuid(reference)
    if isinstance(reference, int) and not isinstance(reference, bool):
        query = query.where(FormTemplate.reference == reference)
    elif as_id is not None:
        # A cited version id names its template; use that template's current version.
        key = session.scalar(select(FormTemplate.template_key).where(FormTemplate.id == as_id))
        query = query.where(FormTemplate.template_key == key)
    else:
        query = query.where(FormTemplate.template_key == str(reference))
    template = session.scalars(query).first()
    if template is None:
        raise NotFound(
            T_("There is no form template “{reference}” in this clinic.", reference=str(reference)),
            field=field,
        )
    return template


def _citation(model: Any, reference: Reference, *, name_column: Any) -> ColumnElement[bool]:
    """How a reference picks a row: a whole number is the short number, a UUID the id,
    anything else the name (models without a short number take numbers as names)."""
    as_id = _as_uuid(reference)
    is_number = isinstance(reference, int) and not isinstance(reference, bool)
    if is_number and hasattr(model, "reference"):
        return model.reference == reference
    if as_id is not None:
        return model.id == as_id
    return name_column == str(reference)


def _resolve(
    session: Session,
    model: Any,
    reference: Reference,
    *,
    live: ColumnElement[bool],
    name_column: Any,
    label: str,
    field: str,
) -> Any:
    row = session.scalars(
        select(model).where(live, _citation(model, reference, name_column=name_column))
    ).first()
    if row is None:
        raise NotFound(
            T_("“{reference}” was not found in this clinic.", reference=str(reference)), field=field
        )
    return row


def resolve_segment(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> Segment:
    """The cited segment (by short number, id or name), or NotFound naming `field`."""
    live = (Segment.organization_id == organization_id) & Segment.deleted_at.is_(None)
    return _resolve(
        session,
        Segment,
        reference,
        live=live,
        name_column=Segment.name,
        label="segment",
        field=field,
    )


def resolve_treatment_plan(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> TreatmentPlan:
    """The cited treatment plan (by short number, id or name), or NotFound naming `field`."""
    live = (TreatmentPlan.organization_id == organization_id) & TreatmentPlan.deleted_at.is_(None)
    return _resolve(
        session,
        TreatmentPlan,
        reference,
        live=live,
        name_column=TreatmentPlan.name,
        label="treatment plan",
        field=field,
    )


def resolve_specialist(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> Specialist:
    """The cited active specialist (by id or name), or NotFound naming `field`."""
    live = (Specialist.organization_id == organization_id) & Specialist.is_active.is_(True)
    return _resolve(
        session,
        Specialist,
        reference,
        live=live,
        name_column=Specialist.name,
        label="active specialist",
        field=field,
    )


def resolve_service(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> Service:
    """The cited live service (by short number, id or name), or NotFound naming `field`."""
    live = (Service.organization_id == organization_id) & Service.deleted_at.is_(None)
    return _resolve(
        session,
        Service,
        reference,
        live=live,
        name_column=Service.name,
        label="service",
        field=field,
    )
