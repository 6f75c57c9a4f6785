"""Example 1: a new patient is onboarded → privacy and terms forms (blocking), a welcome
e-mail five minutes later, and a notification for seven days."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.automation.delayed import run_due_delayed_actions
from frontdesk.domain.enums import FormSource, MessageChannel
from frontdesk.domain.errors import BookingBlocked
from frontdesk.services import booking
from frontdesk.store.models import FormInstance, Notification, OutboundMessage, Timer
from tests.integration.automation.helpers import (
    count,
    dispatch_all,
    executions,
    public_booking_onboarded,
    rows,
    sign_form,
)
from tests.support.automation import engine_ctx, insert_example
from tests.support.clinic import Clinic


def test_onboarding_requires_forms_sends_welcome_later_and_notifies(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_example(clinic, 1)
    person_id = public_booking_onboarded(clinic)

    report = dispatch_all(clinic)

    assert report.executions == 1
    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert [(e["action"], e["status"]) for e in execution.actions_executed] == [
        ("require_form", "success"),
        ("require_form", "success"),
        ("send_email", "scheduled"),
        ("show_notification", "success"),
    ]
    automation_forms = rows(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION)
    assert sorted((f.template_key, f.blocking) for f in automation_forms) == [
        ("gdpr_privacy", True),
        ("terms_of_service", True),
    ]
    assert all(f.patient_person_id == person_id for f in automation_forms)
    assert all(f.automation_execution_id == execution.id for f in automation_forms)
    (notification,) = rows(clinic, Notification, Notification.patient_person_id == person_id)
    assert notification.message == "Welcome! Please complete your medical profile."
    assert notification.expires_at == clinic.clock.now() + timedelta(days=7)
    # The e-mail waits five minutes, as a durable timer.
    assert count(clinic, OutboundMessage) == 0
    (timer,) = rows(clinic, Timer)
    assert timer.due_at_utc == clinic.clock.now() + timedelta(minutes=5)

    assert run_due_delayed_actions(engine_ctx(clinic)) == 0  # not due yet
    clinic.clock.advance(timedelta(minutes=5))
    assert run_due_delayed_actions(engine_ctx(clinic)) == 1

    (message,) = rows(clinic, OutboundMessage)
    assert message.channel == MessageChannel.EMAIL
    assert message.recipient == "ioana.marin@example.com"
    # The clinic is in Romania and the patient names no country: the e-mail is in Romanian.
    assert message.subject == "Bun venit la Riverside Physio"
    assert message.body_text.startswith("Bună ziua, Ioana,")
    assert message.body_html is not None
    assert message.body_html.startswith("<p>Bună ziua, Ioana,")
    assert message.not_before == clinic.clock.now()
    assert message.idempotency_key == f"{execution.execution_key}#2"
    (execution,) = executions(clinic, rule_id)
    assert execution.actions_executed[2]["status"] == "success"
    assert execution.actions_executed[2]["message_id"] == str(message.id)
    assert execution.status == "success"
    assert run_due_delayed_actions(engine_ctx(clinic)) == 0  # ran once


def test_booking_is_refused_until_the_required_forms_are_signed(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    insert_example(clinic, 1)
    person_id = public_booking_onboarded(clinic)
    dispatch_all(clinic)
    start = clinic.clock.now() + timedelta(days=5)

    def book() -> None:
        booking.book_for_patient(
            clinic.ctx,
            patient_person_id=person_id,
            service_id=clinic.video_service_id,
            specialist_id=clinic.specialist_id,
            start=start,
        )

    with pytest.raises(BookingBlocked) as refused:
        book()
    assert "Privacy Policy & GDPR Consent" in str(refused.value)
    assert "Terms of Service" in str(refused.value)

    for form in rows(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION):
        sign_form(clinic, form.id)
    book()
