"""Message templates: rendering per channel, limits, and attempts to leave the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from frontdesk.domain.rules import (
    TemplateFailed,
    TemplateOverLimit,
    TemplateRefused,
    check_template,
    referenced_variables,
    render,
)
from frontdesk.domain.rules.templates import MAX_OUTPUT_CHARS

CONTEXT: dict[str, Any] = {
    "patient": {"first_name": "Ana", "last_name": "<b>Pop</b>", "city": None, "age": 70},
    "treatment_plan": {"name": 'Knee "rehab" & more', "adherence_rate": 0.42},
    "appointment": {"specialist": {"name": "Dr. Ionescu"}},
}


def test_variables_are_filled() -> None:
    source = "Hi {{patient.first_name}}, {{ treatment_plan.adherence_rate * 100 }}%"
    assert render(source, CONTEXT) == "Hi Ana, 42.0%"


def test_text_channel_leaves_values_alone_and_html_escapes_them() -> None:
    source = "{{ patient.last_name }} / {{ treatment_plan.name }}"
    assert render(source, CONTEXT, channel="text") == '<b>Pop</b> / Knee "rehab" & more'
    assert render(source, CONTEXT, channel="html") == (
        "&lt;b&gt;Pop&lt;/b&gt; / Knee &#34;rehab&#34; &amp; more"
    )


def test_the_templates_own_markup_is_kept_in_html() -> None:
    assert render("<p>{{ patient.first_name }}</p>", CONTEXT, channel="html") == "<p>Ana</p>"


def test_none_renders_empty_and_filters_and_conditions_work() -> None:
    assert render("[{{ patient.city }}]", CONTEXT) == "[]"
    assert render("{{ patient.first_name|upper }}", CONTEXT) == "ANA"
    assert render("{{ patient.nickname|default('friend') }}", CONTEXT) == "friend"
    source = "{% if patient.age >= 65 %}senior{% else %}adult{% endif %}"
    assert render(source, CONTEXT) == "senior"
    assert render("{{ appointment['specialist'].name }}", CONTEXT) == "Dr. Ionescu"


def test_a_missing_value_names_the_variable_and_the_field() -> None:
    with pytest.raises(TemplateFailed) as excinfo:
        render(
            "Hi {{ patient.first_name }} {{ session.estimated_duration }}", CONTEXT, field="message"
        )
    assert excinfo.value.field == "message"
    assert str(excinfo.value) == "message: no value for 'session.estimated_duration'"


def test_a_type_error_is_a_render_failure() -> None:
    with pytest.raises(TemplateFailed, match=r"body: cannot render"):
        render("{{ patient.first_name + 1 }}", CONTEXT, field="body")


def test_output_size_is_bounded() -> None:
    big = {"patient": {"note": "x" * (MAX_OUTPUT_CHARS + 1)}}
    with pytest.raises(TemplateOverLimit, match=f"longer than {MAX_OUTPUT_CHARS:,} characters"):
        render("{{ patient.note }}", big)
    with pytest.raises(TemplateOverLimit, match="m: output longer than 10 characters"):
        render(
            "{{ patient.first_name }} is {{ patient.age }} years old",
            CONTEXT,
            field="m",
            max_chars=10,
        )


def test_rendering_time_is_bounded() -> None:
    def ticking() -> Iterator[float]:
        now = 0.0
        while True:
            yield now
            now += 0.15

    clock = ticking()
    with pytest.raises(TemplateOverLimit, match=r"m: took longer than 0\.2 s"):
        render(
            "{{ patient.first_name }} and {{ patient.age }}",
            CONTEXT,
            field="m",
            timer=lambda: next(clock),
        )


def test_referenced_variables_walks_the_whole_template() -> None:
    source = (
        "{{ patient.first_name|default(patient.last_name) }} {{ appointment['specialist'].name }}"
        "{% if treatment_plan.adherence_rate < 0.5 %}{{ session.items[0].name }}{% endif %}"
        "{{ 'literal' }}{{ patient.segment_ids[0] }}"
    )
    assert referenced_variables(source) == {
        "patient.first_name",
        "patient.last_name",
        "appointment.specialist.name",
        "treatment_plan.adherence_rate",
        "session.items",
        "patient.segment_ids",
    }


INJECTIONS = [
    ("{{ ''.__class__.__mro__ }}", "is private"),
    ("{{ cycler.__init__.__globals__ }}", "is private"),
    ("{% for i in range(10**9) %}x{% endfor %}", "loops"),
    ("{{ range(10) }}", "calls are not allowed"),
    ("{{ 10**10**10 }}", "** operator"),
    ("{{ patient['__class__'] }}", "is private"),
    ("{{ patient[name] }}", "subscripts must be written out"),
    ("{{ patient|attr('__class__') }}", "filter 'attr' is not allowed"),
    ("{{ patient.first_name|format('%999999999s') }}", "filter 'format' is not allowed"),
    ("{{ patient.first_name|center(1000000000) }}", "filter 'center' is not allowed"),
    ("{{ patient.first_name.upper() }}", "calls are not allowed"),
    ("{{ lipsum() }}", "calls are not allowed"),
    ("{{ self._TemplateReference__context }}", "is private"),
    ("{{ ('a' ~ 'b').upper }}", "only be read from variables"),
    ("{% set x = patient %}", "assignments"),
    ("{% include 'secrets.html' %}", "including other templates"),
    ("{% extends 'base.html' %}", "extending other templates"),
    ("{% import 'm.html' as m %}", "importing other templates"),
    ("{% macro m() %}x{% endmacro %}", "macros"),
    ("{% autoescape false %}{{ patient.last_name }}{% endautoescape %}", "autoescape"),
    ("{% with x = 1 %}{{ x }}{% endwith %}", "with"),
    ("{% filter upper %}x{% endfilter %}", "filter"),
    ("{{ patient.first_name", "template syntax error on line 1"),
    ("{% if %}", "template syntax error"),
    ("x" * 5001, "longer than 5000 characters"),
]


@pytest.mark.parametrize(("source", "message"), INJECTIONS)
def test_escapes_and_bombs_are_refused_before_anything_runs(source: str, message: str) -> None:
    for attempt in (
        lambda: check_template(source, field="actions[0].message"),
        lambda: render(source, CONTEXT, field="actions[0].message"),
        lambda: referenced_variables(source, field="actions[0].message"),
    ):
        with pytest.raises(TemplateRefused) as excinfo:
            attempt()
        (error,) = excinfo.value.errors
        assert error.field == "actions[0].message"
        assert message in error.message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ patient.first_name * 100000 }}",
         "the template builds a text of 300,000 characters; the limit is 20,000"),
        ("{{ [patient.first_name] * patient.age * 100 }}",
         "the template builds a list of 21,000 items; the limit is 10,000"),
        ("{{ patient.age * 99999999999999999999999999999999999999999999999999999999999999999999"
         "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
         "9999999999999999999999999999999999999999999999999999999999999999999 }}",
         "a number of about 224 digits; the limit is 77 digits"),
    ],
)  # fmt: skip
def test_operators_on_values_are_measured_before_they_allocate(source: str, message: str) -> None:
    check_template(source)
    with pytest.raises(TemplateOverLimit) as excinfo:
        render(source, CONTEXT, field="body")
    assert excinfo.value.field == "body"
    assert message in str(excinfo.value)


def test_printf_formatting_of_text_is_refused_at_run_time() -> None:
    check_template("{{ patient.first_name % 1 }}")
    with pytest.raises(TemplateRefused, match="printf-style"):
        render("{{ patient.first_name % 1 }}", CONTEXT, field="body")


def test_bounded_operators_still_work() -> None:
    assert render("{{ '-' * 3 }}{{ 7 % 3 }}{{ 6 * 7 }}", CONTEXT) == "---142"


def test_the_sandbox_has_no_globals() -> None:
    with pytest.raises(TemplateFailed, match="no value for 'cycler'"):
        render("{{ cycler }}", CONTEXT)
