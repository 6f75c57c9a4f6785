"""Catch-up after downtime under the misfire policy, rule edits re-arming timers, and the
failure paths of firing (an executor that raises, a crash mid-firing, a rule gone bad)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.automation.timers import (
    MAX_FIRING_ATTEMPTS,
    FiringSummary,
    fire_due_timers,
    next_due_at,
)
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule, Timer
from tests.integration.automation.timer_helpers import (
    RecordingExecutor,
    fire,
    iso,
    pending,
    reconcile,
    sweep,
    time_rule,
    timers,
)
from tests.support.automation import engine_ctx
from tests.support.clinic import Clinic
from tests.support.rows import insert_appointment, insert_person

NINE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday 09:00 in Bucharest


def _edit(clinic: Clinic, rule_id: uuid.UUID, **changes: object) -> None:
    with clinic.ctx.sessions.begin() as session:
        rule = session.get_one(AutomationRule, rule_id)
        for name, value in changes.items():
            setattr(rule, name, value)


def test_after_three_days_off_a_daily_rule_fires_once_as_its_latest_occurrence(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    rule_id = time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    assert pending(clinic) == [(rule_id, NINE)]
    run = RecordingExecutor()

    clinic.clock.set(NINE + timedelta(days=3, hours=1))  # the desk was off since Monday
    summary = sweep(clinic, run)

    latest = NINE + timedelta(days=3)
    assert run.occurrences == [(iso(latest), person.id)]
    assert len(summary.fired) == 1
    by_due = {t.due_at_utc: t for t in timers(clinic)}
    assert by_due[NINE].status == "missed"
    assert by_due[NINE].payload["reason"] == f"superseded by {iso(latest)}"
    assert by_due[latest].status == "fired"
    assert pending(clinic) == [(rule_id, NINE + timedelta(days=4))]


def test_catch_up_fires_a_due_reminder_but_misses_one_whose_appointment_started(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    time_rule(clinic, "appointment.before_start", {"hours_before": 24})
    started = insert_appointment(clinic, start=NINE + timedelta(days=2), person_id=person.id)
    waiting = insert_appointment(clinic, start=NINE + timedelta(days=4), person_id=person.id)
    reconcile(clinic)
    run = RecordingExecutor()

    clinic.clock.set(NINE + timedelta(days=3, hours=1))
    summary = sweep(clinic, run)

    assert [trigger.subject_id for _, trigger in run.calls] == [waiting.id]
    statuses = {t.subject_id: t.status for t in timers(clinic)}
    assert statuses == {started.id: "missed", waiting.id: "fired"}
    assert len(summary.missed) == 1


def test_a_skip_rule_drops_a_firing_later_than_the_grace_period(clinic: Clinic) -> None:
    insert_person(clinic)
    time_rule(clinic, "schedule.daily", {"time": "09:00"}, misfire="skip")
    reconcile(clinic)
    run = RecordingExecutor()

    clinic.clock.set(NINE + timedelta(hours=2))
    summary = sweep(clinic, run)

    assert run.calls == []
    (missed,) = summary.missed
    closed = next(t for t in timers(clinic) if t.id == missed)
    assert closed.payload["reason"] == "120 min late; the rule skips misfires"


def test_a_skip_rule_still_fires_within_the_grace_period(clinic: Clinic) -> None:
    insert_person(clinic)
    time_rule(clinic, "schedule.daily", {"time": "09:00"}, misfire="skip")
    reconcile(clinic)
    run = RecordingExecutor()

    clinic.clock.set(NINE + timedelta(minutes=10))
    sweep(clinic, run)

    assert [occurrence for occurrence, _ in run.occurrences] == [iso(NINE)]


def test_a_skip_rule_catches_up_only_when_its_latest_occurrence_is_within_grace(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    time_rule(clinic, "schedule.daily", {"time": "09:00"}, misfire="skip")
    reconcile(clinic)
    run = RecordingExecutor()

    clinic.clock.set(NINE + timedelta(days=2, minutes=5))
    sweep(clinic, run)

    assert run.occurrences == [(iso(NINE + timedelta(days=2)), person.id)]


def test_editing_a_rule_re_arms_its_timers(clinic: Clinic) -> None:
    rule_id = time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    (armed,) = timers(clinic)

    _edit(clinic, rule_id, actions=[{"type": "show_notification", "message": "Changed"}])
    reconcile(clinic)
    (same,) = timers(clinic)
    assert same.id == armed.id
    assert same.rule_version > armed.rule_version

    _edit(clinic, rule_id, trigger_config={"time": "10:00"}, definition={})
    reconcile(clinic)
    assert {t.due_at_utc: t.status for t in timers(clinic)} == {
        NINE: "cancelled",
        datetime(2026, 3, 2, 8, 0, tzinfo=UTC): "pending",  # 10:00 today is still ahead
    }


def test_disabling_a_rule_cancels_its_timers_and_enabling_brings_them_back(
    clinic: Clinic,
) -> None:
    rule_id = time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)

    _edit(clinic, rule_id, enabled=False)
    reconcile(clinic)
    assert [t.status for t in timers(clinic)] == ["cancelled"]

    _edit(clinic, rule_id, enabled=True)
    reconcile(clinic)
    assert [t.status for t in timers(clinic)] == ["pending"]


def test_a_rule_disabled_after_reconcile_is_cancelled_at_firing(clinic: Clinic) -> None:
    insert_person(clinic)
    rule_id = time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    _edit(clinic, rule_id, enabled=False)
    run = RecordingExecutor()

    summary = fire(clinic, run, NINE)

    assert run.calls == []
    assert len(summary.cancelled) == 1


def test_an_unreadable_rule_is_not_armed_and_its_timers_are_cancelled(
    clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    rule_id = time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    broken = {"name": "Broken", "trigger_event": "schedule.daily", "trigger_config": {}}
    _edit(clinic, rule_id, definition=broken)

    with caplog.at_level(logging.WARNING, logger="frontdesk.automation.timers"):
        reconcile(clinic)

    assert [t.status for t in timers(clinic)] == ["cancelled"]
    assert f"rule {rule_id} is not armed" in caplog.text


class _Failing:
    """An executor that raises for one patient and records the others."""

    def __init__(self, failing: uuid.UUID) -> None:
        self.failing = failing
        self.ran: list[uuid.UUID | None] = []

    def __call__(self, ctx: ServiceContext, rule: AutomationRule, trigger: TriggerInstance) -> None:
        if trigger.subject_id == self.failing:
            raise RuntimeError("database is locked")
        self.ran.append(trigger.subject_id)


def fire_with(clinic: Clinic, executor: _Failing) -> FiringSummary:
    return fire_due_timers(engine_ctx(clinic), clinic.clock.now(), executor)


def test_an_executor_that_raises_is_retried_then_the_timer_fails(clinic: Clinic) -> None:
    person = insert_person(clinic)
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    time_rule(clinic, "schedule.daily", {"time": "09:00"}, description="another rule")
    reconcile(clinic)
    failing = _Failing(person.id)
    clinic.clock.set(NINE)

    for attempt in range(1, MAX_FIRING_ATTEMPTS + 1):
        summary = fire_with(clinic, failing)
        assert len(summary.failed) == 2  # both rules raise for the same patient
        statuses = {t.status for t in timers(clinic) if t.due_at_utc == NINE}
        expected = "failed" if attempt == MAX_FIRING_ATTEMPTS else "firing"
        assert statuses == {expected}

    assert fire_with(clinic, failing).failed == []  # given up: nothing left to retry


def test_one_failing_patient_holds_up_neither_the_others_nor_other_timers(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    other = insert_person(clinic, first_name="Dan", email="dan@example.com", phone=None)
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    time_rule(clinic, "appointment.before_start", {"hours_before": 24})
    visit = insert_appointment(clinic, start=NINE + timedelta(hours=24), person_id=other.id)
    reconcile(clinic)
    failing = _Failing(person.id)
    clinic.clock.set(NINE)

    summary = fire_with(clinic, failing)

    assert len(summary.failed) == 1
    assert len(summary.fired) == 1
    assert sorted(failing.ran, key=str) == sorted([other.id, visit.id], key=str)


def test_a_timer_left_firing_by_a_crash_is_resumed_whatever_the_misfire_policy(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    time_rule(clinic, "schedule.daily", {"time": "09:00"}, misfire="skip")
    reconcile(clinic)
    with clinic.ctx.sessions.begin() as session:
        (timer,) = session.query(Timer).all()
        timer.status = "firing"  # claimed, then the process died mid-executions
    run = RecordingExecutor()

    fire(clinic, run, NINE + timedelta(hours=5))

    assert run.occurrences == [(iso(NINE), person.id)]
    assert [t.status for t in timers(clinic)] == ["fired"]


def test_next_due_at_is_the_earliest_live_timer(clinic: Clinic) -> None:
    ctx = engine_ctx(clinic)
    assert next_due_at(ctx) is None
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    time_rule(clinic, "schedule.daily", {"time": "08:00"})
    reconcile(clinic)

    assert next_due_at(ctx) == NINE - timedelta(hours=1)
    assert next_due_at(ctx, after=NINE - timedelta(hours=1)) == NINE
    assert next_due_at(ctx, after=NINE) is None
