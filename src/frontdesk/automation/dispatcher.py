"""The dispatcher: pending domain events → the rules of their trigger → executions.

`dispatch_pending` takes the oldest pending events (transactional outbox: each was written in
the transaction of the change it describes), maps each to a TriggerInstance, builds its
context once, evaluates the conditions of every enabled rule of its trigger in memory, and
executes the rules that match, each in its own transaction (`engine.execute`). All rules of
one event see the state as it was when the event was dispatched, whatever order they run in.

Events are marked `dispatched` at the end of the batch. A crash before that leaves them
pending; the next batch runs them again and the executions' UNIQUE keys skip what already ran.

Loop guard: events caused by actions carry their parent and depth. An event deeper than
MAX_DEPTH whose trigger has matching rules is not run: it is marked `loop_stopped` and an admin
alert names the chain of rules that led to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from frontdesk.automation.context import build_context
from frontdesk.automation.engine import engine_context, execute
from frontdesk.automation.rule_cache import LoadedRule, RuleCache, cache_for
from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.enums import AlertKind
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import evaluate
from frontdesk.services.alerts import raise_alert
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationExecution, AutomationRule, DomainEvent, Organization

MAX_DEPTH = 5
PENDING, DISPATCHED, LOOP_STOPPED = "pending", "dispatched", "loop_stopped"
TRIGGER_NAMES = frozenset(name.value for name in EventName)

# Which Subject field an event's subject fills, and the payload keys that name the others.
_SUBJECT_FIELD = {
    "patient": "patient_person_id",
    "patient_person": "patient_person_id",
    "appointment": "appointment_id",
    "form": "form_id",
    "service_plan_enrolment": "service_plan_enrolment_id",
    "patient_service_plan": "service_plan_enrolment_id",
    "treatment_plan": "treatment_plan_id",
    "patient_treatment_plan": "patient_treatment_plan_id",
}
_PAYLOAD_KEYS = {
    "patient_person_id": ("patient_person_id",),
    "appointment_id": ("appointment_id",),
    "form_id": ("form_id",),
    "service_plan_enrolment_id": ("service_plan_enrolment_id", "patient_service_plan_id"),
    "treatment_plan_id": ("treatment_plan_id",),
    "patient_treatment_plan_id": ("patient_treatment_plan_id",),
}


@dataclass
class DispatchReport:
    events: int = 0
    executions: int = 0
    # Matching rules whose occurrence had run already (a re-dispatch after a crash).
    already_run: int = 0
    loop_stopped: int = 0


def trigger_of(event: DomainEvent) -> TriggerInstance:
    """The trigger occurrence an event row stands for."""
    ids: dict[str, uuid.UUID | None] = {}
    for name, keys in _PAYLOAD_KEYS.items():
        value = next((event.payload[k] for k in keys if event.payload.get(k)), None)
        ids[name] = uuid.UUID(str(value)) if value else None
    own = _SUBJECT_FIELD.get(event.subject_type)
    if own is not None:
        ids[own] = event.subject_id
    return TriggerInstance(
        event_name=event.name,
        occurred_at=event.occurred_at,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        subject=Subject(**ids),
        payload=dict(event.payload),
        event_id=event.id,
        parent_event_id=event.parent_event_id,
        depth=event.depth,
    )


def dispatch_pending(ctx: ServiceContext, *, limit: int = 500) -> DispatchReport:
    """Run the rules of up to `limit` pending events, oldest first (any organization: each
    runs as that organization's automation engine)."""
    cache = cache_for(ctx.sessions)
    report = DispatchReport()
    with ctx.sessions() as session:
        events = session.scalars(
            select(DomainEvent)
            .where(DomainEvent.status == PENDING)
            .order_by(DomainEvent.occurred_at, DomainEvent.id)
            .limit(limit)
        ).all()
    organizations: dict[uuid.UUID, Organization] = {}
    finished: list[uuid.UUID] = []
    for event in events:
        report.events += 1
        matched, trigger, context = _matching_rules(ctx, cache, organizations, event)
        if matched and event.depth > MAX_DEPTH:
            _stop_loop(ctx, event, matched)
            report.loop_stopped += 1
            continue
        for rule in matched:
            # Both are set whenever a rule matched.
            assert trigger is not None
            assert context is not None
            if execute(ctx, rule, trigger, context=context) is None:
                report.already_run += 1
            else:
                report.executions += 1
        finished.append(event.id)
    if finished:
        with ctx.sessions.begin() as session:
            session.execute(
                update(DomainEvent).where(DomainEvent.id.in_(finished)).values(status=DISPATCHED)
            )
    return report


def _matching_rules(
    ctx: ServiceContext,
    cache: RuleCache,
    organizations: dict[uuid.UUID, Organization],
    event: DomainEvent,
) -> tuple[list[LoadedRule], TriggerInstance | None, dict[str, Any] | None]:
    if event.name not in TRIGGER_NAMES:
        return [], None, None
    org_id = event.organization_id
    with ctx.sessions() as session:
        if org_id not in organizations:
            cache.refresh(session, org_id)
            found = session.get(Organization, org_id)
            assert found is not None  # the event's foreign key guarantees it
            organizations[org_id] = found
        rules = cache.rules_for(org_id, event.name)
        if rules is None:
            return [], None, None
        trigger = trigger_of(event)
        context = build_context(session, organizations[org_id], trigger)
    matched = [
        rule
        for rule in rules.candidates(context)
        # An unreadable rule "matches" so that its failure is recorded where it would run.
        if rule.definition is None or evaluate(rule.definition.conditions, context).matched
    ]
    return matched, trigger, context


def _stop_loop(ctx: ServiceContext, event: DomainEvent, matched: list[LoadedRule]) -> None:
    engine = engine_context(ctx, event.organization_id)
    with engine.transaction() as tx:
        chain = _rule_chain(tx.session, event)
        names = [*chain, *(rule.name for rule in matched)]
        raise_alert(
            tx,
            kind=AlertKind.LOOP_GUARD,
            severity="critical",
            title="Automation loop stopped: " + " → ".join(names),
            body=(
                f"The event {event.name} is {event.depth} steps down a chain of automations "
                f"(the limit is {MAX_DEPTH}), so the rules it would start did not run: "
                + ", ".join(rule.name for rule in matched)
                + ". Check whether these rules trigger each other."
            ),
            subject_type="event",
            subject_id=event.id,
            details={"rule_chain": names, "event": event.name, "depth": event.depth},
        )
        tx.session.execute(
            update(DomainEvent).where(DomainEvent.id == event.id).values(status=LOOP_STOPPED)
        )


def _rule_chain(session: Any, event: DomainEvent) -> list[str]:
    """The names of the rules whose actions led to `event`, first one first."""
    names: list[str] = []
    parent_id = event.parent_event_id
    while parent_id is not None:
        rule_names = session.scalars(
            select(AutomationRule.name)
            .join(AutomationExecution, AutomationExecution.automation_rule_id == AutomationRule.id)
            .where(AutomationExecution.event_id == parent_id)
            .order_by(AutomationRule.name)
        ).all()
        names[:0] = [" + ".join(rule_names) or "?"]
        parent_id = session.scalar(
            select(DomainEvent.parent_event_id).where(DomainEvent.id == parent_id)
        )
    return names
