"""The condition language of automation rules: parse, serialise, evaluate. Pure.

A condition document is a JSON object; every entry must hold:
- plain equality, as in the specification: `{"patient.country": "RO"}`;
- operators: `{"treatment_plan.adherence_rate": {"lt": 0.5}}`; several operators on one path
  must all hold (`{"patient.age": {"gte": 18, "lt": 65}}`);
- groups, for the admin screen's all-of / any-of: `{"any": [{...}, {...}]}`,
  `{"all": [{...}]}`, nestable.

Semantics (decided here, documented in docs/rule-format.md):
- A missing value is `None`. It satisfies nothing but `{"exists": false}`; comparing it never
  raises. A blank string and an empty list count as missing too (as form answers do).
- Numbers compare across int and float; booleans are not numbers (`true` is not `1`).
- ISO strings (`"2026-03-01"`, `"2026-03-01T09:00+02:00"`) and date/datetime values compare
  as dates or instants. A date never equals or orders against a date-time, nor a naive
  date-time against an aware one: such checks are false.
- When the actual value is a list (e.g. `patient.segment_ids`), `eq` means "contains",
  `ne` "does not contain", `in` "shares an element with", `not_in` "shares none with".
- `contains` is membership for lists and substring for text.
- Every check is evaluated, even after the outcome is known, so a trace explains it fully.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, cast

from frontdesk.domain.errors import FieldError
from frontdesk.domain.rules.errors import RuleInvalid
from frontdesk.domain.rules.paths import join_path
from frontdesk.i18n import _

MAX_GROUP_DEPTH = 6
MAX_LIST_ITEMS = 200

_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

Scalar = str | int | float | bool


class Operator(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    EXISTS = "exists"


ORDERING_OPERATORS = frozenset({Operator.LT, Operator.LTE, Operator.GT, Operator.GTE})
LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})


@dataclass(frozen=True, slots=True)
class Test:
    """One operator and its expected value. `expected` is a tuple for in/not_in."""

    op: Operator
    expected: Scalar | tuple[Scalar, ...]
    _key: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Normalised once at parse time: evaluation runs for every event.
        if isinstance(self.expected, tuple):
            key: Any = tuple(_comparable(item) for item in self.expected)
        else:
            key = _comparable(self.expected)
        object.__setattr__(self, "_key", key)

    def to_json(self) -> Any:
        return list(self.expected) if isinstance(self.expected, tuple) else self.expected


@dataclass(frozen=True, slots=True)
class FieldCondition:
    """`path` compared by each test; `plain` when written as `{"path": value}`."""

    path: str
    tests: tuple[Test, ...]
    plain: bool = False
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.path.split(".")))


@dataclass(frozen=True, slots=True)
class Group:
    kind: Literal["all", "any"]
    items: tuple[Match, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """A JSON object of conditions: every entry must hold. Empty always holds."""

    entries: tuple[FieldCondition | Group, ...] = ()


ConditionNode = Match | Group | FieldCondition
EMPTY = Match()


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    path: str
    op: Operator
    expected: Any
    actual: Any
    result: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "op": self.op.value,
            "expected": self.expected,
            "actual": json_value(self.actual),
            "result": self.result,
        }


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    matched: bool
    checks: list[ConditionCheck]


# --- parsing ---------------------------------------------------------------------------------


def parse_conditions(obj: object, *, field: str = "conditions") -> Match:
    """The AST of a condition document, or `RuleInvalid` listing every problem by path."""
    errors: list[FieldError] = []
    node = _parse_match(obj, field, 0, errors)
    if errors:
        raise RuleInvalid(errors)
    return node


def _parse_match(obj: object, path: str, depth: int, errors: list[FieldError]) -> Match:
    if not isinstance(obj, Mapping):
        errors.append(FieldError(path or "conditions", _("conditions must be a JSON object")))
        return EMPTY
    entries: list[FieldCondition | Group] = []
    for key, value in obj.items():
        if key == "all" or key == "any":
            group = _parse_group(key, value, join_path(path, key), depth, errors)
            if group is not None:
                entries.append(group)
            continue
        entry_path = join_path(path, str(key))
        if not isinstance(key, str) or not _PATH.fullmatch(key):
            errors.append(
                FieldError(
                    entry_path,
                    _("{key} is not an attribute path like 'patient.age'").format(key=repr(key)),
                )
            )
            continue
        condition = _parse_field(key, value, entry_path, errors)
        if condition is not None:
            entries.append(condition)
    return Match(tuple(entries))


def _parse_group(
    kind: Literal["all", "any"], value: object, path: str, depth: int, errors: list[FieldError]
) -> Group | None:
    if depth >= MAX_GROUP_DEPTH:
        errors.append(
            FieldError(
                path,
                _("groups may be nested at most {count} deep").format(count=MAX_GROUP_DEPTH),
            )
        )
        return None
    if not isinstance(value, list) or not value:
        errors.append(
            FieldError(path, _("'{kind}' needs a non-empty list of conditions").format(kind=kind))
        )
        return None
    items = tuple(
        _parse_match(item, join_path(path, index), depth + 1, errors)
        for index, item in enumerate(value)
    )
    return Group(kind, items)


def _parse_field(
    key: str, value: object, path: str, errors: list[FieldError]
) -> FieldCondition | None:
    if isinstance(value, Mapping):
        if not value:
            errors.append(
                FieldError(path, _('needs at least one operator, e.g. {{"eq": ...}}').format())
            )
            return None
        tests = [_parse_test(op, expected, path, errors) for op, expected in value.items()]
        if any(test is None for test in tests):
            return None
        return FieldCondition(key, tuple(t for t in tests if t is not None))
    if isinstance(value, list):
        errors.append(
            FieldError(path, _('a list needs an operator, e.g. {{"in": [...]}}').format())
        )
        return None
    test = _parse_test(Operator.EQ.value, value, path, errors)
    return None if test is None else FieldCondition(key, (test,), plain=True)


def _parse_test(
    op_name: object, expected: object, path: str, errors: list[FieldError]
) -> Test | None:
    try:
        op = Operator(op_name)
    except ValueError:
        names = ", ".join(o.value for o in Operator)
        errors.append(
            FieldError(
                path,
                _("unknown operator {op} (use one of {names})").format(
                    op=repr(op_name), names=names
                ),
            )
        )
        return None
    problem = _expected_problem(op, expected)
    if problem is not None:
        errors.append(FieldError(path, problem))
        return None
    if op in LIST_OPERATORS:
        return Test(op, tuple(cast(list[Scalar], expected)))
    return Test(op, cast(Scalar, expected))


def _expected_problem(op: Operator, expected: object) -> str | None:
    if op is Operator.EXISTS:
        return None if isinstance(expected, bool) else _("'exists' takes true or false")
    if op in LIST_OPERATORS:
        if not isinstance(expected, list) or not expected:
            return _("'{op}' takes a non-empty list of values").format(op=op)
        if len(expected) > MAX_LIST_ITEMS:
            return _("'{op}' takes at most {count} values").format(op=op, count=MAX_LIST_ITEMS)
        bad = next((item for item in expected if not _is_scalar(item)), None)
        return (
            None
            if bad is None
            else _("'{op}' list items must be text, numbers or booleans").format(op=op)
        )
    if expected is None:
        return _('null is not a value to compare with; use {{"exists": false}}').format()
    if not _is_scalar(expected):
        return _("'{op}' takes text, a number or a boolean").format(op=op)
    if op in ORDERING_OPERATORS and isinstance(expected, bool):
        return _("'{op}' compares numbers, dates or text, not booleans").format(op=op)
    return None


def _is_scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int | bool)


# --- serialising -----------------------------------------------------------------------------


def serialize(node: ConditionNode) -> dict[str, Any]:
    """The JSON a node was parsed from: `serialize(parse_conditions(x)) == x`."""
    if isinstance(node, Match):
        merged: dict[str, Any] = {}
        for entry in node.entries:
            merged.update(serialize(entry))
        return merged
    if isinstance(node, Group):
        return {node.kind: [serialize(item) for item in node.items]}
    if node.plain:
        return {node.path: node.tests[0].to_json()}
    return {node.path: {test.op.value: test.to_json() for test in node.tests}}


def iter_field_conditions(
    node: ConditionNode, *, field: str = "conditions"
) -> Iterator[tuple[str, FieldCondition]]:
    """Every attribute condition with the JSON path where it is written."""
    if isinstance(node, FieldCondition):
        yield field, node
    elif isinstance(node, Group):
        for index, item in enumerate(node.items):
            yield from iter_field_conditions(item, field=join_path(field, index))
    else:
        for entry in node.entries:
            key = entry.path if isinstance(entry, FieldCondition) else entry.kind
            sub = join_path(field, key)
            if isinstance(entry, FieldCondition):
                yield sub, entry
            else:
                yield from iter_field_conditions(entry, field=sub)


# --- evaluating ------------------------------------------------------------------------------


def evaluate(node: ConditionNode, context: Mapping[str, Any]) -> EvaluationResult:
    """Whether `node` holds for `context` (a nested dict), with every check made on the way."""
    checks: list[ConditionCheck] = []
    matched = _evaluate(node, context, checks)
    return EvaluationResult(matched, checks)


def resolve(context: Mapping[str, Any], path: str | Sequence[str]) -> Any:
    """The value at a dotted path of a nested mapping, or None when any step is missing."""
    value: Any = context
    for part in path.split(".") if isinstance(path, str) else path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


def _evaluate(
    node: ConditionNode, context: Mapping[str, Any], checks: list[ConditionCheck]
) -> bool:
    if isinstance(node, FieldCondition):
        actual = resolve(context, node.parts)
        held = True
        for test in node.tests:
            result = _check(test, actual)
            checks.append(ConditionCheck(node.path, test.op, test.to_json(), actual, result))
            held = held and result
        return held
    if isinstance(node, Group):
        results = [_evaluate(item, context, checks) for item in node.items]
        return all(results) if node.kind == "all" else any(results)
    return all([_evaluate(entry, context, checks) for entry in node.entries])


def _check(test: Test, actual: Any) -> bool:
    present = not _is_missing(actual)
    if test.op is Operator.EXISTS:
        return present == test.expected
    if not present:
        return False
    key = test._key
    if isinstance(actual, list | tuple | set | frozenset):
        items = [_comparable(item) for item in actual]
        return _check_list(test.op, items, key)
    value = _comparable(actual)
    match test.op:
        case Operator.EQ:
            return _equal(value, key)
        case Operator.NE:
            return not _equal(value, key)
        case Operator.IN:
            return any(_equal(value, option) for option in key)
        case Operator.NOT_IN:
            return not any(_equal(value, option) for option in key)
        case Operator.CONTAINS:
            # Substring on the text as written, even when it reads as a date.
            return (
                isinstance(actual, str)
                and isinstance(test.expected, str)
                and (test.expected in actual)
            )
        case _:
            return _ordered(test.op, value, key)


def _check_list(op: Operator, items: list[tuple[str, Any]], key: Any) -> bool:
    if op in {Operator.EQ, Operator.CONTAINS}:
        return any(_equal(item, key) for item in items)
    if op is Operator.NE:
        return not any(_equal(item, key) for item in items)
    if op in LIST_OPERATORS:
        shared = any(_equal(item, option) for item in items for option in key)
        return shared if op is Operator.IN else not shared
    return False  # a list has no order against a value


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict | set | frozenset) and not value


def _comparable(value: Any) -> tuple[str, Any]:
    """(kind, value): values compare only within a kind."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", value) if math.isfinite(value) else ("nan", None)
    if isinstance(value, datetime):
        return ("datetime", value)
    if isinstance(value, date):
        return ("date", value)
    if isinstance(value, uuid.UUID):
        return ("str", str(value))
    if isinstance(value, str):
        return _comparable_text(value)
    return ("other", value)


