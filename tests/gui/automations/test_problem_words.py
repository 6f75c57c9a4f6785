"""Where a rule's problem is, in words: the JSON path the rule layer names becomes the place
on screen, the action named by its position and kind, in each language."""

from __future__ import annotations

import pytest

from frontdesk.domain.errors import FieldError
from frontdesk.gui.automations.problem_words import place, raw_lines, sentence
from frontdesk.i18n.catalogs import activate

RULE = {
    "name": "Later",
    "actions": [
        {"type": "send_email", "email_template": "welcome"},
        {"type": "schedule_action", "delay_days": 1, "action": {"type": "send_sms"}},
    ],
}


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("name", "Name"),
        ("rule", ""),
        ("trigger_config.hours_before", "The trigger's settings"),
        ("conditions.any[0].patient.age", "Conditions"),
        ("actions", "Actions"),
        ("actions[0]", "Action 1 (Send an e-mail)"),
        ("actions[0].email_template", "Action 1 (Send an e-mail), “E-mail”"),
        ("actions[0].delay_minutes", "Action 1 (Send an e-mail), “Delay”"),
        ("actions[0].conditions.patient.age", "Action 1 (Send an e-mail), its conditions"),
        (
            "actions[1].action.template",
            "Action 2 (Do something later), then Send an SMS, “SMS template”",
        ),
        ("actions[7].type", "Action 8, “The kind of action”"),
    ],
)
def test_a_path_becomes_a_place_in_words(path: str, words: str) -> None:
    assert place(path, RULE) == words


def test_a_rule_of_a_file_is_named_by_its_position() -> None:
    rules = [RULE, RULE]
    assert place("[1].actions[0].target", rules) == (
        "Rule 2 in the file, Action 1 (Send an e-mail), “Send to”"
    )
    assert place("[0].name", None) == "Rule 1 in the file, Name"


def test_in_romanian_the_place_is_romanian_and_the_path_stays_for_details() -> None:
    activate("ro")
    error = FieldError("actions[1].action.message", "este obligatoriu")
    assert sentence(error, RULE) == (
        "Acțiunea 2 (Fă ceva mai târziu), apoi Trimite un SMS, „sau un mesaj”: este obligatoriu"
    )
    assert raw_lines([error]) == "actions[1].action.message: este obligatoriu"


def test_a_problem_of_the_whole_rule_reads_as_a_sentence() -> None:
    assert sentence(FieldError("rule", "not valid JSON: oops (line 1, column 2)")) == (
        "Not valid JSON: oops (line 1, column 2)"
    )
