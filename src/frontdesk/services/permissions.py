"""Who may change appointments and patients: the write-side companion of `services.access`
(which decides who may see them).

- Admins and receptionists act on every appointment of their organization.
- A specialist acts on the appointments assigned to them (`Actor.specialist_id`) only.
- A patient acts for themselves and the people they manage (`Actor.person_ids`), and only
  where an operation allows it (confirming and cancelling).
- No role: a trusted in-process caller (automation engine, sync applier). It is not a
  person, so it can never take responsibility for overriding a double booking.
"""

from __future__ import annotations

from frontdesk.domain.enums import STAFF_ROLES, Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.i18n.text import T_
from frontdesk.store.models import Appointment
from frontdesk.store.unit_of_work import Actor

ORGANIZATION_WIDE = frozenset({Role.ADMIN, Role.RECEPTIONIST})


def require_staff(actor: Actor, *, field: str) -> None:
    """Staff (or a trusted system caller) only."""
    if actor.role is not None and actor.role not in STAFF_ROLES:
        raise PermissionDenied(
            T_("You are not allowed to do this: only clinic staff may. Ask the front desk."),
            field=field,
        )


def validate_override(actor: Actor, override_reason: str | None) -> str | None:
    """The double-booking override reason to record, checked before anything is written:
    only a staff member may override, and only with a reason someone can read later."""
    if override_reason is None:
        return None
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(
            T_(
                "You are not allowed to book over another appointment: ask the front desk to do it."
            ),
            field="override_reason",
        )
    reason = override_reason.strip()
    if not reason:
        raise InvalidInput.single(
            "override_reason", T_("Say why this appointment may overlap another one.")
        )
    return reason


def require_appointment_access(
    actor: Actor, appointment: Appointment, *, patient_may: bool
) -> None:
    """Refuse unless `actor` may act on this appointment (see the module docstring)."""
    if actor.role is None or actor.role in ORGANIZATION_WIDE:
        return
    if actor.role == Role.SPECIALIST:
        if actor.specialist_id is None or appointment.specialist_id != actor.specialist_id:
            raise PermissionDenied(
                T_(
                    "You are not allowed to change another specialist's appointment: ask the "
                    "front desk to do it."
                ),
                field="appointment_id",
            )
        return
    if actor.role == Role.PATIENT and patient_may:
        if appointment.patient_person_id not in actor.person_ids:
            raise PermissionDenied(
                T_(
                    "You may act only on your own appointments and those of the people you "
                    "manage: ask the clinic for help with this one."
                ),
                field="appointment_id",
            )
        return
    raise PermissionDenied(
        T_(
            "Your role ({role}) is not allowed to do this: ask the front desk or an admin to do "
            "it.",
            role=actor.role.text,
        ),
        field="appointment_id",
    )
