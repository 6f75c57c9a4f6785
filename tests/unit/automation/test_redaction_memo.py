"""The redacted trace rendering kept per action: given again only to executions whose
context holds the same (redacted) values where the action's templates read."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from frontdesk.automation.redaction import REDACTED, redacted_rendering
from frontdesk.domain.rules.actions import SendSms, ShowNotification


def _context(first_name: str, city: str | None, **extra: Any) -> dict[str, Any]:
    return {"patient": {"first_name": first_name, "city": city}, **extra}


def test_a_rendering_that_reads_only_masked_values_is_kept_for_every_patient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    action = ShowNotification(type="show_notification", message="Hello {{ patient.first_name }}")
    key = (uuid.uuid4(), 1, "0")
    renders: list[str] = []
    real = ShowNotification.rendered

    def counted(self: ShowNotification, *args: Any, **kwargs: Any) -> dict[str, Any]:
        renders.append(self.message)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ShowNotification, "rendered", counted)
    first = redacted_rendering(action, _context("Ana", "Cluj"), memo_key=key)
    first["message"] = "changed by a reader"  # each caller gets its own copy

    again = redacted_rendering(action, _context("Bogdan", "Iasi"), memo_key=key)

    assert again["message"] == f"Hello {REDACTED}"
    assert len(renders) == 1


def test_a_rendering_is_made_again_when_a_value_it_reads_differs() -> None:
    action = SendSms(type="send_sms", message="See you in {{ patient.city }}")
    key = (uuid.uuid4(), 1, "1")
    assert redacted_rendering(action, _context("Ana", "Cluj"), memo_key=key)["message"] == (
        "See you in Cluj"
    )
    assert redacted_rendering(action, _context("Ana", "Iasi"), memo_key=key)["message"] == (
        "See you in Iasi"
    )
    # None renders as empty; a missing value fails the template (shown redacted as a whole).
    assert redacted_rendering(action, _context("Ana", None), memo_key=key)["message"] == (
        "See you in "
    )
    missing = {"patient": {"first_name": "Ana"}}
    assert redacted_rendering(action, missing, memo_key=key)["message"] == REDACTED


def test_another_version_of_the_rule_is_rendered_afresh() -> None:
    rule_id = uuid.uuid4()
    old = ShowNotification(type="show_notification", message="Hello")
    new = ShowNotification(type="show_notification", message="Welcome")
    assert redacted_rendering(old, _context("Ana", "Cluj"), memo_key=(rule_id, 1, "0")) == {
        "message": "Hello"
    }
    rendered = redacted_rendering(new, _context("Ana", "Cluj"), memo_key=(rule_id, 2, "0"))
    assert rendered["message"] == "Welcome"


def test_an_older_wording_under_the_same_rule_version_never_shares_a_rendering() -> None:
    # A delayed action is parsed again from its timer: it may be the wording before an edit,
    # run under the rule's current version and path.
    key = (uuid.uuid4(), 6, "0")
    current = ShowNotification(type="show_notification", message="Call {{ patient.first_name }}")
    older = ShowNotification(
        type="show_notification", message="{{ patient.first_name }} lives in {{ patient.city }}"
    )
    assert redacted_rendering(current, _context("Ana", "Leeds"), memo_key=key)["message"] == (
        f"Call {REDACTED}"
    )
    first = redacted_rendering(older, _context("Ann", "Leeds"), memo_key=key)
    second = redacted_rendering(older.model_copy(), _context("Bob", "York"), memo_key=key)

    assert first["message"] == f"{REDACTED} lives in Leeds"
    assert second["message"] == f"{REDACTED} lives in York"


def test_an_attribute_of_a_plain_value_is_rendered_for_each_patient() -> None:
    action = SendSms(type="send_sms", message="Age {{ patient.age.real }}")
    key = (uuid.uuid4(), 1, "0")
    ages = [
        redacted_rendering(action, {"patient": {"age": age}}, memo_key=key)["message"]
        for age in (41, 67)
    ]
    assert ages == ["Age 41", "Age 67"]
