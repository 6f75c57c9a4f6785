"""The data-collection and communication actions, their refusals, and templates that try to
leave the sandbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from frontdesk.automation.delayed import run_due_delayed_actions
from frontdesk.domain.enums import MessageChannel
from frontdesk.domain.errors import BookingBlocked, InvalidInput
from frontdesk.domain.rules import RuleInvalid, TemplateRefused, validate_rule
from frontdesk.services import booking, patients
from frontdesk.services.messages import save_message_template
from frontdesk.store.models import (
    AutomationExecution,
    BookingBlock,
    DomainEvent,
    MessageTemplate,
    Notification,
    Organization,
    OutboundMessage,
    PatientPerson,
    TreatmentPlan,
)
from tests.integration.automation.helpers import (
    count,
    dispatch_all,
    executions,
    insert_event,
    onboarded_event,
    rows,
    rule_doc,
)
from tests.support.automation import engine_ctx, insert_rule
from tests.support.clinic import Clinic
from tests.support.rows import insert_person


def _run_one(clinic: Clinic, action: dict[str, Any], **person: Any) -> AutomationExecution:
    """One patient.onboarded rule with `action`, run for a new person; its execution."""
    rule_id = insert_rule(clinic, rule_doc(action))
    onboarded_event(clinic, insert_person(clinic, **person).id)
    dispatch_all(clinic)
    (execution,) = executions(clinic, rule_id)
    return execution


def _error(execution: AutomationExecution) -> str:
    return str(execution.actions_executed[0].get("error"))


# --- recipients --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "person", "error"),
    [
        ({"type": "send_email", "email_template": "welcome_patient"}, {"email": None},
         "actions[0].target: the patient has no e-mail address"),
        ({"type": "send_sms", "template": "appointment_reminder",
          "variables": {"specialist_name": "x", "time": "y"}}, {"phone": None},
         "actions[0].target: the patient has no phone number"),
        ({"type": "send_push", "message": "Hi"}, {},
         "actions[0].target: the patient has no app account to push to"),
        ({"type": "send_sms", "message": "Hi", "target": "staff"}, {},
         "actions[0].target: the organization's admin has no phone number"),
        ({"type": "show_notification", "message": "Hi", "target": "specialist"}, {},
         "actions[0]: this trigger has no specialist"),
    ],
    ids=["no-email", "no-phone", "no-account", "staff-no-phone", "no-specialist"],
)  # fmt: skip
def test_a_recipient_without_an_address_fails_the_action(
    clinic: Clinic, action: dict[str, Any], person: dict[str, Any], error: str
) -> None:
    execution = _run_one(clinic, action, **person)

    assert execution.status == "failure"
    assert _error(execution) == error
    assert count(clinic, OutboundMessage) == 0


def test_push_goes_to_the_patients_account_and_staff_mail_to_the_admin(clinic: Clinic) -> None:
    person = patients.register_patient(
        clinic.ctx, first_name="Eva", last_name="Lup", email="eva@example.com"
    ).value
    rule_id = insert_rule(
        clinic,
        rule_doc(
            {"type": "send_push", "title": "Hi {{ patient.first_name }}", "message": "Welcome"},
            {"type": "send_email", "email_template": "welcome_patient", "target": "staff"},
        ),
    )

    dispatch_all(clinic)  # register_patient emitted patient.onboarded

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    push, mail = sorted(rows(clinic, OutboundMessage), key=lambda m: m.channel != "push")
    assert (push.channel, push.recipient) == (MessageChannel.PUSH, f"person:{person.id}")
    assert (push.subject, push.body_text, push.patient_person_id) == (
        "Hi Eva",
        "Welcome",
        person.id,
    )
    assert (mail.recipient, mail.patient_person_id) == ("ana.admin@example.com", None)


def test_a_trigger_without_a_patient_cannot_message_one(clinic: Clinic) -> None:
    rule_id = insert_rule(
        clinic,
        {
            "name": "Plan created",
            "trigger_event": "treatment_plan.created",
            "actions": [
                {"type": "send_email", "email_template": "welcome_patient"},
                {"type": "show_notification", "message": "New plan {{ treatment_plan.name }}",
                 "target": "staff", "cta_url": "/plans/{{ treatment_plan.id }}"},
            ],
        },
    )  # fmt: skip
    with clinic.ctx.sessions.begin() as session:
        plan = TreatmentPlan(organization_id=clinic.organization_id, name="Back", type="telerehab")
        session.add(plan)
        session.flush()
        plan_id = plan.id
    insert_event(clinic, "treatment_plan.created", "treatment_plan", plan_id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "partial_failure"
    assert _error(execution) == "actions[0]: this trigger has no patient"
    (note,) = rows(clinic, Notification)
    assert (note.target, note.message, note.cta_url) == (
        "staff",
        "New plan Back",
        f"/plans/{plan_id}",
    )
    assert (note.patient_person_id, note.expires_at) == (None, None)


def test_a_delayed_message_to_a_patient_deleted_meanwhile_fails(clinic: Clinic) -> None:
    rule_id = insert_rule(
        clinic, rule_doc({"type": "send_sms", "message": "Hi", "delay_minutes": 5})
    )
    person = insert_person(clinic)
    onboarded_event(clinic, person.id)
    dispatch_all(clinic)
    with clinic.ctx.sessions.begin() as session:
        row = session.get(PatientPerson, person.id)
        assert row is not None
        row.deleted_at = clinic.clock.now()
    clinic.clock.advance(timedelta(minutes=5))

    run_due_delayed_actions(engine_ctx(clinic))

    (execution,) = executions(clinic, rule_id)
    assert _error(execution) == "actions[0]: the patient was deleted"
    assert count(clinic, OutboundMessage) == 0


# --- message content ---------------------------------------------------------------------------


def test_variables_reach_the_message_template_and_html_is_escaped(clinic: Clinic) -> None:
    save_message_template(
        clinic.as_(clinic.admin),
        key="plan_note",
        channel="email",
        subject="{{ plan_name }}",
        body="Dear {{ patient.first_name }},\n{{ variables.plan_name }} / {{ plan_name }}",
    )
    action = {
        "type": "send_email",
        "email_template": "plan_note",
        "variables": {"plan_name": "Plan <b>{{ patient.last_name }}</b>"},
    }

    execution = _run_one(clinic, action, first_name="<script>x</script>", last_name="Ro")

    assert execution.status == "success"
    (message,) = rows(clinic, OutboundMessage)
    assert message.subject == "Plan <b>Ro</b>"
    assert message.body_text == "Dear <script>x</script>,\nPlan <b>Ro</b> / Plan <b>Ro</b>"
    assert message.body_html == (
        "<p>Dear &lt;script&gt;x&lt;/script&gt;,<br>\n"
        "Plan &lt;b&gt;Ro&lt;/b&gt; / Plan &lt;b&gt;Ro&lt;/b&gt;</p>\n"
    )


def test_a_message_template_missing_a_value_fails_the_action(clinic: Clinic) -> None:
    execution = _run_one(clinic, {"type": "send_email", "email_template": "plan_welcome"})

    assert execution.status == "failure"
    assert "no value for 'plan_name'" in _error(execution)


def test_every_shipped_template_renders_for_its_example(clinic: Clinic) -> None:
    from frontdesk.project_paths import json_files
    from frontdesk.services.messages import MESSAGES_DIR

    keys = sorted(path.name.removesuffix(".json") for path in json_files(MESSAGES_DIR))
    assert keys == sorted(
        [
            "welcome_patient", "first_appointment_video_guide", "plan_welcome",
            "appointment_reminder", "appointment_reminder_with_video_link", "happy_birthday",
            "treatment_plan_welcome", "session_reminder_evening", "treatment_plan_completed",
            "adherence_encouragement",
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("patient_country", "clinic_country", "subject"),
    [
        (None, "RO", "Bun venit la Riverside Physio"),
        ("GB", "RO", "Welcome to Riverside Physio"),
        ("RO", None, "Bun venit la Riverside Physio"),
        (None, None, "Welcome to Riverside Physio"),
    ],
    ids=["clinic-ro", "patient-gb", "patient-ro", "neither"],
)
def test_a_shipped_message_is_written_in_the_recipients_language(
    clinic: Clinic, patient_country: str | None, clinic_country: str | None, subject: str
) -> None:
    with clinic.ctx.sessions.begin() as session:
        organization = session.get(Organization, clinic.organization_id)
        assert organization is not None
        organization.country = clinic_country
    action = {"type": "send_email", "email_template": "welcome_patient"}

    execution = _run_one(clinic, action, country=patient_country, first_name="Eva")

    assert execution.status == "success"
    (message,) = rows(clinic, OutboundMessage)
    assert message.subject == subject
    greeting = "Bună ziua, Eva," if subject.startswith("Bun") else "Hello Eva,"
    assert message.body_text.startswith(greeting)


def test_the_staff_read_the_clinics_language_and_an_organizations_wording_wins(
    clinic: Clinic,
) -> None:
    save_message_template(
        clinic.as_(clinic.admin),
        key="welcome_patient",
        channel="sms",
        subject="",
        body="Salut {{ patient.first_name }}!",
    )
    staff_mail = {"type": "send_email", "email_template": "welcome_patient", "target": "staff"}
    sms = {"type": "send_sms", "template": "welcome_patient"}
    rule_id = insert_rule(clinic, rule_doc(staff_mail, sms))
    onboarded_event(clinic, insert_person(clinic, country="GB", first_name="Eva").id)
    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    mail, text = sorted(rows(clinic, OutboundMessage), key=lambda m: m.channel != "email")
    assert (mail.recipient, mail.subject) == (
        "ana.admin@example.com",
        "Bun venit la Riverside Physio",
    )
    assert text.body_text == "Salut Eva!"  # the clinic's own wording, whatever the language


# --- template injection ------------------------------------------------------------------------

REFUSED_AT_SAVE = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ patient.__class__ }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ lipsum.__globals__ }}",
]
# Only the values decide how large a product gets, so that is refused while rendering.
INJECTIONS = [*REFUSED_AT_SAVE, "{{ 'x' * 100000000 }}"]


@pytest.mark.parametrize("body", REFUSED_AT_SAVE)
def test_an_injected_message_template_is_refused_when_saved(clinic: Clinic, body: str) -> None:
    with pytest.raises(TemplateRefused) as refused:
        save_message_template(
            clinic.as_(clinic.admin), key="evil", channel="email", subject="Hi", body=body
        )
    assert refused.value.field == "body"
    assert count(clinic, MessageTemplate) == 0


@pytest.mark.parametrize("body", INJECTIONS)
def test_an_injected_message_template_is_refused_when_rendered(clinic: Clinic, body: str) -> None:
    # Written behind the service's back (an old database, a sync from elsewhere).
    with clinic.ctx.sessions.begin() as session:
        session.add(
            MessageTemplate(
                organization_id=clinic.organization_id,
                key="evil",
                channel=MessageChannel.EMAIL,
                subject="Hi",
                body=body,
            )
        )

    execution = _run_one(clinic, {"type": "send_email", "email_template": "evil"})

    assert execution.status == "failure"
    assert _error(execution).startswith("message_templates.evil.email.body")
    assert count(clinic, OutboundMessage) == 0


def test_an_injected_action_template_is_refused_when_the_rule_is_saved() -> None:
    document = rule_doc({"type": "show_notification", "message": "{{ patient.__class__ }}"})
    with pytest.raises(RuleInvalid) as refused:
        validate_rule(document)
    assert refused.value.field == "actions[0].message"


def test_message_template_saving_refusals(clinic: Clinic) -> None:
    admin = clinic.as_(clinic.admin)
    with pytest.raises(InvalidInput, match="in the key"):
        save_message_template(admin, key="../x", channel="email", subject="", body="b")
    with pytest.raises(InvalidInput, match="how it is sent"):
        save_message_template(admin, key="k", channel="fax", subject="", body="b")
    with pytest.raises(InvalidInput, match="Write the message"):
        save_message_template(admin, key="k", channel="sms", subject="", body="  ")
    with pytest.raises(Exception, match="ask an admin"):
        save_message_template(clinic.ctx, key="k", channel="sms", subject="", body="b")
    saved = save_message_template(admin, key="k", channel="sms", subject="", body="one").value
    again = save_message_template(admin, key="k", channel="sms", subject="", body="two").value
    assert (saved.id, again.body) == (again.id, "two")


# --- forms and profile fields ------------------------------------------------------------------


def test_a_form_the_appointment_has_already_is_skipped(clinic: Clinic) -> None:
    rule_id = insert_rule(
        clinic,
        {
            "name": "Intake on booking",
            "trigger_event": "appointment.booked",
            "actions": [{"type": "suggest_form", "form_template_id": "intake"}],
        },
    )
    person = patients.register_patient(
        clinic.ctx, first_name="Ema", last_name="Dinu", phone="+40721000401"
    ).value
    booking.book_for_patient(  # the consult service asks for "intake" itself
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=clinic.clock.now() + timedelta(days=2),
    )

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    entry = execution.actions_executed[0]
    assert entry["status"] == "skipped"
    assert "has this form already (intake)" in entry["reason"]


def test_missing_profile_fields_are_requested_and_can_block_booking(clinic: Clinic) -> None:
    action = {
        "type": "request_profile_fields",
        "fields": ["email", "phone", "city"],
        "blocking": True,
    }

    execution = _run_one(clinic, action, email=None, city=None)

    assert execution.actions_executed[0]["missing"] == ["email", "city"]
    (note,) = rows(clinic, Notification)
    assert note.message == "Please complete your profile: e-mail address, city."
    assert note.priority == "high"
    (block,) = rows(clinic, BookingBlock)
    with pytest.raises(BookingBlocked, match="complete the profile: e-mail address, city"):
        booking.book_for_patient(
            clinic.ctx,
            patient_person_id=block.patient_person_id,
            service_id=clinic.video_service_id,
            specialist_id=clinic.specialist_id,
            start=clinic.clock.now() + timedelta(days=2),
        )


def test_a_complete_profile_needs_nothing(clinic: Clinic) -> None:
    action = {"type": "request_profile_fields", "fields": ["email"], "message": "Hi"}

    execution = _run_one(clinic, action)

    assert execution.status == "success"
    assert execution.actions_executed[0]["missing"] == []
    assert count(clinic, Notification) == 0


def test_a_custom_profile_request_message_is_rendered(clinic: Clinic) -> None:
    action = {
        "type": "request_profile_fields",
        "fields": ["city"],
        "message": "{{ patient.first_name }}, where do you live?",
    }

    _run_one(clinic, action)

    (note,) = rows(clinic, Notification)
    assert (note.message, note.priority) == ("Ioana, where do you live?", "normal")
    assert count(clinic, BookingBlock) == 0
    assert count(clinic, DomainEvent, DomainEvent.status == "pending") == 0
