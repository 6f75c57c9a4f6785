"""Small readers shared by the automation tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select

from frontdesk.automation.dispatcher import DispatchReport, dispatch_pending
from frontdesk.automation.scheduler import AutomationRunner, SweepReport
from frontdesk.services import automation_rules, booking, forms, onboarding, patients
from frontdesk.store.base import Base
from frontdesk.store.models import AutomationExecution, DomainEvent
from tests.support.automation import engine_ctx, example_document
from tests.support.clinic import Clinic

T = TypeVar("T", bound=Base)
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1 C 5 9, 9 1, 14 8"/></svg>'


def dispatch_all(clinic: Clinic) -> DispatchReport:
    """Dispatch until no event is pending (events caused by actions included)."""
    total = DispatchReport()
    while True:
        report = dispatch_pending(engine_ctx(clinic))
        if report.events == 0:
            return total
        for name in ("events", "executions", "already_run", "loop_stopped"):
            setattr(total, name, getattr(total, name) + getattr(report, name))


def rows(clinic: Clinic, model: type[T], *where: Any) -> list[T]:
    with clinic.ctx.sessions() as session:
        return list(session.scalars(select(model).where(*where)))


def count(clinic: Clinic, model: type[Base], *where: Any) -> int:
    with clinic.ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def executions(clinic: Clinic, rule_id: uuid.UUID) -> list[AutomationExecution]:
    return rows(clinic, AutomationExecution, AutomationExecution.automation_rule_id == rule_id)


def public_booking_onboarded(clinic: Clinic, *, start: datetime | None = None) -> uuid.UUID:
    """A public booking onboarded by the receptionist (patient.onboarded fires); the person."""
    start = start or clinic.clock.now() + timedelta(days=2)
    booked = booking.book_public(
        clinic.ctx,
        service_id=clinic.video_service_id,
        start=start,
        name="Ioana Marin",
        email="ioana.marin@example.com",
        phone="+40721000111",
        client_id="browser-1",
        idempotency_key=f"key-{start.isoformat()}",
    ).value
    result = onboarding.onboard(clinic.ctx, booked.appointment.id, keep_separate=True).value
    return result.person.id


def sign_form(clinic: Clinic, form_id: uuid.UUID) -> None:
    forms.save_values(clinic.ctx, form_id, {"agree": True})
    forms.complete(clinic.ctx, form_id)
    forms.sign(clinic.ctx, form_id, signer_name="Ioana Marin", signature_svg=SVG)


def pending_events(clinic: Clinic) -> int:
    return count(clinic, DomainEvent, DomainEvent.status == "pending")


def insert_event(
    clinic: Clinic,
    name: str,
    subject_type: str,
    subject_id: uuid.UUID,
    payload: dict[str, Any] | None = None,
) -> uuid.UUID:
    """A pending domain event, as a service would have written it."""
    with clinic.ctx.sessions.begin() as session:
        event = DomainEvent(
            organization_id=clinic.organization_id,
            name=name,
            subject_type=subject_type,
            subject_id=subject_id,
            payload=payload or {},
            occurred_at=clinic.clock.now(),
        )
        session.add(event)
        session.flush()
        return event.id


def onboarded_event(clinic: Clinic, person_id: uuid.UUID) -> uuid.UUID:
    return insert_event(
        clinic, "patient.onboarded", "patient", person_id, {"patient_person_id": str(person_id)}
    )


def rule_doc(*actions: dict[str, Any], **keys: Any) -> dict[str, Any]:
    """A patient.onboarded rule with these actions."""
    return {
        "name": "Test rule",
        "trigger_event": "patient.onboarded",
        "actions": list(actions),
        **keys,
    }


def import_example(clinic: Clinic, number: int) -> uuid.UUID:
    """The specification's example `number`, imported verbatim by an admin through the rules
    service (which checks what it cites); the rule's id."""
    (imported,) = automation_rules.import_rules(
        clinic.as_(clinic.admin), example_document(number)
    ).value
    assert imported.outcome == "created"
    return imported.rule.id


def sweep(clinic: Clinic) -> SweepReport:
    """One sweep of the real automation runner at the clinic's clock (not started: no thread)."""
    report = AutomationRunner(engine_ctx(clinic)).sweep()
    assert report.failed_steps == []
    return report


def register(clinic: Clinic, first_name: str, **details: Any) -> uuid.UUID:
    """A patient registered at the desk, e-mail `<first name>@example.com` (so with an app
    account to push to)."""
    return patients.register_patient(
        clinic.ctx,
        first_name=first_name,
        last_name="Pop",
        email=f"{first_name.lower()}@example.com",
        keep_separate=True,
        **details,
    ).value.id
