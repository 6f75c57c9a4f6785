"""Temporary failures retried with backoff, then given up; failed actions replayed; delayed
and scheduled actions whose conditions are checked when they fire."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.automation.delayed import run_due_delayed_actions
from frontdesk.automation.engine import MAX_ATTEMPTS
from frontdesk.automation.handlers.base import HANDLERS, ActionResult, ActionRun, TemporaryFailure
from frontdesk.automation.replay import replay_failed_actions
from frontdesk.domain.enums import MessageChannel
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.i18n.catalogs import activate
from frontdesk.services.messages import save_message_template
from frontdesk.store.models import (
    AutomationRule,
    Notification,
    OutboundMessage,
    PatientPerson,
    Timer,
)
from tests.integration.automation.helpers import (
    count,
    dispatch_all,
    executions,
    onboarded_event,
    rows,
    rule_doc,
)
from tests.support.automation import engine_ctx, insert_rule
from tests.support.clinic import Clinic
from tests.support.rows import insert_person

SMS = {"type": "send_sms", "message": "Hi {{ patient.first_name }}"}
NOTE = {"type": "show_notification", "message": "Hello"}


def _flaky(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    """send_sms fails temporarily `failures` times, then works; the calls are counted."""
    real = HANDLERS["send_sms"]
    calls: list[int] = []

    def flaky(run: ActionRun) -> ActionResult:
        calls.append(1)
        if len(calls) <= failures:
            raise TemporaryFailure("SMS gateway busy")
        return real(run)

    monkeypatch.setitem(HANDLERS, "send_sms", flaky)
    return calls


def _retry_due(clinic: Clinic) -> list[Timer]:
    return rows(clinic, Timer, Timer.status == "pending")


def test_a_temporary_failure_is_retried_with_backoff_until_it_works(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _flaky(monkeypatch, failures=2)
    rule_id = insert_rule(clinic, rule_doc(NOTE, SMS))
    onboarded_event(clinic, insert_person(clinic).id)
    start = clinic.clock.now()

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "partial_failure"
    entry = execution.actions_executed[1]
    assert (entry["status"], entry["attempts"], entry["error"]) == (
        "retrying",
        1,
        "SMS gateway busy",
    )
    (timer,) = _retry_due(clinic)
    assert timer.due_at_utc == start + timedelta(minutes=1)
    assert timer.payload["kind"] == "retry_action"

    clinic.clock.advance(timedelta(minutes=1))
    assert run_due_delayed_actions(engine_ctx(clinic)) == 1
    (timer,) = _retry_due(clinic)
    assert timer.due_at_utc == clinic.clock.now() + timedelta(minutes=2)  # doubled

    clinic.clock.advance(timedelta(minutes=2))
    assert run_due_delayed_actions(engine_ctx(clinic)) == 1

    assert len(calls) == 3
    assert _retry_due(clinic) == []
    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.error_message is None
    (message,) = rows(clinic, OutboundMessage)
    assert message.body_text == "Hi Ioana"


def test_after_the_last_attempt_the_action_is_failed(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _flaky(monkeypatch, failures=99)
    rule_id = insert_rule(clinic, rule_doc(SMS))
    onboarded_event(clinic, insert_person(clinic).id)

    dispatch_all(clinic)
    for _ in range(MAX_ATTEMPTS):
        clinic.clock.advance(timedelta(hours=1))
        run_due_delayed_actions(engine_ctx(clinic))

    assert len(calls) == MAX_ATTEMPTS
    assert _retry_due(clinic) == []
    (execution,) = executions(clinic, rule_id)
    assert execution.status == "failure"
    entry = execution.actions_executed[0]
    assert entry["status"] == "failed"
    assert entry["error"] == f"gave up after {MAX_ATTEMPTS} attempts: SMS gateway busy"
    assert count(clinic, OutboundMessage) == 0


def test_a_failed_action_is_replayed_once_its_cause_is_fixed(clinic: Clinic) -> None:
    rule_id = insert_rule(
        clinic, rule_doc(NOTE, {"type": "send_email", "email_template": "spring_offer"})
    )
    onboarded_event(clinic, insert_person(clinic).id)
    dispatch_all(clinic)
    (execution,) = executions(clinic, rule_id)
    assert execution.status == "partial_failure"
    assert "There is no message “spring_offer” to send by email." in (execution.error_message or "")

    save_message_template(
        clinic.as_(clinic.admin),
        key="spring_offer",
        channel="email",
        subject="Spring offer for {{ patient.first_name }}",
        body="Hello {{ patient.first_name }}, spring is here.",
    )
    replayed = replay_failed_actions(clinic.as_(clinic.admin), execution.id)

    assert replayed.status == "success"
    assert replayed.error_message is None
    assert [e["status"] for e in replayed.actions_executed] == ["success", "success"]
    (message,) = rows(clinic, OutboundMessage)
    assert message.subject == "Spring offer for Ioana"
    assert count(clinic, Notification) == 1  # the action that worked did not run again
    with pytest.raises(InvalidInput) as nothing_left:
        replay_failed_actions(clinic.as_(clinic.admin), execution.id)
    assert nothing_left.value.field == "execution_id"


def test_replay_refusals(clinic: Clinic) -> None:
    rule_id = insert_rule(clinic, rule_doc(NOTE, {"type": "send_email", "email_template": "nope"}))
    onboarded_event(clinic, insert_person(clinic).id)
    dispatch_all(clinic)
    (execution,) = executions(clinic, rule_id)

    with pytest.raises(PermissionDenied):
        replay_failed_actions(clinic.ctx, execution.id)  # the receptionist
    with pytest.raises(NotFound):
        replay_failed_actions(clinic.as_(clinic.admin), uuid.uuid4())
    with clinic.ctx.sessions.begin() as session:
        row = session.get(AutomationRule, rule_id)
        assert row is not None
        row.definition = rule_doc(NOTE)
    with pytest.raises(InvalidInput) as gone:
        replay_failed_actions(clinic.as_(clinic.admin), execution.id)
    assert str(gone.value) == (
        "The rule no longer has action 1: nothing was replayed; run the rule again."
    )
    assert gone.value.field == "execution_id"
    activate("ro")
    assert str(gone.value) == (
        "Regula nu mai are acțiunea 1: nu s-a reluat nimic; rulați regula din nou."
    )


def test_a_scheduled_action_checks_its_conditions_when_it_fires(clinic: Clinic) -> None:
    later = {
        "type": "schedule_action",
        "delay_hours": 2,
        "action": {
            "type": "send_sms",
            "message": "Still no city?",
            "conditions": {"patient.city": {"exists": False}},
        },
    }
    rule_id = insert_rule(clinic, rule_doc(later))
    answered = insert_person(clinic, first_name="Ana", phone="+40721000301")
    silent = insert_person(clinic, first_name="Bob", phone="+40721000302", email=None)
    onboarded_event(clinic, answered.id)
    onboarded_event(clinic, silent.id)
    dispatch_all(clinic)
    assert [e.actions_executed[0]["status"] for e in executions(clinic, rule_id)] == [
        "scheduled",
        "scheduled",
    ]
    with clinic.ctx.sessions.begin() as session:  # Ana fills in her city meanwhile
        person = session.get(PatientPerson, answered.id)
        assert person is not None
        person.city = "Iasi"

    clinic.clock.advance(timedelta(hours=2))
    assert run_due_delayed_actions(engine_ctx(clinic)) == 2

    (message,) = rows(clinic, OutboundMessage)
    assert (message.channel, message.recipient) == (MessageChannel.SMS, "+40721000302")
    by_person = {e.trigger_entity_id: e for e in executions(clinic, rule_id)}
    assert [x["status"] for x in by_person[answered.id].actions_executed] == [
        "scheduled",
        "skipped",
    ]
    assert by_person[answered.id].actions_executed[1]["path"] == "0.action"


def test_a_delayed_action_of_a_disabled_rule_is_cancelled(clinic: Clinic) -> None:
    rule_id = insert_rule(clinic, rule_doc({**SMS, "delay_minutes": 30}))
    onboarded_event(clinic, insert_person(clinic).id)
    dispatch_all(clinic)
    with clinic.ctx.sessions.begin() as session:
        row = session.get(AutomationRule, rule_id)
        assert row is not None
        row.enabled = False

    clinic.clock.advance(timedelta(minutes=30))
    assert run_due_delayed_actions(engine_ctx(clinic)) == 1

    (timer,) = rows(clinic, Timer)
    assert timer.status == "cancelled"
    assert count(clinic, OutboundMessage) == 0
