"""Arranging and reading the durable-timer tests: time-based rules, a recording executor,
the timers table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from frontdesk.automation.timers import FiringSummary, fire_due_timers, reconcile_timers
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule, Timer
from tests.support.automation import engine_ctx, insert_rule
from tests.support.clinic import Clinic

NOTIFY = {"type": "show_notification", "message": "Hello {{patient.first_name}}"}


@dataclass
class RecordingExecutor:
    """Stands in for the dispatcher's `execute`: remembers what it was asked to run."""

    calls: list[tuple[uuid.UUID, TriggerInstance]] = field(default_factory=list)

    def __call__(self, ctx: ServiceContext, rule: AutomationRule, trigger: TriggerInstance) -> None:
        self.calls.append((rule.id, trigger))

    @property
    def occurrences(self) -> list[tuple[str | None, uuid.UUID | None]]:
        return [(t.occurrence, t.subject_id) for _, t in self.calls]


def time_rule(clinic: Clinic, trigger: str, config: dict[str, Any], **extra: Any) -> uuid.UUID:
    """An enabled time-based rule showing a notification."""
    document = {
        "name": f"{trigger} {config}",
        "trigger_event": trigger,
        "trigger_config": config,
        "actions": [NOTIFY],
        **extra,
    }
    return insert_rule(clinic, document)


def reconcile(clinic: Clinic, now: datetime | None = None) -> None:
    reconcile_timers(engine_ctx(clinic), now or clinic.clock.now())


def fire(clinic: Clinic, executor: RecordingExecutor, now: datetime | None = None) -> FiringSummary:
    return fire_due_timers(engine_ctx(clinic), now or clinic.clock.now(), executor)


def sweep(clinic: Clinic, executor: RecordingExecutor) -> FiringSummary:
    """Reconcile then fire at the clinic's clock, as the runner's sweep does."""
    reconcile(clinic)
    return fire(clinic, executor)


def timers(clinic: Clinic, *, status: str | None = None) -> list[Timer]:
    query = select(Timer).where(Timer.payload["kind"].as_string() == "trigger")
    if status is not None:
        query = query.where(Timer.status == status)
    with clinic.ctx.sessions() as session:
        return list(session.scalars(query.order_by(Timer.due_at_utc, Timer.id)))


def pending(clinic: Clinic) -> list[tuple[uuid.UUID, datetime]]:
    """(rule, due) of the pending timers."""
    return [(t.automation_rule_id, t.due_at_utc) for t in timers(clinic, status="pending")]


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
