"""The automation runner: wakes the engine when something is due and runs one sweep.

APScheduler holds ONE job, run by a one-thread executor, so the engine's database writes stay
on one worker thread. After each sweep the job is moved to the next due time — the earliest
live timer (time-based triggers and delayed actions share the table) — or to the periodic
tick if that comes first; the tick also arms firings entering the horizon, notices data synced
in from elsewhere and runs the daily plan-expiry check. The timers table is the truth: losing
the job (a crash, a sleeping laptop) loses nothing, the next sweep catches up.

A sweep, in order: the daily plan-expiry check (its events are dispatched right after) →
dispatch pending events → reconcile timers (what the events changed is armed) → fire due
timers → run due delayed actions → deliver due messages (on a desk). At start-up the first
run migrates the legacy onboarding forms and then sweeps, which catches up overdue timers under
their rules' misfire policy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from frontdesk.automation.claims import LOCAL_CLAIMS, OccurrenceClaims
from frontdesk.automation.delayed import run_due_delayed_actions
from frontdesk.automation.delivery import desk_delivery
from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.automation.engine import execute
from frontdesk.automation.legacy import migrate_legacy_onboarding
from frontdesk.automation.plan_expiry import PlanExpirer, check_plan_expiry
from frontdesk.automation.timers import (
    DEFAULT_GRACE,
    DEFAULT_HORIZON,
    Executor,
    FiringSummary,
    ReconcileSummary,
    fire_due_timers,
    next_due_at,
    reconcile_timers,
)
from frontdesk.domain.clock import ensure_utc
from frontdesk.services.context import ServiceContext
from frontdesk.services.plans import expire_overdue_plans

log = logging.getLogger(__name__)

JOB_ID = "automation-sweep"
DEFAULT_TICK = timedelta(seconds=60)


@dataclass(frozen=True)
class EngineSteps:
    """The engine's parts a sweep runs; tests pass recording ones."""

    dispatch_events: Callable[[ServiceContext], object]
    execute: Executor
    run_delayed_actions: Callable[[ServiceContext, datetime], object]
    expire_plans: PlanExpirer
    # Sending due outbound messages; None where something else delivers (the server).
    deliver_messages: Callable[[ServiceContext, datetime], object] | None = None
    # Which due time-based occurrences are this node's to run (claims.py); the desk's
    # delivery is given the same when built by `engine_steps`.
    claims: OccurrenceClaims = LOCAL_CLAIMS


def engine_steps(
    local_outbox: Path | None = None, claims: OccurrenceClaims = LOCAL_CLAIMS
) -> EngineSteps:
    """The real engine: the dispatcher, the executor, delayed actions, the plans service and,
    given a profile's outbox folder, the desk's own message delivery. A signed-in desk gives
    the server's `claims`, so occurrences and messages run on one node only."""
    return EngineSteps(
        dispatch_events=dispatch_pending,
        execute=execute,
        run_delayed_actions=run_due_delayed_actions,
        expire_plans=expire_overdue_plans,
        deliver_messages=desk_delivery(local_outbox, claims) if local_outbox else None,
        claims=claims,
    )


@dataclass
class SweepReport:
    at: datetime
    # The local day whose plan-expiry check ran, or None (it ran already that day).
    plans_checked_on: date | None = None
    reconciled: ReconcileSummary = field(default_factory=ReconcileSummary)
    fired: FiringSummary = field(default_factory=FiringSummary)
    # Steps that raised (logged); the others still ran.
    failed_steps: list[str] = field(default_factory=list)


class AutomationRunner:
    def __init__(
        self,
        ctx: ServiceContext,
        steps: EngineSteps | None = None,
        *,
        tick: timedelta = DEFAULT_TICK,
        horizon: timedelta = DEFAULT_HORIZON,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        self._ctx = ctx
        self._steps = steps or engine_steps()
        self._tick = tick
        self._horizon = horizon
        self._grace = grace
        # One sweep at a time, whether run by the job or called directly.
        self._sweeping = threading.Lock()
        # Set by wake(); a wake during a sweep makes the job run again right after it.
        self._wake_requested = threading.Event()
        self._migrated = False
        self._scheduler: BackgroundScheduler | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def sweep(self, now: datetime | None = None) -> SweepReport:
        """One pass of the engine at `now` (default: the context's clock), synchronously.
        Each step runs even if an earlier one raised: a failing plan check must not stop
        reminders. What a step left undone, the next sweep retries."""
        with self._sweeping:
            ctx, steps = self._ctx, self._steps
            report = SweepReport(ensure_utc(now or ctx.clock.now(), field="now"))
            at = report.at

            def check_plans() -> None:
                report.plans_checked_on = check_plan_expiry(ctx, at, steps.expire_plans)

            def reconcile() -> None:
                report.reconciled = reconcile_timers(ctx, at, self._horizon)

            def fire() -> None:
                report.fired = fire_due_timers(
                    ctx, at, steps.execute, grace=self._grace, claims=steps.claims
                )

            parts: list[tuple[str, Callable[[], object]]] = [
                ("check_plan_expiry", check_plans),
                ("dispatch_events", lambda: steps.dispatch_events(ctx)),
                ("reconcile_timers", reconcile),
                ("fire_due_timers", fire),
                ("run_delayed_actions", lambda: steps.run_delayed_actions(ctx, at)),
            ]
            if steps.deliver_messages is not None:
                deliver = steps.deliver_messages
                parts.append(("deliver_messages", lambda: deliver(ctx, at)))
            for name, part in parts:
                try:
                    part()
                except Exception:
                    log.exception("automation sweep: %s failed", name)
                    report.failed_steps.append(name)
        return report

    def start(self) -> None:
        """Start the background job; its first run (at once) is the start-up catch-up."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        scheduler.add_job(
            self._run,
            IntervalTrigger(seconds=self._tick.total_seconds(), timezone=UTC),
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
        )
        # Set before starting: the first run may finish before start() returns, and it needs
        # the scheduler to move its own job.
        self._scheduler = scheduler
        scheduler.start()

    def stop(self) -> None:
        """Stop and wait for a sweep under way to finish; no thread is left behind."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)

    def wake(self) -> None:
        """Sweep as soon as possible (after a local write that may arm or fire something)."""
        self._wake_requested.set()
        self._move_job(timedelta(0))

    def _run(self) -> None:
        self._wake_requested.clear()
        delay = self._tick
        try:
            if not self._migrated:
                migrate_legacy_onboarding(self._ctx)
                self._migrated = True
        except Exception:
            # Tried again at the next run; the engine runs meanwhile.
            log.exception("legacy onboarding migration failed")
        report = self.sweep()
        try:
            delay = self._delay_after(report.at)
        except Exception:
            # The job must outlive a failing database: the next tick tries again.
            log.exception("automation: cannot read the next due time")
        if self._wake_requested.is_set():
            delay = timedelta(0)
        self._move_job(delay)

    def _delay_after(self, now: datetime) -> timedelta:
        due = next_due_at(self._ctx, after=now)
        if due is None:
            return self._tick
        return min(self._tick, max(due - now, timedelta(0)))

    def _move_job(self, delay: timedelta) -> None:
        scheduler = self._scheduler
        if scheduler is None or not scheduler.running:
            return
        # The scheduler's clock is the wall clock; `delay` was measured on the engine's.
        scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC) + delay)
