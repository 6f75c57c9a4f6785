"""An appointment's life after booking. Onboarding (booked → upcoming) lives in
`services.onboarding`; everything else is here.

| operation     | from                       | to                  | who                     |
|---------------|----------------------------|---------------------|-------------------------|
| confirm       | upcoming                   | confirmed           | staff, the patient      |
| check_in      | upcoming, confirmed        | (records the time)  | staff                   |
| start_session | upcoming, confirmed        | inprogress          | staff                   |
| complete      | inprogress                 | done                | staff                   |
| cancel        | booked, upcoming, confirmed| cancelled           | staff, the patient      |
| mark_no_show  | booked, upcoming, confirmed| noshow              | staff                   |
| reinstate     | cancelled, noshow          | the prior status    | staff                   |
| reschedule    | booked, upcoming, confirmed| (moves the time)    | staff                   |

A specialist acts on their own appointments only; "the patient" means the person or whoever
manages them (`services.permissions`). A session that has started cannot be cancelled or
marked as a no-show: it was attended. A no-show can only be recorded once the appointment's
start has passed. Check-in and rescheduling do not change the status, so they add no
status-history row; like every operation they are in the audit log and publish an event.
Reinstatement and rescheduling check double booking again (staff may override with a reason),
and a reschedule clears the check-in, which belonged to the old time.

Video rooms are external: a room is deleted at the provider when the appointment is cancelled
or marked as a no-show, and requested again on reinstatement. Both calls are idempotent at the
provider, so a transaction that rolls back afterwards leaves nothing a retry cannot repair.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

from frontdesk.domain.appointment_states import (
    ACTIVE_STATUSES,
    SideEffect,
    check_reinstatement,
    check_transition,
    side_effects,
)
from frontdesk.domain.clock import ensure_utc
from frontdesk.domain.enums import AppointmentStatus
from frontdesk.domain.errors import AlreadyExists, InvalidInput, TransitionNotAllowed
from frontdesk.domain.events import DeskEventName, EventName
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.integrations.video import VideoRoomProvider
from frontdesk.services.appointment_records import (
    close_video_room,
    load_appointment,
    local_label,
    open_video_room,
    organization_zone,
    record_status_change,
    same_day_warnings,
    settle_double_booking,
    status_history,
)
from frontdesk.services.booking import BookingResult
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.onboarding import onboard
from frontdesk.services.permissions import require_appointment_access, validate_override
from frontdesk.store.models import Appointment, Notification, PatientPerson, Service
from frontdesk.store.unit_of_work import UnitOfWork

S = AppointmentStatus
CHECK_IN_STATUSES = frozenset({S.UPCOMING, S.CONFIRMED})
RESCHEDULABLE = ACTIVE_STATUSES - {S.INPROGRESS}


def confirm(
    ctx: ServiceContext, appointment_id: uuid.UUID, *, reason: str | None = None
) -> Outcome[Appointment]:
    """The patient will attend; the specialist is notified."""
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=True)
        previous = _move(tx, ctx.video_rooms, appointment, S.CONFIRMED, reason)
        _announce(tx, DeskEventName.APPOINTMENT_CONFIRMED, appointment, previous, reason)
    return Outcome(appointment, tx.changes)


def check_in(ctx: ServiceContext, appointment_id: uuid.UUID) -> Outcome[Appointment]:
    """The patient has arrived at the desk."""
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        if appointment.status not in CHECK_IN_STATUSES:
            raise TransitionNotAllowed(
                T_(
                    "Only an upcoming or confirmed appointment can be checked in; this one is "
                    "“{status}”.",
                    status=S(appointment.status).text,
                ),
                field="status",
            )
        if appointment.checked_in_at is not None:
            tz = organization_zone(tx.session, tx.organization_id)
            raise AlreadyExists(
                T_(
                    "The patient was checked in already, at {when}.",
                    when=local_label(appointment.checked_in_at, tz),
                ),
                field="appointment_id",
            )
        appointment.checked_in_at = tx.now
        tx.emit(
            DeskEventName.APPOINTMENT_CHECKED_IN,
            "appointment",
            appointment.id,
            {**_facts(appointment), "checked_in_at": tx.now},
        )
        tx.audit("appointment.checked_in", "appointment", appointment.id)
    return Outcome(appointment, tx.changes)


def start_session(
    ctx: ServiceContext, appointment_id: uuid.UUID, *, reason: str | None = None
) -> Outcome[Appointment]:
    """The specialist opens the session."""
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        previous = _move(tx, ctx.video_rooms, appointment, S.INPROGRESS, reason)
        appointment.session_started_at = tx.now
        _announce(tx, EventName.APPOINTMENT_STARTED, appointment, previous, reason)
    return Outcome(appointment, tx.changes)


def complete(
    ctx: ServiceContext, appointment_id: uuid.UUID, *, reason: str | None = None
) -> Outcome[Appointment]:
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        previous = _move(tx, ctx.video_rooms, appointment, S.DONE, reason)
        appointment.completed_at = tx.now
        _announce(tx, EventName.APPOINTMENT_COMPLETED, appointment, previous, reason)
    return Outcome(appointment, tx.changes)


def cancel(ctx: ServiceContext, appointment_id: uuid.UUID, *, reason: str) -> Outcome[Appointment]:
    """Cancel with a reason; who cancelled, when and why stay on the appointment."""
    why = _required_reason(reason)
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=True)
        previous = _move(tx, ctx.video_rooms, appointment, S.CANCELLED, why)
        appointment.cancelled_at = tx.now
        appointment.cancelled_by_user_id = tx.actor.user_id
        appointment.cancellation_reason = why
        _announce(tx, EventName.APPOINTMENT_CANCELED, appointment, previous, why)
    return Outcome(appointment, tx.changes)


def mark_no_show(
    ctx: ServiceContext, appointment_id: uuid.UUID, *, reason: str | None = None
) -> Outcome[Appointment]:
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        check_transition(appointment.status, S.NOSHOW)
        if tx.now < appointment.started_at:
            raise TransitionNotAllowed(
                T_("A no-show can be recorded only once the appointment has started."),
                field="status",
            )
        previous = _move(tx, ctx.video_rooms, appointment, S.NOSHOW, reason)
        _announce(tx, DeskEventName.APPOINTMENT_NOSHOW, appointment, previous, reason)
    return Outcome(appointment, tx.changes)


def reinstate(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    *,
    reason: str | None = None,
    override_reason: str | None = None,
) -> Outcome[Appointment]:
    """Undo a cancellation or no-show: back to the status recorded before it, if the
    specialist's time is still free (or staff override)."""
    override = validate_override(ctx.actor, override_reason)
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        ended = appointment.status
        prior = _status_before_ending(tx, appointment)
        check_reinstatement(ended, prior)
        recorded, overlapped = settle_double_booking(
            tx,
            specialist_id=appointment.specialist_id,
            start=appointment.started_at,
            end=appointment.ended_at,
            override_reason=override,
            exclude_id=appointment.id,
        )
        record_status_change(tx, appointment, prior, reason=reason)
        appointment.double_booking_override_reason = recorded
        appointment.cancelled_at = None
        appointment.cancelled_by_user_id = None
        appointment.cancellation_reason = None
        _apply(tx, ctx.video_rooms, appointment, side_effects(ended, prior, reinstating=True))
        _announce(tx, DeskEventName.APPOINTMENT_REINSTATED, appointment, ended, reason)
        _audit_override(tx, appointment, recorded, overlapped)
    return Outcome(appointment, tx.changes)


