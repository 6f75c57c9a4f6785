"""Direct row inserts for arranging a test's starting state (not a substitute for services:
tests of behaviour go through the services)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.store.models import Appointment, Patient, PatientPerson
from tests.support.clinic import Clinic


def insert_person(
    clinic: Clinic,
    *,
    first_name: str = "Ioana",
    last_name: str = "Marin",
    email: str | None = "ioana.marin@example.com",
    phone: str | None = "+40721000111",
    onboarded: bool = True,
    **extra: object,
) -> PatientPerson:
    sessions: sessionmaker[Session] = clinic.ctx.sessions
    with sessions.begin() as session:
        person = PatientPerson(
            organization_id=clinic.organization_id,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            **extra,
        )
        session.add(person)
        session.flush()
        if onboarded:
            session.add(
                Patient(
                    organization_id=clinic.organization_id,
                    patient_person_id=person.id,
                    onboarded_at=clinic.clock.now(),
                )
            )
    return person


def insert_appointment(
    clinic: Clinic,
    *,
    start: datetime,
    person_id: uuid.UUID,
    status: AppointmentStatus = AppointmentStatus.UPCOMING,
    minutes: int = 45,
    specialist_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> Appointment:
    with clinic.ctx.sessions.begin() as session:
        appointment = Appointment(
            organization_id=clinic.organization_id,
            patient_person_id=person_id,
            specialist_id=specialist_id or clinic.specialist_id,
            service_id=service_id or clinic.consult_service_id,
            status=status,
            started_at=start,
            ended_at=start + timedelta(minutes=minutes),
        )
        session.add(appointment)
    return appointment
