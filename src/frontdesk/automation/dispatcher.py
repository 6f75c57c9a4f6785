"""The dispatcher: pending domain events → the rules of their trigger → executions.

`dispatch_pending` takes the oldest pending events (transactional outbox: each was written in
the transaction of the change it describes), maps each to a TriggerInstance, builds its
context once, evaluates the conditions of every enabled rule of its trigger in memory, and
executes the rules that match. All rules of one event see the state as it was when the event
was dispatched, whatever order they run in.

Up to EVENTS_PER_TRANSACTION events of one organization, as many as fit in
SECONDS_PER_TRANSACTION, share one transaction: their
contexts are read in it, each execution runs in a savepoint of its own (`engine.execute_in`:
a failed one leaves nothing, the others keep theirs), and the events are marked `dispatched`
in it too. A crash rolls the whole batch back and leaves its events pending; the next run
executes them again, and the executions' UNIQUE keys make sure nothing runs twice.

Loop guard: events caused by actions carry their parent and depth. An event deeper than
MAX_DEPTH whose trigger has matching rules is not run: it is marked `loop_stopped` and an admin
alert names the chain of rules that led to it. A rule firing far above its usual rate is paused
for a while, with one alert (`automation.rate_guard`).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session, defer

from frontdesk.automation.context import build_context
from frontdesk.automation.engine import BatchLedger, engine_context, execute_in
from frontdesk.automation.rate_guard import WINDOW, RateGuard, guard_for, limit_for
from frontdesk.automation.rule_cache import LoadedRule, RuleCache, cache_for
from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.enums import AlertKind
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import EvaluationResult, evaluate
from frontdesk.i18n.text import T_
from frontdesk.services.alerts import raise_alert
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationExecution, AutomationRule, DomainEvent, Organization
from frontdesk.store.unit_of_work import UnitOfWork

MAX_DEPTH = 5
# Events per dispatch transaction. A commit costs far more than a savepoint, so executions
# are grouped; both bounds keep SQLite's write lock short for the desk's own writes, which
# wait for it: a batch takes no new event once it has held the lock this long.
EVENTS_PER_TRANSACTION = 200
SECONDS_PER_TRANSACTION = 0.25
PENDING, DISPATCHED, LOOP_STOPPED = "pending", "dispatched", "loop_stopped"
# A rule whose conditions hold for an event, with how they were judged (None: unreadable).
Match = tuple[LoadedRule, EvaluationResult | None]
TRIGGER_NAMES = frozenset(name.value for name in EventName)
WINDOW_MINUTES = int(WINDOW.total_seconds() // 60)

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
    # Matching rules not run because they fired far above their usual rate (`rate_guard`).
    rate_limited: int = 0


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
    queue = deque(events)
    while queue:
        _dispatch_batch(ctx, cache, organizations, queue, report)
    return report


def _batch_of(queue: deque[DomainEvent], deadline: float) -> Iterator[DomainEvent]:
    """Takes the batch's events off the queue as it goes: consecutive events of the first
    one's organization (the order of events is kept), at most EVENTS_PER_TRANSACTION, and
    none after `deadline` (time.monotonic) but the first."""
    organization_id = queue[0].organization_id
    for taken in range(EVENTS_PER_TRANSACTION):
        if not queue or queue[0].organization_id != organization_id:
            return
        if taken and time.monotonic() > deadline:
            return
        yield queue.popleft()


def _dispatch_batch(
    ctx: ServiceContext,
    cache: RuleCache,
    organizations: dict[uuid.UUID, Organization],
    queue: deque[DomainEvent],
    report: DispatchReport,
) -> None:
    """One transaction for the next events of the queue (`_batch_of`): contexts read in it
    (so handlers find the patient in the session), each execution in a savepoint, and the
    events marked with it — a crash leaves them pending, and their rerun skips nothing and
    creates nothing twice."""
    org_id = queue[0].organization_id
    engine = engine_context(ctx, org_id)
    finished: list[uuid.UUID] = []
    ledger = BatchLedger()
    with engine.transaction() as tx, _keeping_loaded(tx.session):
        # The write lock from the start: the "ran already?" checks below hold until commit.
        tx.lock_for_writing()
        deadline = time.monotonic() + SECONDS_PER_TRANSACTION
        session = tx.session
        if org_id not in organizations:
            cache.refresh(session, org_id)
            found = session.get(Organization, org_id)
            assert found is not None  # the event's foreign key guarantees it
            organizations[org_id] = found
        for event in _batch_of(queue, deadline):
            report.events += 1
            matched, trigger, context = _matching_rules(
                session, cache, organizations[org_id], event
            )
            if matched and event.depth > MAX_DEPTH:
                with tx.savepoint():
                    _stop_loop(tx, event, [rule for rule, _ in matched])
                report.loop_stopped += 1
                continue
            if matched:
                # Both are set whenever a rule matched.
                assert trigger is not None
                assert context is not None
                _execute_matched(engine, tx, ledger, matched, trigger, context, report)
            finished.append(event.id)
        ledger.write(tx)
        if finished:
            session.execute(
                update(DomainEvent).where(DomainEvent.id.in_(finished)).values(status=DISPATCHED)
            )
    # Committed: only now do the batch's executions count against their rules' rates.
    guard_for(ctx.sessions).record(ledger.runs, engine.clock.now(), ledger.pausing)


@contextmanager
def _keeping_loaded(session: Session) -> Iterator[None]:
    """Hold every object the block loads. A session keeps unmodified objects only weakly, so
    the patient read for a context would be gone by the time a handler asks for it again, and
    `session.get` would read it once more."""
    loaded: list[object] = []

    def keep(_session: Session, instance: object) -> None:
        loaded.append(instance)

    orm_events.listen(session, "loaded_as_persistent", keep)
    try:
        yield
    finally:
        orm_events.remove(session, "loaded_as_persistent", keep)


def _execute_matched(
    engine: ServiceContext,
    tx: UnitOfWork,
    ledger: BatchLedger,
    matched: list[Match],
    trigger: TriggerInstance,
    context: dict[str, Any],
    report: DispatchReport,
) -> None:
    keys = {rule.id: trigger.execution_key(rule.id) for rule, _ in matched}
    ran = load_rules_and_run_keys(tx.session, keys)
    to_run = [(rule, verdict) for rule, verdict in matched if keys[rule.id] not in ran]
    report.already_run += len(matched) - len(to_run)
    guard = guard_for(engine.sessions)
    for rule, verdict in to_run:
        if not _within_rate(tx, guard, ledger, rule):
            report.rate_limited += 1
            continue
        done = execute_in(
            engine, tx, rule, trigger, context, checked=True, ledger=ledger, verdict=verdict
        )
        if done is None:
            report.already_run += 1
        else:
            report.executions += 1


def _within_rate(tx: UnitOfWork, guard: RateGuard, ledger: BatchLedger, rule: LoadedRule) -> bool:
    """Whether the rule is within its rate (`rate_guard`); if not, the first refusal of a
    pause raises a critical loop-guard alert."""
    row = tx.session.get(AutomationRule, rule.id)
    if row is None or guard.allows(row, tx.now, ledger.runs[rule.id]):
        return True  # a vanished rule is refused by `execute_in` itself
    if rule.id not in ledger.pausing and not guard.is_paused(rule.id, tx.now):
        ledger.pausing[rule.id] = tx.now
        with tx.savepoint():
            raise_alert(
                tx,
                kind=AlertKind.LOOP_GUARD,
                severity="critical",
                title=T_("Automation paused: {rule} fires far above its usual rate", rule=row.name),
                body=T_(
                    "The automation {rule} ran {count} times within {minutes} minutes, far "
                    "above its usual rate, so it is paused until that window has room again; "
                    "the events meanwhile do not run it. Check what is sending it so many "
                    "events.",
                    rule=row.name,
                    count=limit_for(row, tx.now),
                    minutes=WINDOW_MINUTES,
                ),
                subject_type="automation_rule",
                subject_id=rule.id,
                details={"rule": row.name, "limit": limit_for(row, tx.now)},
            )
    return False


def load_rules_and_run_keys(session: Session, keys: dict[uuid.UUID, str]) -> set[str]:
    """Which of these execution keys (by rule id) have an execution already, reading the
    rules' rows into the session in the same query (`execute_in` then finds them there
    instead of reading them one by one): one round trip per event, not two."""
    rows = session.execute(_rules_statement(), {"ids": list(keys), "keys": list(keys.values())})
    return {keys[rule.id] for rule, ran in rows if ran}


@cache
def _rules_statement() -> Select[AutomationRule, bool]:
    # Built once: the dispatcher asks for every event that matched. The correlated EXISTS
    # looks each key up in the execution keys' UNIQUE index.
    executions = AutomationExecution.__table__
    ran = (
        select(executions.c.id)
        .where(executions.c.execution_key.in_(bindparam("keys", expanding=True)))
        .where(executions.c.automation_rule_id == AutomationRule.id)
        .exists()
    )
    # The rule's documents are not read: the engine runs the cache's parsed copy, and a row
    # whose version the cache does not know loads them when the cache asks.
    documents = [
        defer(column)
        for column in (
            AutomationRule.trigger_config,
            AutomationRule.conditions,
            AutomationRule.actions,
            AutomationRule.definition,
        )
    ]
    return (
        select(AutomationRule, ran)
        .where(AutomationRule.id.in_(bindparam("ids", expanding=True)))
        .options(*documents)
    )


def _matching_rules(
    session: Session, cache: RuleCache, organization: Organization, event: DomainEvent
) -> tuple[list[Match], TriggerInstance | None, dict[str, Any] | None]:
    if event.name not in TRIGGER_NAMES:
        return [], None, None
    rules = cache.rules_for(organization.id, event.name)
    if rules is None:
        return [], None, None
    trigger = trigger_of(event)
    context = build_context(session, organization, trigger)
    matched: list[Match] = []
    for rule in rules.candidates(context):
        if rule.definition is None:
            # An unreadable rule "matches" so that its failure is recorded where it would run.
            matched.append((rule, None))
            continue
        verdict = evaluate(rule.definition.conditions, context)
        if verdict.matched:
            matched.append((rule, verdict))
    return matched, trigger, context


def _stop_loop(tx: UnitOfWork, event: DomainEvent, matched: list[LoadedRule]) -> None:
    chain = _rule_chain(tx.session, event)
    names = [*chain, *(rule.name for rule in matched)]
    raise_alert(
        tx,
        kind=AlertKind.LOOP_GUARD,
        severity="critical",
        title=T_("Automation loop stopped: {chain}", chain=" → ".join(names)),
        body=T_(
            "The event {event} is {depth} steps down a chain of automations (the limit is "
            "{limit}), so the automations it would start did not run: {rules}. Check whether "
            "these automations trigger each other.",
            event=event.name,
            depth=event.depth,
            limit=MAX_DEPTH,
            rules=", ".join(rule.name for rule in matched),
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
