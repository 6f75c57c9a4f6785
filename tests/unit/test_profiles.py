from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.services import automation_rules
from frontdesk.services.profiles import update_profile
from frontdesk.store.models import DomainEvent, Notification
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person

FULL = {
    "first_name": "Ioana",
    "last_name": "Marin",
    "email": "ioana.marin@example.com",
    "phone": "0721 000 111",
    "date_of_birth": date(1984, 5, 12),
    "city": "Bucharest",
    "country": "ro",
}


def completed_events(clinic: Clinic) -> list[DomainEvent]:
    with clinic.ctx.sessions() as session:
        return list(
            session.scalars(
                select(DomainEvent).where(DomainEvent.name == "patient.profile_completed")
            )
        )


def test_the_last_missing_detail_raises_profile_completed_once(clinic: Clinic) -> None:
    person = insert_person(clinic, city=None)
    partial = {**FULL, "country": None}
    assert update_profile(clinic.ctx, person.id, **partial).value.phone == "+40721000111"
    assert completed_events(clinic) == []

    updated = update_profile(clinic.ctx, person.id, **FULL)
    assert updated.value.country == "RO"
    (event,) = completed_events(clinic)
    assert event.subject_id == person.id
    assert "patient.profile_completed" in updated.changes.events

    update_profile(clinic.ctx, person.id, **{**FULL, "city": "Cluj-Napoca"})
    assert len(completed_events(clinic)) == 1


def test_a_rule_on_profile_completed_runs(clinic: Clinic) -> None:
    automation_rules.save_rule(
        clinic.ctx.acting_as(clinic.admin),
        {
            "name": "Thank you for completing your profile",
            "trigger_event": "patient.profile_completed",
            "actions": [
                {"type": "show_notification", "message": "Thanks, {{patient.first_name}}!"}
            ],
        },
    )
    person = insert_person(clinic, city=None)
    update_profile(clinic.ctx, person.id, **FULL)
    dispatch_pending(clinic.ctx.acting_as(Actor.system("automation")))
    with clinic.ctx.sessions() as session:
        (note,) = session.scalars(select(Notification)).all()
    assert (note.patient_person_id, note.message) == (person.id, "Thanks, Ioana!")


def test_bad_details_are_named_and_nothing_is_written(clinic: Clinic) -> None:
    person = insert_person(clinic)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(InvalidInput) as bad:
        update_profile(clinic.ctx, person.id, **{**FULL, "email": "nope", "phone": "12"})
    assert {error.field for error in bad.value.errors} == {"email", "phone"}
    with pytest.raises(InvalidInput, match="two-letter code"):
        update_profile(clinic.ctx, person.id, **{**FULL, "country": "Romania"})
    with pytest.raises(InvalidInput, match="date of birth cannot be in the future"):
        update_profile(clinic.ctx, person.id, **{**FULL, "date_of_birth": date(2030, 1, 1)})
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_patient_edits_only_their_own_profile(clinic: Clinic) -> None:
    mine = insert_person(clinic)
    other = insert_person(clinic, first_name="Ana", email="ana@example.com", phone=None)
    patient = clinic.ctx.acting_as(Actor(Role.PATIENT, person_ids=frozenset({mine.id})))
    update_profile(patient, mine.id, **FULL)
    with pytest.raises(PermissionDenied) as refused:
        update_profile(patient, other.id, **FULL)
    assert refused.value.field == "actor"
