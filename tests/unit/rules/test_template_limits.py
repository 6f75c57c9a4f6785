"""Templates are bounded before the work: each operation that can build a big value is
measured first, and refused by the message naming its cap, not stopped by a clock after it ran.
No timing is asserted: that the error names the cap (a size the template *would* build) is
what shows the work was never done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from frontdesk.domain.rules import (
    RuleInvalid,
    TemplateFailed,
    TemplateOverLimit,
    TemplateRefused,
    validate_rule,
)
from frontdesk.domain.rules.template_limits import (
    MAX_BUILT,
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    LimitExceeded,
    NotPrintable,
    check_printable,
    size_of,
)
from frontdesk.domain.rules.template_static import MAX_DEPTH
from frontdesk.domain.rules.template_trial import sample_context
from frontdesk.domain.rules.templates import check_template, render

BOMB = "{{ ([[0]*20000]*400)|sum(start=[])|length }}"

CONTEXT: dict[str, Any] = {
    "patient": {"first_name": "Ana", "age": 70, "segment_ids": ["a", "b", "c"]},
    "rows": [[1] * 5000, [1] * 5000, [1] * 5000],
    "nested": [[0] * 100] * 300,
}


def _refused(source: str) -> str:
    with pytest.raises(TemplateRefused) as excinfo:
        check_template(source, field="actions[0].message")
    (error,) = excinfo.value.errors
    assert error.field == "actions[0].message"
    return error.message


def _frozen() -> float:
    """A clock that never moves: which cap stops a render must not depend on the machine's
    load."""
    return 0.0


def _over_limit(source: str, context: dict[str, Any] | None = None) -> str:
    with pytest.raises(TemplateOverLimit) as excinfo:
        render(source, CONTEXT if context is None else context, field="body", timer=_frozen)
    assert excinfo.value.field == "body"
    return excinfo.value.message


# --- the security review's bomb -----------------------------------------------------------------


def test_the_bomb_is_refused_when_saved_by_the_size_it_would_build() -> None:
    assert _refused(BOMB) == "the template builds a list of 20,000 items; the limit is 10,000"


def test_the_bomb_is_refused_when_rendered_before_it_allocates() -> None:
    with pytest.raises(TemplateRefused, match="a list of 20,000 items; the limit is 10,000"):
        render(BOMB, CONTEXT, field="body")


def test_the_bomb_with_sizes_unknown_until_it_runs_stops_at_the_list_it_would_build() -> None:
    source = "{{ ([[patient.age] * patient.age * 100] * 400)|sum(start=[])|length }}"
    check_template(source)  # a variable's size is not known when the rule is saved
    assert _over_limit(source) == (
        "the template builds a list of 2,800,000 items; the limit is 10,000"
    )


# --- each cap -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ 'ab' * 50000 }}", "a text of 100,000 characters; the limit is 20,000"),
        ("{{ [1, 2] * 6000 }}", "a list of 12,000 items; the limit is 10,000"),
        ("{{ [[0] * 100] * 101 }}", "a list of 10,100 items; the limit is 10,000"),
        ("{{ ('x' * 9000) + ('x' * 9000) + ('x' * 9000) }}", "a text of 27,000 characters"),
        ("{{ ([0] * 6000) + ([0] * 6000) }}", "a list of 12,000 items"),
        ("{{ ('x' * 15000) ~ ('y' * 15000) }}", "a text of 30,000 characters"),
        ("{{ ('x' * 15000)|list }}", "a list of 15,000 items"),
        ("{{ (([0] * 100) * 99)|string ~ ([0] * 9000)|join ~ ([0] * 9000)|join }}",
         "a text of 27,900 characters"),
        ("{{ 99999999999999999999999999999999999999999999 * 99999999999999999999999999999999999 }}",
         "a number of about 80 digits; the limit is 77 digits"),
        ("{{ [patient.age] * 20000 }}", "a list of 20,000 items"),
    ],
)  # fmt: skip
def test_literal_sizes_over_a_cap_are_refused_when_saved(source: str, message: str) -> None:
    assert message in _refused(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ patient.first_name * 7000 }}",
         "the template builds a text of 21,000 characters; the limit is 20,000"),
        ("{{ patient.segment_ids * 4000 }}",
         "the template builds a list of 12,000 items; the limit is 10,000"),
        ("{{ (patient.first_name * 5000) + (patient.first_name * 5000) }}",
         "the template builds a text of 30,000 characters"),
        ("{{ (patient.segment_ids * 3000) + (patient.segment_ids * 3000) }}",
         "the template builds a list of 18,000 items"),
        ("{{ rows|sum(start=[]) }}", "the template builds a list of more than 10,000 items"),
        ("{{ rows|sum(start=[])|length }}", "the limit is 10,000"),
        ("{{ patient.segment_ids|join('-' * 15000) }}",
         "the template builds a text of more than 20,000 characters"),
        ("{{ (patient.segment_ids * 3000)|join(', ') }}",
         "the template builds a text of more than 20,000 characters"),
        ("{{ (patient.first_name * 5000)|list }}", "the template builds a list of 15,000 items"),
        ("{{ (patient.first_name * 6000) ~ (patient.first_name * 6000) }}",
         "the template builds a text of 36,000 characters"),
        ("{{ nested|string }}", "a text of more than 20,000 characters"),
        ("{{ nested|e }}", "a text of more than 20,000 characters"),
        ("{{ patient.age * 10000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000 }}", "a number of about 85 digits; the limit is 77 digits"),
    ],
)  # fmt: skip
def test_values_over_a_cap_are_refused_when_rendered(source: str, message: str) -> None:
    check_template(source)
    assert message in _over_limit(source)


def test_printing_a_nested_list_is_measured_before_it_is_written_out() -> None:
    assert _over_limit("{{ nested }}") == f"output longer than {MAX_TEXT_CHARS:,} characters"


def test_what_one_rendering_builds_in_all_is_bounded() -> None:
    # Each piece is within the caps; together they pass the budget.
    source = "{{ (patient.first_name * 6000)|length }}" * 6
    check_template(source)
    assert _over_limit(source) == (
        f"the template works through more than {MAX_BUILT:,} items and characters in all; "
        "that is the limit"
    )
    five = "{{ (patient.first_name * 6000)|length }}" * 5
    assert render(five, CONTEXT, timer=_frozen) == "18000" * 5
    # Measuring counts too: repeating a big list no times at all, again and again, ends.
    assert "that is the limit" in _over_limit("{{ (nested * 0)|length }}" * 10)
    assert render("{{ (nested * 0)|length }}" * 9, CONTEXT, timer=_frozen) == "0" * 9


def test_the_clock_is_read_inside_an_expression_not_only_between_pieces() -> None:
    def ticking() -> Iterator[float]:
        yield 0.0
        while True:
            yield 1.0

    clock = ticking()
    # Had the clock been read only after the expression, `+ 1` would fail with a type error.
    source = "{{ (patient.first_name|upper) + 1 }}"
    with pytest.raises(TemplateOverLimit, match=r"body: took longer than 0\.2 s to render"):
        render(source, CONTEXT, field="body", timer=lambda: next(clock))


def test_joining_with_tilde_escapes_and_prints_as_before() -> None:
    source = "{{ '<b>' ~ patient.first_name ~ 1 ~ patient.segment_ids }}"
    assert render(source, CONTEXT, channel="html") == (
        "&lt;b&gt;Ana1[&#39;a&#39;, &#39;b&#39;, &#39;c&#39;]"
    )
    assert render(source, CONTEXT) == "<b>Ana1['a', 'b', 'c']"


def test_sum_joins_lists_in_one_pass_and_still_adds_numbers() -> None:
    assert render("{{ [[1, 2], [3]]|sum(start=[]) }}", CONTEXT) == "[1, 2, 3]"
    widest = "{{ ([[0] * 100] * 100)|sum(start=[])|length }}"
    assert render(widest, CONTEXT, timer=_frozen) == str(MAX_LIST_ITEMS)
    assert render("{{ [1, 2, 3]|sum }} {{ [(1, 2)]|sum(start=(0,)) }}", CONTEXT) == "6 (0, 1, 2)"
    with pytest.raises(TemplateFailed, match="cannot render"):
        render("{{ ['a', 'b']|sum }}", CONTEXT)


def test_bounded_filters_keep_their_usual_results() -> None:
    source = (
        "{{ patient.segment_ids|join(', ') }}|{{ 'abc'|list }}|{{ [3, 1, 2]|reverse }}|"
        "{{ [1, 1, 2]|unique }}|{{ 'abc'|reverse }}|{{ 7|string }}|{{ '<b>'|e }}"
    )
    assert render(source, CONTEXT) == ("a, b, c|['a', 'b', 'c']|[2, 1, 3]|[1, 2]|cba|7|&lt;b&gt;")


# --- nesting and numbers the parser cannot read -------------------------------------------------


def test_nesting_deeper_than_the_cap_is_refused_when_saved() -> None:
    deep = "{{ " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + " }}"
    filters = "{{ patient.first_name" + "|upper" * MAX_DEPTH + " }}"
    for source in (deep, filters):
        assert _refused(source) == f"the template is nested more than {MAX_DEPTH} levels deep"
    # So deep that Jinja's own parser would run out of stack: refused all the same.
    very_deep = "{{ " + "(" * 2400 + "1" + ")" * 2400 + " }}"
    assert _refused(very_deep) == f"the template is nested more than {MAX_DEPTH} levels deep"


def test_usual_nesting_is_well_within_the_cap() -> None:
    source = "{% if patient.age > 65 %}{% if patient.first_name %}{{ patient.first_name|upper|truncate(5) }}{% endif %}{% endif %}"  # noqa: E501
    check_template(source)
    assert render(source, CONTEXT) == "ANA"


def test_a_number_too_long_for_python_to_read_is_refused_when_saved() -> None:
    assert _refused("{{ " + "1" * 4400 + " }}") == "a number in the template has too many digits"


@pytest.mark.parametrize(
    "name", ["batch", "slice", "map", "wordwrap", "center", "indent", "format", "replace"]
)
def test_filters_that_blow_up_their_input_are_refused_when_saved(name: str) -> None:
    assert _refused(f"{{{{ patient.first_name|{name}(1000000) }}}}") == (
        f"the filter {name!r} is not allowed"
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ range(100000000)|length }}", "calls are not allowed"),
        ("{{ 10**10**8 }}", "the ** operator is not allowed"),
    ],
)
def test_ranges_and_powers_do_not_exist(source: str, message: str) -> None:
    assert message in _refused(source)


# --- only data is printed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ patient.first_name.upper }}",
        "{{ patient.first_name.upper|upper }}",
        "{{ patient.keys }}",
        "{{ patient.values|string }}",
        "{{ when.tzinfo }}",
        "{{ when.astimezone ~ '' }}",
        "{{ gadget }}",
        "{{ gadget ~ '' }}",
        "{{ patient.gadget|e }}",
        "{{ [patient.gadget]|join }}",
    ],
)
def test_objects_and_methods_read_as_missing_never_as_their_representation(source: str) -> None:
    context = {
        **CONTEXT,
        "when": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "gadget": object(),
        "patient": {**CONTEXT["patient"], "gadget": timedelta(days=1)},
    }
    with pytest.raises(TemplateFailed, match="no value for") as excinfo:
        render(source, context)
    assert "0x" not in str(excinfo.value)


@pytest.mark.parametrize(
    "source",
    [
        "{{ things }}",
        "{{ things|first }}",
        "{{ things|first ~ '' }}",
        "{{ 'x' ~ things }}",
        "{{ things|first|upper }}",
        "{{ things|string }}",
        "{{ things|join(', ') }}",
        "{{ things|e }}",
    ],
)
def test_an_object_inside_a_list_is_refused_wherever_it_would_become_text(source: str) -> None:
    with pytest.raises(TemplateFailed) as excinfo:
        render(source, {"things": [object()]}, channel="html")
    assert excinfo.value.message == (
        "cannot print this value: only text, numbers, dates and lists of them can be printed"
    )


def test_keys_named_like_dict_methods_read_the_key() -> None:
    context = {"session": {"items": [{"name": "Squats"}], "keys": "k"}}
    assert render("{{ session.items[0].name }} {{ session.keys }}", context) == "Squats k"


def test_self_is_not_a_variable() -> None:
    assert _refused("{{ self }}") == "'self' is not a variable"


def test_dates_numbers_and_lists_of_them_print_as_before() -> None:
    context = {"when": datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "ids": [1, 2]}
    assert render("{{ when }} {{ when.year }} {{ ids }} {{ {'a': 1} }}", context) == (
        "2026-03-01 09:30:00+00:00 2026 [1, 2] {'a': 1}"
    )


def test_printing_checks_for_data_once_more() -> None:
    check_printable({"a": [1, "b", None]}, max_chars=100)
    for hidden in ([object()], {"k": (1, len)}, {object(): 1}):
        with pytest.raises(NotPrintable, match="cannot print this value"):
            check_printable(hidden, max_chars=100)
    with pytest.raises(LimitExceeded, match="output longer than 10 characters"):
        check_printable(list(range(11)), max_chars=10)


def test_deep_size_stops_counting_past_its_limit() -> None:
    shared = [0] * 1000
    aliased = [shared] * 1_000_000  # 10^9 items deep, 8 MB in memory
    assert size_of(aliased, 5000) == 5001
    assert size_of(["abc", {"k": 1}, []], 100) == 6


# --- tried with sample values when the rule is saved --------------------------------------------


def _rule_errors(message: str) -> list[tuple[str, str]]:
    document = {
        "name": "Trial",
        "trigger_event": "patient.onboarded",
        "actions": [{"type": "show_notification", "message": message}],
    }
    try:
        validate_rule(document)
    except RuleInvalid as exc:
        return [(error.field, error.message) for error in exc.errors]
    return []


def test_a_template_over_a_limit_with_sample_values_is_refused_when_saved() -> None:
    assert _rule_errors("{{ [patient.first_name] * 5000 }}") == [
        (
            "actions[0].message",
            "the template builds a list of 55,000 items; the limit is 10,000 (with sample values)",
        )
    ]
    assert _rule_errors("{{ patient.first_name % 2 }}") == [
        ("actions[0].message", "not allowed: printf-style formatting with % is not allowed")
    ]


def test_other_failures_with_sample_values_are_left_to_the_run() -> None:
    # A sample's text is not a number; a real value may be, and the run reports it if not.
    assert _rule_errors("{{ patient.first_name + 1 }} {{ [patient.first_name] * 3 }}") == []


def test_sample_context_nests_paths_and_keeps_a_value_over_a_record() -> None:
    assert sample_context({"a.b": 1, "a.c.d": 2, "e": 3, "e.f": 4}) == {
        "a": {"b": 1, "c": {"d": 2}},
        "e": 3,
    }
