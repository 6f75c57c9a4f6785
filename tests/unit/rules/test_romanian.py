"""The rule layer's refusals in the user's language: the same problems, worded in Romanian,
plurals by Romanian's three forms; the JSON paths stay as they are (Details shows them)."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.domain.rules import RuleInvalid, validate_rule
from frontdesk.i18n.catalogs import activate


def _refusal(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(RuleInvalid) as refused:
        validate_rule(document)
    return {e.field: e.message for e in refused.value.errors}


def _rule(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Greeting", "trigger_event": "patient.onboarded", "actions": list(actions)}


def test_in_romanian_a_refused_rule_is_worded_in_romanian() -> None:
    activate("ro")
    errors = _refusal(
        _rule(
            {"type": "send_sms", "message": "Hi", "target": "everyone"},
            {"type": "send_push", "title": "Hi"},
            {"type": "show_notification"},
        )
    )
    assert errors == {
        "actions[0].target": "trebuie să fie 'patient', 'specialist' sau 'staff'",
        "actions[1]": "dați fie un șablon de mesaj, fie un mesaj",
        "actions[2].message": "este obligatoriu",
    }


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "must have at least 1 item"), ("ro", "trebuie să aibă cel puțin 1 element")],
)
def test_a_count_takes_its_plural_form(language: str, message: str) -> None:
    activate(language)
    assert _refusal(_rule()) == {"actions": message}


def test_an_attribute_the_trigger_lacks_is_refused_in_romanian() -> None:
    activate("ro")
    document = {
        **_rule({"type": "show_notification", "message": "Hi"}),
        "conditions": {"appointment.type": "video"},
    }
    assert _refusal(document) == {
        "conditions.appointment.type": (
            "'appointment.type' nu este disponibil pentru declanșatorul patient.onboarded"
        )
    }


def test_a_template_refused_at_save_is_worded_in_romanian() -> None:
    activate("ro")
    errors = _refusal(
        _rule(
            {"type": "show_notification", "message": "{% for x in y %}{{ x }}{% endfor %}"},
            {"type": "show_notification", "message": "{{ patient.first_name|attr('x') }}"},
        )
    )
    assert errors == {
        "actions[0].message": "buclele ({% for %}) nu sunt permise",
        "actions[1].message": "filtrul 'attr' nu este permis",
    }
