"""Timers the engine itself sets: an action that runs later (`delay_minutes`, the nested
action of a `schedule_action`) and the next attempt of an action that failed temporarily.

They share the durable `timers` table with the time-based triggers; their `payload.kind`
("delayed_action" or "retry_action") tells them apart, and only
`automation.delayed.run_due_delayed_actions` runs them. The payload holds everything needed to
run the action again in a fresh process: the trigger, the action as JSON, its path in the rule
and the execution it belongs to.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter

from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.ids import derived_id
from frontdesk.domain.rules import Action, ActionBase
from frontdesk.store.models import AutomationRule, Timer

TimerKind = Literal["delayed_action", "retry_action"]
ENGINE_TIMER_KINDS: frozenset[str] = frozenset({"delayed_action", "retry_action"})
PENDING = "pending"

_ACTION = TypeAdapter(Action)


def engine_timer(
    *,
    rule: AutomationRule,
    trigger: TriggerInstance,
    execution_key: str,
    execution_id: uuid.UUID,
    action_path: str,
    action: ActionBase,
    due_at: datetime,
    kind: TimerKind,
    attempt: int = 0,
) -> Timer:
    """The timer row (not yet added); its id and occurrence key derive from the execution key,
    so scheduling the same action twice finds the first timer."""
    occurrence = f"{execution_key}#{action_path}:{kind}:{attempt}"
    return Timer(
        id=derived_id(occurrence),
        organization_id=rule.organization_id,
        automation_rule_id=rule.id,
        rule_version=rule.row_version,
        subject_type=trigger.subject_type,
        subject_id=trigger.subject_id,
        occurrence_key=occurrence,
        due_at_utc=due_at,
        status=PENDING,
        payload={
            "kind": kind,
            "execution_id": str(execution_id),
            "action_path": action_path,
            "action": action.model_dump(mode="json", exclude_unset=True),
            "attempt": attempt,
            "trigger": trigger_to_json(trigger),
        },
    )


def action_from_json(document: Any) -> ActionBase:
    action: ActionBase = _ACTION.validate_python(document)
    return action


def trigger_to_json(trigger: TriggerInstance) -> dict[str, Any]:
    subject = trigger.subject
    return {
        "event_name": trigger.event_name,
        "occurred_at": trigger.occurred_at.isoformat(),
        "subject_type": trigger.subject_type,
        "subject_id": _text(trigger.subject_id),
        "subject": {name: _text(getattr(subject, name)) for name in Subject.__dataclass_fields__},
        "payload": trigger.payload,
        "event_id": _text(trigger.event_id),
        "occurrence": trigger.occurrence,
        "parent_event_id": _text(trigger.parent_event_id),
        "depth": trigger.depth,
    }


def trigger_from_json(document: dict[str, Any]) -> TriggerInstance:
    subject = Subject(**{name: _uuid(value) for name, value in document["subject"].items()})
    return TriggerInstance(
        event_name=document["event_name"],
        occurred_at=datetime.fromisoformat(document["occurred_at"]),
        subject_type=document["subject_type"],
        subject_id=_uuid(document["subject_id"]),
        subject=subject,
        payload=dict(document["payload"]),
        event_id=_uuid(document["event_id"]),
        occurrence=document["occurrence"],
        parent_event_id=_uuid(document["parent_event_id"]),
        depth=int(document["depth"]),
    )


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
