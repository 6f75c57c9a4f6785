"""Phase 2 of booking: staff onboard a booked appointment's patient.

In one transaction:
1. The patient is settled. Either staff link the booking to a person already registered
   (`link_person_id`): the appointment moves to that person, blanks in their phone and e-mail
   are filled from the booking, and the booking-time person is tombstoned when nothing else
   refers to it. Or the booking-time person is kept; if they look like someone already
   registered (same name and date of birth, or same phone or e-mail), onboarding is refused
   with `DuplicatePerson` listing the candidates until staff link one or pass
   `keep_separate=True`. A duplicate is offered, never silently created.
2. A login is asked for a person with an e-mail address and none yet (`request_account`):
   the server makes the account, or links the one the address already has, when the change
   reaches it (see `patients.request_login`).
3. The organization link (`Patient`) is made once; `patient.onboarded` fires only then.
4. The appointment's forms are generated (service forms, then calendar forms), its video room
   is requested (expiring when the appointment ends), and it moves booked → upcoming with a
   status-history row and the desk event `appointment.onboarded`.

Every appointment is onboarded, whatever its type: the specification opens a video room for
each, so a clinic can switch an in-clinic visit to video without another step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select

from frontdesk.domain.appointment_states import check_transition
from frontdesk.domain.enums import AppointmentStatus
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.events import DeskEventName
from frontdesk.domain.field_names import BORN_IN_THE_FUTURE
from frontdesk.i18n.text import T_
from frontdesk.integrations.video import VideoRoomProvider
from frontdesk.services.appointment_records import (
    load_appointment,
    local_today,
    open_video_room,
    record_status_change,
)
from frontdesk.services.blocking import outstanding_items
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.forms import generate_appointment_forms
from frontdesk.services.patients import (
    DuplicateCandidate,
    DuplicatePerson,
    ensure_patient_link,
    find_duplicates,
    is_patient,
    load_person,
    request_login,
)
from frontdesk.services.permissions import require_appointment_access, require_staff
from frontdesk.store.models import Appointment, FormInstance, Patient, PatientPerson
from frontdesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class OnboardingResult:
    appointment: Appointment
    person: PatientPerson
    forms: list[FormInstance]
    account_requested: bool
    patient_created: bool
    # The booking-time person merged into `person` and tombstoned, if that happened.
    retired_person_id: uuid.UUID | None
    # What the person still owes from before (see services.blocking). A public booking cannot
    # know who is booking, so a blocked patient's booking is only recognised here, on linking:
    # staff are told rather than refused, as the appointment exists already.
    outstanding: list[str]


def likely_duplicates(
    ctx: ServiceContext, appointment_id: uuid.UUID
) -> Outcome[list[DuplicateCandidate]]:
    """The registered persons the appointment's patient may be, to offer before onboarding."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        appointment = load_appointment(tx, appointment_id)
        require_appointment_access(ctx.actor, appointment, patient_may=False)
        person = load_person(tx, appointment.patient_person_id, field="appointment_id")
        candidates = _duplicates_of(tx, person, person.date_of_birth)
    return Outcome(candidates, tx.changes)


def onboard(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    *,
    link_person_id: uuid.UUID | None = None,
    keep_separate: bool = False,
    request_account: bool = True,
    date_of_birth: date | None = None,
) -> Outcome[OnboardingResult]:
    """Onboard a booked appointment (see the module docstring). `date_of_birth`, when given,
    is recorded on the person and used to look for duplicates."""
    require_staff(ctx.actor, field="actor")
    if link_person_id is not None and keep_separate:
        raise InvalidInput.single(
            "keep_separate",
            T_("Either link an existing person or keep this one separate, not both."),
        )
    with ctx.transaction() as tx:
        appointment = load_appointment(tx, appointment_id)
        require_appointment_access(ctx.actor, appointment, patient_may=False)
        check_transition(appointment.status, AppointmentStatus.UPCOMING)
        if date_of_birth is not None and date_of_birth > local_today(tx):
            raise InvalidInput.single("date_of_birth", BORN_IN_THE_FUTURE)
        booking_person = load_person(tx, appointment.patient_person_id, field="appointment_id")
        if link_person_id is not None and link_person_id != booking_person.id:
            person = _link(tx, appointment, booking_person, link_person_id)
        else:
            person = booking_person
            _refuse_unresolved_duplicates(tx, person, date_of_birth, keep_separate)
        if date_of_birth is not None:
            person.date_of_birth = date_of_birth
        account_requested = request_account and request_login(tx, person)
        patient_created = ensure_patient_link(tx, person)
        outstanding = outstanding_items(tx.session, ctx.organization_id, person.id)
        forms = make_upcoming(tx, ctx.video_rooms, appointment, person)
        retired = _retire_if_unused(tx, booking_person) if person is not booking_person else None
        tx.audit(
            "appointment.onboarded",
            "appointment",
            appointment.id,
            {"patient_person_id": person.id, "linked": person is not booking_person},
        )
    return Outcome(
        OnboardingResult(
            appointment, person, forms, account_requested, patient_created, retired, outstanding
        ),
        tx.changes,
    )