def comparable_kind(value: Any) -> str:
    """How a value compares: "num", "str", "bool", "date", "datetime" (ISO text included)…"""
    return _comparable(value)[0]


def _comparable_text(text: str) -> tuple[str, Any]:
    # Text that looks like a date but is not one (2026-02-30) stays plain text.
    with suppress(ValueError):
        if len(text) == 10 and _ISO_DATE.fullmatch(text):
            return ("date", date.fromisoformat(text))
        if _ISO_DATETIME.match(text):
            return ("datetime", datetime.fromisoformat(text))
    return ("str", text)


def _equal(left: tuple[str, Any], right: tuple[str, Any]) -> bool:
    if left[0] != right[0] or left[0] in {"nan", "other"}:
        return False
    if left[0] == "datetime" and not _same_awareness(left[1], right[1]):
        return False
    return bool(left[1] == right[1])


def _ordered(op: Operator, left: tuple[str, Any], right: tuple[str, Any]) -> bool:
    if left[0] != right[0] or left[0] not in {"num", "str", "date", "datetime"}:
        return False
    a, b = left[1], right[1]
    if left[0] == "datetime" and not _same_awareness(a, b):
        return False
    match op:
        case Operator.LT:
            return bool(a < b)
        case Operator.LTE:
            return bool(a <= b)
        case Operator.GT:
            return bool(a > b)
        case _:
            return bool(a >= b)


def _same_awareness(a: datetime, b: datetime) -> bool:
    return (a.utcoffset() is None) == (b.utcoffset() is None)


def json_value(value: Any) -> Any:
    """A context value as JSON: dates and instants as ISO text, ids as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return value
