"""Example 7: at 09:00 in the clinic's zone, a patient with a treatment session due today gets
a push reminder naming how long the session takes, and ten hours later (19:00) an e-mail — only
if they still have not done that session. Driven by the runner's sweep with the clock moved
forward; the session is completed through the plans service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.domain.enums import MessageChannel, TreatmentPlanType
from frontdesk.services import plans
from frontdesk.store.models import OutboundMessage, Timer, TreatmentSession
from tests.integration.automation.helpers import executions, import_example, register, rows, sweep
from tests.support.automation_catalog import ExampleCatalog
from tests.support.clinic import Clinic

MONDAY_0800 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # in Bucharest (UTC+2)
MONDAY_0900 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
MONDAY_1500 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
MONDAY_1900 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def _following_a_plan(clinic: Clinic) -> tuple[uuid.UUID, uuid.UUID]:
    """A patient assigned a 25-minute telerehab plan starting today; (person, today's session)."""
    staff = clinic.as_(clinic.specialist_actor)
    plan = plans.create_treatment_plan(
        staff,
        name="Shoulder mobility",
        type=TreatmentPlanType.TELEREHAB,
        specialist_id=clinic.specialist_id,
        session_estimated_minutes=25,
    ).value
    plans.activate_treatment_plan(staff, plan.id)
    person_id = register(clinic, "Ioana")
    assignment = plans.assign_treatment_plan(clinic.ctx, plan.id, person_id).value
    (today,) = rows(
        clinic,
        TreatmentSession,
        TreatmentSession.patient_treatment_plan_id == assignment.id,
        TreatmentSession.scheduled_on == MONDAY_0900.date(),
    )
    return person_id, today.id


@pytest.mark.parametrize("done_at_15", [False, True], ids=["not-done", "done-at-15:00"])
def test_morning_push_and_evening_email_only_while_the_session_is_not_done(
    clinic: Clinic, example_catalog: ExampleCatalog, done_at_15: bool
) -> None:
    clinic.clock.set(MONDAY_0800)
    rule_id = import_example(clinic, 7)
    person_id, session_id = _following_a_plan(clinic)
    register(clinic, "Radu")  # no plan: never reminded
    sweep(clinic)  # arms 09:00
    clinic.clock.set(MONDAY_0900 - timedelta(seconds=1))
    sweep(clinic)
    assert rows(clinic, OutboundMessage) == []

    clinic.clock.set(MONDAY_0900)
    sweep(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.trigger_entity_id == person_id
    assert [e["status"] for e in execution.actions_executed] == ["success", "scheduled"]
    (push,) = rows(clinic, OutboundMessage)
    assert (push.channel, push.recipient) == (MessageChannel.PUSH, f"person:{person_id}")
    assert push.body_text == "Time for your exercises! Today's session takes about 25 minutes."
    (evening,) = rows(clinic, Timer, Timer.payload["kind"].as_string() == "delayed_action")
    assert evening.due_at_utc == MONDAY_1900

    if done_at_15:
        clinic.clock.set(MONDAY_1500)
        plans.complete_session(clinic.ctx, session_id, pain_level=3.0)
        sweep(clinic)
    clinic.clock.set(MONDAY_1900 - timedelta(seconds=1))
    sweep(clinic)
    assert [m.id for m in rows(clinic, OutboundMessage)] == [push.id]
    clinic.clock.set(MONDAY_1900)
    sweep(clinic)

    (execution,) = executions(clinic, rule_id)
    evening_run = {e["path"]: e for e in execution.actions_executed}["1.action"]
    emails = rows(clinic, OutboundMessage, OutboundMessage.channel == MessageChannel.EMAIL)
    if done_at_15:
        assert emails == []
        assert evening_run["status"] == "skipped"
        assert evening_run["reason"] == "the action's conditions do not hold"
    else:
        (email,) = emails
        assert (email.template, email.recipient) == (
            "session_reminder_evening",
            "ioana@example.com",
        )
        assert email.not_before == MONDAY_1900
        assert "nu ați făcut încă exercițiile de azi" in email.body_text
        assert (evening_run["status"], evening_run["message_id"]) == ("success", str(email.id))
    assert execution.status == "success"
    assert len(rows(clinic, OutboundMessage)) == 1 + len(emails)  # Radu got nothing
