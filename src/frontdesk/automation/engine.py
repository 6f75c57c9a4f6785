"""Running one rule for one trigger occurrence: `execute(ctx, rule, trigger)` in a
transaction of its own, or `execute_in(ctx, tx, ...)` in a savepoint of the dispatcher's batch
transaction (committing once for many executions is what makes the engine fast on SQLite).

An execution is atomic either way, and its events carry the trigger's event as parent and its
depth + 1 (for the loop guard). In it: the execution row under its UNIQUE key (an occurrence
that ran already is skipped), the conditions and their trace, the actions in order, the rule's
counters, an `automation.executed` analytics event and an audit entry. If the process dies
half-way, the transaction rolls back, and running it again creates everything once.

Each action runs inside a savepoint: a failed action leaves none of its writes, and the
others keep theirs. In a dispatch batch, fresh executions and their actions that only queue
rows for the commit or insert new rows at once use in-memory savepoints
(`UnitOfWork.savepoint(in_memory=True)`: no SQL SAVEPOINT). An
action with `delay_minutes`, or the nested action of a `schedule_action`, becomes a timer
(status "scheduled"); an action that fails temporarily gets a timer for its next attempt
(status "retrying") — see `automation.delayed`.

Outcome: `success` when nothing failed, `failure` when something failed and nothing worked,
`partial_failure` otherwise. With `on_failure: "stop"` the actions after a failed one are
recorded as skipped.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from frontdesk.automation.context import build_context
from frontdesk.automation.handlers.base import (
    HANDLERS,
    INSERTS_NOW,
    WRITES_AT_COMMIT,
    ActionResult,
    ActionRun,
    PermanentFailure,
    TemporaryFailure,
)
from frontdesk.automation.handlers.registry import load_all
from frontdesk.automation.keys import action_field, execution_id_for
from frontdesk.automation.redaction import redacted_check, redacted_rendering
from frontdesk.automation.rule_cache import LoadedRule, cache_for
from frontdesk.automation.template_alerts import alert_template_over_limit
from frontdesk.automation.timer_rows import TimerKind, engine_timer, trigger_to_json
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.domain.errors import DomainError
from frontdesk.domain.ids import new_id
from frontdesk.domain.rules import (
    ActionBase,
    EvaluationResult,
    ScheduleAction,
    TemplateOverLimit,
    evaluate,
)
from frontdesk.services.context import ServiceContext
from frontdesk.store.base import utcnow
from frontdesk.store.models import (
    AnalyticsEvent,
    AuditEntry,
    AutomationExecution,
    AutomationRule,
    Organization,
    Timer,
)
from frontdesk.store.unit_of_work import Actor, UnitOfWork, insert_statement, to_json_value

ENGINE_ACTOR = Actor.system("automation")
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
FAILED_STATUSES = frozenset({"failed", "retrying"})
WORKED_STATUSES = frozenset({"success", "scheduled"})

load_all()


def engine_context(ctx: ServiceContext, organization_id: uuid.UUID) -> ServiceContext:
    """`ctx` acting as the automation engine for one organization."""
    return replace(ctx, organization_id=organization_id, actor=ENGINE_ACTOR)


def open_transaction(ctx: ServiceContext, trigger: TriggerInstance) -> UnitOfWork:
    """The transaction of work caused by `trigger`: events emitted in it carry the trigger's
    event as parent, one level deeper (the loop guard reads the depth)."""
    return UnitOfWork(
        ctx.sessions,
        clock=ctx.clock,
        actor=ENGINE_ACTOR,
        organization_id=ctx.organization_id,
        record_outbox=ctx.record_outbox,
        parent_event_id=trigger.event_id,
        depth=trigger.depth + 1,
    )


def retry_delay(attempt: int) -> timedelta:
    """Wait before attempt `attempt + 1`: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(FIRST_RETRY * (2 ** (attempt - 1)), LONGEST_RETRY)


