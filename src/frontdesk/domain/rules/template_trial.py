"""A template tried at save time with sample values. Pure.

What a template builds can depend on its variables (`[patient.first_name] * 5000` is 15,000
items for "Ana"), so besides the static checks a rule's templates are rendered once, inside
the usual limits, with a sample value for every variable its trigger offers (`Sample text`, 30,
a date…). A template that goes over a limit with them, or does something refused only when it
runs (`%` on text), is refused when the rule is saved. Other failures are the sample's
business, not the template's (a missing or mistyped value), and are left to the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdesk.domain.rules.errors import TemplateFailed, TemplateOverLimit, TemplateRefused
from frontdesk.domain.rules.templates import render
from frontdesk.i18n import _


def sample_context(samples: Mapping[str, object]) -> dict[str, Any]:
    """Nested records from dotted paths: {"patient.age": 30} → {"patient": {"age": 30}}."""
    context: dict[str, Any] = {}
    for path, value in sorted(samples.items()):
        *parents, name = path.split(".")
        record = context
        for parent in parents:
            record = record.setdefault(parent, {})
            if not isinstance(record, dict):
                break  # a path both a value and a record: the value wins
        else:
            record.setdefault(name, value)
    return context


def trial_problem(source: str, field: str, context: Mapping[str, Any]) -> str | None:
    """Why `source` is refused once rendered with `context`, or None."""
    try:
        # No clock: the caps bound the work, and a busy machine must not refuse a rule.
        render(source, context, field=field, timer=lambda: 0.0)
    except TemplateOverLimit as exc:
        return _("{problem} (with sample values)").format(problem=exc.message)
    except TemplateRefused as exc:
        return exc.errors[0].message
    except TemplateFailed:
        return None
    return None
