"""Rules cite services by their short number, as the specification writes it
(`appointment.service_id = 10`): the save check accepts a number a service holds and refuses
one none holds (or a citation that could never match), and the rule matches an appointment
of service number 10 and no other."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.domain.rules import RuleInvalid
from frontdesk.services import automation_rules, booking, service_setup
from frontdesk.services.references import resolve_service
from frontdesk.services.service_setup import ServiceDraft
from tests.integration.automation.helpers import dispatch_all, executions, register
from tests.support.clinic import Clinic


def _numbered_service(clinic: Clinic, reference: int | None = 10) -> uuid.UUID:
    draft = ServiceDraft(
        name=f"Service {reference}",
        duration_minutes=30,
        reference=reference,
        specialist_ids=[clinic.specialist_id],
    )
    return service_setup.create_service(clinic.as_(clinic.admin), draft).value.id


def _rule(service: object, name: str = "Service ten booked") -> dict[str, object]:
    return {
        "name": name,
        "trigger_event": "appointment.booked",
        "conditions": {"appointment.service_id": service},
        "actions": [{"type": "show_notification", "message": "Booked"}],
    }


def _save(clinic: Clinic, document: dict[str, object]) -> uuid.UUID:
    return automation_rules.save_rule(clinic.as_(clinic.admin), document).value.id


def _book(clinic: Clinic, service_id: uuid.UUID, days: int) -> uuid.UUID:
    person = register(clinic, f"P{days}")
    return booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person,
        service_id=service_id,
        specialist_id=clinic.specialist_id,
        start=clinic.clock.now() + timedelta(days=days),
    ).value.appointment.id


def test_the_specifications_condition_saves_and_matches_service_number_ten(
    clinic: Clinic,
) -> None:
    ten = _numbered_service(clinic, 10)
    eleven = _numbered_service(clinic, 11)
    rule_id = _save(clinic, _rule(10))
    matched = _book(clinic, ten, 2)
    _book(clinic, eleven, 3)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.trigger_entity_id == matched
    assert execution.status == "success"


def test_a_service_without_a_number_is_cited_by_its_id(clinic: Clinic) -> None:
    unnumbered = clinic.video_service_id  # made before services had numbers
    rule_id = _save(clinic, _rule(str(unnumbered)))
    matched = _book(clinic, unnumbered, 2)
    dispatch_all(clinic)
    assert [e.trigger_entity_id for e in executions(clinic, rule_id)] == [matched]


@pytest.mark.parametrize(
    ("cited", "words"),
    [
        (99, "“99” was not found in this clinic."),
        ("Service 10", "by its number, 10"),
    ],
)
def test_a_citation_that_could_never_match_is_refused_naming_the_condition(
    clinic: Clinic, cited: object, words: str
) -> None:
    _numbered_service(clinic, 10)
    with pytest.raises(RuleInvalid) as exc:
        _save(clinic, _rule(cited))
    (error,) = exc.value.errors
    assert error.field == "conditions.appointment.service_id"
    assert words in error.message


def test_a_numbered_service_cited_by_id_is_refused_with_its_number(clinic: Clinic) -> None:
    ten = _numbered_service(clinic, 10)
    with pytest.raises(RuleInvalid) as exc:
        _save(clinic, _rule({"in": [str(ten)]}))
    assert "by its number, 10" in exc.value.errors[0].message


def test_an_action_condition_is_checked_too(clinic: Clinic) -> None:
    document = _rule(10)
    document["conditions"] = {}
    document["actions"] = [
        {"type": "show_notification", "message": "x", "conditions": {"appointment.service_id": 5}}
    ]
    with pytest.raises(RuleInvalid) as exc:
        _save(clinic, document)
    assert exc.value.errors[0].field == "actions[0].conditions.appointment.service_id"


def test_a_followup_action_finds_a_service_by_number(clinic: Clinic) -> None:
    ten = _numbered_service(clinic, 10)
    with clinic.ctx.sessions() as session:
        assert resolve_service(session, clinic.organization_id, 10, field="service_id").id == ten