def rule_hash(rule_id: uuid.UUID) -> str:
    """The rule id as analytics carries it (hashed, like every id leaving the desk)."""
    return hashlib.sha256(str(rule_id).encode()).hexdigest()


def execute(
    ctx: ServiceContext,
    rule: AutomationRule | LoadedRule,
    trigger: TriggerInstance,
    *,
    context: Mapping[str, Any] | None = None,
) -> AutomationExecution | None:
    """Run `rule` for `trigger` in a transaction of its own. None when the occurrence ran
    already (here or on another desk), the rule is gone or disabled, or its conditions do not
    hold."""
    engine = engine_context(ctx, rule.organization_id)
    try:
        with open_transaction(engine, trigger) as tx:
            done = _execute(engine, tx, rule, trigger, context)
            return None if done is None else done[1]
    except IntegrityError:
        # Another desk or process recorded the same occurrence first: it ran there.
        return None


class BatchLedger:
    """The bookkeeping of a batch's executions, written once at the end of the batch: the
    execution rows, their `automation.executed` analytics events and audit entries (one
    multi-row INSERT each) and the rules' counters (one UPDATE for all) — instead of an ORM
    flush of each inside its savepoint. Only executions whose savepoint committed are added,
    so a failed execution leaves nothing here either. The batch must hold the write lock
    from its start (`UnitOfWork.lock_for_writing`): its "ran already?" checks then stay true
    until the commit, and the execution rows' UNIQUE keys cannot clash (if one did, the
    whole batch would roll back and its events stay pending)."""

    def __init__(self) -> None:
        self.executions: list[tuple[ExecutionRun, AutomationExecution]] = []
        self.keys: set[str] = set()
        # Executions per rule in the batch (kept after `write`, for the rate guard).
        self.runs: Counter[uuid.UUID] = Counter()
        # Rules the rate guard pauses in this batch, with when: the pause (and its alert)
        # counts only once the batch commits.
        self.pausing: dict[uuid.UUID, datetime] = {}

    def add(self, run: ExecutionRun, execution: AutomationExecution) -> None:
        self.executions.append((run, execution))
        self.keys.add(execution.execution_key)
        self.runs[run.row.id] += 1

    def write(self, tx: UnitOfWork) -> None:
        if not self.executions:
            return
        now = tx.now
        stamp = utcnow()
        columns = [c.key for c in AutomationExecution.__table__.columns]
        rows: list[dict[str, Any]] = []
        analytics: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        counts: dict[uuid.UUID, int] = {}
        for run, execution in self.executions:
            execution.row_version = 1
            execution.created_at = execution.updated_at = stamp
            row = {name: getattr(execution, name) for name in columns}
            rows.append(row)
            tx.record_written(
                AutomationExecution.__tablename__,
                execution.id,
                "insert",
                {name: to_json_value(value) for name, value in row.items()},
                organization_id=execution.organization_id,
            )
            analytics.append(run.analytics_row(execution))
            audit.append(run.audit_row(execution))
            counts[run.row.id] = counts.get(run.row.id, 0) + 1
        session = tx.session
        # Core statements on the tables: the rows are complete, the ORM adds nothing.
        session.execute(insert_statement(AutomationExecution.__table__), rows)
        session.execute(insert_statement(AnalyticsEvent.__table__), analytics)
        session.execute(insert_statement(AuditEntry.__table__), audit)
        _count_runs(tx, counts, now, stamp)
        self.executions.clear()