def reschedule(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    *,
    start: datetime,
    reason: str | None = None,
    override_reason: str | None = None,
) -> Outcome[BookingResult]:
    """Move the appointment, keeping its length. The automation engine re-arms its timers
    from the `appointment.rescheduled` event, which carries the old and the new start."""
    new_start = ensure_utc(start, field="start")
    override = validate_override(ctx.actor, override_reason)
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        if appointment.status not in RESCHEDULABLE:
            raise TransitionNotAllowed(
                T_("A “{status}” appointment cannot be moved.", status=S(appointment.status).text),
                field="status",
            )
        if new_start == appointment.started_at:
            raise InvalidInput.single(
                "start", T_("Choose a new start time: this is the current one.")
            )
        new_end = new_start + (appointment.ended_at - appointment.started_at)
        recorded, overlapped = settle_double_booking(
            tx,
            specialist_id=appointment.specialist_id,
            start=new_start,
            end=new_end,
            override_reason=override,
            exclude_id=appointment.id,
        )
        old_start, old_end = appointment.started_at, appointment.ended_at
        appointment.started_at, appointment.ended_at = new_start, new_end
        appointment.double_booking_override_reason = recorded
        appointment.checked_in_at = None
        if appointment.video_room_name is not None:
            open_video_room(ctx.video_rooms, appointment)  # the room now expires later
        warnings = same_day_warnings(
            tx, person_id=appointment.patient_person_id, start=new_start, exclude_id=appointment.id
        )
        moved = {"old_start": old_start, "old_end": old_end, "new_start": new_start}
        tx.emit(
            DeskEventName.APPOINTMENT_RESCHEDULED,
            "appointment",
            appointment.id,
            {**_facts(appointment), **moved, "new_end": new_end, "reason": reason},
        )
        tx.audit(
            "appointment.rescheduled", "appointment", appointment.id, {**moved, "reason": reason}
        )
        _audit_override(tx, appointment, recorded, overlapped)
    return Outcome(BookingResult(appointment, warnings), tx.changes)


