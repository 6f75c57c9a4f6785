"""What the handlers share: who the action is about, the action's references with their
templates filled in, and what a message template is rendered against."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from frontdesk.automation.handlers.base import ActionRun, PermanentFailure
from frontdesk.automation.keys import action_field
from frontdesk.domain.rules import render


def patient_id(run: ActionRun) -> uuid.UUID:
    """The patient the trigger is about: the context's patient, else the trigger's subject."""
    patient = run.context.get("patient")
    value = patient.get("id") if isinstance(patient, Mapping) else None
    if value:
        return uuid.UUID(str(value))
    if run.trigger.subject.patient_person_id is not None:
        return run.trigger.subject.patient_person_id
    raise PermanentFailure(f"{action_field(run.action_path)}: this trigger has no patient")


def context_id(run: ActionRun, entity: str) -> uuid.UUID | None:
    """The id of `entity` in the context (`patient_treatment_plan`), if it has one."""
    record = run.context.get(entity)
    value = record.get("id") if isinstance(record, Mapping) else None
    return uuid.UUID(str(value)) if value else None


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