def _count_runs(
    tx: UnitOfWork, counts: dict[uuid.UUID, int], now: datetime, stamp: datetime
) -> None:
    """Add each rule's runs to its counters: one read and one executemany UPDATE for the
    batch (the batch holds the write lock, so nothing changes the rows in between).
    row_version moves with execution_count, so the rule cache's fingerprint
    (Σ row_version − execution_count) sees no edit and does not reload."""
    rules = cast(Table, AutomationRule.__table__)
    current = tx.session.execute(
        select(
            rules.c.id, rules.c.row_version, rules.c.execution_count, rules.c.organization_id
        ).where(rules.c.id.in_(counts))
    ).all()
    updates: list[dict[str, Any]] = []
    for rule_id, version, count, organization_id in current:
        runs = counts[rule_id]
        updates.append({"b_id": rule_id, "b_version": version + runs, "b_count": count + runs})
        tx.record_written(
            AutomationRule.__tablename__,
            rule_id,
            "update",
            {
                "execution_count": count + runs,
                "last_executed_at": to_json_value(now),
                "row_version": version + runs,
                "updated_at": to_json_value(stamp),
            },
            base_version=version,
            organization_id=organization_id,
        )
    tx.session.execute(
        update(rules)
        .where(rules.c.id == bindparam("b_id"))
        .values(
            execution_count=bindparam("b_count"),
            row_version=bindparam("b_version"),
            last_executed_at=now,
            updated_at=stamp,
        ),
        updates,
    )


def execute_in(
    ctx: ServiceContext,
    tx: UnitOfWork,
    rule: LoadedRule,
    trigger: TriggerInstance,
    context: Mapping[str, Any],
    *,
    checked: bool = False,
    ledger: BatchLedger | None = None,
    verdict: EvaluationResult | None = None,
) -> AutomationExecution | None:
    """`execute` inside `tx`, a transaction that holds several executions (the dispatcher's
    batch): this one runs in a savepoint of its own, so it commits with the batch or, if it
    fails, leaves nothing (rows, events, audit, outbox) while the others keep theirs. Its
    events carry the trigger's event as parent. `checked`: the caller has already looked
    for the execution key (`recorded_keys`). `ledger`: the execution row and its bookkeeping
    are handed to it (written at the end of the batch) rather than written here. `verdict`:
    the rule's conditions as the caller evaluated them against `context` (not again)."""
    if ledger is not None and trigger.execution_key(rule.id) in ledger.keys:
        return None
    # A fresh execution writes its own rows through the ledger, and each action undoes its
    # own writes (in memory or with an SQL savepoint): forgetting what the execution queued
    # and deleting the rows its actions inserted at once undoes it. An action that wrote
    # otherwise and then the execution failed (only a bug can) refuses the batch's commit.
    in_memory = checked and ledger is not None and runs_now(rule)
    try:
        with (
            tx.savepoint(in_memory=in_memory),
            tx.caused_by(trigger.event_id, trigger.depth + 1),
        ):
            done = _execute(
                ctx, tx, rule, trigger, context, checked=checked, deferred=ledger, verdict=verdict
            )
    except IntegrityError:
        # The UNIQUE execution key: another desk or process recorded it first.
        return None
    if done is None:
        return None
    run, execution = done
    if ledger is not None:
        ledger.add(run, execution)
    return execution


def runs_now(rule: LoadedRule) -> bool:
    """The rule can be read and every action of it runs now (no delay, no schedule: no timer
    is left unflushed between actions)."""
    definition = rule.definition
    return definition is not None and all(
        not action.delay_minutes and not isinstance(action, ScheduleAction)
        for action in definition.actions
    )


def recorded_keys(session: Session, keys: Collection[str]) -> set[str]:
    """Which of these execution keys have an execution already (one query for an event's
    rules rather than one per rule)."""
    if not keys:
        return set()
    return set(session.scalars(_recorded_keys_statement(), {"keys": list(keys)}))


@cache
def _recorded_keys_statement() -> Select[str]:
    # Built once: the dispatcher asks for every event.
    executions = AutomationExecution.__table__
    return select(executions.c.execution_key).where(
        executions.c.execution_key.in_(bindparam("keys", expanding=True))
    )


