"""The condition language: parsing, exact serialisation, evaluation that never raises."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.rules import RuleInvalid, evaluate, parse_conditions, serialize
from frontdesk.domain.rules.conditions import (
    FieldCondition,
    Group,
    Match,
    Operator,
    iter_field_conditions,
)
from tests.unit.rules.factories import errors_of


def holds(conditions: dict[str, Any], context: dict[str, Any]) -> bool:
    return evaluate(parse_conditions(conditions), context).matched


# --- parsing and serialising -----------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"patient.country": "RO"},
        {"appointment.type": "video", "patient.age": {"gte": 18, "lt": 65}},
        {"treatment_plan.adherence_rate": {"lt": 0.5}},
        {"patient.segment_ids": {"in": [5, "vip"]}, "patient.email": {"exists": True}},
        {"any": [{"patient.city": "Cluj"}, {"all": [{"patient.age": {"gt": 70}}]}]},
        {"patient.country": "RO", "all": [{"patient.city": {"ne": "Iași"}}], "any": [{"a.b": 1}]},
    ],
)
def test_serialize_gives_back_the_document(document: dict[str, Any]) -> None:
    assert serialize(parse_conditions(document)) == document


def test_plain_and_operator_forms_become_the_same_checks() -> None:
    plain = parse_conditions({"patient.country": "RO"})
    explicit = parse_conditions({"patient.country": {"eq": "RO"}})
    (p,), (e,) = plain.entries, explicit.entries
    assert isinstance(p, FieldCondition)
    assert isinstance(e, FieldCondition)
    assert p.plain
    assert not e.plain
    assert p.tests == e.tests
    assert serialize(explicit) == {"patient.country": {"eq": "RO"}}


def test_groups_parse_to_nodes() -> None:
    node = parse_conditions({"any": [{"patient.city": "Cluj"}, {"patient.age": {"gt": 70}}]})
    (group,) = node.entries
    assert isinstance(group, Group)
    assert group.kind == "any"
    assert all(isinstance(item, Match) for item in group.items)


def test_iter_field_conditions_gives_json_paths() -> None:
    node = parse_conditions(
        {"patient.age": 3, "any": [{"patient.city": "x"}, {"all": [{"form.type": "survey"}]}]}
    )
    assert [path for path, _ in iter_field_conditions(node)] == [
        "conditions.patient.age",
        "conditions.any[0].patient.city",
        "conditions.any[1].all[0].form.type",
    ]


_paths = st.sampled_from(["patient.age", "patient.city", "appointment.specialist.specialty"])
_scalars = st.one_of(
    st.text(max_size=5),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
_ops = st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte", "contains"])
_numbers = st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False))


def _field_value() -> st.SearchStrategy[Any]:
    operator_form = st.dictionaries(_ops, _numbers, min_size=1, max_size=3)
    lists = st.fixed_dictionaries({"in": st.lists(_scalars, min_size=1, max_size=3)})
    exists = st.fixed_dictionaries({"exists": st.booleans()})
    return st.one_of(_scalars, operator_form, lists, exists)


_documents = st.recursive(
    st.dictionaries(_paths, _field_value(), max_size=3),
    lambda inner: st.tuples(
        st.dictionaries(_paths, _field_value(), max_size=2),
        st.sampled_from(["all", "any"]),
        st.lists(inner, min_size=1, max_size=3),
    ).map(lambda parts: {**parts[0], parts[1]: parts[2]}),
    max_leaves=6,
)


@given(_documents)
def test_any_valid_document_round_trips_and_evaluates_without_raising(
    document: dict[str, Any],
) -> None:
    node = parse_conditions(document)
    assert serialize(node) == document
    for context in ({}, {"patient": {"age": 70, "city": "Cluj"}}, {"patient": "not a mapping"}):
        evaluate(node, context)


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        ([], "conditions", "must be a JSON object"),
        ({"patient.age": {"gtx": 3}}, "conditions.patient.age", "unknown operator 'gtx'"),
        ({"patient.age": {}}, "conditions.patient.age", "at least one operator"),
        ({"patient.age": [1, 2]}, "conditions.patient.age", "a list needs an operator"),
        ({"patient.age": None}, "conditions.patient.age", 'use {"exists": false}'),
        ({"patient.age": {"eq": {"x": 1}}}, "conditions.patient.age", "text, a number"),
        ({"patient.age": {"eq": float("nan")}}, "conditions.patient.age", "text, a number"),
        ({"patient.age": {"lt": True}}, "conditions.patient.age", "not booleans"),
        ({"patient.age": {"in": 3}}, "conditions.patient.age", "non-empty list"),
        ({"patient.age": {"in": []}}, "conditions.patient.age", "non-empty list"),
        ({"patient.age": {"in": list(range(201))}}, "conditions.patient.age", "at most 200"),
        ({"patient.age": {"not_in": [[1]]}}, "conditions.patient.age", "list items"),
        ({"patient.email": {"exists": "yes"}}, "conditions.patient.email", "true or false"),
        ({"Patient Age": 3}, "conditions.Patient Age", "not an attribute path"),
        ({"age": 3}, "conditions.age", "not an attribute path"),
        ({"any": []}, "conditions.any", "non-empty list"),
        ({"all": {"patient.age": 3}}, "conditions.all", "non-empty list"),
        ({"any": [{"patient.age": 1}, 5]}, "conditions.any[1]", "must be a JSON object"),
        (
            {"any": [{"patient.age": 1}, {"all": [{"patient.age": {"between": [1, 2]}}]}]},
            "conditions.any[1].all[0].patient.age",
            "unknown operator 'between'",
        ),
    ],
)
def test_refusals_name_the_path(document: Any, field: str, message: str) -> None:
    with pytest.raises(RuleInvalid) as excinfo:
        parse_conditions(document)
    errors = errors_of(excinfo)
    assert field in errors, errors
    assert message in errors[field]


def test_refusals_use_the_given_field_and_list_every_problem() -> None:
    with pytest.raises(RuleInvalid) as excinfo:
        parse_conditions({"a.b": {"gtx": 1}, "c.d": {"in": 1}}, field="actions[1].conditions")
    assert set(errors_of(excinfo)) == {"actions[1].conditions.a.b", "actions[1].conditions.c.d"}


def test_groups_nest_only_so_deep() -> None:
    document: dict[str, Any] = {"patient.age": 1}
    for _ in range(7):
        document = {"all": [document]}
    with pytest.raises(RuleInvalid, match="nested at most 6 deep"):
        parse_conditions(document)


# --- evaluation ------------------------------------------------------------------------------

PATIENT = {
    "patient": {
        "age": 70,
        "country": "RO",
        "city": "Cluj-Napoca",
        "email": "",
        "segment_ids": [5, "vip"],
        "date_of_birth": "1956-03-02",
        "onboarded_at": "2026-03-01T09:00:00+02:00",
        "has_active_treatment_plan": True,
    },
    "appointment": {"specialist": {"specialty": "kinesitherapy"}},
    "treatment_plan": {"adherence_rate": 0.4},
}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({}, True),
        ({"patient.country": "RO"}, True),
        ({"patient.country": "ro"}, False),
        ({"patient.country": "RO", "patient.age": {"gte": 65}}, True),
        ({"patient.country": "RO", "patient.age": {"lt": 65}}, False),
        ({"patient.age": {"gte": 18, "lt": 65}}, False),
        ({"patient.age": 70.0}, True),
        ({"treatment_plan.adherence_rate": {"lt": 0.5}}, True),
        ({"treatment_plan.adherence_rate": {"gte": 0}}, True),
        ({"patient.has_active_treatment_plan": True}, True),
        ({"patient.has_active_treatment_plan": 1}, False),
        ({"patient.age": {"ne": 71}}, True),
        ({"patient.age": {"in": [69, 70]}}, True),
        ({"patient.age": {"not_in": [69, 70]}}, False),
        ({"patient.city": {"contains": "Cluj"}}, True),
        ({"patient.city": {"contains": "cluj"}}, False),
        ({"appointment.specialist.specialty": "kinesitherapy"}, True),
        ({"patient.segment_ids": 5}, True),
        ({"patient.segment_ids": {"ne": 5}}, False),
        ({"patient.segment_ids": {"contains": "vip"}}, True),
        ({"patient.segment_ids": {"in": [1, "vip"]}}, True),
        ({"patient.segment_ids": {"not_in": [1, 2]}}, True),
        ({"patient.segment_ids": {"gt": 1}}, False),
        ({"patient.date_of_birth": {"lt": "1960-01-01"}}, True),
        ({"patient.date_of_birth": "1956-03-02"}, True),
        ({"patient.onboarded_at": "2026-03-01T07:00:00Z"}, True),
        ({"patient.onboarded_at": {"gt": "2026-03-01T08:00:00+02:00"}}, True),
        ({"patient.onboarded_at": {"gt": "2026-03-01"}}, False),
        ({"patient.onboarded_at": {"gt": "2026-03-01T08:00:00"}}, False),
        ({"patient.country": {"lt": "SE"}}, True),
        ({"any": [{"patient.country": "BG"}, {"patient.age": 70}]}, True),
        ({"any": [{"patient.country": "BG"}, {"patient.age": 71}]}, False),
        ({"all": [{"patient.country": "RO"}, {"patient.age": 71}]}, False),
        ({"patient.country": "RO", "any": [{"patient.city": "Iași"}]}, False),
    ],
)
def test_evaluation(conditions: dict[str, Any], expected: bool) -> None:
    assert holds(conditions, PATIENT) is expected


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains"])
@pytest.mark.parametrize(
    "path", ["patient.weight", "patient.email", "nothing.here", "patient.age.x"]
)
def test_a_missing_value_satisfies_no_comparison(op: str, path: str) -> None:
    expected: Any = [1, "a"] if op in {"in", "not_in"} else 1
    assert holds({path: {op: expected}}, PATIENT) is False


def test_exists_sees_missing_blank_and_empty_as_absent() -> None:
    context = {"patient": {"age": 0, "email": " ", "segment_ids": [], "flag": False}}
    assert holds({"patient.age": {"exists": True}}, context)
    assert holds({"patient.flag": {"exists": True}}, context)
    assert holds({"patient.email": {"exists": False}}, context)
    assert holds({"patient.segment_ids": {"exists": False}}, context)
    assert holds({"patient.phone": {"exists": False}}, context)
    assert not holds({"patient.phone": {"exists": True}}, context)


def test_python_values_from_the_engine_compare_like_their_json() -> None:
    segment = uuid.uuid4()
    context = {
        "patient": {"date_of_birth": date(1956, 3, 2), "segment_ids": [segment]},
        "appointment": {"started_at": datetime(2026, 3, 2, 7, 0, tzinfo=UTC)},
    }
    assert holds({"patient.date_of_birth": {"lt": "1960-01-01"}}, context)
    assert holds({"patient.segment_ids": str(segment)}, context)
    assert holds({"appointment.started_at": "2026-03-02T09:00:00+02:00"}, context)


def test_text_that_only_looks_like_a_date_compares_as_text() -> None:
    assert holds({"patient.note": "2026-02-30"}, {"patient": {"note": "2026-02-30"}})


def test_every_check_is_traced_even_after_the_outcome_is_known() -> None:
    node = parse_conditions(
        {"patient.country": "BG", "patient.age": {"gte": 18, "lt": 65}, "patient.city": "Cluj"}
    )
    result = evaluate(node, PATIENT)
    assert result.matched is False
    assert [(c.path, c.op, c.expected, c.actual, c.result) for c in result.checks] == [
        ("patient.country", Operator.EQ, "BG", "RO", False),
        ("patient.age", Operator.GTE, 18, 70, True),
        ("patient.age", Operator.LT, 65, 70, False),
        ("patient.city", Operator.EQ, "Cluj", "Cluj-Napoca", False),
    ]


def test_checks_serialise_to_json() -> None:
    node = parse_conditions({"patient.date_of_birth": {"in": ["1956-03-02"]}})
    (check,) = evaluate(node, {"patient": {"date_of_birth": date(1956, 3, 2)}}).checks
    assert check.to_json() == {
        "path": "patient.date_of_birth",
        "op": "in",
        "expected": ["1956-03-02"],
        "actual": "1956-03-02",
        "result": True,
    }
