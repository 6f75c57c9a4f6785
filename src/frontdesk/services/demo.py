"""The demo clinic: specialists, services, calendars, form templates, patients and two weeks
of appointments (with public bookings waiting for onboarding), built through the services.

History is made by moving a clock through the past week, so every status change, form and
event carries the time it would have had in a real clinic."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.clock import Clock, FixedClock, zone
from frontdesk.domain.enums import AppointmentType, FieldType, FormStatus, FormType, Role
from frontdesk.domain.ids import new_id
from frontdesk.domain.slots import WEEKDAYS, Slot, WallInterval, parse_clock
from frontdesk.project_paths import RESOURCES_DIR, json_files
from frontdesk.services import (
    automation_rules,
    booking,
    catalog,
    forms,
    lifecycle,
    public_slots,
    segments,
    service_setup,
)
from frontdesk.services import hours as hours_service
from frontdesk.services import patients as patients_service
from frontdesk.services.context import ServiceContext
from frontdesk.services.service_setup import ServiceDraft
from frontdesk.store.models import Organization
from frontdesk.store.unit_of_work import Actor

DEMO_FILE = RESOURCES_DIR / "demo" / "clinic.json"
EXAMPLE_RULES_DIR = RESOURCES_DIR / "rules" / "examples"


@dataclass(frozen=True)
class DemoCatalog:
    organization_id: uuid.UUID
    receptionist: Actor
    specialists: dict[str, uuid.UUID]
    services: dict[str, uuid.UUID]
    calendars: list[uuid.UUID]


def existing_demo(sessions: sessionmaker[Session]) -> uuid.UUID | None:
    slug = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["organization"]["slug"]
    with sessions() as session:
        return session.scalar(select(Organization.id).where(Organization.slug == slug))


def seed_catalog(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    organization_id: uuid.UUID | None = None,
    record_outbox: bool = True,
) -> DemoCatalog:
    """The organization, its staff, what can be booked, and the specification's nine example
    automations. A server seeds with its sessions scoped to `organization_id` and no outbox."""
    data: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    ctx = ServiceContext(
        sessions=sessions,
        organization_id=organization_id or new_id(),
        actor=Actor.system("demo"),
        clock=clock,
        record_outbox=record_outbox,
    )
    org = data["organization"]
    catalog.create_organization(
        ctx, name=org["name"], slug=org["slug"], timezone=org["timezone"], country=org["country"]
    )
    actors: dict[Role, Actor] = {}
    for member in data["staff"]:
        role = Role(member["role"])
        user = catalog.add_staff_user(
            ctx, email=member["email"], display_name=member["name"], role=role
        ).value
        actors[role] = Actor(role, user.id, member["name"])
    admin = actors[Role.ADMIN]
    specialists = {}
    for entry in data["specialists"]:
        user = catalog.add_staff_user(
            ctx, email=entry["email"], display_name=entry["name"], role=Role.SPECIALIST
        ).value
        specialists[entry["key"]] = catalog.add_specialist(
            ctx, name=entry["name"], specialty=entry["specialty"], user_id=user.id
        ).value.id
    _seed_hours(ctx, data, specialists)
    for template in data["form_templates"]:
        catalog.add_form_template(
            ctx,
            key=template["key"],
            title=template["title"],
            form_type=FormType(template["type"]),
            blocking=template.get("blocking", False),
            fields=template["fields"],
            body=template.get("body", ""),
            reference=template.get("reference"),
        )
    services = {
        entry["key"]: service_setup.create_service(
            ctx,
            ServiceDraft(
                name=entry["name"],
                reference=entry["reference"],
                description=entry["description"],
                duration_minutes=entry["minutes"],
                appointment_type=AppointmentType(entry["type"]),
                price=entry.get("price"),
                currency=entry.get("currency"),
                specialist_ids=[specialists[key] for key in entry["specialists"]],
                form_keys=entry["forms"],
            ),
        ).value.id
        for entry in data["services"]
    }
    for segment in data["segments"]:
        segments.create_segment(
            ctx.acting_as(admin), segment["name"], reference=segment["reference"]
        )
    calendars = [
        catalog.add_calendar(ctx, name=entry["name"], form_keys=entry["forms"]).value.id
        for entry in data["calendars"]
    ]
    rules = [json.loads(path.read_text()) for path in json_files(EXAMPLE_RULES_DIR)]
    automation_rules.import_rules(ctx.acting_as(admin), rules)
    return DemoCatalog(
        ctx.organization_id, actors[Role.RECEPTIONIST], specialists, services, calendars
    )


def _seed_hours(
    ctx: ServiceContext, data: dict[str, Any], specialists: dict[str, uuid.UUID]
) -> None:
    """The specialists' weekly hours, their dated overrides, the closed days and the
    organization's slot settings."""
    org = data["organization"]
    hours_service.set_slot_settings(
        ctx,
        slot_interval_minutes=org["slot_interval_minutes"],
        minimum_notice_minutes=org["minimum_notice_minutes"],
    )
    catalog.set_booking_horizon(ctx, org["booking_horizon_days"])
    weekly: dict[tuple[str, int], list[WallInterval]] = {}
    for entry in data["hours"]:
        key = (entry["specialist"], WEEKDAYS.index(entry["weekday"]))
        weekly.setdefault(key, []).append(
            WallInterval(parse_clock(entry["from"]), parse_clock(entry["to"]))
        )
    for (specialist, weekday), intervals in weekly.items():
        hours_service.set_weekly_hours(ctx, specialists[specialist], weekday, intervals)
    for entry in data["overrides"]:
        intervals = (
            []
            if entry.get("closed")
            else [WallInterval(parse_clock(entry["from"]), parse_clock(entry["to"]))]
        )
        hours_service.set_day_hours(
            ctx, specialists[entry["specialist"]], date.fromisoformat(entry["date"]), intervals
        )
    for day in org["closed_days"]:
        hours_service.close_day(ctx, date.fromisoformat(day))


