"""Patient data kept out of execution traces.

A trace shows what an action rendered so an admin can see why a message said what it said,
but the history is read by more people than the patient's record is. So the trace renders the
action again against a copy of the context whose identifying patient values (names, e-mail,
phone, date of birth) read "‹redacted›", and the same values are masked in the recorded
condition checks. Age, city, country and segments stay: rules are written against them and
none identifies a patient alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdesk.domain.rules import ActionBase, ConditionCheck, TemplateFailed, TemplateRefused

REDACTED = "‹redacted›"
PII_FIELDS = frozenset({"first_name", "last_name", "name", "email", "phone", "date_of_birth"})
_PII_PATHS = frozenset(f"patient.{name}" for name in PII_FIELDS)


def redacted_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `context` with the patient's identifying values replaced."""
    patient = context.get("patient")
    if not isinstance(patient, Mapping):
        return dict(context)
    masked = {
        key: REDACTED if key in PII_FIELDS and value is not None else value
        for key, value in patient.items()
    }
    return {**context, "patient": masked}


def redacted_rendering(action: ActionBase, context: Mapping[str, Any]) -> dict[str, Any]:
    """The action's fields with templates filled from the redacted context. A template that
    cannot be filled that way (arithmetic on a masked value) shows as redacted as a whole."""
    try:
        return action.rendered(redacted_context(context))
    except (TemplateFailed, TemplateRefused):
        fields = action.model_dump(mode="json", exclude_unset=True, exclude={"type", "conditions"})
        return {key: REDACTED for key in fields}


def redacted_check(check: ConditionCheck) -> dict[str, Any]:
    """A condition check for the trace, with an identifying patient value masked."""
    entry = check.to_json()
    if check.path in _PII_PATHS and entry["actual"] is not None:
        entry["actual"] = REDACTED
    return entry
