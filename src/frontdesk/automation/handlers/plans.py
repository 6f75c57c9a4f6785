"""Handlers for the treatment-plan actions: assign_treatment_plan, send_session_reminder and
book_followup_appointment.

Rows they create take their ids from `run.row_id()` and messages carry
`run.idempotency_key`, so an occurrence that runs twice assigns once, reminds once and books
one follow-up.
"""

from __future__ import annotations

from typing import Any

from frontdesk.automation.handlers.base import ActionResult, ActionRun, PermanentFailure, handles
from frontdesk.automation.handlers.support import (
    context_id,
    message_context,
    patient_id,
    recipient,
    reference,
    send,
    text,
)
from frontdesk.automation.keys import action_field
from frontdesk.domain.enums import AppointmentSource, MessageChannel
from frontdesk.domain.errors import AlreadyExists
from frontdesk.domain.rules.actions import (
    AssignTreatmentPlan,
    BookFollowupAppointment,
    SendSessionReminder,
)
from frontdesk.services.booking import book_registered_in
from frontdesk.services.followups import first_free_slot
from frontdesk.services.messages import MessageText
from frontdesk.services.patients import load_person
from frontdesk.services.plans import (
    assign_treatment_plan_in,
    estimated_minutes,
    local_today,
    session_due,
)
from frontdesk.services.references import (
    resolve_service,
    resolve_specialist,
    resolve_treatment_plan,
)
from frontdesk.store.models import Appointment, TreatmentSession


@handles("assign_treatment_plan")
def assign_treatment_plan(run: ActionRun) -> ActionResult:
    """Give the cited plan to the triggering patient, starting today."""
    action = run.action
    assert isinstance(action, AssignTreatmentPlan)
    field = action_field(run.action_path, "treatment_plan_id")
    plan = resolve_treatment_plan(
        run.tx.session,
        run.tx.organization_id,
        reference(run, action.treatment_plan_id, "treatment_plan_id"),
        field=field,
    )
    try:
        assignment = assign_treatment_plan_in(
            run.tx,
            plan,
            patient_id(run),
            start_date=local_today(run.tx),
            assignment_id=run.row_id(),
        )
    except AlreadyExists as exc:
        return ActionResult("skipped", {"reason": exc.message, "treatment_plan_id": str(plan.id)})
    return ActionResult(
        "success",
        {
            "treatment_plan_id": str(plan.id),
            "patient_treatment_plan_id": str(assignment.id),
            "sessions_total": assignment.sessions_total,
        },
    )


# --- session reminders -----------------------------------------------------------------------


@handles("send_session_reminder")
def send_session_reminder(run: ActionRun) -> ActionResult:
    """Remind the patient of today's session — only while it is due and not done, so the
    evening reminder of example 7 is not sent to someone who did their exercises."""
    action = run.action
    assert isinstance(action, SendSessionReminder)
    person = load_person(run.tx, patient_id(run), field=action_field(run.action_path))
    due = session_due(
        run.tx.session,
        run.tx.organization_id,
        person.id,
        local_today(run.tx),
        assignment_id=context_id(run, "patient_treatment_plan"),
    )
    if due is None:
        return ActionResult("skipped", {"reason": "no treatment session is due today"})
    channel = MessageChannel(action.channel)
    assert action.email_template or action.template or action.message  # the model requires one
    row = send(
        run,
        channel,
        to=recipient(run, channel, "patient", field_name="channel"),
        template_key=action.email_template or action.template,
        inline=MessageText("", channel, "Today's session", action.message or ""),
        inline_field=action_field(run.action_path, "message"),
        context=_message_context(run, action, due),
    )
    return ActionResult(
        "success",
        {"message_id": str(row.id), "channel": str(channel), "session_id": str(due.id)},
    )


def _message_context(
    run: ActionRun, action: SendSessionReminder, due: TreatmentSession
) -> dict[str, Any]:
    """The message context (`support.message_context`), with the due session as `session`
    when the trigger did not name one."""
    context = message_context(run, action.variables)
    if "session" not in context:
        context["session"] = {
            "id": str(due.id),
            "scheduled_on": due.scheduled_on.isoformat(),
            "estimated_duration": estimated_minutes(run.tx.session, due),
            "completed_at": None,
        }
    return context


# --- follow-up appointments ------------------------------------------------------------------


@handles("book_followup_appointment")
def book_followup_appointment(run: ActionRun) -> ActionResult:
    """Book the first free slot of the specialist within `within_days` (services.followups).
    The appointment's id comes from the execution, so running it again finds the booking
    instead of making a second one."""
    action = run.action
    assert isinstance(action, BookFollowupAppointment)
    appointment_id = run.row_id()
    earlier = run.tx.session.get(Appointment, appointment_id)
    if earlier is not None:
        return ActionResult("success", _booked(earlier))
    session, organization_id = run.tx.session, run.tx.organization_id
    specialist = resolve_specialist(
        session,
        organization_id,
        reference(run, action.specialist_id, "specialist_id"),
        field=action_field(run.action_path, "specialist_id"),
    )
    service = resolve_service(
        session,
        organization_id,
        reference(run, action.service_id, "service_id"),
        field=action_field(run.action_path, "service_id"),
    )
    start = first_free_slot(
        session,
        organization_id,
        specialist.id,
        duration_minutes=service.duration_minutes,
        after=run.tx.now,
        within_days=action.within_days,
    )
    if start is None:
        raise PermanentFailure(
            f"{action_field(run.action_path, 'within_days')}: {specialist.name} has no free "
            f"{service.duration_minutes}-minute slot in their working hours in the next "
            f"{action.within_days} days"
        )
    result = book_registered_in(
        run.tx,
        run.ctx.video_rooms,
        AppointmentSource.AUTOMATION,
        patient_person_id=patient_id(run),
        service_id=service.id,
        specialist_id=specialist.id,
        start=start,
        notes=text(run, action.description, "description") if action.description else "",
        appointment_id=appointment_id,
    )
    return ActionResult("success", _booked(result.appointment))


def _booked(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": str(appointment.id),
        "specialist_id": str(appointment.specialist_id),
        "service_id": str(appointment.service_id),
        "start": appointment.started_at.isoformat(),
    }
