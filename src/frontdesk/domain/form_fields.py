"""Form fields: what a template may define, which values each field type accepts, and the
rules each form type adds. Pure: no I/O.

Decisions (where the specification is silent):
- A field definition is a JSON object: `key`, `label`, `type` (a FieldType), optional
  `required`, `options` (choice types: plain values or {"value", "label"} objects), `min` /
  `max` (number, integer, scale) and `prefill` (one of PREFILL_SOURCES).
- Values are stored normalised: trimmed text, ints for integer and scale fields, ISO dates
  ("2026-03-02"), e-mail addresses in normalised form, phone numbers in E.164, multi-choice
  answers de-duplicated in the order the options are listed.
- `None`, an empty or blank string and an empty list all mean "no answer": saving one clears
  the field. Partial saves may clear required fields; completing may not.
- Numbers may arrive as text from a line edit: plain decimal notation ("72.5", "-3", "1e3")
  is accepted, "nan", "inf", "1_000" and decimal commas are not. Booleans are only true/false
  (a checkbox), never 0/1 or "yes".
- A scale without `min`/`max` runs from 0 to 10 and takes whole numbers only.
- Unknown keys are refused rather than ignored, so a misspelt key never loses an answer.
- Every problem is reported at once, each as `values.<key>`, so a screen can mark them all.
- Analysis, advice, report and prescription forms are clinical documents written by staff: a
  patient actor may not fill, complete or sign them, and they cannot be completed empty.
  Surveys, disclaimers and parameters may be filled by the patient or by staff.
- A disclaimer is only complete when every required yes/no field is answered "yes":
  completing it is agreeing to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from frontdesk.domain.contact import normalize_email, normalize_phone
from frontdesk.domain.enums import FieldType, FormType, Role
from frontdesk.domain.errors import FieldError, InvalidInput, PermissionDenied
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_number

TEXT_MAX_CHARS = 2000
TEXTAREA_MAX_CHARS = 20000
DEFAULT_SCALE = (0, 10)

STAFF_FILLED_TYPES: frozenset[FormType] = frozenset(
    {FormType.ANALYSIS, FormType.ADVICE, FormType.REPORT, FormType.PRESCRIPTION}
)
"""Clinical documents that only staff (or the system) may fill, complete and sign."""

# What a field's "prefill" may name, and the patient-profile attribute it reads.
PREFILL_SOURCES: dict[str, str] = {
    "patient.email": "email",
    "patient.phone": "phone",
    "patient.first_name": "first_name",
    "patient.last_name": "last_name",
    "patient.date_of_birth": "date_of_birth",
    "patient.city": "city",
    "patient.country": "country",
}

_CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
_RANGED_TYPES = frozenset({FieldType.NUMBER, FieldType.INTEGER, FieldType.SCALE})
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d+")
_EXAMPLE_DATE = "1980-05-17"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form, read from its JSON definition."""

    key: str
    label: str
    type: FieldType
    required: bool = False
    options: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @classmethod
    def from_definition(cls, definition: Mapping[str, Any]) -> FieldSpec:
        """A spec from a definition that `field_definition_errors` accepts."""
        kind = FieldType(definition["type"])
        minimum, maximum = definition.get("min"), definition.get("max")
        if kind == FieldType.SCALE:
            minimum = DEFAULT_SCALE[0] if minimum is None else minimum
            maximum = DEFAULT_SCALE[1] if maximum is None else maximum
        return cls(
            key=definition["key"],
            label=str(definition.get("label") or definition["key"]),
            type=kind,
            required=bool(definition.get("required", False)),
            options=tuple(_option_value(o) for o in definition.get("options") or ()),
            minimum=minimum,
            maximum=maximum,
        )


def _option_value(option: Any) -> Any:
    return option.get("value") if isinstance(option, Mapping) else option


