"""The rule pre-filter never leaves out a rule whose conditions hold."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from frontdesk.automation.rule_index import RuleIndex
from frontdesk.domain.rules import RuleDefinition, evaluate


@dataclass(frozen=True)
class _Rule:
    definition: RuleDefinition


def _rule(conditions: dict[str, Any]) -> _Rule:
    return _Rule(
        RuleDefinition.model_validate(
            {
                "name": "r",
                "trigger_event": "appointment.booked",
                "conditions": conditions,
                "actions": [{"type": "show_notification", "message": "x"}],
            }
        )
    )


RULES = [
    _rule({"patient.city": "Iasi"}),
    _rule({"patient.city": {"in": ["Cluj", "Arad"]}, "patient.age": {"gte": 30}}),
    _rule({"patient.segment_ids": 15}),
    _rule({"patient.age": 70}),  # 70 == 70.0
    _rule({"appointment.started_at": "2026-03-01T09:00:00+02:00"}),  # a date: not filed
    _rule({"any": [{"patient.city": "Iasi"}, {"patient.country": "RO"}]}),
    _rule({}),
]
CONTEXTS = [
    {"patient": {"city": city, "age": age, "segment_ids": segments, "country": country},
     "appointment": {"started_at": start}}
    for city, age, segments, country, start in itertools.product(
        ["Iasi", "Cluj", "", None], [70.0, 20, None], [[15, "x"], [], None], ["RO", None],
        ["2026-03-01T07:00:00Z", None],
    )
]  # fmt: skip


def test_candidates_include_every_matching_rule_and_keep_order() -> None:
    index = RuleIndex(RULES)
    for context in CONTEXTS:
        candidates = index.candidates(context)
        matching = [r for r in RULES if evaluate(r.definition.conditions, context).matched]
        assert [r for r in candidates if r in matching] == matching
        assert candidates == sorted(candidates, key=RULES.index)


def test_pinned_rules_are_left_out_when_their_value_is_not_there() -> None:
    index = RuleIndex(RULES)
    context = {"patient": {"city": "Brasov", "age": 40, "segment_ids": [3]}}
    assert index.candidates(context) == [RULES[4], RULES[5], RULES[6]]
