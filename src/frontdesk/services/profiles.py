"""Patients' profiles: the details the clinic keeps about a person, filled in at the desk or
by the patient. When the last missing detail arrives, `patient.profile_completed` is raised
so automations (and the "complete your profile" requests they made) can follow up."""

from __future__ import annotations

import uuid
from datetime import date

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.domain.events import EventName
from frontdesk.domain.rules.actions import PROFILE_FIELDS
from frontdesk.i18n.text import T_
from frontdesk.services.appointment_records import local_today
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.patients import load_organization, load_person, validate_person
from frontdesk.store.models import PatientPerson


def profile_complete(person: PatientPerson) -> bool:
    """Every detail a `request_profile_fields` action can ask for is filled in."""
    return all(getattr(person, name) for name in PROFILE_FIELDS)


def update_profile(
    ctx: ServiceContext,
    person_id: uuid.UUID,
    *,
    first_name: str,
    last_name: str,
    email: str | None = None,
    phone: str | None = None,
    date_of_birth: date | None = None,
    city: str | None = None,
    country: str | None = None,
) -> Outcome[PatientPerson]:
    """Replace a person's profile details (all are validated, every bad one reported)."""
    actor = ctx.actor
    if actor.role == Role.PATIENT and person_id not in actor.person_ids:
        raise PermissionDenied(
            T_("You may edit only your own profile: ask the clinic to change this one."),
            field="actor",
        )
    country_code = (country or "").strip().upper() or None
    if country_code is not None and not (len(country_code) == 2 and country_code.isalpha()):
        raise InvalidInput.single(
            "country", T_("Give the country as its two-letter code (e.g. RO).")
        )
    with ctx.transaction() as tx:
        person = load_person(tx, person_id, field="person_id")
        details = validate_person(
            load_organization(tx.session, ctx.organization_id),
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            date_of_birth=date_of_birth,
            city=city,
            today=local_today(tx),
        )
        was_complete = profile_complete(person)
        person.first_name, person.last_name = details.first_name, details.last_name
        person.email, person.phone = details.email, details.phone
        person.date_of_birth, person.city = details.date_of_birth, details.city
        person.country = country_code
        tx.audit("patient.profile_updated", "patient", person.id)
        if profile_complete(person) and not was_complete:
            tx.emit(
                EventName.PATIENT_PROFILE_COMPLETED,
                "patient",
                person.id,
                {"patient_person_id": person.id, "user_id": person.user_id},
            )
    return Outcome(person, tx.changes)
