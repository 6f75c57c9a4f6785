"""Dry run: a rule evaluated against a sample event, writing and sending nothing. What
`frontdesk rules dry-run FILE --event EVENT.json --json` prints.

The event document:
    {"event": "appointment.first_booked", "occurred_at": "2026-11-22T09:00:00+02:00",
     "organization": {"timezone": "Europe/Bucharest"}, "context": {"patient": {...}, ...}}
(`organization` defaults to UTC; `context` to nothing.) The result:
    {"rule", "event", "matched", "conditions": [{"path", "op", "expected", "actual", "result"}],
     "actions": [{"index", "type", "status", "rendered", "conditions", "runs_at"[, "error"]}]}

An action "would_run" when the rule matched and its own conditions hold; otherwise it is
"skipped". A would-be-run action whose templates cannot be filled from the sample (a value is
missing) is reported as "error" with the reason, since that is what would happen for real.
`rendered` is the action's fields as written with templates filled; a scheduled action shows
its nested action, whose conditions are checked only when it fires. `runs_at` is
when the action — for `schedule_action`, its nested action — would run, in local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from frontdesk.domain.clock import zone
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.events import EventName
from frontdesk.domain.rules.actions import ActionBase, ScheduleAction
from frontdesk.domain.rules.conditions import evaluate
from frontdesk.domain.rules.context import derive_context
from frontdesk.domain.rules.errors import TemplateFailed
from frontdesk.domain.rules.paths import field_errors
from frontdesk.domain.rules.schema import RuleDefinition


class SampleOrganization(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    timezone: str = "UTC"


class SampleEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    event: str
    occurred_at: AwareDatetime
    organization: SampleOrganization = Field(default_factory=SampleOrganization)
    context: dict[str, Any] = Field(default_factory=dict)


def parse_event(document: object) -> SampleEvent:
    """An event document, or InvalidInput naming each bad key (`occurred_at`, …)."""
    try:
        return SampleEvent.model_validate(document)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, root="event")) from None


def dry_run(rule: RuleDefinition, event: Mapping[str, Any] | SampleEvent) -> dict[str, Any]:
    """The evaluation of `rule` for `event`, as the CLI prints it."""
    sample = event if isinstance(event, SampleEvent) else parse_event(event)
    if sample.event != rule.trigger_event.value:
        known = sample.event in {e.value for e in EventName}
        reason = f"the rule listens to {rule.trigger_event.value}, not {sample.event}"
        raise InvalidInput.single("event", reason if known else f"unknown event {sample.event!r}")
    tz = zone(sample.organization.timezone, field="organization.timezone")
    organization = sample.organization.model_dump()
    context = derive_context(
        sample.context, now=sample.occurred_at, tz=tz, organization=organization
    )
    verdict = evaluate(rule.conditions, context)
    local_now = sample.occurred_at.astimezone(tz)
    return {
        "rule": rule.name,
        "event": rule.trigger_event.value,
        "matched": verdict.matched,
        "conditions": [check.to_json() for check in verdict.checks],
        "actions": [
            _action_entry(index, action, context, verdict.matched, local_now)
            for index, action in enumerate(rule.actions)
        ],
    }


def _action_entry(
    index: int,
    action: ActionBase,
    context: Mapping[str, Any],
    rule_matched: bool,
    local_now: datetime,
) -> dict[str, Any]:
    own = evaluate(action.conditions, context)
    entry: dict[str, Any] = {
        "index": index,
        "type": action.type,
        "status": "would_run" if rule_matched and own.matched else "skipped",
        "rendered": {},
        "conditions": [check.to_json() for check in own.checks],
        "runs_at": (local_now + timedelta(minutes=_minutes_until_run(action))).isoformat(),
    }
    try:
        entry["rendered"] = action.rendered(context, field=f"actions[{index}]")
    except TemplateFailed as exc:
        entry["error"] = str(exc)
        if entry["status"] == "would_run":
            entry["status"] = "error"
    return entry


def _minutes_until_run(action: ActionBase) -> int:
    if isinstance(action, ScheduleAction):
        return action.schedule_delay_minutes + _minutes_until_run(action.action)
    return action.delay_minutes
