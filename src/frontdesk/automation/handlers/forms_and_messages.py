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

from frontdesk.automation.handlers.base import ActionResult, ActionRun, handles
from frontdesk.automation.handlers.support import (
    context_id,
    message_context,
    patient,
    patient_id,
    recipient,
    send,
    specialist_id,
    text,
)
from frontdesk.automation.keys import action_field, execution_id_for
from frontdesk.domain.enums import FormSource, MessageChannel
from frontdesk.domain.errors import AlreadyExists
from frontdesk.domain.rules.actions import (
    RequestProfileFields,
    RequireForm,
    SendEmail,
    SendPush,
    SendSms,
    ShowNotification,
    SuggestForm,
)
from frontdesk.services.booking_blocks import block_booking_in
from frontdesk.services.forms import add_form
from frontdesk.services.messages import MessageText
from frontdesk.services.references import resolve_form_template
from frontdesk.store.models import Notification

PROFILE_FIELD_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "e-mail address",
    "phone": "phone number",
    "date_of_birth": "date of birth",
    "country": "country",
    "city": "city",
}


# --- forms -----------------------------------------------------------------------------------


def _ask_for_form(run: ActionRun, reference: int | str, *, blocking: bool) -> ActionResult:
    # Templates do not change during a dispatch batch: each is read once per transaction.
    memo_key = ("form_template", run.tx.organization_id, reference)
    template = run.tx.memo.get(memo_key)
    if template is None:
        template = resolve_form_template(
            run.tx.session,
            run.tx.organization_id,
            reference,
            field=action_field(run.action_path, "form_template_id"),
        )
        run.tx.memo[memo_key] = template
    try:
        form = add_form(
            run.tx,
            template_key=template.template_key,
            patient_person_id=patient_id(run),
            # A form asked for on an appointment trigger belongs to that appointment.
            appointment_id=context_id(run, "appointment"),
            source=FormSource.AUTOMATION,
            blocking=blocking,
            form_id=run.row_id(),
            automation_execution_id=execution_id_for(run.execution_key),
            current_template=template,
            known_new=run.fresh,
        )
    except AlreadyExists as exc:
        return ActionResult("skipped", {"reason": exc.message})
    return ActionResult(
        "success",
        {"form_id": str(form.id), "form_template": template.template_key, "blocking": blocking},
    )


@handles("require_form", inserts_now=True)
def require_form(run: ActionRun) -> ActionResult:
    """A blocking form: the patient cannot book until it is signed (services.blocking)."""
    action = run.action
    assert isinstance(action, RequireForm)
    return _ask_for_form(run, action.form_template_id, blocking=True)


@handles("suggest_form", inserts_now=True)
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
    person = patient(run)
    missing = [name for name in action.fields if not getattr(person, name)]
    if not missing:
        return ActionResult("success", {"missing": []})
    listing = ", ".join(PROFILE_FIELD_LABELS[name] for name in missing)
    message = (
        text(run, action.message, "message")
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
        block = block_booking_in(
            run.tx,
            person.id,
            f"complete the profile: {listing}",
            block_id=run.row_id(":block"),
            automation_execution_id=execution_id_for(run.execution_key),
        )
        details["booking_block_id"] = str(block.id)
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
    existing = None if run.fresh else run.tx.session.get(Notification, notification_id)
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
    if run.fresh:
        run.tx.add_later(notification)
    else:
        run.tx.session.add(notification)
    return notification


@handles("show_notification", writes_at_commit=True)
def show_notification(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, ShowNotification)
    notification = _notify(
        run,
        target=action.target,
        message=text(run, action.message, "message"),
        patient_person_id=patient_id(run) if action.target == "patient" else None,
        specialist_id=specialist_id(run) if action.target == "specialist" else None,
        priority=action.priority,
        cta_url=text(run, action.cta_url, "cta_url") if action.cta_url else None,
        duration_days=action.duration_days,
    )
    return ActionResult(
        "success", {"notification_id": str(notification.id), "target": action.target}
    )


# --- messages --------------------------------------------------------------------------------


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
    to = recipient(run, channel, target)
    row = send(
        run,
        channel,
        to=to,
        template_key=template_key,
        inline=MessageText("", channel, inline_title or "", inline_body or ""),
        inline_field=action_field(run.action_path),
        context=message_context(run, variables),
    )
    return ActionResult(
        "success",
        {"message_id": str(row.id), "channel": str(channel), "template": template_key},
    )


@handles("send_email", writes_at_commit=True)
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


@handles("send_sms", writes_at_commit=True)
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


@handles("send_push", writes_at_commit=True)
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
