"""Resolving what a rule cites — a form template, a segment or a treatment plan — by short
number (42), by id (a UUID string) or by key/name, as the admin wrote it. Specialists and
services have no short number: they are cited by id or by name."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.errors import NotFound
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
        raise NotFound(f"no form template {reference!r} in this organization", field=field)
    return template


def resolve_segment(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> Segment:
    """The cited segment, or NotFound naming `field`."""
    query = select(Segment).where(
        Segment.organization_id == organization_id, Segment.deleted_at.is_(None)
    )
    as_id = _as_uuid(reference)
    if isinstance(reference, int) and not isinstance(reference, bool):
        query = query.where(Segment.reference == reference)
    elif as_id is not None:
        query = query.where(Segment.id == as_id)
    else:
        query = query.where(Segment.name == str(reference))
    segment = session.scalars(query).first()
    if segment is None:
        raise NotFound(f"no segment {reference!r} in this organization", field=field)
    return segment


def resolve_treatment_plan(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> TreatmentPlan:
    """The cited treatment plan (by short number, id or name), or NotFound naming `field`."""
    query = select(TreatmentPlan).where(
        TreatmentPlan.organization_id == organization_id, TreatmentPlan.deleted_at.is_(None)
    )
    as_id = _as_uuid(reference)
    if isinstance(reference, int) and not isinstance(reference, bool):
        query = query.where(TreatmentPlan.reference == reference)
    elif as_id is not None:
        query = query.where(TreatmentPlan.id == as_id)
    else:
        query = query.where(TreatmentPlan.name == str(reference))
    plan = session.scalars(query).first()
    if plan is None:
        raise NotFound(f"no treatment plan {reference!r} in this organization", field=field)
    return plan


def resolve_specialist(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> Specialist:
    """The cited active specialist (by id or name), or NotFound naming `field`."""
    query = select(Specialist).where(
        Specialist.organization_id == organization_id, Specialist.is_active.is_(True)
    )
    as_id = _as_uuid(reference)
    if as_id is not None:
        query = query.where(Specialist.id == as_id)
    else:
        query = query.where(Specialist.name == str(reference))
    specialist = session.scalars(query).first()
    if specialist is None:
        raise NotFound(f"no active specialist {reference!r} in this organization", field=field)
    return specialist


def resolve_service(
    session: Session, organization_id: uuid.UUID, reference: Reference, *, field: str
) -> Service:
    """The cited service (by id or name), or NotFound naming `field`."""
    query = select(Service).where(
        Service.organization_id == organization_id, Service.deleted_at.is_(None)
    )
    as_id = _as_uuid(reference)
    if as_id is not None:
        query = query.where(Service.id == as_id)
    else:
        query = query.where(Service.name == str(reference))
    service = session.scalars(query).first()
    if service is None:
        raise NotFound(f"no service {reference!r} in this organization", field=field)
    return service