def field_definition_errors(fields: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Every problem in a template's field definitions, each named `fields[i].<attribute>`."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, definition in enumerate(fields):
        where = f"fields[{index}]"
        if not isinstance(definition, Mapping):
            errors.append(FieldError(where, "a field definition must be an object"))
            continue
        key = definition.get("key")
        if not isinstance(key, str) or not key:
            errors.append(FieldError(f"{where}.key", "a field key is required"))
        elif key in seen:
            errors.append(FieldError(f"{where}.key", f"{key!r} is used twice"))
        else:
            seen.add(key)
        try:
            kind = FieldType(definition.get("type"))
        except ValueError:
            errors.append(
                FieldError(f"{where}.type", f"unknown field type {definition.get('type')!r}")
            )
            continue
        errors.extend(_attribute_errors(where, kind, definition))
    return errors


def _attribute_errors(
    where: str, kind: FieldType, definition: Mapping[str, Any]
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(definition.get("required", False), bool):
        errors.append(FieldError(f"{where}.required", "must be true or false"))
    if kind in _CHOICE_TYPES:
        options = definition.get("options")
        values = [_option_value(o) for o in options] if isinstance(options, list) else []
        if not values:
            errors.append(FieldError(f"{where}.options", "a choice field needs options"))
        elif len(set(map(repr, values))) != len(values) or None in values:
            errors.append(
                FieldError(f"{where}.options", "options must be distinct, non-empty values")
            )
    bounds = {name: definition.get(name) for name in ("min", "max")}
    for name, bound in bounds.items():
        if bound is None:
            continue
        if kind not in _RANGED_TYPES:
            errors.append(FieldError(f"{where}.{name}", f"a {kind} field has no {name}"))
        elif not _is_number(bound) or (kind != FieldType.NUMBER and not float(bound).is_integer()):
            errors.append(FieldError(f"{where}.{name}", f"must be a number fit for a {kind}"))
    low, high = bounds["min"], bounds["max"]
    if _is_number(low) and _is_number(high) and low > high:
        errors.append(FieldError(f"{where}.max", "must not be below min"))
    prefill = definition.get("prefill")
    if prefill is not None and prefill not in PREFILL_SOURCES:
        known = ", ".join(PREFILL_SOURCES)
        errors.append(FieldError(f"{where}.prefill", f"unknown source {prefill!r}; use {known}"))
    return errors


def field_specs(fields: Sequence[Mapping[str, Any]]) -> dict[str, FieldSpec]:
    """Specs by key, in form order. Refuses definitions that are not valid."""
    errors = field_definition_errors(fields)
    if errors:
        raise InvalidInput(errors)
    return {spec.key: spec for spec in map(FieldSpec.from_definition, fields)}


def normalize_values(
    fields: Sequence[Mapping[str, Any]], values: Any, *, region: str | None = None
) -> dict[str, Any]:
    """The given values, normalised; `None` for each answer being cleared. `region` (ISO
    3166) reads national phone numbers. Raises InvalidInput naming every bad `values.<key>`."""
    if not isinstance(values, Mapping):
        raise InvalidInput.single("values", _("must be the answers by question"))
    specs = field_specs(fields)
    normalised: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, raw in values.items():
        spec = specs.get(key) if isinstance(key, str) else None
        if spec is None:
            errors.append(FieldError(f"values.{key}", _("is not a question of this form")))
            continue
        try:
            normalised[key] = normalize_value(spec, raw, region=region)
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return normalised


def normalize_value(spec: FieldSpec, raw: Any, *, region: str | None = None) -> Any:
    """One answer in stored form, or None for "no answer"."""
    if _is_blank(raw):
        return None
    field = f"values.{spec.key}"
    match spec.type:
        case FieldType.TEXT:
            return _text(field, raw, TEXT_MAX_CHARS)
        case FieldType.TEXTAREA:
            return _text(field, raw, TEXTAREA_MAX_CHARS)
        case FieldType.NUMBER:
            return _in_range(spec, _number(field, raw))
        case FieldType.INTEGER | FieldType.SCALE:
            return _in_range(spec, _whole(field, raw))
        case FieldType.DATE:
            return _iso_date(field, raw)
        case FieldType.BOOLEAN:
            if not isinstance(raw, bool):
                raise InvalidInput.single(field, _("must be yes or no"))
            return raw
        case FieldType.CHOICE:
            return _choice(spec, field, raw)
        case FieldType.MULTI_CHOICE:
            return _choices(spec, field, raw)
        case FieldType.EMAIL:
            text = _text(field, raw, 320)
            try:
                return normalize_email(text, field=field)
            except InvalidInput:
                # The filler names the question itself: its own words, not the contact
                # checks' sentence about a patient's e-mail field.
                raise InvalidInput.single(
                    field, _("is not a valid e-mail address (such as name@example.com)")
                ) from None
        case FieldType.PHONE:
            text = _text(field, raw, 40)
            try:
                return normalize_phone(text, region=region, field=field)
            except InvalidInput:
                raise InvalidInput.single(
                    field, _("is not a phone number (such as +40 721 000 000)")
                ) from None


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | tuple) and not raw


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(field: str, raw: Any, limit: int) -> str:
    if not isinstance(raw, str):
        raise InvalidInput.single(field, _("must be text"))
    text = raw.strip()
    if "\x00" in text:
        raise InvalidInput.single(field, _("contains an invisible character that cannot be kept"))
    if len(text) > limit:
        raise InvalidInput.single(
            field,
            _("is too long: at most {limit} characters (this has {count})").format(
                limit=format_number(limit), count=format_number(len(text))
            ),
        )
    return text


def _number(field: str, raw: Any) -> int | float:
    if _is_number(raw):
        return raw
    if isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
        parsed = float(raw.strip())
        if math.isfinite(parsed):
            return int(parsed) if _WHOLE.fullmatch(raw.strip()) else parsed
    raise InvalidInput.single(
        field, _("must be a number, such as {example}").format(example=format_number(72.5))
    )


def _whole(field: str, raw: Any) -> int:
    if _is_number(raw) and float(raw).is_integer():
        return int(raw)
    if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
        return int(raw.strip())
    raise InvalidInput.single(field, _("must be a whole number"))


def _in_range(spec: FieldSpec, number: int | float) -> int | float:
    field = f"values.{spec.key}"
    if spec.minimum is not None and number < spec.minimum:
        raise InvalidInput.single(
            field, _("must be at least {minimum}").format(minimum=format_number(spec.minimum))
        )
    if spec.maximum is not None and number > spec.maximum:
        raise InvalidInput.single(
            field, _("must be at most {maximum}").format(maximum=format_number(spec.maximum))
        )
    return number


def _iso_date(field: str, raw: Any) -> str:
    # A datetime is a date subclass, but an instant is not a calendar date: refuse it.
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw.isoformat()
    if isinstance(raw, str):
        with suppress(ValueError):
            return date.fromisoformat(raw.strip()).isoformat()
    raise InvalidInput.single(
        field,
        _("must be a date written as YYYY-MM-DD, such as {example}").format(example=_EXAMPLE_DATE),
    )


def _is_among(value: Any, candidates: Iterable[Any]) -> bool:
    # Compared by type too: True == 1 in Python, but "yes" is not option 1.
    return any(type(value) is type(candidate) and value == candidate for candidate in candidates)


def _choice(spec: FieldSpec, field: str, raw: Any) -> Any:
    if not _is_among(raw, spec.options):
        raise InvalidInput.single(
            field, _("must be one of the options: {options}").format(options=_listing(spec.options))
        )
    return raw


def _choices(spec: FieldSpec, field: str, raw: Any) -> list[Any]:
    if not isinstance(raw, list | tuple):
        raise InvalidInput.single(field, _("must be a list of options"))
    unknown = [item for item in raw if not _is_among(item, spec.options)]
    if unknown:
        message = ngettext(
            "{choices} is not among the options: {options}",
            "{choices} are not among the options: {options}",
            len(unknown),
        )
        raise InvalidInput.single(
            field, message.format(choices=_listing(unknown), options=_listing(spec.options))
        )
    return [option for option in spec.options if _is_among(option, raw)]


def _listing(items: Iterable[Any]) -> str:
    # The values as a person reads them: no quotes, no Python spelling.
    return ", ".join(str(item) for item in items)


def completion_errors(
    form_type: FormType, fields: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> list[FieldError]:
    """What stands between these (already normalised) values and a complete form."""
    specs = field_specs(fields)
    errors = [
        FieldError(f"values.{spec.key}", _("needs an answer"))
        for spec in specs.values()
        if spec.required and values.get(spec.key) is None
    ]
    if form_type == FormType.DISCLAIMER:
        errors.extend(
            FieldError(f"values.{spec.key}", _("must be accepted: tick it to agree"))
            for spec in specs.values()
            if spec.required and spec.type == FieldType.BOOLEAN and values.get(spec.key) is False
        )
    if form_type in STAFF_FILLED_TYPES and not any(v is not None for v in values.values()):
        errors.append(
            FieldError("values", _("answer at least one question before completing the form"))
        )
    return errors


def check_complete(
    form_type: FormType,
    fields: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    *,
    region: str | None = None,
) -> dict[str, Any]:
    """The values re-validated as a whole, or InvalidInput listing everything that is missing
    or wrong. Stored values are checked again: a prefilled answer was never typed by anyone."""
    normalised = {
        key: value
        for key, value in normalize_values(fields, values, region=region).items()
        if value is not None
    }
    errors = completion_errors(form_type, fields, normalised)
    if errors:
        raise InvalidInput(errors)
    return normalised


def check_may_fill(form_type: FormType, role: Role | None) -> None:
    """Refuse a patient writing a clinical document that staff write."""
    if role == Role.PATIENT and form_type in STAFF_FILLED_TYPES:
        raise PermissionDenied(
            f"a {form_type} is written by the clinic's staff, not by the patient",
            field="form_type",
        )
