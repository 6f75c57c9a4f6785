"""Recent real events as dry-run samples: the rule editor's test panel lets an admin pick one
and see what a rule would have done with it, writing and sending nothing.

A sample is the event document `domain.rules.dry_run` reads, its context built from the
database exactly as the engine builds it (`build_context`). Event triggers read the `events`
journal; time-based triggers have no event row, so their samples are the occurrences recorded
in past executions' traces.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.automation.context import build_context
from frontdesk.automation.dispatcher import trigger_of
from frontdesk.automation.timer_rows import trigger_from_json
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.events import TIME_BASED_EVENTS, EventName
from frontdesk.domain.field_names import between
from frontdesk.i18n.text import T_
from frontdesk.services.access import ORGANIZATION_WIDE_ROLES
from frontdesk.services.context import ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import AutomationExecution, DomainEvent, Organization

MAX_SAMPLES = 50


@dataclass(frozen=True, slots=True)
class RecentEvent:
    label: str
    occurred_at: datetime
    document: dict[str, Any]
    """A dry-run event document: {"event", "occurred_at", "organization", "context"}."""


def recent_events(ctx: ServiceContext, trigger: str, *, limit: int = 20) -> list[RecentEvent]:
    """Up to `limit` recent occurrences of `trigger` in the organization, newest first."""
    # Samples carry whole patient records: only those who see every patient may browse them
    # (a specialist tests a rule on a built sample instead).
    if ctx.actor.role is not None and ctx.actor.role not in ORGANIZATION_WIDE_ROLES:
        raise PermissionDenied(
            T_(
                "Only an admin or the front desk can test rules on real events: test this "
                "one on a built sample."
            ),
            field="actor",
        )
    try:
        event = EventName(trigger)
    except ValueError:
        raise InvalidInput.single(
            "trigger_event", T_("“{trigger}” is not a trigger the desk knows.", trigger=trigger)
        ) from None
    if not 1 <= limit <= MAX_SAMPLES:
        raise InvalidInput.single("limit", between("limit", 1, MAX_SAMPLES))
    with ctx.sessions() as session:
        organization = session.get(Organization, ctx.organization_id)
        if organization is None:
            raise NotFound(not_found("organization"), field="organization_id")
        triggers = _recent_triggers(session, ctx.organization_id, event, limit)
        return [_sample(session, organization, t) for t in triggers]


def _recent_triggers(
    session: Session, organization_id: uuid.UUID, event: EventName, limit: int
) -> list[TriggerInstance]:
    if event not in TIME_BASED_EVENTS:
        rows = session.scalars(
            select(DomainEvent)
            .where(DomainEvent.organization_id == organization_id, DomainEvent.name == event)
            .order_by(DomainEvent.occurred_at.desc(), DomainEvent.id.desc())
            .limit(limit)
        )
        return [trigger_of(row) for row in rows]
    traces = session.scalars(
        select(AutomationExecution.trace)
        .where(
            AutomationExecution.organization_id == organization_id,
            AutomationExecution.trigger_event == event,
        )
        .order_by(AutomationExecution.executed_at.desc())
        .limit(limit)
    )
    return [trigger_from_json(trace["trigger"]) for trace in traces if "trigger" in trace]


def _sample(session: Session, organization: Organization, trigger: TriggerInstance) -> RecentEvent:
    context = build_context(session, organization, trigger)
    patient = context.get("patient") or {}
    who = patient.get("name") or trigger.subject_type
    local = trigger.occurred_at.astimezone(ZoneInfo(organization.timezone))
    return RecentEvent(
        label=f"{local:%Y-%m-%d %H:%M} · {trigger.event_name} · {who}",
        occurred_at=trigger.occurred_at,
        document={
            "event": trigger.event_name,
            "occurred_at": trigger.occurred_at.isoformat(),
            "organization": {"timezone": organization.timezone, "name": organization.name},
            "context": context,
        },
    )
