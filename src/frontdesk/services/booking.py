"""Booking appointments: the public page (phase 1), staff bookings and walk-ins.

Rules every booking follows:
- `start` must carry a time zone; the appointment lasts the service's duration.
- No double booking: an overlap with another active appointment of the specialist is refused
  (`DoubleBooking`) unless a staff member gives `override_reason`, which is kept on the
  appointment and in the audit log. Patients and the public page can never override.
- A second active appointment of the same patient on the same local day is allowed but comes
  back with a warning in `BookingResult.warnings`.
- A person with outstanding items (unsigned blocking form, booking block, missing consent)
  cannot be booked: `BookingBlocked` lists them all.
- Events in the same transaction: `appointment.booked` always, `appointment.first_booked`
  when it is the person's first live appointment in the organization.

Public bookings create a new person and stay `booked` until staff onboard them.

Staff bookings and walk-ins are for a person who is already registered. When that person is
already a patient of the organization (onboarded before), the appointment is onboarded at once
in the same transaction: booked → upcoming, its forms generated and its video room opened, so
a walk-in can fill in the intake form at the desk straight away instead of waiting for a
second step that would ask nothing new. A registered person who is not a patient yet (someone
who only ever booked through the public page) stays `booked`, and the desk onboards them —
that step is where duplicates are offered and the account is made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from frontdesk.domain.clock import ensure_utc
from frontdesk.domain.contact import split_full_name
from frontdesk.domain.enums import STAFF_ROLES, AppointmentSource, AppointmentStatus, Role
from frontdesk.domain.errors import (
    DoubleBooking,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.events import EventName
from frontdesk.domain.field_names import no_control_characters, required, too_long
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.integrations.video import VideoRoomProvider
from frontdesk.services.appointment_records import (
    local_today,
    overlapping_appointments,
    record_status_change,
    same_day_warnings,
    settle_double_booking,
)
from frontdesk.services.blocking import check_not_blocked
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.services.onboarding import make_upcoming
from frontdesk.services.patients import (
    add_person,
    is_patient,
    load_organization,
    load_person,
    validate_person,
)
from frontdesk.services.permissions import require_staff, validate_override
from frontdesk.services.public_slots import (
    performers,
    public_calendar,
    public_service,
    working_performers,
)
from frontdesk.store.models import Appointment, Calendar, PatientPerson, Service, Specialist
from frontdesk.store.unit_of_work import UnitOfWork

IDEMPOTENCY_KEY_MAX = 200
CLIENT_ID_MAX = 100


@dataclass(frozen=True)
class BookingResult:
    appointment: Appointment
    warnings: list[str] = field(default_factory=list)
    # True when an identical earlier submission was found and returned (nothing was written).
    replayed: bool = False


@dataclass(frozen=True)
class _Slot:
    service: Service
    calendar_id: uuid.UUID | None
    specialist_id: uuid.UUID
    start: datetime

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.service.duration_minutes)


def book_public(
    ctx: ServiceContext,
    *,
    service_id: uuid.UUID,
    calendar_id: uuid.UUID | None = None,
    start: datetime,
    name: str,
    email: str,
    phone: str,
    client_id: str,
    idempotency_key: str,
) -> Outcome[BookingResult]:
    """Phase 1: someone without an account books through the public page, at a start the
    page's slots listing offers (`services.public_slots`; staff entering such a booking may
    choose any future time). The first free specialist of the service takes it.
    Resubmitting with the same `idempotency_key` returns the first booking and writes
    nothing."""
    start_utc = ensure_utc(start, field="start")
    first_name, last_name = split_full_name(name)
    key = _required_text(idempotency_key, "idempotency_key", IDEMPOTENCY_KEY_MAX)
    client = _required_text(client_id, "client_id", CLIENT_ID_MAX)
    try:
        with ctx.transaction() as tx:
            earlier = _replay(tx, key, service_id, start_utc)
            if earlier is not None:
                return Outcome(BookingResult(earlier, replayed=True), tx.changes)
            service = public_service(tx.session, tx.organization_id, service_id)
            calendar = public_calendar(tx.session, tx.organization_id, calendar_id)
            if ctx.actor.role not in STAFF_ROLES:
                # The page (and anyone without a staff role) books only what it was offered,
                # with a performer whose hours offer it; staff entering a booking for a new
                # person may pick any time.
                candidates = working_performers(
                    tx.session, tx.organization_id, service, calendar, start_utc, tx.now
                )
            elif start_utc <= tx.now:
                raise InvalidInput.single("start", T_("Choose a time in the future."))
            else:
                candidates = performers(tx.session, service.id, calendar)
            slot = _Slot(
                service,
                calendar_id,
                _first_free_specialist(tx, service, candidates, start_utc),
                start_utc,
            )
            details = validate_person(
                load_organization(tx.session, ctx.organization_id),
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone,
                today=local_today(tx),
                name_fields=("name", "name"),
            )
            _require_contact(details.email, details.phone)
            person = add_person(tx, details)
            appointment = _create(
                tx,
                slot,
                person,
                source=AppointmentSource.PUBLIC,
                contact_email=details.email,
                client_id=client,
                idempotency_key=key,
            )
    except IntegrityError:
        # Two identical submissions raced past the lookup: the loser returns the winner's.
        with ctx.transaction() as tx:
            earlier = _replay(tx, key, service_id, start_utc)
        if earlier is None:
            raise
        return Outcome(BookingResult(earlier, replayed=True), tx.changes)
    return Outcome(BookingResult(appointment), tx.changes)


def book_for_patient(
    ctx: ServiceContext,
    *,
    patient_person_id: uuid.UUID,
    service_id: uuid.UUID,
    specialist_id: uuid.UUID,
    start: datetime,
    calendar_id: uuid.UUID | None = None,
    override_reason: str | None = None,
    notes: str = "",
) -> Outcome[BookingResult]:
    """Book a registered person: by staff (by phone, at the desk), by the automation engine,
    or by a patient for themselves or someone they manage (never in the past, never over
    another booking)."""
    if ctx.actor.role == Role.PATIENT and patient_person_id not in ctx.actor.person_ids:
        raise PermissionDenied(
            T_("You may book only for yourself and the people you manage."),
            field="patient_person_id",
        )
    return _book_registered(
        ctx,
        _source_for(ctx.actor.role),
        patient_person_id=patient_person_id,
        service_id=service_id,
        specialist_id=specialist_id,
        start=start,
        calendar_id=calendar_id,
        override_reason=override_reason,
        notes=notes,
    )


def book_walk_in(
    ctx: ServiceContext,
    *,
    patient_person_id: uuid.UUID,
    service_id: uuid.UUID,
    specialist_id: uuid.UUID,
    start: datetime,
    calendar_id: uuid.UUID | None = None,
    override_reason: str | None = None,
    notes: str = "",
) -> Outcome[BookingResult]:
    """Staff book someone who is at the desk (see the module docstring for onboarding)."""
    require_staff(ctx.actor, field="actor")
    return _book_registered(
        ctx,
        AppointmentSource.WALK_IN,
        patient_person_id=patient_person_id,
        service_id=service_id,
        specialist_id=specialist_id,
        start=start,
        calendar_id=calendar_id,
        override_reason=override_reason,
        notes=notes,
    )


def _source_for(role: Role | None) -> AppointmentSource:
    if role is None:
        return AppointmentSource.AUTOMATION
    return AppointmentSource.PUBLIC if role == Role.PATIENT else AppointmentSource.STAFF


def _book_registered(
    ctx: ServiceContext,
    source: AppointmentSource,
    *,
    patient_person_id: uuid.UUID,
    service_id: uuid.UUID,
    specialist_id: uuid.UUID,
    start: datetime,
    calendar_id: uuid.UUID | None,
    override_reason: str | None,
    notes: str,
) -> Outcome[BookingResult]:
    start_utc = ensure_utc(start, field="start")
    reason = validate_override(ctx.actor, override_reason)
    with ctx.transaction() as tx:
        if ctx.actor.role == Role.PATIENT and start_utc <= tx.now:
            raise InvalidInput.single("start", T_("Choose a time in the future."))
        result = book_registered_in(
            tx,
            ctx.video_rooms,
            source,
            patient_person_id=patient_person_id,
            service_id=service_id,
            specialist_id=specialist_id,
            start=start_utc,
            calendar_id=calendar_id,
            override_reason=reason,
            notes=notes,
        )
    return Outcome(result, tx.changes)


def book_registered_in(
    tx: UnitOfWork,
    video_rooms: VideoRoomProvider,
    source: AppointmentSource,
    *,
    patient_person_id: uuid.UUID,
    service_id: uuid.UUID,
    specialist_id: uuid.UUID,
    start: datetime,
    calendar_id: uuid.UUID | None = None,
    override_reason: str | None = None,
    notes: str = "",
    appointment_id: uuid.UUID | None = None,
) -> BookingResult:
    """Book a registered person inside the caller's transaction (the automation engine books
    follow-ups this way, within its execution). `override_reason` must be validated already.
    An appointment whose `appointment_id` exists already is returned as it is, so the same
    occurrence run twice books once."""
    if appointment_id is not None:
        earlier = tx.session.get(Appointment, appointment_id)
        if earlier is not None and earlier.organization_id == tx.organization_id:
            return BookingResult(earlier, replayed=True)
    start_utc = ensure_utc(start, field="start")
    person = load_person(tx, patient_person_id, field="patient_person_id")
    service = _load_service(tx, service_id)
    _load_calendar(tx, calendar_id)
    _require_specialist_for(tx, service, specialist_id)
    check_not_blocked(tx.session, tx.organization_id, person.id)
    slot = _Slot(service, calendar_id, specialist_id, start_utc)
    appointment = _create(
        tx,
        slot,
        person,
        source=source,
        override_reason=override_reason,
        notes=notes.strip(),
        appointment_id=appointment_id,
    )
    warnings = same_day_warnings(
        tx, person_id=person.id, start=start_utc, exclude_id=appointment.id
    )
    if is_patient(tx.session, tx.organization_id, person.id):
        make_upcoming(tx, video_rooms, appointment, person)
    if warnings:
        tx.audit(
            "appointment.same_day_warning",
            "appointment",
            appointment.id,
            {"warnings": warnings},
        )
    return BookingResult(appointment, warnings)


def _create(
    tx: UnitOfWork,
    slot: _Slot,
    person: PatientPerson,
    *,
    source: AppointmentSource,
    override_reason: str | None = None,
    notes: str = "",
    contact_email: str | None = None,
    client_id: str | None = None,
    idempotency_key: str | None = None,
    appointment_id: uuid.UUID | None = None,
) -> Appointment:
    """Insert a booked appointment with its first history row, events and audit entries."""
    recorded_reason, overlapped = settle_double_booking(
        tx,
        specialist_id=slot.specialist_id,
        start=slot.start,
        end=slot.end,
        override_reason=override_reason,
    )
    first = not _has_appointments(tx, person.id)
    appointment = Appointment(
        id=appointment_id or new_id(),
        organization_id=tx.organization_id,
        patient_person_id=person.id,
        specialist_id=slot.specialist_id,
        service_id=slot.service.id,
        calendar_id=slot.calendar_id,
        status=AppointmentStatus.BOOKED,
        type=slot.service.appointment_type,
        source=source,
        started_at=slot.start,
        ended_at=slot.end,
        contact_email=contact_email,
        booking_client_id=client_id,
        idempotency_key=idempotency_key,
        double_booking_override_reason=recorded_reason,
        notes=notes,
        created_by_user_id=tx.actor.user_id,
    )
    tx.session.add(appointment)
    tx.session.flush()
    record_status_change(tx, appointment, AppointmentStatus.BOOKED, is_creation=True)
    payload = {
        "appointment_id": appointment.id,
        "patient_person_id": person.id,
        "specialist_id": slot.specialist_id,
        "service_id": slot.service.id,
        "calendar_id": slot.calendar_id,
        "start": slot.start,
        "end": slot.end,
        "source": source,
    }
    tx.emit(EventName.APPOINTMENT_BOOKED, "appointment", appointment.id, payload)
    if first:
        tx.emit(EventName.APPOINTMENT_FIRST_BOOKED, "appointment", appointment.id, payload)
    tx.audit("appointment.booked", "appointment", appointment.id, payload)
    if recorded_reason is not None:
        tx.audit(
            "appointment.double_booking_overridden",
            "appointment",
            appointment.id,
            {"reason": recorded_reason, "overlaps": overlapped},
        )
    return appointment


def _has_appointments(tx: UnitOfWork, person_id: uuid.UUID) -> bool:
    return bool(
        tx.session.scalar(
            select(
                exists().where(
                    Appointment.organization_id == tx.organization_id,
                    Appointment.patient_person_id == person_id,
                    Appointment.deleted_at.is_(None),
                )
            )
        )
    )


def _replay(tx: UnitOfWork, key: str, service_id: uuid.UUID, start: datetime) -> Appointment | None:
    """The appointment an earlier submission with this key made, if it was the same booking."""
    earlier = tx.session.scalar(
        select(Appointment).where(
            Appointment.organization_id == tx.organization_id,
            Appointment.idempotency_key == key,
        )
    )
    if earlier is None:
        return None
    if earlier.service_id != service_id or earlier.started_at != start:
        raise InvalidInput.single(
            "idempotency_key",
            T_("This request was used already for another booking: start the booking again."),
        )
    return earlier


def _required_text(value: str, field_name: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput.single(field_name, required(field_name))
    if len(text) > limit:
        raise InvalidInput.single(field_name, too_long(field_name, limit))
    if not text.isprintable():
        # A key or browser id is a token: a NUL or a line break in it is never meant.
        raise InvalidInput.single(field_name, no_control_characters(field_name))
    return text


def _require_contact(email: str | None, phone: str | None) -> None:
    """The public page needs both ways to reach the person."""
    errors = [
        FieldError(name, required(name))
        for name, value in (("email", email), ("phone", phone))
        if value is None
    ]
    if errors:
        raise InvalidInput(errors)


def _load_service(tx: UnitOfWork, service_id: uuid.UUID) -> Service:
    service = tx.session.get(Service, service_id)
    if (
        service is None
        or service.organization_id != tx.organization_id
        or service.deleted_at is not None
    ):
        raise NotFound(not_found("service"), field="service_id")
    return service


def _load_calendar(tx: UnitOfWork, calendar_id: uuid.UUID | None) -> Calendar | None:
    if calendar_id is None:
        return None
    calendar = tx.session.get(Calendar, calendar_id)
    if (
        calendar is None
        or calendar.organization_id != tx.organization_id
        or calendar.deleted_at is not None
    ):
        raise NotFound(not_found("calendar"), field="calendar_id")
    return calendar


def _first_free_specialist(
    tx: UnitOfWork, service: Service, candidates: list[uuid.UUID], start: datetime
) -> uuid.UUID:
    # A calendar tied to one specialist books only that specialist (`performers`).
    if not candidates:
        raise InvalidInput.single("service_id", T_("No specialist offers this service here."))
    end = start + timedelta(minutes=service.duration_minutes)
    conflicts: list[str] = []
    for specialist_id in candidates:
        taken = overlapping_appointments(tx.session, tx.organization_id, specialist_id, start, end)
        if not taken:
            return specialist_id
        conflicts.extend(str(appointment.id) for appointment in taken)
    raise DoubleBooking(
        T_("This time is no longer free: please choose another."),
        conflicting_ids=tuple(conflicts),
    )


def _require_specialist_for(tx: UnitOfWork, service: Service, specialist_id: uuid.UUID) -> None:
    specialist = tx.session.get(Specialist, specialist_id)
    if (
        specialist is None
        or specialist.organization_id != tx.organization_id
        or not specialist.is_active
    ):
        raise NotFound(not_found("specialist"), field="specialist_id")
    assigned = performers(tx.session, service.id)
    # A service with no assigned specialists may be given by anyone.
    if assigned and specialist_id not in assigned:
        raise InvalidInput.single(
            "specialist_id",
            T_(
                "{specialist} does not offer {service}: choose another specialist.",
                specialist=specialist.name,
                service=service.name,
            ),
        )
