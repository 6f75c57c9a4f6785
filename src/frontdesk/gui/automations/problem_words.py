"""A rule's problems in words: the JSON path the rule layer names (`actions[2].target`)
becomes the place an admin sees on screen ("Action 3 (Send an SMS), “Send to”"), in the
user's language. The paths themselves stay available behind Details."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from frontdesk.domain.errors import FieldError
from frontdesk.gui.automations.action_fields import FIELDS
from frontdesk.gui.automations.catalog_words import ACTION_WORDS, action_label
from frontdesk.i18n import N_, _

_RULE_KEYS = {
    "name": N_("Name"),
    "description": N_("Description"),
    "trigger_event": N_("When does this run?"),
    "trigger_config": N_("The trigger's settings"),
    "conditions": N_("Conditions"),
    "actions": N_("Actions"),
    "enabled": N_("Enabled"),
    "on_failure": N_("What a failed action does"),
    "misfire": N_("A run missed while no desk was on"),
    "rules": N_("The file"),
}
_ACTION_KEYS = {
    "description": N_("Description"),
    "delay_minutes": N_("Delay"),
    "type": N_("The kind of action"),
}
Document = Mapping[str, Any] | list[Any] | None
"""A rule document, or the list of them an imported file holds."""
_ACTION_STEP = re.compile(r"^actions\[(\d+)\]")
_FILE_RULE = re.compile(r"^\[(\d+)\]\.?")


def place(path: str, document: Document = None) -> str:
    """Where `path` points in `document` (a rule, or a file's list of rules), in words; ""
    for the rule as a whole."""
    found = _FILE_RULE.match(path)
    if found:  # a rule of an imported file: `[1].actions[0].type`
        index = int(found.group(1))
        rules = document if isinstance(document, list) else []
        rule = rules[index] if index < len(rules) and isinstance(rules[index], dict) else None
        rest = place(path[found.end() :], rule)
        rule = _("Rule {number} in the file").format(number=int(found.group(1)) + 1)
        return _("{rule}, {place}").format(rule=rule, place=rest) if rest else rule
    step = _ACTION_STEP.match(path)
    if step:
        rule = document if isinstance(document, Mapping) else None
        return _action_place(int(step.group(1)), path[step.end() :], rule)
    key = path.split(".", 1)[0].split("[", 1)[0]
    if key == "rule" or not key:
        return ""
    words = _RULE_KEYS.get(key)
    return _(words) if words else _humanized(key)


def _action_place(index: int, rest: str, document: Mapping[str, Any] | None) -> str:
    actions = (document or {}).get("actions")
    action = actions[index] if isinstance(actions, list) and index < len(actions) else None
    action = action if isinstance(action, dict) else {}
    words = _("Action {number}").format(number=index + 1)
    if action.get("type") in ACTION_WORDS:  # an unknown kind is the problem itself
        words = _("Action {number} ({kind})").format(
            number=index + 1, kind=action_label(str(action["type"]))
        )
    # A scheduled action's own action: `actions[0].action.action.message`
    while rest.startswith(".action") and isinstance(action.get("action"), dict):
        action = action["action"]
        rest = rest[len(".action") :]
        words = _("{outer}, then {inner}").format(
            outer=words, inner=action_label(str(action.get("type")))
        )
    key = rest.lstrip(".").split(".", 1)[0].split("[", 1)[0]
    if not key:
        return words
    if key == "conditions":
        return _("{action}, its conditions").format(action=words)
    field = field_words(str(action.get("type")), key)
    return _("{action}, “{field}”").format(action=words, field=field)


def field_words(action_type: str, key: str) -> str:
    """A key of an action, as the action editor labels it ("template" of an SMS: "SMS
    template")."""
    for spec in FIELDS.get(action_type, ()):
        if spec.name == key:
            return _(spec.label)
    words = _ACTION_KEYS.get(key)
    return _(words) if words else _humanized(key)


def _humanized(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def sentence(error: FieldError, document: Document = None) -> str:
    """ "Action 3 (Send an SMS), “Send to”: must be …", or the message alone for the rule."""
    where = place(error.field, document)
    message = error.message[:1].upper() + error.message[1:]
    return _("{place}: {problem}").format(place=where, problem=error.message) if where else message


def sentences(errors: Iterable[FieldError], document: Document = None) -> str:
    """Each problem on a line of its own, as a bullet."""
    return "\n".join(f"• {sentence(error, document)}" for error in errors)


def raw_lines(errors: Iterable[FieldError]) -> str:
    """The problems as the rule layer names them (JSON paths), for Details."""
    return "\n".join(f"{error.field}: {error.message}" for error in errors)
