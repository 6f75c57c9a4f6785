"""Field types shared by the rule models, each refusing bad input with one readable message.

References to forms, segments, plans, specialists and services are kept exactly as written —
an integer id (the specification's `42`), a UUID or a key such as `privacy_policy` — and
resolved by the engine when it runs, so a rule exports as it was imported.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, PlainValidator

from frontdesk.domain.rules.conditions import EMPTY, Match, parse_conditions, serialize
from frontdesk.domain.rules.errors import RuleInvalid, TemplateRefused
from frontdesk.domain.rules.paths import custom_error, nested_error
from frontdesk.domain.rules.templates import check_template
from frontdesk.i18n import _

MAX_DELAY_MINUTES = 60 * 24 * 90
MAX_VARIABLES = 50
SHORT_TEMPLATE_CHARS = 500
LONG_TEMPLATE_CHARS = 2000

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _reference(value: object) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and _KEY.fullmatch(value):
        return value
    raise custom_error("reference", _("must be a positive whole-number id, a UUID or a key"))


def _template_key(value: object) -> str:
    if isinstance(value, str) and _KEY.fullmatch(value):
        return value
    raise custom_error("template_key", _("must be a message template key, e.g. 'welcome_patient'"))


def _template_text(value: object, max_chars: int) -> str:
    if not isinstance(value, str):
        raise custom_error("string_type", _("must be text"))
    if not value.strip():
        raise custom_error("blank", _("must not be empty"))
    if len(value) > max_chars:
        raise custom_error(
            "too_long", _("must be at most {count} characters").format(count=max_chars)
        )
    try:
        check_template(value)
    except TemplateRefused as exc:
        raise custom_error("template_refused", exc.errors[0].message) from None
    return value


def _reference_or_template(value: object) -> int | str:
    if isinstance(value, str) and "{{" in value:
        return _template_text(value, SHORT_TEMPLATE_CHARS)
    return _reference(value)


def _variable_name(value: object) -> str:
    if isinstance(value, str) and _VARIABLE_NAME.fullmatch(value):
        return value
    raise custom_error("variable_name", _("variable names use letters, digits and _"))


def _conditions(value: object) -> Match:
    try:
        return parse_conditions(value, field="")
    except RuleInvalid as exc:
        raise nested_error(exc.errors) from None


def _variables_shape(value: object) -> object:
    if not isinstance(value, dict):
        raise custom_error("dict_type", _("must be an object of name → template"))
    if len(value) > MAX_VARIABLES:
        raise custom_error(
            "too_long", _("must have at most {count} variables").format(count=MAX_VARIABLES)
        )
    return value


Reference = Annotated[int | str, PlainValidator(_reference)]
ReferenceOrTemplate = Annotated[int | str, PlainValidator(_reference_or_template)]
TemplateKey = Annotated[str, PlainValidator(_template_key)]
ShortTemplate = Annotated[
    str, PlainValidator(lambda value: _template_text(value, SHORT_TEMPLATE_CHARS))
]
LongTemplate = Annotated[
    str, PlainValidator(lambda value: _template_text(value, LONG_TEMPLATE_CHARS))
]
VariableName = Annotated[str, PlainValidator(_variable_name)]
Variables = Annotated[dict[VariableName, LongTemplate], BeforeValidator(_variables_shape)]
Conditions = Annotated[Match, PlainValidator(_conditions), PlainSerializer(serialize)]
DelayMinutes = Annotated[int, Field(strict=True, ge=0, le=MAX_DELAY_MINUTES)]
Target = Literal["patient", "specialist", "staff"]


def no_conditions() -> Match:
    return EMPTY
