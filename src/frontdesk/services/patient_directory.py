"""Reading patients for the desk: search, and one person's profile with their dependents,
appointments and forms. Read-only; writes go through `services.patients` and
`services.profiles`.

Staff only: the desk looks people up; a patient sees their own data through other screens.
Specialists see the profile, but only their own appointments with the person (the same scope
as the calendar), and only the forms they may act on (`services.form_views`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.field_names import between
from frontdesk.services.access import appointment_scope
from frontdesk.services.appointment_records import organization_zone
from frontdesk.services.context import ServiceContext
from frontdesk.services.form_views import FormRow, list_forms
from frontdesk.services.not_found import not_found
from frontdesk.services.permissions import require_staff
from frontdesk.services.search_text import LIKE_ESCAPE, contains_pattern, search_words
from frontdesk.store.models import Appointment, Patient, PatientPerson, Service, Specialist

SEARCH_LIMIT_MAX = 500


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One person as a list shows them."""

    id: uuid.UUID
    name: str
    date_of_birth: date | None
    phone: str | None
    email: str | None
    is_patient: bool
    manager_name: str | None


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    id: uuid.UUID
    start_local: datetime
    service_name: str
    specialist_name: str
    status: AppointmentStatus


@dataclass(frozen=True)
class PatientProfile:
    person: PersonRow
    first_name: str
    last_name: str
    city: str | None
    country: str | None
    login_requested: bool
    manager_id: uuid.UUID | None
    dependents: list[PersonRow]
    appointments: list[AppointmentRow]
    forms: list[FormRow]


def search_people(ctx: ServiceContext, text: str = "", *, limit: int = 200) -> list[PersonRow]:
    """Live persons whose name, phone or e-mail contains `text` (every word must match
    somewhere), by last then first name. A blank search lists everyone, up to `limit`."""
    require_staff(ctx.actor, field="actor")
    words = search_words(text)
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise InvalidInput.single("limit", between("limit", 1, SEARCH_LIMIT_MAX))
    query = select(PatientPerson).where(
        PatientPerson.organization_id == ctx.organization_id, PatientPerson.deleted_at.is_(None)
    )
    for word in words:
        pattern = contains_pattern(word)
        query = query.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape=LIKE_ESCAPE)
                    for column in (
                        PatientPerson.first_name,
                        PatientPerson.last_name,
                        PatientPerson.email,
                        PatientPerson.phone,
                    )
                )
            )
        )
    query = query.order_by(
        func.lower(PatientPerson.last_name), func.lower(PatientPerson.first_name), PatientPerson.id
    ).limit(limit)
    with ctx.sessions() as session:
        people = list(session.scalars(query))
        return _rows(session, ctx.organization_id, people)


def patient_profile(ctx: ServiceContext, person_id: uuid.UUID) -> PatientProfile:
    """Everything the desk shows about one person."""
    require_staff(ctx.actor, field="actor")
    with ctx.sessions() as session:
        person = session.get(PatientPerson, person_id)
        if person is None or person.organization_id != ctx.organization_id or person.deleted_at:
            raise NotFound(not_found("patient"), field="person_id")
        dependents = list(
            session.scalars(
                select(PatientPerson)
                .where(
                    PatientPerson.organization_id == ctx.organization_id,
                    PatientPerson.manager_person_id == person.id,
                    PatientPerson.deleted_at.is_(None),
                )
                .order_by(PatientPerson.first_name, PatientPerson.id)
            )
        )
        (row,) = _rows(session, ctx.organization_id, [person])
        profile = PatientProfile(
            person=row,
            first_name=person.first_name,
            last_name=person.last_name,
            city=person.city,
            country=person.country,
            login_requested=person.account_requested_at is not None or person.user_id is not None,
            manager_id=person.manager_person_id,
            dependents=_rows(session, ctx.organization_id, dependents),
            appointments=_appointments(ctx, session, person.id),
            forms=[],
        )
    return _with_forms(profile, list_forms(ctx, person_id=person_id))


def _with_forms(profile: PatientProfile, forms: list[FormRow]) -> PatientProfile:
    return PatientProfile(**{**profile.__dict__, "forms": forms})


def _appointments(
    ctx: ServiceContext, session: Session, person_id: uuid.UUID
) -> list[AppointmentRow]:
    tz = organization_zone(session, ctx.organization_id)
    rows = session.execute(
        select(
            Appointment.id,
            Appointment.started_at,
            Service.name,
            Specialist.name,
            Appointment.status,
        )
        .join(Service, Service.id == Appointment.service_id)
        .join(Specialist, Specialist.id == Appointment.specialist_id)
        .where(
            appointment_scope(ctx.actor, ctx.organization_id),
            Appointment.patient_person_id == person_id,
        )
        # Newest first: the desk asks about the next visit or the last one.
        .order_by(Appointment.started_at.desc(), Appointment.id)
    )
    return [
        AppointmentRow(id, start.astimezone(tz), service, specialist, AppointmentStatus(status))
        for id, start, service, specialist, status in rows
    ]


def _rows(
    session: Session, organization_id: uuid.UUID, people: list[PatientPerson]
) -> list[PersonRow]:
    manager_ids = {p.manager_person_id for p in people if p.manager_person_id is not None}
    managers = {}
    if manager_ids:
        managers = {
            m.id: m.name
            for m in session.scalars(
                select(PatientPerson).where(
                    PatientPerson.organization_id == organization_id,
                    PatientPerson.id.in_(sorted(manager_ids)),
                )
            )
        }
    patients = set(
        session.scalars(
            select(Patient.patient_person_id).where(
                Patient.organization_id == organization_id,
                Patient.patient_person_id.in_([p.id for p in people]),
                Patient.deleted_at.is_(None),
            )
        )
    )
    return [
        PersonRow(
            id=p.id,
            name=p.name,
            date_of_birth=p.date_of_birth,
            phone=p.phone,
            email=p.email,
            is_patient=p.id in patients,
            manager_name=managers.get(p.manager_person_id) if p.manager_person_id else None,
        )
        for p in people
    ]
