"""The engagement and treatment-plan handlers, called directly with a hand-built ActionRun:
the spec's examples 3, 5, 6, 7 and 8 (their parts these handlers play), the access-control
actions, and idempotency — the same run twice creates each row once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from frontdesk.automation.context import build_context
from frontdesk.automation.dispatcher import trigger_of
from frontdesk.automation.handlers import engagement
from frontdesk.automation.handlers import plans as plan_handlers
from frontdesk.automation.handlers.base import ActionResult, ActionRun, PermanentFailure
from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.enums import AppointmentSource, AppointmentStatus, MessageChannel
from frontdesk.domain.errors import DomainError, NotFound
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import ActionBase, RuleDefinition, evaluate, validate_rule
from frontdesk.services import booking_blocks, plans, segments
from frontdesk.services.blocking import outstanding_items
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import (
    AccessGrant,
    Appointment,
    AutomationRule,
    BookingBlock,
    Consent,
    DomainEvent,
    FormInstance,
    Organization,
    OutboundMessage,
    PatientPerson,
    SegmentMember,
    TreatmentSession,
    User,
)
from frontdesk.store.unit_of_work import Actor
from tests.integration.automation.helpers import count, rows
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.repository import EXAMPLES_DIR
from tests.support.rows import insert_appointment, insert_person

HANDLERS = {
    "block_booking": engagement.block_booking,
    "grant_access": engagement.grant_access,
    "require_consent": engagement.require_consent,
    "update_segment": engagement.update_segment,
    "assign_treatment_plan": plan_handlers.assign_treatment_plan,
    "send_session_reminder": plan_handlers.send_session_reminder,
    "book_followup_appointment": plan_handlers.book_followup_appointment,
}


class Harness:
    """One rule stored for the clinic, and its actions run by hand."""

    def __init__(self, clinic: Clinic, document: Mapping[str, Any]) -> None:
        self.clinic = clinic
        self.ctx: ServiceContext = clinic.ctx.acting_as(Actor.system("automation"))
        self.definition: RuleDefinition = validate_rule(document)
        written = self.definition.to_json_dict()
        with clinic.ctx.sessions.begin() as session:
            self.rule = AutomationRule(
                organization_id=clinic.organization_id,
                name=self.definition.name,
                trigger_event=str(self.definition.trigger_event),
                trigger_config=written.get("trigger_config", {}),
                conditions=written.get("conditions", {}),
                actions=written["actions"],
                definition=written,
            )
            session.add(self.rule)

    def run(
        self,
        path: str,
        trigger: TriggerInstance,
        context: Mapping[str, Any],
        *,
        action: ActionBase | None = None,
    ) -> ActionResult:
        chosen = action or self.definition.actions[int(path)]
        with self.ctx.transaction() as tx:
            run = ActionRun(
                ctx=self.ctx,
                tx=tx,
                rule=self.rule,
                trigger=trigger,
                execution_key=trigger.execution_key(self.rule.id),
                action_path=path,
                action=chosen,
                context=context,
            )
            return HANDLERS[chosen.type](run)


def _example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
    return document


def _daily(clinic: Clinic, person_id: uuid.UUID) -> TriggerInstance:
    return TriggerInstance(
        event_name=EventName.SCHEDULE_DAILY,
        occurred_at=clinic.clock.now(),
        subject_type="patient",
        subject_id=person_id,
        subject=Subject(patient_person_id=person_id),
        occurrence="2026-03-02T09:00",
    )


def _patient_context(person: PatientPerson) -> dict[str, Any]:
    return {
        "patient": {"id": str(person.id), "first_name": person.first_name},
        "organization": {"name": "Riverside Physio"},
    }


def _last_event(clinic: Clinic, name: str) -> DomainEvent:
    (event,) = rows(clinic, DomainEvent, DomainEvent.name == name)
    return event


def _fails(clinic: Clinic, error: type[Exception], call: Any) -> Exception:
    """Assert the handler refuses with `error` and its transaction wrote nothing."""
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(error) as exc:
        call()
    assert fingerprint(clinic.ctx.sessions) == before
    return exc.value


# --- example 3: service plan enrolment -----------------------------------------------------


def test_example_3_enrolling_fires_the_trigger_its_conditions_read(clinic: Clinic) -> None:
    definition = validate_rule(_example("03_service_plan_enrolment.json"))
    person = insert_person(clinic)
    for tracking in (True, False):
        plan = plans.create_service_plan(
            clinic.ctx,
            name=f"Programme {tracking}",
            service_id=clinic.consult_service_id,
            session_count=10,
            has_exercise_tracking=tracking,
        ).value
        enrolment = plans.enrol(clinic.ctx, plan.id, person.id).value
        event = rows(
            clinic,
            DomainEvent,
            DomainEvent.name == EventName.SERVICE_PLAN_ENROLLED,
            DomainEvent.subject_id == enrolment.id,
        )[0]
        trigger = trigger_of(event)
        assert trigger.subject.patient_person_id == person.id
        assert trigger.subject.service_plan_enrolment_id == enrolment.id
        with clinic.ctx.sessions() as session:
            organization = session.get_one(Organization, clinic.organization_id)
            context = build_context(session, organization, trigger)
        assert context["service_plan"]["session_count"] == 10
        assert evaluate(definition.conditions, context).matched is tracking


# --- example 5: birthday campaign → segment 15 ---------------------------------------------


def test_example_5_adds_the_patient_to_segment_15_once(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "Birthday This Month", reference=15).value
    harness = Harness(clinic, _example("05_birthday_campaign.json"))
    person = insert_person(clinic)
    trigger, context = _daily(clinic, person.id), _patient_context(person)

    first = harness.run("1", trigger, context)
    assert first.status == "success"
    assert first.details == {
        "segment_id": str(segment.id),
        "segment_reference": 15,
        "action": "add",
        "changed": True,
    }
    again = harness.run("1", trigger, context)
    assert again.details["changed"] is False
    (member,) = rows(clinic, SegmentMember, SegmentMember.segment_id == segment.id)
    assert member.patient_person_id == person.id
    assert member.removed_at is None


def test_update_segment_remove_and_a_missing_segment(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "Completed Rehab", reference=20).value
    person = insert_person(clinic)
    segments.add_member(clinic.ctx, segment.id, person.id)
    harness = Harness(
        clinic,
        {
            "name": "Leave segment",
            "trigger_event": "patient.onboarded",
            "actions": [
                {"type": "update_segment", "segment_id": 20, "action": "remove"},
                {"type": "update_segment", "segment_id": 99, "action": "add"},
            ],
        },
    )
    trigger, context = _daily(clinic, person.id), _patient_context(person)
    assert harness.run("0", trigger, context).details["changed"] is True
    assert harness.run("0", trigger, context).details["changed"] is False
    (member,) = rows(clinic, SegmentMember, SegmentMember.segment_id == segment.id)
    assert member.removed_at is not None
    missing = _fails(clinic, NotFound, lambda: harness.run("1", trigger, context))
    assert isinstance(missing, DomainError)
    assert missing.field == "actions[1].segment_id"


# --- access control ------------------------------------------------------------------------

ACCESS_RULE = {
    "name": "Onboarding access",
    "trigger_event": "patient.onboarded",
    "actions": [
        {"type": "block_booking", "reason": "Waiting for {{patient.first_name}}'s referral"},
        {"type": "grant_access", "feature": "telerehab", "duration_days": 30},
        {
            "type": "require_consent",
            "consent_type": "biometric_data",
            "form_template_id": "privacy",
        },
    ],
}


def test_block_grant_and_consent_each_happen_once(clinic: Clinic) -> None:
    harness = Harness(clinic, ACCESS_RULE)
    person = insert_person(clinic)
    trigger, context = _daily(clinic, person.id), _patient_context(person)
    results = [harness.run(path, trigger, context) for path in ("0", "1", "2") for _ in (1, 2)]
    assert {result.status for result in results} == {"success"}
    assert results[0].details == results[1].details

    (block,) = rows(clinic, BookingBlock)
    assert block.reason == "Waiting for Ioana's referral"
    assert block.automation_execution_id is not None
    (grant,) = rows(clinic, AccessGrant)
    assert (grant.feature, grant.expires_at) == (
        "telerehab",
        clinic.clock.now() + timedelta(days=30),
    )
    (consent,) = rows(clinic, Consent)
    (form,) = rows(clinic, FormInstance)
    assert consent.form_instance_id == form.id
    assert not form.blocking
    assert results[4].details["form_id"] == str(form.id)
    with clinic.ctx.sessions() as session:
        assert outstanding_items(session, clinic.organization_id, person.id) == [
            "booking block to be lifted: Waiting for Ioana's referral",
            "give the required consent “biometric_data”",
        ]


def test_a_trigger_without_a_patient_fails_permanently(clinic: Clinic) -> None:
    harness = Harness(clinic, ACCESS_RULE)
    trigger = TriggerInstance(
        event_name=EventName.PATIENT_ONBOARDED,
        occurred_at=clinic.clock.now(),
        subject_type="organization",
        subject_id=None,
        subject=Subject(),
        occurrence="x",
    )
    error = _fails(clinic, PermanentFailure, lambda: harness.run("0", trigger, {}))
    assert "actions[0]: this trigger has no patient" in str(error)


# --- examples 6 and 8: a treatment plan assigned, completed, followed up -------------------


def _plan(clinic: Clinic, **overrides: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "name": "Knee rehab",
        "type": "telerehab",
        "specialist_id": clinic.specialist_id,
        "followup_service_id": clinic.video_service_id,
        "frequency_per_week": 1,
        "duration_weeks": 1,
        "reference": 7,
        **overrides,
    }
    plan = plans.create_treatment_plan(clinic.ctx, **values).value
    plans.activate_treatment_plan(clinic.ctx, plan.id)
    return plan.id


def test_assign_treatment_plan_assigns_once_and_fires_example_6(clinic: Clinic) -> None:
    plan_id = _plan(clinic)
    person = insert_person(clinic)
    harness = Harness(
        clinic,
        {
            "name": "Knee programme for new patients",
            "trigger_event": "patient.onboarded",
            "actions": [{"type": "assign_treatment_plan", "treatment_plan_id": 7}],
        },
    )
    trigger, context = _daily(clinic, person.id), _patient_context(person)
    first = harness.run("0", trigger, context)
    assert harness.run("0", trigger, context).details == first.details
    assignment_id = uuid.UUID(first.details["patient_treatment_plan_id"])
    assert first.details["treatment_plan_id"] == str(plan_id)

    # Example 6 listens to the event the assignment published, and finds its plan through it.
    example_6 = validate_rule(_example("06_telerehab_plan_assignment.json"))
    assigned = trigger_of(_last_event(clinic, EventName.TREATMENT_PLAN_ASSIGNED))
    assert example_6.trigger_event == assigned.event_name
    assert assigned.subject.patient_treatment_plan_id == assignment_id
    assert assigned.subject.patient_person_id == person.id
    assert count(clinic, TreatmentSession) == 1


def test_assign_treatment_plan_skips_a_plan_the_patient_follows(clinic: Clinic) -> None:
    plan_id = _plan(clinic)
    person = insert_person(clinic)
    plans.assign_treatment_plan(clinic.ctx, plan_id, person.id)
    harness = Harness(
        clinic,
        {
            "name": "Start again after expiry",
            "trigger_event": "treatment_plan.expired",
            "actions": [
                {"type": "assign_treatment_plan", "treatment_plan_id": "{{treatment_plan.id}}"},
                {"type": "assign_treatment_plan", "treatment_plan_id": 99},
            ],
        },
    )
    trigger = _daily(clinic, person.id)
    context = {**_patient_context(person), "treatment_plan": {"id": str(plan_id)}}
    skipped = harness.run("0", trigger, context)
    assert skipped.status == "skipped"
    assert skipped.details["treatment_plan_id"] == str(plan_id)
    missing = _fails(clinic, NotFound, lambda: harness.run("1", trigger, context))
    assert isinstance(missing, DomainError)
    assert missing.field == "actions[1].treatment_plan_id"


def _completed_plan(clinic: Clinic, **overrides: Any) -> tuple[PatientPerson, TriggerInstance]:
    """A patient who has just finished a one-session plan; the treatment_plan.completed
    trigger."""
    plan_id = _plan(clinic, **overrides)
    person = insert_person(clinic)
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    (session,) = rows(
        clinic,
        TreatmentSession,
        TreatmentSession.patient_treatment_plan_id == assignment.id,
    )
    plans.complete_session(clinic.ctx, session.id, pain_level=3)
    return person, trigger_of(_last_event(clinic, EventName.TREATMENT_PLAN_COMPLETED))


def _plan_context(clinic: Clinic, person: PatientPerson, **plan: Any) -> dict[str, Any]:
    return {
        **_patient_context(person),
        "treatment_plan": {
            "name": "Knee rehab",
            "specialist_id": str(clinic.specialist_id),
            "followup_service_id": str(clinic.video_service_id),
            **plan,
        },
        "patient_treatment_plan": {"self_assigned": False},
    }


def test_example_8_books_the_first_free_slot_once(clinic: Clinic) -> None:
    person, trigger = _completed_plan(clinic)
    harness = Harness(clinic, _example("08_treatment_plan_completion_followup.json"))
    # Monday 09:00 local is now; the specialist is busy 11:00–11:45 local.
    insert_appointment(
        clinic,
        start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        person_id=insert_person(clinic, first_name="Radu", email=None, phone=None).id,
    )
    context = _plan_context(clinic, person)

    first = harness.run("0", trigger, context)
    assert harness.run("0", trigger, context).details == first.details
    (appointment,) = rows(clinic, Appointment, Appointment.patient_person_id == person.id)
    # Starts every 15 minutes from 09:00, two hours' notice: 11:00 is the first allowed;
    # 11:00, 11:15 and 11:30 overlap the other appointment.
    assert appointment.started_at == datetime(2026, 3, 2, 9, 45, tzinfo=UTC)
    assert appointment.ended_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    assert (appointment.specialist_id, appointment.service_id) == (
        clinic.specialist_id,
        clinic.video_service_id,
    )
    assert appointment.source == AppointmentSource.AUTOMATION
    assert appointment.status == AppointmentStatus.UPCOMING  # a patient already: onboarded
    assert appointment.notes == "Treatment plan review — Knee rehab"
    assert first.details["appointment_id"] == str(appointment.id)
    assert count(clinic, DomainEvent, DomainEvent.name == EventName.APPOINTMENT_BOOKED) == 1

    # Example 8's last action: the patient joins "Completed Rehab" (segment 20), once.
    segment = segments.create_segment(clinic.ctx, "Completed Rehab", reference=20).value
    assert harness.run("3", trigger, context).details["changed"] is True
    assert harness.run("3", trigger, context).details["changed"] is False
    assert count(clinic, SegmentMember, SegmentMember.segment_id == segment.id) == 1


def test_a_followup_skips_weekends_and_evenings(clinic: Clinic) -> None:
    person, trigger = _completed_plan(clinic)
    harness = Harness(clinic, _example("08_treatment_plan_completion_followup.json"))
    clinic.clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # Friday 17:00 local
    harness.run("0", trigger, _plan_context(clinic, person))
    (appointment,) = rows(clinic, Appointment, Appointment.patient_person_id == person.id)
    assert appointment.started_at == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 09:00


def test_a_followup_with_no_free_slot_fails_and_books_nothing(clinic: Clinic) -> None:
    person, trigger = _completed_plan(clinic)
    harness = Harness(clinic, _example("08_treatment_plan_completion_followup.json"))
    insert_appointment(
        clinic,
        start=clinic.clock.now(),
        minutes=8 * 24 * 60,
        person_id=insert_person(clinic, first_name="Radu", email=None, phone=None).id,
    )
    error = _fails(
        clinic,
        PermanentFailure,
        lambda: harness.run("0", trigger, _plan_context(clinic, person)),
    )
    assert str(error) == (
        "actions[0].within_days: Dr Mihai Popescu has no free 30-minute slot in their "
        "working hours in the next 7 days"
    )


def test_a_followup_needs_the_plans_specialist_and_service(clinic: Clinic) -> None:
    person, trigger = _completed_plan(clinic)
    harness = Harness(clinic, _example("08_treatment_plan_completion_followup.json"))
    no_service = _plan_context(clinic, person, followup_service_id=None)
    error = _fails(clinic, PermanentFailure, lambda: harness.run("0", trigger, no_service))
    assert str(error).startswith("actions[0].service_id: {{treatment_plan.followup_service_id}}")
    unknown = _plan_context(clinic, person, specialist_id=str(uuid.uuid4()))
    missing = _fails(clinic, NotFound, lambda: harness.run("0", trigger, unknown))
    assert isinstance(missing, DomainError)
    assert missing.field == "actions[0].specialist_id"


def test_a_blocked_patient_gets_no_followup(clinic: Clinic) -> None:
    person, trigger = _completed_plan(clinic)
    harness = Harness(clinic, _example("08_treatment_plan_completion_followup.json"))
    booking_blocks.block_booking(clinic.ctx, person.id, "unpaid invoice")
    error = _fails(
        clinic, DomainError, lambda: harness.run("0", trigger, _plan_context(clinic, person))
    )
    assert "unpaid invoice" in str(error)


# --- example 7: the daily session reminder -------------------------------------------------


def _patient_with_plan_today(clinic: Clinic) -> PatientPerson:
    plan_id = _plan(clinic, frequency_per_week=3, duration_weeks=2)
    with clinic.ctx.sessions.begin() as session:
        user = User(email="ioana@patients.example", display_name="Ioana")
        session.add(user)
        session.flush()
        user_id = user.id
    person = insert_person(clinic, user_id=user_id)
    plans.assign_treatment_plan(clinic.ctx, plan_id, person.id)
    return person


def test_example_7_pushes_todays_reminder_once(clinic: Clinic) -> None:
    person = _patient_with_plan_today(clinic)
    harness = Harness(clinic, _example("07_daily_session_reminder.json"))
    trigger, context = _daily(clinic, person.id), _patient_context(person)
    first = harness.run("0", trigger, context)
    assert first.status == "success"
    assert harness.run("0", trigger, context).details == first.details
    (message,) = rows(clinic, OutboundMessage)
    assert message.channel == MessageChannel.PUSH
    assert message.recipient == f"person:{person.id}"
    assert message.body_text == "Time for your exercises! Today's session takes about 20 minutes."
    assert message.idempotency_key == f"{trigger.execution_key(harness.rule.id)}#0"
    assert message.automation_execution_id is not None


def test_example_7_evening_email_is_skipped_once_the_session_is_done(clinic: Clinic) -> None:
    person = _patient_with_plan_today(clinic)
    harness = Harness(clinic, _example("07_daily_session_reminder.json"))
    evening = harness.definition.actions[1].action  # type: ignore[attr-defined]
    trigger, context = _daily(clinic, person.id), _patient_context(person)
    clinic.clock.advance(timedelta(hours=10))

    sent = harness.run("1.action", trigger, context, action=evening)
    (message,) = rows(clinic, OutboundMessage)
    assert sent.details["message_id"] == str(message.id)
    assert (message.channel, message.recipient) == (MessageChannel.EMAIL, person.email)
    assert message.subject == "Ședința de azi încă vă așteaptă"
    assert message.template == "session_reminder_evening"

    (today,) = rows(
        clinic, TreatmentSession, TreatmentSession.scheduled_on == clinic.clock.now().date()
    )
    plans.complete_session(clinic.ctx, today.id)
    later = replace(_daily(clinic, person.id), occurrence="2026-03-02T19:00")
    skipped = harness.run("1.action", later, context, action=evening)
    assert skipped.status == "skipped"
    assert count(clinic, OutboundMessage) == 1


def test_no_reminder_without_a_session_due_today(clinic: Clinic) -> None:
    person = _patient_with_plan_today(clinic)
    harness = Harness(clinic, _example("07_daily_session_reminder.json"))
    clinic.clock.advance(timedelta(days=1))  # Tuesday: the plan's sessions are Mon, Wed, Fri
    result = harness.run("0", _daily(clinic, person.id), _patient_context(person))
    assert (result.status, result.details) == (
        "skipped",
        {"reason": "no treatment session is due today"},
    )
    assert count(clinic, OutboundMessage) == 0


def test_a_push_reminder_needs_an_app_account(clinic: Clinic) -> None:
    plan_id = _plan(clinic)
    person = insert_person(clinic)
    plans.assign_treatment_plan(clinic.ctx, plan_id, person.id)
    harness = Harness(clinic, _example("07_daily_session_reminder.json"))
    error = _fails(
        clinic,
        PermanentFailure,
        lambda: harness.run("0", _daily(clinic, person.id), _patient_context(person)),
    )
    assert str(error) == "actions[0].channel: the patient has no app account to push to"
    assert count(clinic, OutboundMessage) == 0
