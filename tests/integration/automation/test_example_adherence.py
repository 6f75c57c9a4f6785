"""Example 9: after a session, a patient whose adherence fell below 50 % (with at least three
sessions done) gets an encouraging e-mail and their specialist a high-priority notification."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.domain.enums import (
    MessageChannel,
    PatientPlanStatus,
    TreatmentPlanStatus,
    TreatmentPlanType,
)
from frontdesk.store.models import (
    DomainEvent,
    Notification,
    OutboundMessage,
    PatientTreatmentPlan,
    TreatmentPlan,
    TreatmentSession,
)
from tests.integration.automation.helpers import count, dispatch_all, executions, rows
from tests.support.automation import insert_example
from tests.support.clinic import Clinic
from tests.support.rows import insert_person


def _plan_with_sessions(clinic: Clinic, person_id: uuid.UUID, done: int, due: int) -> uuid.UUID:
    """A telerehab plan with `due` sessions scheduled up to today, the first `done` of them
    completed, four more ahead; then the session-completed event for the last one done."""
    today = clinic.clock.now().date()
    with clinic.ctx.sessions.begin() as session:
        plan = TreatmentPlan(
            organization_id=clinic.organization_id,
            name="Knee rehab",
            type=TreatmentPlanType.TELEREHAB,
            status=TreatmentPlanStatus.ACTIVE,
            specialist_id=clinic.specialist_id,
        )
        session.add(plan)
        session.flush()
        mine = PatientTreatmentPlan(
            organization_id=clinic.organization_id,
            treatment_plan_id=plan.id,
            patient_person_id=person_id,
            status=PatientPlanStatus.ACTIVE,
            start_date=today - timedelta(days=due),
            end_date=today + timedelta(days=10),
            sessions_total=due + 4,
            sessions_completed=done,
            pain_baseline=8.0,
            pain_latest=6.0,
        )
        session.add(mine)
        session.flush()
        days = [today - timedelta(days=due - 1 - n) for n in range(due)]
        days += [today + timedelta(days=n + 1) for n in range(4)]
        sessions = [
            TreatmentSession(
                organization_id=clinic.organization_id,
                patient_treatment_plan_id=mine.id,
                scheduled_on=day,
                completed_at=clinic.clock.now() if n < done else None,
            )
            for n, day in enumerate(days)
        ]
        session.add_all(sessions)
        session.flush()
        session.add(
            DomainEvent(
                organization_id=clinic.organization_id,
                name="treatment_plan.session_completed",
                subject_type="patient_treatment_plan",
                subject_id=mine.id,
                payload={"session_id": str(sessions[done - 1].id)},
                occurred_at=clinic.clock.now(),
            )
        )
        return mine.id


def test_low_adherence_notifies_specialist_and_encourages_patient(clinic: Clinic) -> None:
    rule_id = insert_example(clinic, 9)
    person = insert_person(clinic, first_name="Ioana", last_name="Marin")
    _plan_with_sessions(clinic, person.id, done=3, due=8)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.trace["conditions"] == [
        {
            "path": "treatment_plan.adherence_rate",
            "op": "lt",
            "expected": 0.5,
            "actual": 0.375,
            "result": True,
        },
        {
            "path": "patient_treatment_plan.sessions_completed",
            "op": "gte",
            "expected": 3,
            "actual": 3,
            "result": True,
        },
    ]
    (notification,) = rows(clinic, Notification)
    assert notification.target == "specialist"
    assert notification.specialist_id == clinic.specialist_id
    assert notification.priority == "high"
    assert notification.message == ('Ioana Marin has low adherence (0.375%) on plan "Knee rehab"')
    (message,) = rows(clinic, OutboundMessage)
    assert message.channel == MessageChannel.EMAIL
    assert message.recipient == "ioana.marin@example.com"
    assert "Bună ziua, Ioana," in message.body_text
    assert "mai aveți 9." in message.body_text  # 12 sessions, 3 done
    assert "Dr Mihai Popescu" in message.body_text


@pytest.mark.parametrize(("done", "due"), [(5, 8), (2, 8)], ids=["adherent", "too-early"])
def test_no_alert_when_adherent_or_too_few_sessions(clinic: Clinic, done: int, due: int) -> None:
    rule_id = insert_example(clinic, 9)
    person = insert_person(clinic)
    _plan_with_sessions(clinic, person.id, done=done, due=due)

    dispatch_all(clinic)

    assert executions(clinic, rule_id) == []
    assert count(clinic, Notification) == 0
    assert count(clinic, OutboundMessage) == 0