def change_status(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    to_status: AppointmentStatus | str,
    *,
    reason: str | None = None,
) -> Outcome[Appointment]:
    """Run the operation that moves an appointment to `to_status` (for a status picker).
    Nothing moves an appointment back to booked except reinstatement."""
    try:
        target = S(to_status)
    except ValueError:
        raise InvalidInput.single(
            "to_status", T_("“{value}” is not an appointment status.", value=to_status)
        ) from None
    if target == S.UPCOMING:
        onboarded = onboard(ctx, appointment_id)
        return Outcome(onboarded.value.appointment, onboarded.changes)
    if target == S.CANCELLED:
        return cancel(ctx, appointment_id, reason=reason or "")
    operation = _OPERATIONS.get(target)
    if operation is None:
        _refuse(ctx, appointment_id, target)
    return operation(ctx, appointment_id, reason=reason)


_OPERATIONS: dict[S, Callable[..., Outcome[Appointment]]] = {
    S.CONFIRMED: confirm,
    S.INPROGRESS: start_session,
    S.DONE: complete,
    S.NOSHOW: mark_no_show,
}


def _refuse(ctx: ServiceContext, appointment_id: uuid.UUID, target: S) -> NoReturn:
    """Refuse a target no operation leads to (booked), naming the appointment's status."""
    with ctx.transaction() as tx:
        appointment = _load(tx, appointment_id, patient_may=False)
        check_transition(appointment.status, target)
    # Only reached if the state machine ever allowed a move that has no operation here.
    raise TransitionNotAllowed(
        T_("Nothing moves an appointment to “{status}”.", status=target.text), field="status"
    )


def _load(tx: UnitOfWork, appointment_id: uuid.UUID, *, patient_may: bool) -> Appointment:
    appointment = load_appointment(tx, appointment_id)
    require_appointment_access(tx.actor, appointment, patient_may=patient_may)
    return appointment


def _move(
    tx: UnitOfWork,
    rooms: VideoRoomProvider,
    appointment: Appointment,
    target: S,
    reason: str | None,
) -> S:
    """A checked transition: history row, then the specification's side effects. Returns
    the status the appointment left."""
    current = appointment.status
    check_transition(current, target)
    record_status_change(tx, appointment, target, reason=reason)
    _apply(tx, rooms, appointment, side_effects(current, target))
    return current


def _apply(
    tx: UnitOfWork,
    rooms: VideoRoomProvider,
    appointment: Appointment,
    effects: tuple[SideEffect, ...],
) -> None:
    # Creating the patient, forms and first room (booked → upcoming) is onboarding's job.
    if SideEffect.NOTIFY_SPECIALIST in effects:
        _notify_specialist(tx, appointment)
    if SideEffect.DELETE_VIDEO_ROOM in effects:
        close_video_room(rooms, appointment)
    if SideEffect.RECREATE_VIDEO_ROOM in effects:
        open_video_room(rooms, appointment)


def _notify_specialist(tx: UnitOfWork, appointment: Appointment) -> None:
    person = tx.session.get_one(PatientPerson, appointment.patient_person_id)
    service = tx.session.get_one(Service, appointment.service_id)
    tz = organization_zone(tx.session, tx.organization_id)
    tx.session.add(
        Notification(
            id=new_id(),
            organization_id=tx.organization_id,
            target="specialist",
            specialist_id=appointment.specialist_id,
            message=(
                f"{person.name} confirmed {service.name} on "
                f"{local_label(appointment.started_at, tz)}"
            ),
            # Of no use once the appointment is over.
            expires_at=appointment.ended_at,
        )
    )


def _status_before_ending(tx: UnitOfWork, appointment: Appointment) -> S:
    """The from-status of the change that cancelled the appointment or marked the no-show."""
    ending = [
        change
        for change in status_history(tx.session, appointment.id)
        if change.to_status == appointment.status
    ]
    if not ending or ending[-1].from_status is None:
        raise TransitionNotAllowed(
            T_("There is no earlier status to bring this appointment back to."), field="status"
        )
    return S(ending[-1].from_status)


def _facts(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appointment.id,
        "patient_person_id": appointment.patient_person_id,
        "specialist_id": appointment.specialist_id,
        "service_id": appointment.service_id,
        "start": appointment.started_at,
        "end": appointment.ended_at,
    }


def _announce(
    tx: UnitOfWork, name: str, appointment: Appointment, from_status: S, reason: str | None
) -> None:
    change = {"from_status": from_status, "to_status": appointment.status, "reason": reason}
    tx.emit(name, "appointment", appointment.id, {**_facts(appointment), **change})
    tx.audit(f"appointment.{appointment.status}", "appointment", appointment.id, change)


def _audit_override(
    tx: UnitOfWork, appointment: Appointment, recorded: str | None, overlapped: list[str]
) -> None:
    if recorded is not None:
        tx.audit(
            "appointment.double_booking_overridden",
            "appointment",
            appointment.id,
            {"reason": recorded, "overlaps": overlapped},
        )


def _required_reason(reason: str) -> str:
    why = reason.strip()
    if not why:
        raise InvalidInput.single("reason", T_("Say why the appointment is cancelled."))
    return why
