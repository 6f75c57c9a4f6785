"""The execution engine: exactly once per occurrence (twice dispatched, a crash half-way),
the loop guard, failures (continue, stop), the trace and the telemetry."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from sqlalchemy import update

from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.automation.handlers.base import HANDLERS, ActionResult, ActionRun
from frontdesk.automation.redaction import REDACTED
from frontdesk.domain.enums import AlertKind, FormSource
from frontdesk.services import forms
from frontdesk.store.models import (
    Alert,
    AnalyticsEvent,
    AuditEntry,
    AutomationRule,
    DomainEvent,
    FormInstance,
    Notification,
    OutboundMessage,
)
from tests.integration.automation.helpers import (
    count,
    dispatch_all,
    executions,
    onboarded_event,
    rows,
    rule_doc,
)
from tests.support.automation import engine_ctx, insert_example, insert_rule
from tests.support.clinic import Clinic
from tests.support.rows import insert_person

WELCOME = {"type": "send_email", "email_template": "welcome_patient"}
PRIVACY = {"type": "require_form", "form_template_id": 42}
NOTE = {"type": "show_notification", "message": "Hello {{ patient.first_name }}"}
MISSING_FORM = {"type": "require_form", "form_template_id": 999}


class Crash(BaseException):
    """The process dying half-way (not an error the engine may record)."""


def _effects(clinic: Clinic) -> tuple[int, int, int]:
    return (
        count(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION),
        count(clinic, OutboundMessage),
        count(clinic, Notification),
    )


# --- exactly once ------------------------------------------------------------------------------


def test_dispatching_the_same_event_twice_runs_it_once(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_rule(clinic, rule_doc(PRIVACY, WELCOME, NOTE))
    person = insert_person(clinic)
    event_id = onboarded_event(clinic, person.id)
    assert dispatch_all(clinic).executions == 1
    with clinic.ctx.sessions.begin() as session:  # as if the batch was never marked
        session.execute(
            update(DomainEvent).where(DomainEvent.id == event_id).values(status="pending")
        )

    report = dispatch_all(clinic)

    assert (report.executions, report.already_run) == (0, 1)
    assert len(executions(clinic, rule_id)) == 1
    assert _effects(clinic) == (1, 1, 1)


def test_a_crash_half_way_rolls_back_and_the_rerun_creates_everything_once(
    clinic: Clinic, templates: dict[int, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_id = insert_rule(clinic, rule_doc(PRIVACY, WELCOME, NOTE))
    person = insert_person(clinic)
    onboarded_event(clinic, person.id)
    real_send = HANDLERS["send_email"]

    def send_then_die(run: ActionRun) -> ActionResult:
        real_send(run)  # the message row is written …
        raise Crash  # … and the process dies before the execution commits

    monkeypatch.setitem(HANDLERS, "send_email", send_then_die)
    with pytest.raises(Crash):
        dispatch_pending(engine_ctx(clinic))
    assert _effects(clinic) == (0, 0, 0)
    assert executions(clinic, rule_id) == []

    monkeypatch.setitem(HANDLERS, "send_email", real_send)
    assert dispatch_all(clinic).executions == 1
    assert _effects(clinic) == (1, 1, 1)
    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"


# --- the loop guard ----------------------------------------------------------------------------


def test_a_rule_that_triggers_itself_stops_at_depth_five_with_an_alert(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_rule(
        clinic,
        {
            "name": "Form begets form",
            "trigger_event": "form.created",
            "actions": [{"type": "suggest_form", "form_template_id": 51}],
        },
    )
    person = insert_person(clinic)
    forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id)

    report = dispatch_all(clinic)

    # The staff's form is depth 0; the rule ran for depths 0 … 5, the sixth event stopped.
    assert report.executions == 6
    assert report.loop_stopped == 1
    assert len(executions(clinic, rule_id)) == 6
    assert count(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION) == 6
    stopped = rows(clinic, DomainEvent, DomainEvent.status == "loop_stopped")
    assert [(e.name, e.depth) for e in stopped] == [("form.created", 6)]
    (alert,) = rows(clinic, Alert, Alert.kind == AlertKind.LOOP_GUARD)
    assert alert.severity == "critical"
    assert alert.title == "Automation loop stopped: " + " → ".join(["Form begets form"] * 7)
    assert alert.details["depth"] == 6
    assert dispatch_all(clinic).executions == 0  # and it stays stopped


def test_events_caused_by_actions_carry_parent_and_depth(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    insert_rule(clinic, rule_doc(PRIVACY))
    person = insert_person(clinic)
    event_id = onboarded_event(clinic, person.id)

    dispatch_all(clinic)

    (caused,) = rows(clinic, DomainEvent, DomainEvent.name == "form.created")
    assert (caused.parent_event_id, caused.depth) == (event_id, 1)


# --- failures ----------------------------------------------------------------------------------


def test_a_failed_action_does_not_stop_the_others_by_default(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_rule(clinic, rule_doc(NOTE, MISSING_FORM, WELCOME))
    onboarded_event(clinic, insert_person(clinic).id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "partial_failure"
    assert [e["status"] for e in execution.actions_executed] == ["success", "failed", "success"]
    assert execution.error_message == (
        "actions[1]: There is no form template “999” in this clinic."
    )
    assert _effects(clinic) == (0, 1, 1)


def test_a_template_over_its_limits_fails_its_action_and_alerts_the_admins_once(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    # Within the limits for the sample name tried at save (11 characters), over them for
    # longer real names.
    bomb = {"type": "show_notification", "message": "{{ [patient.first_name] * 900 }}"}
    rule_id = insert_rule(clinic, rule_doc(bomb, NOTE))
    for first_name in ("Ana-Maria Alexandra", "Maria-Magdalena"):
        onboarded_event(clinic, insert_person(clinic, first_name=first_name).id)

    dispatch_all(clinic)

    runs = executions(clinic, rule_id)
    assert len(runs) == 2
    for execution in runs:
        assert [e["status"] for e in execution.actions_executed] == ["failed", "success"]
        assert "the limit is 10,000" in execution.actions_executed[0]["error"]
    (alert,) = rows(clinic, Alert, Alert.kind == AlertKind.TEMPLATE_LIMIT)
    assert alert.subject_id == rule_id
    assert alert.title == "Automation template over its limits: Test rule"
    assert alert.details["action"] == "actions[0]"
    assert "the template builds a list of" in alert.body


def test_on_failure_stop_skips_the_actions_after_a_failure(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_rule(clinic, rule_doc(NOTE, MISSING_FORM, WELCOME, on_failure="stop"))
    onboarded_event(clinic, insert_person(clinic).id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "partial_failure"
    assert [e["status"] for e in execution.actions_executed] == ["success", "failed", "skipped"]
    assert execution.actions_executed[2]["reason"] == "an earlier action failed"
    assert _effects(clinic) == (0, 0, 1)


def test_nothing_working_is_a_failure(clinic: Clinic, templates: dict[int, uuid.UUID]) -> None:
    rule_id = insert_rule(clinic, rule_doc(MISSING_FORM))
    onboarded_event(clinic, insert_person(clinic).id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "failure"


def test_a_failed_action_leaves_none_of_its_writes(
    clinic: Clinic, templates: dict[int, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_require = HANDLERS["require_form"]

    def require_then_fail(run: ActionRun) -> ActionResult:
        real_require(run)
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(HANDLERS, "require_form", require_then_fail)
    rule_id = insert_rule(clinic, rule_doc(PRIVACY, NOTE))
    onboarded_event(clinic, insert_person(clinic).id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.actions_executed[0]["error"] == "RuntimeError: disk on fire"
    assert _effects(clinic) == (0, 0, 1)
    # Nor its event: nothing says a form was created.
    assert count(clinic, DomainEvent, DomainEvent.name == "form.created") == 0


def test_an_unreadable_stored_rule_is_recorded_as_a_failure(clinic: Clinic) -> None:
    rule_id = insert_rule(clinic, rule_doc(NOTE))
    with clinic.ctx.sessions.begin() as session:
        session.execute(
            update(AutomationRule)
            .where(AutomationRule.id == rule_id)
            .values(definition={**rule_doc(NOTE), "actions": [{"type": "teleport"}]})
        )
    onboarded_event(clinic, insert_person(clinic).id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "failure"
    assert execution.error_message is not None
    assert execution.error_message.startswith("the stored rule cannot be read")
    assert count(clinic, Notification) == 0


def test_disabled_rules_and_other_events_run_nothing(clinic: Clinic) -> None:
    rule_id = insert_rule(clinic, rule_doc(NOTE))
    person = insert_person(clinic)
    onboarded_event(clinic, person.id)
    assert dispatch_all(clinic).executions == 1
    with clinic.ctx.sessions.begin() as session:
        row = session.get(AutomationRule, rule_id)
        assert row is not None
        row.enabled = False
    onboarded_event(clinic, insert_person(clinic, first_name="Alt", phone=None).id)

    report = dispatch_all(clinic)

    assert (report.events, report.executions) == (1, 0)
    assert count(clinic, DomainEvent, DomainEvent.status == "pending") == 0


# --- trace and telemetry -----------------------------------------------------------------------


def test_the_trace_shows_conditions_and_redacted_output(clinic: Clinic) -> None:
    document = rule_doc(
        NOTE,
        conditions={"patient.first_name": {"exists": True}, "patient.city": {"ne": "Cluj"}},
    )
    rule_id = insert_rule(clinic, document)
    person = insert_person(clinic, city="Bucharest")
    event_id = onboarded_event(clinic, person.id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    trace = execution.trace
    assert trace["trigger"]["event_id"] == str(event_id)
    assert trace["trigger"]["payload"] == {"patient_person_id": str(person.id)}
    assert trace["conditions"] == [
        {"path": "patient.first_name", "op": "exists", "expected": True, "actual": REDACTED,
         "result": True},
        {"path": "patient.city", "op": "ne", "expected": "Cluj", "actual": "Bucharest",
         "result": True},
    ]  # fmt: skip
    (action,) = trace["actions"]
    assert action["index"] == 0
    assert action["type"] == "show_notification"
    assert action["status"] == "success"
    assert action["error"] is None
    assert action["duration_ms"] >= 0
    assert action["rendered"] == {"message": f"Hello {REDACTED}"}
    assert "Ioana" not in json.dumps(trace)
    (notification,) = rows(clinic, Notification)
    assert notification.message == "Hello Ioana"


def test_each_execution_is_counted_audited_and_tracked_without_patient_data(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_example(clinic, 1)
    person = insert_person(clinic)
    onboarded_event(clinic, person.id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    (rule,) = rows(clinic, AutomationRule, AutomationRule.id == rule_id)
    assert rule.execution_count == 1
    assert rule.last_executed_at == clinic.clock.now()
    (event,) = rows(clinic, AnalyticsEvent, AnalyticsEvent.event_name == "automation.executed")
    assert event.event_category == "automation"
    assert event.resource_type == "automation_rule"
    assert event.resource_id == hashlib.sha256(str(rule_id).encode()).hexdigest()
    assert event.properties == {
        "trigger_event": "patient.onboarded",
        "actions_count": 4,
        "status": "success",
    }
    written = json.dumps([event.properties, event.resource_id])
    for patient_value in (str(person.id), person.first_name, person.email, str(rule_id)):
        assert patient_value not in written
    (audit,) = rows(clinic, AuditEntry, AuditEntry.action == "automation.executed")
    assert audit.entity_id == execution.id
    assert audit.details["status"] == "success"
