"""The loop guard's rate half: a rule firing far above its usual rate is paused for the rest of
the window with one critical alert, then runs again; its limit follows its usual rate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.automation import rate_guard
from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.automation.engine import BatchLedger
from frontdesk.domain.enums import AlertKind
from frontdesk.store.models import Alert, AutomationRule, DomainEvent
from tests.integration.automation.helpers import (
    count,
    executions,
    onboarded_event,
    rows,
    rule_doc,
)
from tests.support.automation import engine_ctx, insert_rule
from tests.support.clinic import Clinic
from tests.support.rows import insert_person

ONBOARDED = "patient.onboarded"
NOTE = {"type": "show_notification", "message": "Hello {{ patient.first_name }}"}


def _onboard(clinic: Clinic, people: int) -> None:
    for n in range(people):
        onboarded_event(clinic, insert_person(clinic, first_name=f"P{n}").id)


def test_a_rule_past_its_limit_is_paused_for_the_window_with_one_alert(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_guard, "RATE_FLOOR", 3)
    rule_id = insert_rule(clinic, rule_doc(NOTE))
    _onboard(clinic, 5)

    report = dispatch_pending(engine_ctx(clinic))
    assert (report.executions, report.rate_limited) == (3, 2)
    # The refused occurrences are not retried: their events are dispatched.
    assert (
        count(clinic, DomainEvent, DomainEvent.name == ONBOARDED, DomainEvent.status == "pending")
        == 0
    )
    (alert,) = rows(clinic, Alert)
    assert (alert.kind, alert.severity, alert.subject_id) == (
        AlertKind.LOOP_GUARD,
        "critical",
        rule_id,
    )
    assert "far above its usual rate" in alert.title

    _onboard(clinic, 2)  # still in the window: refused, no second alert
    report = dispatch_pending(engine_ctx(clinic))
    assert (report.executions, report.rate_limited) == (0, 2)
    assert count(clinic, Alert) == 1

    clinic.clock.advance(rate_guard.WINDOW + timedelta(minutes=1))
    _onboard(clinic, 2)
    report = dispatch_pending(engine_ctx(clinic))
    assert (report.executions, report.rate_limited) == (2, 0)
    assert len(executions(clinic, rule_id)) == 5


def test_a_pause_in_a_batch_that_rolls_back_alerts_when_it_happens_again(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_guard, "RATE_FLOOR", 3)
    insert_rule(clinic, rule_doc(NOTE))
    _onboard(clinic, 5)
    real_write = BatchLedger.write

    def failing_write(self: BatchLedger, tx: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(BatchLedger, "write", failing_write)
    with pytest.raises(RuntimeError):
        dispatch_pending(engine_ctx(clinic))
    assert count(clinic, Alert) == 0  # rolled back with its batch

    monkeypatch.setattr(BatchLedger, "write", real_write)
    report = dispatch_pending(engine_ctx(clinic))

    assert (report.executions, report.rate_limited) == (3, 2)
    (alert,) = rows(clinic, Alert)
    assert alert.kind == AlertKind.LOOP_GUARD


def test_other_rules_of_the_event_still_run(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_guard, "RATE_FLOOR", 1)
    busy = insert_rule(clinic, rule_doc(NOTE, name="Busy"))
    _onboard(clinic, 1)
    assert dispatch_pending(engine_ctx(clinic)).executions == 1
    other = insert_rule(clinic, rule_doc(NOTE, name="Other"))
    _onboard(clinic, 1)

    report = dispatch_pending(engine_ctx(clinic))
    assert (report.executions, report.rate_limited) == (1, 1)
    assert (len(executions(clinic, busy)), len(executions(clinic, other))) == (1, 1)


def _rule(execution_count: int, age: timedelta, now: datetime) -> AutomationRule:
    return AutomationRule(
        id=uuid.uuid4(), execution_count=execution_count, created_at=now - age, name="r"
    )


def test_the_limit_is_far_above_the_usual_rate_and_never_below_the_floor() -> None:
    now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    windows = 1000  # the rule's age, in windows
    age = rate_guard.WINDOW * windows
    # 100 runs per window on average: the limit is RATE_FACTOR times that.
    busy = _rule(100 * windows, age, now)
    assert rate_guard.limit_for(busy, now) == rate_guard.RATE_FACTOR * 100
    assert rate_guard.limit_for(_rule(10, age, now), now) == rate_guard.RATE_FLOOR
    # A young rule's first burst is not its usual rate: it is spread over a day at least.
    young = _rule(rate_guard.RATE_FLOOR, timedelta(minutes=1), now)
    assert rate_guard.limit_for(young, now) == rate_guard.RATE_FLOOR
