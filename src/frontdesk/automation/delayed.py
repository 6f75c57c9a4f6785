"""Running the engine's own timers when they are due: delayed actions (`delay_minutes`, the
nested action of a `schedule_action`) and the next attempts of actions that failed
temporarily.

Each timer runs in its own transaction with a context built afresh, so a delayed action sees
the world as it is when it fires: its conditions are checked then ("send the evening e-mail
only if today's session is still not done"). A retry does not check them again — the action
was already decided, only its delivery failed. The result replaces the action's entry in the
execution it belongs to, and the execution's status is recomputed. Timers of a rule that was
deleted or disabled meanwhile are cancelled.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from frontdesk.automation.context import build_context
from frontdesk.automation.engine import ExecutionRun, engine_context, open_transaction
from frontdesk.automation.rule_cache import cache_for
from frontdesk.automation.timer_rows import (
    ENGINE_TIMER_KINDS,
    PENDING,
    action_from_json,
    trigger_from_json,
)
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationExecution, AutomationRule, Organization, Timer

DONE = "done"
CANCELLED = "cancelled"


def run_due_delayed_actions(
    ctx: ServiceContext, now: datetime | None = None, *, limit: int = 500
) -> int:
    """Run the engine timers due at `now` (default: the clock), oldest first; how many ran."""
    due_at = now or ctx.clock.now()
    with ctx.sessions() as session:
        rows = session.execute(
            select(Timer.id, Timer.organization_id, Timer.payload)
            .where(Timer.status == PENDING, Timer.due_at_utc <= due_at)
            .order_by(Timer.due_at_utc, Timer.id)
        ).all()
    # The time-based triggers' timers share the table; they are not ours to run.
    ours = [(tid, org) for tid, org, payload in rows if payload.get("kind") in ENGINE_TIMER_KINDS]
    ran = 0
    for timer_id, organization_id in ours[:limit]:
        ran += _run_timer(engine_context(ctx, organization_id), timer_id)
    return ran


def _run_timer(ctx: ServiceContext, timer_id: uuid.UUID) -> int:
    with ctx.sessions() as session:
        payload = session.scalar(select(Timer.payload).where(Timer.id == timer_id))
    if payload is None:
        return 0
    trigger = trigger_from_json(payload["trigger"])
    with open_transaction(ctx, trigger) as tx:
        timer = tx.session.get(Timer, timer_id)
        if timer is None or timer.status != PENDING:
            return 0  # another worker ran it meanwhile
        execution = tx.session.get(AutomationExecution, uuid.UUID(payload["execution_id"]))
        row = tx.session.get(AutomationRule, timer.automation_rule_id)
        if execution is None or row is None or row.deleted_at or not row.enabled:
            timer.status = CANCELLED
            return 1
        organization = tx.session.get(Organization, row.organization_id)
        assert organization is not None  # the rule's foreign key guarantees it
        run = ExecutionRun(
            ctx,
            tx,
            row,
            cache_for(ctx.sessions).loaded(row),
            trigger,
            execution.execution_key,
            build_context(tx.session, organization, trigger),
        )
        entry, trace = run.perform(
            payload["action_path"],
            action_from_json(payload["action"]),
            delayed=True,
            check_conditions=payload["kind"] == "delayed_action",
            attempt=int(payload.get("attempt", 0)),
        )
        run.record(execution, [entry], [trace])
        timer.status = DONE
    return 1