def _execute(
    ctx: ServiceContext,
    tx: UnitOfWork,
    rule: AutomationRule | LoadedRule,
    trigger: TriggerInstance,
    context: Mapping[str, Any] | None,
    *,
    checked: bool = False,
    deferred: BatchLedger | None = None,
    verdict: EvaluationResult | None = None,
) -> tuple[ExecutionRun, AutomationExecution] | None:
    key = trigger.execution_key(rule.id)
    if not checked and recorded_keys(tx.session, [key]):
        return None
    row = tx.session.get(AutomationRule, rule.id)
    if row is None or row.deleted_at or not row.enabled:
        return None
    if context is None:
        organization = tx.session.get(Organization, rule.organization_id)
        assert organization is not None  # the rule's foreign key guarantees it
        context = build_context(tx.session, organization, trigger)
    run = ExecutionRun(ctx, tx, row, cache_for(ctx.sessions).loaded(row), trigger, key)
    run.deferred = deferred is not None
    # Under the batch's write lock the key was just found unused: nothing derived from it
    # exists, so the handlers need not look.
    run.fresh = deferred is not None and checked
    # The caller's verdict holds if it judged this very version of the rule.
    execution = run.execute(context, verdict if run.rule is rule else None)
    return None if execution is None else (run, execution)


