"""Refusals of the automation rule language. All are `InvalidInput`, so every one names the
JSON path of what is wrong (`actions[2].form_template_id`, `trigger_config.hours_before`)."""

from __future__ import annotations

from frontdesk.domain.errors import DomainError, InvalidInput


class RuleInvalid(InvalidInput):
    """A rule document that does not follow the rule format or the variable catalog."""


class TemplateRefused(InvalidInput):
    """A message template that is malformed or tries to leave the sandbox."""


class TemplateFailed(DomainError):
    """A valid template that could not be rendered for this context: a value it needs is
    missing, or the output is too long or too slow to produce."""


class TemplateOverLimit(TemplateFailed):
    """A template that went over one of its bounds while rendering: a text, list or number
    too big to build, too much built in all, an output too long or a render too slow. The
    template itself is at fault rather than the data, so the engine alerts the admins."""


class ForecastUnavailable(InvalidInput):
    """A forecast asked of a rule whose firings depend on data rather than on the clock."""
