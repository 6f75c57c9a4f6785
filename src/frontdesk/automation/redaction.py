"""Patient data kept out of execution traces.

A trace shows what an action rendered so an admin can see why a message said what it said,
but the history is read by more people than the patient's record is. So the trace renders the
action again against a copy of the context whose identifying patient values (names, e-mail,
phone, date of birth) read "‹redacted›", and the same values are masked in the recorded
condition checks. Age, city, country and segments stay: rules are written against them and
none identifies a patient alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from frontdesk.domain.rules import ActionBase, ConditionCheck, TemplateFailed, TemplateRefused
from frontdesk.domain.rules.templates import referenced_variables

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


def redacted_rendering(
    action: ActionBase, context: Mapping[str, Any], *, memo_key: Hashable | None = None
) -> dict[str, Any]:
    """The action's fields with templates filled from the redacted context. A template that
    cannot be filled that way (arithmetic on a masked value) shows as redacted as a whole.

    `memo_key` names this action (its rule's id and version, its path): the rendering is then
    kept, for this very action object and the values its templates read (as redacted), and
    given again (a shallow copy) to the next execution that reads the same ones — most read
    none, or only masked ones. A delayed or retried action is parsed again from its timer (it
    may be an older wording under the same rule version), so it is another object and never
    shares a kept rendering."""
    key = None if memo_key is None else _memo_key(action, context, memo_key)
    if key is not None and (kept := _RENDERED.get(key)) is not None and kept[0] is action:
        return dict(kept[1])
    try:
        rendered = action.rendered(redacted_context(context))
    except (TemplateFailed, TemplateRefused):
        fields = action.model_dump(mode="json", exclude_unset=True, exclude={"type", "conditions"})
        return {key: REDACTED for key in fields}
    if key is not None:
        if len(_RENDERED) >= MEMO_SIZE:
            _RENDERED.clear()
        _RENDERED[key] = (action, rendered)
    return dict(rendered)


# Renderings kept by (memo key, values read), and the paths each memo key's templates read;
# both start again when full (rule edits leave old versions behind). Each entry holds the
# action object it was made for and is used only for that object: holding it keeps its id
# from being reused by another action while the entry exists.
MEMO_SIZE = 4096
_RENDERED: dict[Hashable, tuple[ActionBase, dict[str, Any]]] = {}
_READS: dict[Hashable, tuple[ActionBase, tuple[str, ...]]] = {}
# A path whose value is missing (a template reading it fails; one reading None does not).
_MISSING = object()
# A path that reads into a plain value (`patient.age.real`): not part of a key.
_UNKEYABLE = object()


def _memo_key(
    action: ActionBase, context: Mapping[str, Any], memo_key: Hashable
) -> Hashable | None:
    """What the rendering depends on: the memo key, the action object, and for every path its
    templates read the value the redacted context holds there. None when a value cannot be
    part of a key (a whole record, a list, an attribute of a plain value)."""
    known = _READS.get(memo_key)
    if known is not None and known[0] is action:
        paths = known[1]
    else:
        if len(_READS) >= MEMO_SIZE:
            _READS.clear()
        sources = [source for _, source in action.template_sources()]
        paths = tuple(sorted({path for source in sources for path in referenced_variables(source)}))
        _READS[memo_key] = (action, paths)
    values: list[Any] = []
    for path in paths:
        value = _value_at(context, path)
        if value is _UNKEYABLE or isinstance(value, Mapping):
            return None  # a whole record (the patient's holds masked values), or worse
        if path in _PII_PATHS and value is not None and value is not _MISSING:
            value = REDACTED
        values.append(value)
    key = (memo_key, id(action), tuple(values))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _value_at(context: Mapping[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return _UNKEYABLE
        if part not in value:
            return _MISSING
        value = value[part]
    return value


def redacted_check(check: ConditionCheck) -> dict[str, Any]:
    """A condition check for the trace, with an identifying patient value masked."""
    entry = check.to_json()
    if check.path in _PII_PATHS and entry["actual"] is not None:
        entry["actual"] = REDACTED
    return entry
