"""Automation rules, the pure part: the rule format (schema), conditions, the variable
catalog, message templates, time rules and dry runs. No I/O beyond reading a rule file.

The format is described for people in docs/rule-format.md.
"""

from frontdesk.domain.rules.actions import ACTION_TYPES, Action, ActionBase, ScheduleAction
from frontdesk.domain.rules.conditions import (
    ConditionCheck,
    ConditionNode,
    EvaluationResult,
    Operator,
    evaluate,
    parse_conditions,
    serialize,
)
from frontdesk.domain.rules.context import derive_context
from frontdesk.domain.rules.dry_run import SampleEvent, dry_run, parse_event
from frontdesk.domain.rules.errors import (
    ForecastUnavailable,
    RuleInvalid,
    TemplateFailed,
    TemplateOverLimit,
    TemplateRefused,
)
from frontdesk.domain.rules.schedule import (
    Firing,
    before_start_due,
    before_start_still_useful,
    daily_occurrences,
    date_reached_occurrences,
    forecast,
    forecast_document,
    next_occurrence,
    occurrence_key,
    wall_clock_instant,
    weekly_occurrences,
)
from frontdesk.domain.rules.schema import (
    RuleDefinition,
    parse_rule_json,
    validate_rule,
    validate_rule_file,
)
from frontdesk.domain.rules.templates import check_template, referenced_variables, render
from frontdesk.domain.rules.triggers import (
    BeforeStartSettings,
    DailySettings,
    DateReachedSettings,
    NoSettings,
    TriggerSettings,
    WeeklySettings,
)
from frontdesk.domain.rules.variables import (
    CATALOG,
    Variable,
    VarType,
    catalog_for,
    check_paths,
    entities_for,
)

__all__ = [
    "ACTION_TYPES",
    "CATALOG",
    "Action",
    "ActionBase",
    "BeforeStartSettings",
    "ConditionCheck",
    "ConditionNode",
    "DailySettings",
    "DateReachedSettings",
    "EvaluationResult",
    "Firing",
    "ForecastUnavailable",
    "NoSettings",
    "Operator",
    "RuleDefinition",
    "RuleInvalid",
    "SampleEvent",
    "ScheduleAction",
    "TemplateFailed",
    "TemplateOverLimit",
    "TemplateRefused",
    "TriggerSettings",
    "VarType",
    "Variable",
    "WeeklySettings",
    "before_start_due",
    "before_start_still_useful",
    "catalog_for",
    "check_paths",
    "check_template",
    "daily_occurrences",
    "date_reached_occurrences",
    "derive_context",
    "dry_run",
    "entities_for",
    "evaluate",
    "forecast",
    "forecast_document",
    "next_occurrence",
    "occurrence_key",
    "parse_conditions",
    "parse_event",
    "parse_rule_json",
    "referenced_variables",
    "render",
    "serialize",
    "validate_rule",
    "validate_rule_file",
    "wall_clock_instant",
    "weekly_occurrences",
]