def working_slots(day: date, tz_name: str, minutes: int) -> list[datetime]:
    """Slot starts from 09:00 to 17:00 local time on a weekday; none at weekends."""
    if day.weekday() >= 5:
        return []
    tz = zone(tz_name)
    first = datetime.combine(day, time(9, 0), tzinfo=tz)
    return [first + timedelta(minutes=minutes * i) for i in range(8 * 60 // minutes)]


@dataclass(frozen=True)
class DemoSummary:
    organization_id: uuid.UUID
    appointments: int
    awaiting_onboarding: int


# Per slot index of a past day: what happened (the rest were completed).
_PAST_OUTCOMES = {3: "noshow", 5: "cancelled"}


def seed_demo_clinic(
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    organization_id: uuid.UUID | None = None,
    record_outbox: bool = True,
) -> DemoSummary:
    """Build the demo clinic as it stands at `now`: last week's sessions done (a few no-shows
    and cancellations), this and next week booked, and public bookings to onboard."""
    data: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    tz = zone(data["organization"]["timezone"])
    today = now.astimezone(tz).date()
    clock = FixedClock(now - timedelta(days=8))
    built = seed_catalog(
        sessions, clock, organization_id=organization_id, record_outbox=record_outbox
    )
    ctx = ServiceContext(
        sessions=sessions,
        organization_id=built.organization_id,
        actor=built.receptionist,
        clock=clock,
        record_outbox=record_outbox,
    )
    patients = [
        patients_service.register_patient(
            ctx,
            first_name=p["first"],
            last_name=p["last"],
            email=p["email"],
            phone=p["phone"],
            date_of_birth=date.fromisoformat(p["born"]),
            city=p["city"],
        ).value.id
        for p in data["patients"]
    ]
    booked: list[tuple[uuid.UUID, datetime, int]] = []
    for offset in range(-7, 8):
        day = today + timedelta(days=offset)
        for index, (specialist_key, service_key) in enumerate(_DAILY_PLAN):
            minutes = 60 if service_key == "nutrition" else 45
            slots = working_slots(day, data["organization"]["timezone"], minutes)
            if not slots:
                break
            start = slots[(index * 3 + offset) % len(slots)]
            appointment = booking.book_walk_in(
                ctx,
                patient_person_id=patients[(index + offset) % len(patients)],
                service_id=built.services[service_key],
                specialist_id=built.specialists[specialist_key],
                start=start,
                override_reason="demo schedule",
            ).value.appointment
            # Patients sign the blocking forms online soon after booking, as most do.
            _sign_blocking_forms(ctx, appointment.id)
            booked.append((appointment.id, start, index))
    _play_past(ctx, clock, booked, now)
    clock.set(now)
    waiting = _public_bookings(ctx, data, built, today)
    return DemoSummary(built.organization_id, len(booked) + waiting, waiting)


_DAILY_PLAN = [
    ("mihai", "consult"),
    ("mihai", "video"),
    ("elena", "consult"),
    ("elena", "video"),
    ("radu", "nutrition"),
    ("mihai", "consult"),
]


_SIGNATURE = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M2 20 Q 20 2 40 20 T 80 18"/></svg>'


def _sign_blocking_forms(ctx: ServiceContext, appointment_id: uuid.UUID) -> None:
    for form in forms.forms_for_appointment(ctx, appointment_id):
        if not form.blocking or form.status == FormStatus.SIGNED:
            continue
        accepted = {
            field["key"]: True
            for field in form.fields
            if field.get("type") == FieldType.BOOLEAN and field.get("required")
        }
        forms.save_values(ctx, form.id, accepted)
        forms.complete(ctx, form.id)
        forms.sign(ctx, form.id, signer_name="Patient (signed online)", signature_svg=_SIGNATURE)


def _play_past(
    ctx: ServiceContext,
    clock: FixedClock,
    booked: list[tuple[uuid.UUID, datetime, int]],
    now: datetime,
) -> None:
    """Move the clock through what has already happened and record it."""
    for appointment_id, start, index in sorted(booked, key=lambda item: item[1]):
        if start.astimezone(now.tzinfo) + timedelta(hours=1) > now:
            continue
        outcome = _PAST_OUTCOMES.get(index, "done")
        clock.set(start - timedelta(hours=20))
        lifecycle.confirm(ctx, appointment_id)
        if outcome == "cancelled":
            lifecycle.cancel(ctx, appointment_id, reason="Patient called: unwell")
            continue
        clock.set(start + timedelta(minutes=5))
        if outcome == "noshow":
            lifecycle.mark_no_show(ctx, appointment_id)
            continue
        lifecycle.check_in(ctx, appointment_id)
        lifecycle.start_session(ctx, appointment_id)
        clock.set(start + timedelta(minutes=40))
        lifecycle.complete(ctx, appointment_id)


def _public_bookings(
    ctx: ServiceContext, data: dict[str, Any], built: DemoCatalog, today: date
) -> int:
    """Bookings from the public page, waiting for the desk to onboard them: each at a start
    the page offers (late in one of the coming days)."""
    page = ctx.acting_as(Actor.system("public booking page"))
    days = iter(today + timedelta(days=n) for n in range(1, 60))
    for index, person in enumerate(data["public_bookings"]):
        calendar_id = built.calendars[index % len(built.calendars)]
        offered: list[Slot] = []
        while not offered:
            with ctx.sessions() as session:
                offered = public_slots.free_slots(
                    session,
                    built.organization_id,
                    service_id=built.services["consult"],
                    day=next(days),
                    calendar_id=calendar_id,
                    now=ctx.clock.now(),
                )
        booking.book_public(
            page,
            service_id=built.services["consult"],
            calendar_id=calendar_id,
            start=offered[-1 - index % len(offered)].start,
            name=person["name"],
            email=person["email"],
            phone=person["phone"],
            client_id=f"demo-{index}",
            idempotency_key=f"demo-public-{index}",
        )
    return len(data["public_bookings"])