def make_upcoming(
    tx: UnitOfWork, rooms: VideoRoomProvider, appointment: Appointment, person: PatientPerson
) -> list[FormInstance]:
    """The appointment side of onboarding: booked → upcoming, forms, video room, desk event.
    Also used by staff bookings for people who are patients already."""
    check_transition(appointment.status, AppointmentStatus.UPCOMING)
    record_status_change(tx, appointment, AppointmentStatus.UPCOMING, reason="onboarded")
    appointment.onboarded_at = tx.now
    forms = generate_appointment_forms(tx, appointment, person)
    # Last, so a refusal above never leaves a room behind at the provider.
    open_video_room(rooms, appointment)
    tx.emit(
        DeskEventName.APPOINTMENT_UPCOMING,
        "appointment",
        appointment.id,
        {
            "appointment_id": appointment.id,
            "patient_person_id": person.id,
            "form_ids": [str(form.id) for form in forms],
            "video_room_name": appointment.video_room_name,
        },
    )
    return forms


def _duplicates_of(
    tx: UnitOfWork, person: PatientPerson, date_of_birth: date | None
) -> list[DuplicateCandidate]:
    return find_duplicates(
        tx.session,
        tx.organization_id,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=date_of_birth,
        phone=person.phone,
        email=person.email,
        exclude_ids=[person.id],
    )


def _refuse_unresolved_duplicates(
    tx: UnitOfWork, person: PatientPerson, date_of_birth: date | None, keep_separate: bool
) -> None:
    # Someone already a patient was checked when they became one; don't ask again.
    if keep_separate or is_patient(tx.session, tx.organization_id, person.id):
        return
    candidates = _duplicates_of(tx, person, date_of_birth or person.date_of_birth)
    if candidates:
        raise DuplicatePerson(candidates)


def _link(
    tx: UnitOfWork,
    appointment: Appointment,
    booking_person: PatientPerson,
    link_person_id: uuid.UUID,
) -> PatientPerson:
    """Move the appointment to the registered person, keeping what they already have and
    filling their blanks from the booking."""
    person = load_person(tx, link_person_id, field="link_person_id")
    person.phone = person.phone or booking_person.phone
    person.email = person.email or booking_person.email
    appointment.patient_person_id = person.id
    tx.session.flush()
    tx.audit(
        "patient_person.linked",
        "appointment",
        appointment.id,
        {"from_person_id": booking_person.id, "to_person_id": person.id},
    )
    return person


def _retire_if_unused(tx: UnitOfWork, person: PatientPerson) -> uuid.UUID | None:
    """Tombstone the booking-time person once nothing refers to them any more."""
    if person.account_requested_at is not None or person.user_id is not None:
        return None
    if _is_referenced(tx, person.id):
        return None
    person.deleted_at = tx.now
    tx.audit("patient_person.retired", "patient_person", person.id, {"reason": "merged"})
    return person.id


def _is_referenced(tx: UnitOfWork, person_id: uuid.UUID) -> bool:
    references = [
        select(Appointment.id).where(
            Appointment.patient_person_id == person_id, Appointment.deleted_at.is_(None)
        ),
        select(FormInstance.id).where(
            FormInstance.patient_person_id == person_id, FormInstance.deleted_at.is_(None)
        ),
        select(Patient.id).where(
            Patient.patient_person_id == person_id, Patient.deleted_at.is_(None)
        ),
        select(PatientPerson.id).where(
            PatientPerson.manager_person_id == person_id, PatientPerson.deleted_at.is_(None)
        ),
    ]
    return any(tx.session.scalar(select(exists(query))) for query in references)
