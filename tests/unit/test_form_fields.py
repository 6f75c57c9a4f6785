"""Per-type validation of form answers, required fields and form-type rules (pure domain)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from frontdesk.domain.enums import FieldType, FormType, Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.domain.form_fields import (
    STAFF_FILLED_TYPES,
    TEXT_MAX_CHARS,
    TEXTAREA_MAX_CHARS,
    check_complete,
    check_may_fill,
    field_definition_errors,
    normalize_values,
)
from frontdesk.domain.form_signature import (
    canonical_json,
    check_signature_input,
    content_hash,
    hash_matches,
)

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "Name", "type": "text", "required": True},
    {"key": "story", "label": "Story", "type": "textarea"},
    {"key": "weight", "label": "Weight", "type": "number", "min": 1, "max": 400},
    {"key": "children", "label": "Children", "type": "integer", "min": 0},
    {"key": "born", "label": "Born", "type": "date"},
    {"key": "smoker", "label": "Smoker", "type": "boolean"},
    {"key": "side", "label": "Side", "type": "choice", "options": ["left", "right"]},
    {
        "key": "areas",
        "label": "Areas",
        "type": "multi_choice",
        "options": [{"value": "neck", "label": "Neck"}, {"value": "back", "label": "Back"}, 1],
    },
    {"key": "email", "label": "E-mail", "type": "email"},
    {"key": "phone", "label": "Phone", "type": "phone"},
    {"key": "pain", "label": "Pain", "type": "scale", "min": 0, "max": 10},
    {"key": "mood", "label": "Mood", "type": "scale"},
]


def _errors(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {error.field: error.message for error in exc.value.errors}


def _one(key: str, raw: Any, *, region: str | None = None) -> Any:
    return normalize_values(FIELDS, {key: raw}, region=region)[key]


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("name", "  Ioana Marin ", "Ioana Marin"),
        ("story", "line one\nline two", "line one\nline two"),
        ("weight", 72.5, 72.5),
        ("weight", "72.5", 72.5),
        ("weight", 80, 80),
        ("weight", "80", 80),
        ("weight", "1e2", 100.0),
        ("children", 2, 2),
        ("children", 3.0, 3),
        ("children", " 4 ", 4),
        ("born", "1980-05-17", "1980-05-17"),
        ("born", date(1980, 5, 17), "1980-05-17"),
        ("smoker", False, False),
        ("side", "left", "left"),
        ("areas", ["back", "neck", "back"], ["neck", "back"]),
        ("areas", [1], [1]),
        ("email", " Ioana@Example.COM ", "Ioana@example.com"),
        ("phone", "0721 000 111", "+40721000111"),
        ("phone", "+40 721 000 111", "+40721000111"),
        ("pain", 0, 0),
        ("pain", "10", 10),
        ("mood", 7, 7),
    ],
)
def test_valid_answers_are_normalised(key: str, raw: Any, expected: Any) -> None:
    value = _one(key, raw, region="RO")
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("name", 42, "must be text"),
        ("name", "x" * (TEXT_MAX_CHARS + 1), f"at most {TEXT_MAX_CHARS:,} characters"),
        ("name", "a\x00b", "cannot be kept"),
        ("story", "x" * (TEXTAREA_MAX_CHARS + 1), f"at most {TEXTAREA_MAX_CHARS:,} characters"),
        ("weight", "heavy", "must be a number"),
        ("weight", "72,5", "must be a number"),
        ("weight", "nan", "must be a number"),
        ("weight", float("inf"), "must be a number"),
        ("weight", "1_000", "must be a number"),
        ("weight", True, "must be a number"),
        ("weight", 0.5, "at least 1"),
        ("weight", 401, "at most 400"),
        ("children", 2.5, "whole number"),
        ("children", "two", "whole number"),
        ("children", -1, "at least 0"),
        ("children", False, "whole number"),
        ("born", "17/05/1980", "YYYY-MM-DD"),
        ("born", "1980-02-30", "YYYY-MM-DD"),
        ("born", datetime(1980, 5, 17, 10, 0), "YYYY-MM-DD"),
        ("born", 19800517, "YYYY-MM-DD"),
        ("smoker", "yes", "must be yes or no"),
        ("smoker", 1, "must be yes or no"),
        ("side", "middle", "must be one of the options: left, right"),
        ("side", ["left"], "must be one of"),
        ("areas", "neck", "list of options"),
        ("areas", ["neck", "knee"], "knee is not among the options: neck, back, 1"),
        ("areas", [True], "not among the options"),
        ("email", "not-an-address", "not a valid e-mail"),
        ("email", 5, "must be text"),
        ("phone", "12", "phone number"),
        ("phone", "call me", "phone number"),
        ("pain", 11, "at most 10"),
        ("pain", -1, "at least 0"),
        ("pain", 5.5, "whole number"),
        ("mood", 11, "at most 10"),
    ],
)
def test_invalid_answers_are_refused_naming_the_field(key: str, raw: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        _one(key, raw, region="RO")
    errors = _errors(exc)
    assert list(errors) == [f"values.{key}"]
    assert message in errors[f"values.{key}"]


@pytest.mark.parametrize("blank", [None, "", "   ", []])
def test_blank_answers_mean_no_answer(blank: Any) -> None:
    assert normalize_values(FIELDS, {"name": blank, "areas": blank, "smoker": blank}) == {
        "name": None,
        "areas": None,
        "smoker": None,
    }


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as exc:
        normalize_values(
            FIELDS, {"name": "ok", "weight": "x", "pain": 99, "nickname": "Io", "side": "up"}
        )
    assert set(_errors(exc)) == {"values.weight", "values.pain", "values.nickname", "values.side"}
    assert "not a question of this form" in _errors(exc)["values.nickname"]


def test_values_must_be_an_object() -> None:
    with pytest.raises(InvalidInput) as exc:
        normalize_values(FIELDS, ["name", "Ioana"])
    assert exc.value.field == "values"


def test_a_national_phone_number_needs_a_region() -> None:
    with pytest.raises(InvalidInput) as exc:
        _one("phone", "0721 000 111", region=None)
    assert exc.value.field == "values.phone"


# --- completing --------------------------------------------------------------------------


def test_completion_lists_every_missing_required_field() -> None:
    fields = [
        {"key": "a", "label": "A", "type": "text", "required": True},
        {"key": "b", "label": "B", "type": "scale", "required": True},
        {"key": "c", "label": "C", "type": "text"},
    ]
    with pytest.raises(InvalidInput) as exc:
        check_complete(FormType.SURVEY, fields, {"c": "hello"})
    assert _errors(exc) == {"values.a": "needs an answer", "values.b": "needs an answer"}


def test_completion_revalidates_stored_answers() -> None:
    fields = [{"key": "email", "label": "E-mail", "type": "email", "required": True}]
    with pytest.raises(InvalidInput) as exc:
        check_complete(FormType.SURVEY, fields, {"email": "broken@"})
    assert exc.value.field == "values.email"


def test_complete_values_come_back_normalised() -> None:
    fields = [{"key": "n", "label": "N", "type": "integer", "required": True}]
    assert check_complete(FormType.PARAMETERS, fields, {"n": "7"}) == {"n": 7}


def test_a_disclaimer_needs_every_required_yes_no_accepted() -> None:
    fields = [
        {"key": "agree", "label": "I agree", "type": "boolean", "required": True},
        {"key": "news", "label": "Newsletter", "type": "boolean"},
    ]
    with pytest.raises(InvalidInput) as exc:
        check_complete(FormType.DISCLAIMER, fields, {"agree": False, "news": False})
    assert _errors(exc) == {"values.agree": "must be accepted: tick it to agree"}
    assert check_complete(FormType.DISCLAIMER, fields, {"agree": True, "news": False}) == {
        "agree": True,
        "news": False,
    }


def test_a_survey_may_answer_a_required_yes_no_with_no() -> None:
    fields = [{"key": "smoker", "label": "Smoker", "type": "boolean", "required": True}]
    assert check_complete(FormType.SURVEY, fields, {"smoker": False}) == {"smoker": False}


@pytest.mark.parametrize("form_type", sorted(STAFF_FILLED_TYPES))
def test_a_clinical_document_cannot_be_completed_empty(form_type: FormType) -> None:
    fields = [{"key": "text", "label": "Text", "type": "textarea"}]
    with pytest.raises(InvalidInput) as exc:
        check_complete(form_type, fields, {})
    assert exc.value.field == "values"
    assert check_complete(form_type, fields, {"text": "Rest for a week."}) == {
        "text": "Rest for a week."
    }


def test_a_survey_with_only_optional_fields_may_be_completed_empty() -> None:
    assert check_complete(FormType.SURVEY, [{"key": "c", "label": "C", "type": "text"}], {}) == {}


# --- who fills ---------------------------------------------------------------------------


@pytest.mark.parametrize("form_type", list(FormType))
@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECEPTIONIST, Role.SPECIALIST, None])
def test_staff_and_system_fill_every_form_type(form_type: FormType, role: Role | None) -> None:
    check_may_fill(form_type, role)


@pytest.mark.parametrize("form_type", list(FormType))
def test_patients_fill_only_patient_forms(form_type: FormType) -> None:
    if form_type in STAFF_FILLED_TYPES:
        with pytest.raises(PermissionDenied) as exc:
            check_may_fill(form_type, Role.PATIENT)
        assert exc.value.field == "form_type"
    else:
        check_may_fill(form_type, Role.PATIENT)


def test_the_staff_written_types_are_the_clinical_documents() -> None:
    assert {
        FormType.ANALYSIS,
        FormType.ADVICE,
        FormType.REPORT,
        FormType.PRESCRIPTION,
    } == STAFF_FILLED_TYPES


# --- template definitions ----------------------------------------------------------------


def test_the_sample_definitions_are_valid() -> None:
    assert field_definition_errors(FIELDS) == []
    assert {FieldType(f["type"]) for f in FIELDS} == set(FieldType)


@pytest.mark.parametrize(
    ("definition", "field", "message"),
    [
        ({"label": "No key", "type": "text"}, "fields[0].key", "key is required"),
        ({"key": "a", "type": "colour"}, "fields[0].type", "unknown field type"),
        ({"key": "a", "type": "choice"}, "fields[0].options", "needs options"),
        ({"key": "a", "type": "choice", "options": ["x", "x"]}, "fields[0].options", "distinct"),
        ({"key": "a", "type": "text", "min": 1}, "fields[0].min", "has no min"),
        ({"key": "a", "type": "integer", "max": 2.5}, "fields[0].max", "number fit"),
        ({"key": "a", "type": "number", "min": "low"}, "fields[0].min", "number fit"),
        ({"key": "a", "type": "scale", "min": 5, "max": 1}, "fields[0].max", "below min"),
        ({"key": "a", "type": "text", "required": "yes"}, "fields[0].required", "true or false"),
        ({"key": "a", "type": "text", "prefill": "patient.ssn"}, "fields[0].prefill", "unknown"),
        ("not an object", "fields[0]", "must be an object"),
    ],
)
def test_bad_definitions_are_refused(definition: Any, field: str, message: str) -> None:
    errors = field_definition_errors([definition])
    assert [e.field for e in errors] == [field]
    assert message in errors[0].message


def test_a_duplicate_key_is_named_at_its_second_use() -> None:
    errors = field_definition_errors(
        [{"key": "a", "type": "text"}, {"key": "a", "type": "integer"}]
    )
    assert [(e.field, e.message) for e in errors] == [("fields[1].key", "'a' is used twice")]


def test_values_against_bad_definitions_name_the_definition() -> None:
    with pytest.raises(InvalidInput) as exc:
        normalize_values([{"key": "a", "type": "colour"}], {"a": "red"})
    assert exc.value.field == "fields[0].type"


# --- signatures --------------------------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0 L10 10"/></svg>'


def test_a_signature_input_is_trimmed() -> None:
    assert check_signature_input("  Ioana Marin ", f" {SVG}\n") == ("Ioana Marin", SVG)


@pytest.mark.parametrize(
    ("name", "svg", "fields"),
    [
        ("", SVG, {"signer_name"}),
        ("   ", SVG, {"signer_name"}),
        ("x" * 201, SVG, {"signer_name"}),
        (None, SVG, {"signer_name"}),
        ("Ioana", "", {"signature_svg"}),
        ("Ioana", "a drawing", {"signature_svg"}),
        ("Ioana", "<svg>" + "x" * 260_000 + "</svg>", {"signature_svg"}),
        ("Ioana", '<svg><script>alert("x")</script></svg>', {"signature_svg"}),
        ("Ioana", '<svg onload="steal()"></svg>', {"signature_svg"}),
        ("", "", {"signer_name", "signature_svg"}),
    ],
)
def test_bad_signature_input_is_refused(name: Any, svg: str, fields: set[str]) -> None:
    with pytest.raises(InvalidInput) as exc:
        check_signature_input(name, svg)
    assert set(_errors(exc)) == fields


def test_the_content_hash_is_canonical() -> None:
    one = {"b": [1, 2.0, {"y": True, "x": None}], "a": "ă"}
    two = {"a": "ă", "b": [1, 2, {"x": None, "y": True}]}
    assert canonical_json(one) == canonical_json(two)
    assert canonical_json(one) == '{"a":"ă","b":[1,2,{"x":null,"y":true}]}'.encode()
    assert content_hash(one) == content_hash(two)
    assert len(content_hash(one)) == 64


def test_the_hash_changes_with_any_answer() -> None:
    document = {"values": {"pain": 3}}
    recorded = content_hash(document)
    assert hash_matches(document, recorded)
    assert not hash_matches({"values": {"pain": 4}}, recorded)
    assert not hash_matches(document, None)


def test_only_json_values_can_be_sealed() -> None:
    with pytest.raises(TypeError):
        canonical_json({"at": date(2026, 3, 2)})
