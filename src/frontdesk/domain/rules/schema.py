"""A rule document: the specification's JSON (`name`, `trigger_event`, `trigger_config`,
`conditions`, `actions`), as pydantic models.

The models keep what was written and nothing more, so `to_json_dict()` gives back the document
as imported (defaults that were not written stay out). Two keys go beyond the specification,
both optional: `on_failure` ("continue", the default, or "stop": what a failed action does to
the ones after it) and, for time-based triggers, `misfire` ("run_once", the default, or "skip":
what happens to a firing missed while no desk was running).

`validate_rule` is the whole check made when a rule is saved or imported: the structure here,
then the variable catalog (`variables.check_paths`). Its errors name JSON paths.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SerializeAsAny,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from frontdesk.domain.errors import FieldError
from frontdesk.domain.events import TIME_BASED_EVENTS, EventName
from frontdesk.domain.rules.actions import ACTION_TYPES, Action
from frontdesk.domain.rules.errors import RuleInvalid
from frontdesk.domain.rules.paths import ROOT, custom_error, field_errors, nested_error
from frontdesk.domain.rules.triggers import NoSettings, TriggerSettings, settings_model
from frontdesk.domain.rules.values import Conditions, no_conditions
from frontdesk.domain.rules.variables import check_paths
from frontdesk.i18n import _

MAX_ACTIONS = 50
MAX_NAME_CHARS = 200


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise custom_error("string_type", _("must be text"))
    if not value.strip():
        raise custom_error("blank", _("must not be empty"))
    if len(value) > MAX_NAME_CHARS:
        raise custom_error(
            "too_long", _("must be at most {count} characters").format(count=MAX_NAME_CHARS)
        )
    return value


def _trigger(value: object) -> EventName:
    try:
        return EventName(value)
    except ValueError:
        raise custom_error(
            "trigger", _("unknown trigger {trigger}").format(trigger=repr(value))
        ) from None


class RuleDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, PlainValidator(_name)]
    description: Annotated[str, Field(max_length=2000)] | None = None
    enabled: StrictBool = True
    trigger_event: Annotated[EventName, PlainValidator(_trigger), PlainSerializer(str)]
    trigger_config: SerializeAsAny[TriggerSettings] = Field(
        default_factory=dict, validate_default=True
    )
    conditions: Conditions = Field(default_factory=no_conditions)
    actions: Annotated[list[Action], Field(min_length=1, max_length=MAX_ACTIONS)]
    on_failure: Literal["continue", "stop"] = "continue"
    misfire: Literal["run_once", "skip"] | None = None

    @field_validator("trigger_config", mode="plain")
    @classmethod
    def _settings_of_the_trigger(cls, value: Any, info: ValidationInfo) -> TriggerSettings:
        trigger = info.data.get("trigger_event")
        if trigger is None:
            return NoSettings()  # the trigger itself is refused; its settings cannot be judged
        model = settings_model(trigger)
        if not isinstance(value, Mapping):
            raise custom_error("dict_type", _("must be an object"))
        if model is NoSettings and value:
            message = _("not a setting: trigger {trigger} takes none").format(trigger=trigger.value)
            raise nested_error([FieldError(str(key), message) for key in value])
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            raise nested_error(field_errors(exc, root="")) from None

    @field_validator("misfire")
    @classmethod
    def _misfire_only_for_time_triggers(cls, value: str | None, info: ValidationInfo) -> str | None:
        trigger = info.data.get("trigger_event")
        if value is not None and trigger is not None and trigger not in TIME_BASED_EVENTS:
            raise custom_error("misfire", _("applies only to time-based triggers"))
        return value

    def to_json_dict(self) -> dict[str, Any]:
        """The rule as JSON, exactly the keys it was written with."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def validate_rule(data: object) -> RuleDefinition:
    """A rule document checked for saving: RuleInvalid lists every problem by JSON path."""
    try:
        rule = RuleDefinition.model_validate(data)
    except ValidationError as exc:
        raise RuleInvalid(field_errors(exc, tags=ACTION_TYPES)) from None
    problems = check_paths(rule)
    if problems:
        raise RuleInvalid(problems)
    return rule


def parse_rule_json(text: str) -> RuleDefinition:
    """A rule from JSON text (as `frontdesk rules validate` reads it)."""
    return validate_rule(load_json(text))


def validate_rule_file(path: str | Path) -> RuleDefinition:
    """A rule from a JSON file; an unreadable file is reported as a RuleInvalid too, so a
    command can print every refusal the same way."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleInvalid(
            [FieldError(ROOT, _("cannot read {path}: {error}").format(path=path, error=exc))]
        ) from None
    return parse_rule_json(text)


def load_json(text: str) -> Any:
    """JSON text as Python values. A key written twice is refused: JSON parsers keep the last
    one silently, which would hide a mistake in a hand-edited rule."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        message = _("not valid JSON: {problem} (line {line}, column {column})").format(
            problem=exc.msg, line=exc.lineno, column=exc.colno
        )
        raise RuleInvalid([FieldError(ROOT, message)]) from None
    except _DuplicateKey as exc:
        raise RuleInvalid(
            [FieldError(ROOT, _("key {key} is written twice").format(key=repr(exc.key)))]
        ) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result
