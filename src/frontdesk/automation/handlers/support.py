"""What the handlers share: who the action is about, the action's references with their
templates filled in, what a message template is rendered against, and how a message finds its
recipient and is queued."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from frontdesk.automation.handlers.base import ActionRun, PermanentFailure
from frontdesk.automation.keys import action_field, execution_id_for
from frontdesk.domain.enums import MessageChannel, Role
from frontdesk.domain.rules import render
from frontdesk.services.message_language import recipient_language
from frontdesk.services.messages import MessageText, enqueue_message, find_template, render_message
from frontdesk.store.models import (
    Membership,
    Organization,
    OutboundMessage,
    PatientPerson,
    Specialist,
    User,
)


def patient_id(run: ActionRun) -> uuid.UUID:
    """The patient the trigger is about: the context's patient, else the trigger's subject."""
    patient = run.context.get("patient")
    value = patient.get("id") if isinstance(patient, Mapping) else None
    if value:
        return uuid.UUID(str(value))
    if run.trigger.subject.patient_person_id is not None:
        return run.trigger.subject.patient_person_id
    raise PermanentFailure(f"{action_field(run.action_path)}: this trigger has no patient")


def context_id(run: ActionRun, entity: str, key: str = "id") -> uuid.UUID | None:
    """The id of `entity` in the context (`patient_treatment_plan`), if it has one; `key`
    reads another id of it (`appointment.specialist_id`)."""
    record = run.context.get(entity)
    value = record.get(key) if isinstance(record, Mapping) else None
    return uuid.UUID(str(value)) if value else None


def patient(run: ActionRun) -> PatientPerson:
    """The patient the trigger is about (`patient_id`), still on record."""
    person = run.tx.session.get(PatientPerson, patient_id(run))
    if person is None or person.deleted_at is not None:
        # A delayed action can fire after the record was removed.
        raise PermanentFailure(f"{action_field(run.action_path)}: the patient was deleted")
    return person


def specialist_id(run: ActionRun) -> uuid.UUID:
    """The specialist the trigger is about: the appointment's, else the plan's."""
    found = context_id(run, "appointment", "specialist_id") or context_id(
        run, "treatment_plan", "specialist_id"
    )
    if found is None:
        raise PermanentFailure(f"{action_field(run.action_path)}: this trigger has no specialist")
    return found


def text(run: ActionRun, source: str, name: str) -> str:
    """A template field of the action, filled from the context as plain text."""
    return render(source, run.context, channel="text", field=action_field(run.action_path, name))


def reference(run: ActionRun, value: int | str, name: str) -> int | str:
    """A reference as written (15, a UUID, a name) or, when it is a template such as
    "{{treatment_plan.specialist_id}}", as it renders; a rendered whole number is a short
    reference number. PermanentFailure when the template renders nothing (the record it
    reads does not name one)."""
    if not isinstance(value, str) or "{{" not in value:
        return value
    rendered = text(run, value, name).strip()
    if not rendered:
        raise PermanentFailure(
            f"{action_field(run.action_path, name)}: {value} is empty for this trigger"
        )
    return int(rendered) if rendered.isdigit() else rendered


def message_context(run: ActionRun, variables: Mapping[str, str]) -> dict[str, Any]:
    """What a message template sees: the rule's context, the action's `variables` rendered
    as plain text, by name and as `variables.x`. A variable wins over a context entry of the
    same name: example 4's `"time": "{{appointment.started_at}}"` is the appointment's time
    in the message, not the context's `time` values."""
    filled = {name: text(run, source, f"variables.{name}") for name, source in variables.items()}
    return {**run.context, **filled, "variables": filled}


# --- messages --------------------------------------------------------------------------------

_ADDRESS_WORDS = {
    MessageChannel.EMAIL: "e-mail address",
    MessageChannel.SMS: "phone number",
    MessageChannel.PUSH: "app account to push to",
}


def address(
    channel: MessageChannel, email: str | None, phone: str | None, app: str | None
) -> str | None:
    """Where a message on `channel` goes: the e-mail, the phone, or the app account (push)."""
    if channel == MessageChannel.EMAIL:
        return email
    if channel == MessageChannel.SMS:
        return phone
    return app


def _staff_app(user_id: uuid.UUID | None) -> str | None:
    return f"user:{user_id}" if user_id else None


def _patient_app(person: PatientPerson) -> str | None:
    """A patient's app is named by their record here: a desk never knows the account behind
    it (the server does, and delivers to it)."""
    asked = person.account_requested_at is not None or person.user_id is not None
    return f"person:{person.id}" if asked else None


def recipient(
    run: ActionRun, channel: MessageChannel, target: str, *, field_name: str = "target"
) -> tuple[str, uuid.UUID | None]:
    """(address, patient id when the patient is the recipient) of `target` (patient,
    specialist or admin). PermanentFailure naming the action's `field_name` when the recipient
    has no address for the channel: retrying will not give them one."""
    session = run.tx.session
    if target == "patient":
        person = patient(run)
        found = address(channel, person.email, person.phone, _patient_app(person))
        who, person_id = "the patient", person.id
    elif target == "specialist":
        specialist = session.get(Specialist, specialist_id(run))
        assert specialist is not None  # named by a foreign key; specialists are not deleted
        found = address(channel, specialist.email, specialist.phone, _staff_app(specialist.user_id))
        who, person_id = "the specialist", None
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
        found = address(channel, admin[0], None, _staff_app(admin[1])) if admin else None
        who, person_id = "the organization's admin", None
    if not found:
        field = action_field(run.action_path, field_name)
        raise PermanentFailure(f"{field}: {who} has no {_ADDRESS_WORDS[channel]}")
    return found, person_id


def language(run: ActionRun, person_id: uuid.UUID | None) -> str:
    """The language a message to the patient `person_id` (None: to the staff) is written in:
    the patient's, else the organization's (`message_language`)."""
    session = run.tx.session
    person = session.get(PatientPerson, person_id) if person_id is not None else None
    organization = session.get(Organization, run.tx.organization_id)
    return recipient_language(
        patient_country=person.country if person is not None else None,
        organization_country=organization.country if organization is not None else None,
    )


def send(
    run: ActionRun,
    channel: MessageChannel,
    *,
    to: tuple[str, uuid.UUID | None],
    template_key: str | None,
    inline: MessageText,
    inline_field: str,
    context: Mapping[str, Any],
) -> OutboundMessage:
    """Queue one message to `to` (`recipient`): the organization's `template_key` for the
    channel in the recipient's `language`, else the `inline` wording (errors in it name
    `inline_field`), rendered against `context`, with the run's row id and idempotency key so
    a rerun sends it once."""
    if template_key is not None:
        written_in = language(run, to[1])
        memo_key = ("message_template", run.tx.organization_id, template_key, channel, written_in)
        wording = run.tx.memo.get(memo_key)
        if wording is None:
            wording = find_template(
                run.tx.session, run.tx.organization_id, template_key, channel, written_in
            )
            run.tx.memo[memo_key] = wording
        field = f"message_templates.{template_key}.{channel}"
    else:
        wording, field = inline, inline_field
    message = render_message(wording, context, field=field)
    row, _created = enqueue_message(
        run.tx,
        message_id=run.row_id(),
        channel=channel,
        recipient=to[0],
        message=message,
        idempotency_key=run.idempotency_key,
        template=template_key,
        patient_person_id=to[1],
        automation_execution_id=execution_id_for(run.execution_key),
        known_new=run.fresh,
    )
    return row
