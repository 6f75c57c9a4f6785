"""The automation runner: the order of a sweep, the daily plan-expiry check, the start-up
catch-up on the scheduler's worker thread, waking, and a clean stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from frontdesk.automation import delayed, dispatcher, engine
from frontdesk.automation.legacy import legacy_rule_id
from frontdesk.automation.scheduler import AutomationRunner, EngineSteps, engine_steps
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.domain.errors import InvalidInput
from frontdesk.services import plans
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule, Organization
from tests.integration.automation.timer_helpers import pending, reconcile, time_rule
from tests.support.automation import engine_ctx
from tests.support.clinic import Clinic
from tests.support.rows import insert_appointment, insert_person

NINE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday 09:00 in Bucharest


@dataclass
class Recorder:
    """Engine steps that record what ran, in order, and on which thread."""

    log: list[str] = field(default_factory=list)
    threads: set[str] = field(default_factory=set)
    expired_days: list[date] = field(default_factory=list)
    swept: threading.Event = field(default_factory=threading.Event)
    # Run inside the dispatch step (e.g. a write the sweep must see afterwards).
    on_dispatch: Callable[[], object] | None = None
    fail_dispatch: int = 0

    def steps(self) -> EngineSteps:
        return EngineSteps(
            dispatch_events=self.dispatch,
            execute=self.execute,
            run_delayed_actions=self.delayed,
            expire_plans=self.expire,
        )

    def _note(self, name: str) -> None:
        self.log.append(name)
        self.threads.add(threading.current_thread().name)

    def expire(self, ctx: ServiceContext, today: date) -> None:
        self._note("expire_plans")
        self.expired_days.append(today)

    def dispatch(self, ctx: ServiceContext) -> None:
        self._note("dispatch")
        if self.fail_dispatch:
            self.fail_dispatch -= 1
            raise RuntimeError("dispatcher broke")
        if self.on_dispatch is not None:
            self.on_dispatch()

    def execute(self, ctx: ServiceContext, rule: AutomationRule, trigger: TriggerInstance) -> None:
        self._note("execute")

    def delayed(self, ctx: ServiceContext, now: datetime) -> None:
        self._note("delayed")
        self.swept.set()

    def sweeps(self) -> int:
        return self.log.count("delayed")


def _runner(clinic: Clinic, recorder: Recorder, **options: timedelta) -> AutomationRunner:
    return AutomationRunner(engine_ctx(clinic), recorder.steps(), **options)


def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the runner"
        time.sleep(0.01)


def test_a_sweep_checks_plans_dispatches_reconciles_fires_then_runs_delayed_actions(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    time_rule(clinic, "appointment.before_start", {"hours_before": 24})
    recorder = Recorder()
    # The dispatcher's rules book an appointment due for a reminder: the same sweep arms it.
    recorder.on_dispatch = lambda: insert_appointment(
        clinic, start=clinic.clock.now() + timedelta(days=2), person_id=person.id
    )
    runner = _runner(clinic, recorder)

    report = runner.sweep()

    assert recorder.log == ["expire_plans", "dispatch", "delayed"]
    assert report.reconciled.armed == 1
    assert len(pending(clinic)) == 1

    clinic.clock.advance(timedelta(days=1))
    recorder.log.clear()
    report = runner.sweep()
    assert recorder.log == ["expire_plans", "dispatch", "execute", "delayed"]  # a new day
    assert len(report.fired.fired) == 1


def test_plan_expiry_runs_once_per_local_day(clinic: Clinic) -> None:
    recorder = Recorder()
    runner = _runner(clinic, recorder)

    first = runner.sweep()
    second = runner.sweep()
    clinic.clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))  # 00:30 on the 3rd in Bucharest
    third = runner.sweep()

    assert recorder.expired_days == [date(2026, 3, 2), date(2026, 3, 3)]
    assert (first.plans_checked_on, second.plans_checked_on) == (date(2026, 3, 2), None)
    assert third.plans_checked_on == date(2026, 3, 3)


def test_a_failing_step_is_reported_and_the_others_still_run(clinic: Clinic) -> None:
    recorder = Recorder(fail_dispatch=1)
    runner = _runner(clinic, recorder)

    report = runner.sweep()

    assert report.failed_steps == ["dispatch_events"]
    assert recorder.log == ["expire_plans", "dispatch", "delayed"]
    assert runner.sweep().failed_steps == []


def test_a_failed_plan_check_is_retried_at_the_next_sweep(clinic: Clinic) -> None:
    calls: list[date] = []

    def expire(ctx: ServiceContext, today: date) -> None:
        calls.append(today)
        if len(calls) == 1:
            raise RuntimeError("plans service unavailable")

    recorder = Recorder()
    steps = EngineSteps(recorder.dispatch, recorder.execute, recorder.delayed, expire)
    runner = AutomationRunner(engine_ctx(clinic), steps)

    assert runner.sweep().failed_steps == ["check_plan_expiry"]
    assert runner.sweep().plans_checked_on == date(2026, 3, 2)
    assert runner.sweep().plans_checked_on is None
    assert calls == [date(2026, 3, 2), date(2026, 3, 2)]


def test_the_real_plans_service_expires_overdue_plans(clinic: Clinic) -> None:
    runner = AutomationRunner(engine_ctx(clinic))  # the real engine steps

    report = runner.sweep()

    assert report.failed_steps == []
    assert report.plans_checked_on == date(2026, 3, 2)


def test_the_default_steps_are_the_engine() -> None:
    steps = engine_steps()
    assert steps.dispatch_events is dispatcher.dispatch_pending
    assert steps.execute is engine.execute
    assert steps.run_delayed_actions is delayed.run_due_delayed_actions
    assert steps.expire_plans is plans.expire_overdue_plans


def test_start_catches_up_and_migrates_on_the_worker_thread_and_stop_leaves_no_thread(
    clinic: Clinic,
) -> None:
    insert_person(clinic)
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    clinic.clock.set(NINE + timedelta(days=2, hours=3))  # the desk was off for two days
    with clinic.ctx.sessions.begin() as session:
        organization = session.get_one(Organization, clinic.organization_id)
        organization.template_policy_id = clinic.template_ids["privacy"]
    recorder = Recorder()
    runner = _runner(clinic, recorder, tick=timedelta(hours=1))
    before = set(threading.enumerate())

    runner.start()
    try:
        assert recorder.swept.wait(5)
        assert runner.running
    finally:
        runner.stop()

    assert set(threading.enumerate()) == before
    assert not runner.running
    assert recorder.log.count("execute") == 1  # caught up once, not once per missed day
    assert threading.current_thread().name not in recorder.threads
    with clinic.ctx.sessions() as session:
        assert session.get(AutomationRule, legacy_rule_id(clinic.organization_id)) is not None


def test_wake_runs_another_sweep_soon(clinic: Clinic) -> None:
    recorder = Recorder()
    runner = _runner(clinic, recorder, tick=timedelta(hours=1))
    runner.start()
    try:
        _wait_for(lambda: recorder.sweeps() == 1)
        runner.wake()
        _wait_for(lambda: recorder.sweeps() == 2)
    finally:
        runner.stop()
    assert len(recorder.threads) == 1  # every sweep on the one worker thread


def test_the_job_moves_to_the_next_due_timer_before_the_tick(clinic: Clinic) -> None:
    recorder = Recorder()
    runner = _runner(clinic, recorder, tick=timedelta(hours=1))
    # Tomorrow 09:00 is due in a fraction of a second on the engine's clock.
    clinic.clock.set(NINE - timedelta(seconds=0.3))
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    runner.start()
    try:
        _wait_for(lambda: recorder.sweeps() >= 2)
    finally:
        runner.stop()


def test_a_failing_sweep_does_not_stop_the_job(clinic: Clinic) -> None:
    recorder = Recorder(fail_dispatch=1)
    runner = _runner(clinic, recorder, tick=timedelta(hours=1))
    runner.start()
    try:
        _wait_for(lambda: recorder.sweeps() == 1)
        runner.wake()
        _wait_for(lambda: recorder.sweeps() == 2)
    finally:
        runner.stop()
    assert recorder.log.count("dispatch") == 2


def test_starting_twice_is_harmless_and_stopping_a_stopped_runner_too(clinic: Clinic) -> None:
    recorder = Recorder()
    runner = _runner(clinic, recorder, tick=timedelta(hours=1))
    before = set(threading.enumerate())
    runner.stop()
    runner.start()
    runner.start()
    _wait_for(lambda: recorder.sweeps() == 1)
    runner.stop()
    runner.stop()
    assert set(threading.enumerate()) == before


def test_a_naive_sweep_time_is_refused_by_name(clinic: Clinic) -> None:
    runner = _runner(clinic, Recorder())
    with pytest.raises(InvalidInput) as refused:
        runner.sweep(datetime(2026, 3, 2, 9, 0))
    assert refused.value.errors[0].field == "now"