@dataclass
class ExecutionRun:
    """The state of one execution while its actions run (also used to run a delayed action,
    a retry or a replay into an existing execution)."""

    ctx: ServiceContext
    tx: UnitOfWork
    row: AutomationRule
    rule: LoadedRule
    trigger: TriggerInstance
    key: str
    context: Mapping[str, Any] = field(default_factory=dict)
    # The execution row and its bookkeeping go to the batch's ledger (`BatchLedger`).
    deferred: bool = False
    # A first run whose key was checked under the write lock (`ActionRun.fresh`).
    fresh: bool = False

    @property
    def execution_id(self) -> uuid.UUID:
        return execution_id_for(self.key)

    def execute(
        self, context: Mapping[str, Any], verdict: EvaluationResult | None = None
    ) -> AutomationExecution | None:
        self.context = context
        definition = self.rule.definition
        if definition is None:
            return self._unreadable()
        verdict = verdict or evaluate(definition.conditions, context)
        if not verdict.matched:
            return None
        execution = self._new_execution([redacted_check(c) for c in verdict.checks])
        entries: list[dict[str, Any]] = []
        traces: list[dict[str, Any]] = []
        stopped = False
        for index, action in enumerate(definition.actions):
            path = str(index)
            if stopped:
                entry, trace = self._skipped(path, action, "an earlier action failed")
            else:
                entry, trace = self.perform(path, action)
                stopped = definition.on_failure == "stop" and entry["status"] in FAILED_STATUSES
            entries.append(entry)
            traces.append(trace)
        self.record(execution, entries, traces)
        self._add(execution)
        return execution

    # --- running one action --------------------------------------------------------------------

    def perform(
        self,
        path: str,
        action: ActionBase,
        *,
        delayed: bool = False,
        check_conditions: bool = True,
        attempt: int = 0,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Run (or schedule) one action; its history entry and trace item. `delayed`: the
        action's delay has passed (it comes from a timer)."""
        started = time.perf_counter()
        if not delayed and action.delay_minutes and not isinstance(action, ScheduleAction):
            # Its conditions are checked when it fires, against the state of that moment.
            due = self.tx.now + timedelta(minutes=action.delay_minutes)
            details = self._schedule(path, action, due, "delayed_action")
            return self._finish(path, action, started, ActionResult("scheduled", details))
        checks: list[dict[str, Any]] = []
        if check_conditions:
            own = evaluate(action.conditions, self.context)
            checks = [redacted_check(c) for c in own.checks]
            if not own.matched:
                result = ActionResult("skipped", {"reason": "the action's conditions do not hold"})
                return self._finish(path, action, started, result, checks)
        if isinstance(action, ScheduleAction):
            nested = action.action
            minutes = action.schedule_delay_minutes
            if not isinstance(nested, ScheduleAction):
                minutes += nested.delay_minutes
            due = self.tx.now + timedelta(minutes=minutes)
            details = self._schedule(f"{path}.action", nested, due, "delayed_action")
            return self._finish(path, action, started, ActionResult("scheduled", details), checks)
        result = self._call_handler(path, action, attempt)
        return self._finish(path, action, started, result, checks)

    def _call_handler(self, path: str, action: ActionBase, attempt: int) -> ActionResult:
        handler = HANDLERS.get(action.type)
        if handler is None:
            return ActionResult("failed", error=f"no handler for action type {action.type!r}")
        run = ActionRun(
            ctx=self.ctx,
            tx=self.tx,
            rule=self.row,
            trigger=self.trigger,
            execution_key=self.key,
            action_path=path,
            action=action,
            context=self.context,
            fresh=self.fresh,
        )
        in_memory = self.fresh and (action.type in WRITES_AT_COMMIT or action.type in INSERTS_NOW)
        try:
            with self.tx.savepoint(in_memory=in_memory):
                return handler(run)
        except TemporaryFailure as exc:
            return self._retry_or_give_up(path, action, attempt + 1, str(exc))
        except TemplateOverLimit as exc:
            alert_template_over_limit(self.tx, self.row, path, exc)
            return ActionResult("failed", error=str(exc))
        except (PermanentFailure, DomainError) as exc:
            return ActionResult("failed", error=str(exc))
        except Exception as exc:  # a bug in one handler must not lose the whole execution
            return ActionResult("failed", error=f"{type(exc).__name__}: {exc}")

    def _retry_or_give_up(
        self, path: str, action: ActionBase, attempts: int, reason: str
    ) -> ActionResult:
        if attempts >= MAX_ATTEMPTS:
            return ActionResult(
                "failed",
                {"attempts": attempts},
                error=f"gave up after {attempts} attempts: {reason}",
            )
        due = self.tx.now + retry_delay(attempts)
        details = self._schedule(path, action, due, "retry_action", attempts)
        # "retrying" is not a handler status: the engine records it until the retry decides.
        return ActionResult(
            "scheduled", {**details, "attempts": attempts, "retrying": True}, error=reason
        )

    def _schedule(
        self, path: str, action: ActionBase, due: datetime, kind: TimerKind, attempt: int = 0
    ) -> dict[str, Any]:
        timer = engine_timer(
            rule=self.row,
            trigger=self.trigger,
            execution_key=self.key,
            execution_id=self.execution_id,
            action_path=path,
            action=action,
            due_at=due,
            kind=kind,
            attempt=attempt,
        )
        if self.tx.session.get(Timer, timer.id) is None:
            self.tx.session.add(timer)
        return {"timer_id": str(timer.id), "due_at": due.isoformat()}

    def _finish(
        self,
        path: str,
        action: ActionBase,
        started: float,
        result: ActionResult,
        checks: list[dict[str, Any]] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        status: str = result.status
        if result.details.get("retrying"):
            status = "retrying"
        details = {k: v for k, v in result.details.items() if k != "retrying"}
        entry: dict[str, Any] = {"action": action.type, "path": path, "status": status, **details}
        if result.error:
            entry["error"] = result.error
        trace = {
            "index": int(path.split(".")[0]),
            "path": path,
            "type": action.type,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "conditions": checks or [],
            "rendered": result.rendered
            or redacted_rendering(
                action, self.context, memo_key=(self.rule.id, self.rule.version, path)
            ),
            "error": result.error,
        }
        return entry, trace

    def _skipped(
        self, path: str, action: ActionBase, reason: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        result = ActionResult("skipped", {"reason": reason})
        return self._finish(path, action, time.perf_counter(), result)

    # --- the execution row ---------------------------------------------------------------------

    def _new_execution(self, checks: list[dict[str, Any]]) -> AutomationExecution:
        execution = AutomationExecution(
            id=self.execution_id,
            organization_id=self.row.organization_id,
            automation_rule_id=self.row.id,
            execution_key=self.key,
            event_id=self.trigger.event_id,
            trigger_event=self.trigger.event_name,
            trigger_entity_type=self.trigger.subject_type,
            trigger_entity_id=self.trigger.subject_id,
            status="success",
            actions_executed=[],
            trace={
                "trigger": trigger_to_json(self.trigger),
                "conditions": checks,
                "actions": [],
            },
            executed_at=self.tx.now,
        )
        # Added once its actions have run (one INSERT, no UPDATE after). A desk that recorded
        # the same occurrence meanwhile makes the commit fail on the UNIQUE key, and the
        # actions' writes roll back with it.
        return execution

    def _unreadable(self) -> AutomationExecution:
        execution = self._new_execution([])
        execution.status = "failure"
        execution.error_message = self.rule.problem
        self._add(execution)
        return execution

    def _add(self, execution: AutomationExecution) -> None:
        if self.deferred:
            return
        self.tx.session.add(execution)
        self._count(execution)

    def record(
        self,
        execution: AutomationExecution,
        entries: list[dict[str, Any]],
        traces: list[dict[str, Any]],
    ) -> None:
        """Merge action results into the execution (by action path: a later run of the same
        action replaces its entry) and recompute its status."""
        merged = {entry["path"]: entry for entry in execution.actions_executed}
        merged.update({entry["path"]: entry for entry in entries})
        all_entries = sorted(
            merged.values(), key=lambda e: (int(e["path"].split(".")[0]), e["path"])
        )
        execution.actions_executed = all_entries
        execution.trace = {**execution.trace, "actions": [*execution.trace["actions"], *traces]}
        failed = [e for e in all_entries if e["status"] in FAILED_STATUSES]
        worked = any(e["status"] in WORKED_STATUSES for e in all_entries)
        if not failed:
            execution.status = "success"
        else:
            execution.status = "partial_failure" if worked else "failure"
        execution.error_message = (
            "; ".join(f"{action_field(e['path'])}: {e.get('error', e['status'])}" for e in failed)
            or None
        )

    def _count(self, execution: AutomationExecution) -> None:
        self.row.execution_count += 1
        self.row.last_executed_at = self.tx.now
        self.tx.session.add(AnalyticsEvent(**self.analytics_row(execution)))
        self.tx.audit(
            "automation.executed",
            "automation_execution",
            execution.id,
            self._audit_details(execution),
        )

    def analytics_row(self, execution: AutomationExecution) -> dict[str, Any]:
        """The `automation.executed` analytics event (nothing about the patient)."""
        definition = self.rule.definition
        return {
            "id": new_id(),
            "organization_id": self.row.organization_id,
            "event_name": "automation.executed",
            "event_category": "automation",
            "resource_type": "automation_rule",
            "resource_id": rule_hash(self.row.id),
            "properties": {
                "trigger_event": self.trigger.event_name,
                "actions_count": len(definition.actions) if definition else 0,
                "status": execution.status,
            },
            "occurred_at": self.tx.now,
        }

    def _audit_details(self, execution: AutomationExecution) -> dict[str, Any]:
        return {
            "rule_id": self.row.id,
            "rule": self.row.name,
            "trigger_event": self.trigger.event_name,
            "event_id": self.trigger.event_id,
            "status": execution.status,
        }

    def audit_row(self, execution: AutomationExecution) -> dict[str, Any]:
        """The `automation.executed` audit entry, as `UnitOfWork.audit` writes it."""
        actor = self.tx.actor
        return {
            "id": new_id(),
            "organization_id": self.row.organization_id,
            "at": self.tx.now,
            "actor_user_id": actor.user_id,
            "actor_label": actor.label,
            "action": "automation.executed",
            "entity_type": "automation_execution",
            "entity_id": execution.id,
            "details": {k: to_json_value(v) for k, v in self._audit_details(execution).items()},
        }
