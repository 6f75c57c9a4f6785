"""A small clinic built through the real services, for tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import AppointmentType, FormType, Role
from frontdesk.domain.ids import new_id
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.unit_of_work import Actor
from tests.support.hours import weekday_hours

# A Monday in winter (Europe/Bucharest is UTC+2).
DEFAULT_NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@dataclass
class Clinic:
    ctx: ServiceContext  # acting as the receptionist
    clock: FixedClock
    organization_id: uuid.UUID
    admin: Actor
    receptionist: Actor
    specialist_actor: Actor
    specialist_id: uuid.UUID
    other_specialist_id: uuid.UUID
    consult_service_id: uuid.UUID
    video_service_id: uuid.UUID
    public_calendar_id: uuid.UUID
    template_ids: dict[str, uuid.UUID]

    def as_(self, actor: Actor) -> ServiceContext:
        return self.ctx.acting_as(actor)


def build_clinic(sessions: sessionmaker[Session], clock: FixedClock | None = None) -> Clinic:
    clock = clock or FixedClock(DEFAULT_NOW)
    org_id = new_id()
    setup = ServiceContext(
        sessions=sessions,
        organization_id=org_id,
        actor=Actor.system("setup"),
        clock=clock,
    )
    catalog.create_organization(
        setup,
        name="Riverside Physio",
        slug=f"riverside-{org_id.hex[-8:]}",  # the random end of a UUIDv7
        timezone="Europe/Bucharest",
        country="RO",
    )
    admin_user = catalog.add_staff_user(
        setup, email="ana.admin@example.com", display_name="Ana Admin", role=Role.ADMIN
    ).value
    reception_user = catalog.add_staff_user(
        setup, email="rita.reception@example.com", display_name="Rita", role=Role.RECEPTIONIST
    ).value
    specialist_user = catalog.add_staff_user(
        setup, email="dr.mihai@example.com", display_name="Dr Mihai", role=Role.SPECIALIST
    ).value
    specialist = catalog.add_specialist(
        setup, name="Dr Mihai Popescu", specialty="kinesitherapy", user_id=specialist_user.id
    ).value
    other = catalog.add_specialist(setup, name="Dr Elena Ionescu", specialty="nutrition").value
    weekday_hours(setup, [specialist.id, other.id])
    templates = {
        "privacy": catalog.add_form_template(
            setup,
            key="privacy",
            title="Privacy Policy & GDPR Consent",
            form_type=FormType.DISCLAIMER,
            blocking=True,
            fields=[{"key": "agree", "label": "I agree", "type": "boolean", "required": True}],
        ).value,
        "intake": catalog.add_form_template(
            setup,
            key="intake",
            title="Intake questionnaire",
            form_type=FormType.SURVEY,
            fields=[
                {"key": "email", "label": "E-mail", "type": "email", "prefill": "patient.email"},
                {
                    "key": "pain",
                    "label": "Pain (0-10)",
                    "type": "scale",
                    "min": 0,
                    "max": 10,
                    "required": True,
                },
                {"key": "notes", "label": "Notes", "type": "textarea"},
            ],
        ).value,
        "promo": catalog.add_form_template(
            setup,
            key="promo",
            title="Promotion terms",
            form_type=FormType.DISCLAIMER,
            fields=[{"key": "accept", "label": "Accept", "type": "boolean", "required": True}],
        ).value,
    }
    consult = catalog.add_service(
        setup,
        name="Physiotherapy consult",
        duration_minutes=45,
        specialist_ids=[specialist.id, other.id],
        form_keys=["intake", "privacy"],
    ).value
    video = catalog.add_service(
        setup,
        name="Video follow-up",
        duration_minutes=30,
        appointment_type=AppointmentType.VIDEO,
        specialist_ids=[specialist.id],
        form_keys=["intake"],
    ).value
    calendar = catalog.add_calendar(
        setup, name="Spring campaign", form_keys=["promo", "intake"]
    ).value
    receptionist = Actor(Role.RECEPTIONIST, reception_user.id, "Rita")
    return Clinic(
        ctx=setup.acting_as(receptionist),
        clock=clock,
        organization_id=org_id,
        admin=Actor(Role.ADMIN, admin_user.id, "Ana Admin"),
        receptionist=receptionist,
        specialist_actor=Actor(
            Role.SPECIALIST, specialist_user.id, "Dr Mihai", specialist_id=specialist.id
        ),
        specialist_id=specialist.id,
        other_specialist_id=other.id,
        consult_service_id=consult.id,
        video_service_id=video.id,
        public_calendar_id=calendar.id,
        template_ids={key: template.id for key, template in templates.items()},
    )
