"""Handlers for the data-collection and communication actions: require_form, suggest_form,
request_profile_fields, send_email, send_sms, send_push and show_notification.

Every row they create takes its id from `run.row_id()` and every message carries
`run.idempotency_key`, so an occurrence that runs twice (two desks, a crash and a restart, a
replay) asks for each form and sends each message once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from frontdesk.automation.handlers.base import ActionResult, ActionRun, PermanentFailure, handles
from frontdesk.automation.handlers.support import message_context
from frontdesk.automation.keys import action_field, execution_id_for
from frontdesk.domain.enums import FormSource, MessageChannel, Role
from frontdesk.domain.errors import AlreadyExists
from frontdesk.domain.rules import render
from frontdesk.domain.rules.actions import (
    RequestProfileFields,
    RequireForm,
    SendEmail,
    SendPush,
    SendSms,
    ShowNotification,
    SuggestForm,
)
from frontdesk.services.forms import add_form
from frontdesk.services.messages import (
    MessageText,
    enqueue_message,
    find_template,
    render_message,
)
from frontdesk.services.references import resolve_form_template
from frontdesk.store.models import (
    BookingBlock,
    Membership,
    Notification,
    PatientPerson,
    Specialist,
    User,
)

PROFILE_FIELD_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "e-mail address",
    "phone": "phone number",
    "date_of_birth": "date of birth",
    "country": "country",
    "city": "city",
}


# --- helpers ---------------------------------------------------------------------------------


def _entity_id(run: ActionRun, entity: str, key: str = "id") -> uuid.UUID | None:
    record = run.context.get(entity)
    value = record.get(key) if isinstance(record, dict) else None
    return uuid.UUID(str(value)) if value else None


def _patient_id(run: ActionRun) -> uuid.UUID:
    person_id = _entity_id(run, "patient")
    if person_id is None:
        raise PermanentFailure(f"{action_field(run.action_path)}: this trigger has no patient")
    return person_id


def _patient(run: ActionRun) -> PatientPerson:
    person = run.tx.session.get(PatientPerson, _patient_id(run))
    if person is None or person.deleted_at is not None:
        # A delayed action can fire after the record was removed.
        raise PermanentFailure(f"{action_field(run.action_path)}: the patient was deleted")
    return person


def _specialist_id(run: ActionRun) -> uuid.UUID:
    """The specialist the trigger is about: the appointment's, else the plan's."""
    found = _entity_id(run, "appointment", "specialist_id") or _entity_id(
        run, "treatment_plan", "specialist_id"
    )
    if found is None:
        raise PermanentFailure(f"{action_field(run.action_path)}: this trigger has no specialist")
    return found


def _render(run: ActionRun, source: str, name: str) -> str:
    return render(source, run.context, channel="text", field=action_field(run.action_path, name))


# --- forms -----------------------------------------------------------------------------------


def _ask_for_form(run: ActionRun, reference: int | str, *, blocking: bool) -> ActionResult:
    template = resolve_form_template(
        run.tx.session,
        run.tx.organization_id,
        reference,
        field=action_field(run.action_path, "form_template_id"),
    )
    try:
        form = add_form(
            run.tx,
            template_key=template.template_key,
            patient_person_id=_patient_id(run),
            # A form asked for on an appointment trigger belongs to that appointment.
            appointment_id=_entity_id(run, "appointment"),
            source=FormSource.AUTOMATION,
            blocking=blocking,
            form_id=run.row_id(),
            automation_execution_id=execution_id_for(run.execution_key),
        )
    except AlreadyExists as exc:
        return ActionResult("skipped", {"reason": exc.message})
    return ActionResult(
        "success",
        {"form_id": str(form.id), "form_template": template.template_key, "blocking": blocking},
    )


@handles("require_form")
def require_form(run: ActionRun) -> ActionResult:
    """A blocking form: the patient cannot book until it is signed (services.blocking)."""
    action = run.action
    assert isinstance(action, RequireForm)
    return _ask_for_form(run, action.form_template_id, blocking=True)


@handles("suggest_form")
def suggest_form(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, SuggestForm)
    return _ask_for_form(run, action.form_template_id, blocking=False)


@handles("request_profile_fields")
def request_profile_fields(run: ActionRun) -> ActionResult:
    """Ask the patient for the listed profile fields they have not filled in; nothing to do
    when none is missing. `blocking` also stops booking until staff lift the block."""
    action = run.action
    assert isinstance(action, RequestProfileFields)
    person = _patient(run)
    missing = [name for name in action.fields if not getattr(person, name)]
    if not missing:
        return ActionResult("success", {"missing": []})
    listing = ", ".join(PROFILE_FIELD_LABELS[name] for name in missing)
    message = (
        _render(run, action.message, "message")
        if action.message
        else f"Please complete your profile: {listing}."
    )
    notification = _notify(
        run,
        target="patient",
        message=message,
        patient_person_id=person.id,
        priority="high" if action.blocking else "normal",
    )
    details: dict[str, Any] = {"missing": missing, "notification_id": str(notification.id)}
    if action.blocking:
        block_id = run.row_id(":block")
        if run.tx.session.get(BookingBlock, block_id) is None:
            run.tx.session.add(
                BookingBlock(
                    id=block_id,
                    organization_id=run.tx.organization_id,
                    patient_person_id=person.id,
                    reason=f"complete the profile: {listing}",
                    automation_execution_id=execution_id_for(run.execution_key),
                )
            )
        details["booking_block_id"] = str(block_id)
    return ActionResult("success", details)


# --- notifications ---------------------------------------------------------------------------


def _notify(
    run: ActionRun,
    *,
    target: str,
    message: str,
    patient_person_id: uuid.UUID | None = None,
    specialist_id: uuid.UUID | None = None,
    priority: str = "normal",
    cta_url: str | None = None,
    duration_days: int | None = None,
) -> Notification:
    notification_id = run.row_id()
    existing = run.tx.session.get(Notification, notification_id)
    if existing is not None:
        return existing
    notification = Notification(
        id=notification_id,
        organization_id=run.tx.organization_id,
        target=target,
        patient_person_id=patient_person_id,
        specialist_id=specialist_id,
        message=message,
        priority=priority,
        cta_url=cta_url,
        expires_at=run.tx.now + timedelta(days=duration_days) if duration_days else None,
        automation_execution_id=execution_id_for(run.execution_key),
    )
    run.tx.session.add(notification)
    return notification


@handles("show_notification")
def show_notification(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, ShowNotification)
    patient_id = _patient_id(run) if action.target == "patient" else None
    specialist_id = _specialist_id(run) if action.target == "specialist" else None
    notification = _notify(
        run,
        target=action.target,
        message=_render(run, action.message, "message"),
        patient_person_id=patient_id,
        specialist_id=specialist_id,
        priority=action.priority,
        cta_url=_render(run, action.cta_url, "cta_url") if action.cta_url else None,
        duration_days=action.duration_days,
    )
    return ActionResult(
        "success", {"notification_id": str(notification.id), "target": action.target}
    )


# --- messages --------------------------------------------------------------------------------


def _recipient(
    run: ActionRun, channel: MessageChannel, target: str
) -> tuple[str, uuid.UUID | None]:
    """(address, patient id when the patient is the recipient). PermanentFailure when the
    recipient has no address for the channel: retrying will not give them one."""
    session = run.tx.session
    field = action_field(run.action_path, "target")
    if target == "patient":
        person = _patient(run)
        address = _address(channel, person.email, person.phone, person.user_id)
        who, patient_id = "the patient", person.id
    elif target == "specialist":
        specialist = session.get(Specialist, _specialist_id(run))
        assert specialist is not None  # named by a foreign key; specialists are not deleted
        address = _address(channel, specialist.email, specialist.phone, specialist.user_id)
        who, patient_id = "the specialist", None
    else:
        admin = session.execute(
            select(User.email, User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organization_id == run.tx.organization_id,
                Membership.role == Role.ADMIN,
                User.is_active.is_(True),
            )
            .order_by(Membership.id)
        ).first()
        address = _address(channel, admin[0], None, admin[1]) if admin else None
        who, patient_id = "the organization's admin", None
    if not address:
        raise PermanentFailure(f"{field}: {who} has no {_ADDRESS_WORDS[channel]}")
    return address, patient_id


_ADDRESS_WORDS = {
    MessageChannel.EMAIL: "e-mail address",
    MessageChannel.SMS: "phone number",
    MessageChannel.PUSH: "account to push to",
}


def _address(
    channel: MessageChannel, email: str | None, phone: str | None, user_id: uuid.UUID | None
) -> str | None:
    if channel == MessageChannel.EMAIL:
        return email
    if channel == MessageChannel.SMS:
        return phone
    return f"user:{user_id}" if user_id else None


def _send(
    run: ActionRun,
    channel: MessageChannel,
    *,
    template_key: str | None,
    inline_body: str | None,
    inline_title: str | None,
    variables: dict[str, str],
    target: str,
) -> ActionResult:
    recipient, patient_id = _recipient(run, channel, target)
    if template_key is not None:
        text = find_template(run.tx.session, run.tx.organization_id, template_key, channel)
        field = f"message_templates.{template_key}.{channel}"
    else:
        text = MessageText("", channel, inline_title or "", inline_body or "")
        field = action_field(run.action_path)
    message = render_message(text, message_context(run, variables), field=field)
    row, _created = enqueue_message(
        run.tx,
        message_id=run.row_id(),
        channel=channel,
        recipient=recipient,
        message=message,
        idempotency_key=run.idempotency_key,
        template=template_key,
        patient_person_id=patient_id,
        automation_execution_id=execution_id_for(run.execution_key),
    )
    return ActionResult(
        "success",
        {"message_id": str(row.id), "channel": str(channel), "template": template_key},
    )


@handles("send_email")
def send_email(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, SendEmail)
    return _send(
        run,
        MessageChannel.EMAIL,
        template_key=action.email_template,
        inline_body=None,
        inline_title=None,
        variables=dict(action.variables),
        target=action.target,
    )


@handles("send_sms")
def send_sms(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, SendSms)
    return _send(
        run,
        MessageChannel.SMS,
        template_key=action.template,
        inline_body=action.message,
        inline_title=None,
        variables=dict(action.variables),
        target=action.target,
    )


@handles("send_push")
def send_push(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, SendPush)
    return _send(
        run,
        MessageChannel.PUSH,
        template_key=action.template,
        inline_body=action.message,
        inline_title=action.title,
        variables=dict(action.variables),
        target=action.target,
    )
