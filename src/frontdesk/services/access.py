"""Who may see which appointments: the specification's row-level rules, in one place.

Every appointment query applies `appointment_scope`, so a view can only narrow what a role may
see, never widen it. The server repeats the same rules in PostgreSQL row-level security.

- Admins and receptionists: every appointment of their organization.
- Specialists: the appointments assigned to them (`Actor.specialist_id`).
- Patients: their own appointments and those of the people they manage (`Actor.person_ids`).
- No role (the system actors: public booking page, automation, sync): nothing. Calendars are for
  people; a system process reads the rows it works on by id inside its own service, and a tool
  that shows calendars on the desk's behalf acts as a named staff role (the CLI reads as a
  receptionist). Failing closed means a forgotten role can never leak a whole organization.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, false

from frontdesk.domain.enums import Role
from frontdesk.store.models import Appointment
from frontdesk.store.unit_of_work import Actor

ORGANIZATION_WIDE_ROLES = frozenset({Role.ADMIN, Role.RECEPTIONIST})


def appointment_scope(actor: Actor, organization_id: uuid.UUID) -> ColumnElement[bool]:
    """A where-clause on `Appointment` selecting exactly the rows `actor` may see."""
    live_in_org = and_(
        Appointment.organization_id == organization_id, Appointment.deleted_at.is_(None)
    )
    if actor.role in ORGANIZATION_WIDE_ROLES:
        return live_in_org
    if actor.role == Role.SPECIALIST and actor.specialist_id is not None:
        return and_(live_in_org, Appointment.specialist_id == actor.specialist_id)
    if actor.role == Role.PATIENT and actor.person_ids:
        return and_(live_in_org, Appointment.patient_person_id.in_(sorted(actor.person_ids)))
    # A specialist without a specialist record or a patient without persons sees nothing too.
    return false()


def can_see_appointment(actor: Actor, organization_id: uuid.UUID, appointment: Appointment) -> bool:
    """The same rule as `appointment_scope`, for a row already loaded (e.g. fetched by id)."""
    if appointment.organization_id != organization_id or appointment.deleted_at is not None:
        return False
    if actor.role in ORGANIZATION_WIDE_ROLES:
        return True
    if actor.role == Role.SPECIALIST:
        return actor.specialist_id is not None and appointment.specialist_id == actor.specialist_id
    if actor.role == Role.PATIENT:
        return appointment.patient_person_id in actor.person_ids
    return False
