"""What the action editor shows for each action type: the keys of docs/rule-format.md, each
with the kind of editor it needs. Every action also gets description, delay and conditions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from frontdesk.domain.enums import MessageChannel
from frontdesk.domain.rules.actions import ACCESS_FEATURES, PROFILE_FIELDS


class Kind(Enum):
    FORM_TEMPLATE = "form_template"  # picker of the organization's form templates
    SEGMENT = "segment"  # picker of segments
    MESSAGE = "message"  # message template key, offered per channel
    TEMPLATE = "template"  # text with {{variables}}
    REFERENCE = "reference"  # an id, a key, or a {{template}}
    KEY = "key"  # a plain key
    NUMBER = "number"  # a whole number; 0 = not set
    CHOICE = "choice"  # one of `options`; empty = the default
    YES_NO = "yes_no"  # true / false / default
    VARIABLES = "variables"  # name → template
    PROFILE_FIELDS = "profile_fields"  # several of PROFILE_FIELDS
    NESTED_ACTION = "nested_action"  # schedule_action's action


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    required: bool = False
    options: tuple[str, ...] = ()
    channel: MessageChannel | None = None
    maximum: int = 0
    default_hint: str = ""


_TARGETS = ("patient", "specialist", "staff")


def _target() -> FieldSpec:
    return FieldSpec("target", "Send to", Kind.CHOICE, options=_TARGETS, default_hint="patient")


def _variables() -> FieldSpec:
    return FieldSpec("variables", "Variables", Kind.VARIABLES)


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "require_form": (FieldSpec("form_template_id", "Form", Kind.FORM_TEMPLATE, True),),
    "suggest_form": (FieldSpec("form_template_id", "Form", Kind.FORM_TEMPLATE, True),),
    "request_profile_fields": (
        FieldSpec("fields", "Details to ask for", Kind.PROFILE_FIELDS, True),
        FieldSpec("message", "Message", Kind.TEMPLATE),
        FieldSpec("blocking", "Block booking until given", Kind.YES_NO, default_hint="no"),
    ),
    "send_email": (
        FieldSpec("email_template", "E-mail", Kind.MESSAGE, True, channel=MessageChannel.EMAIL),
        _variables(),
        _target(),
    ),
    "send_sms": (
        FieldSpec("template", "SMS template", Kind.MESSAGE, channel=MessageChannel.SMS),
        FieldSpec("message", "or a message", Kind.TEMPLATE),
        _variables(),
        _target(),
    ),
    "show_notification": (
        FieldSpec("message", "Message", Kind.TEMPLATE, True),
        _target(),
        FieldSpec(
            "priority",
            "Priority",
            Kind.CHOICE,
            options=("low", "normal", "high"),
            default_hint="normal",
        ),
        FieldSpec("cta_url", "Link", Kind.TEMPLATE),
        FieldSpec("duration_days", "Shown for (days)", Kind.NUMBER, maximum=365),
    ),
    "send_push": (
        FieldSpec("title", "Title", Kind.TEMPLATE),
        FieldSpec("message", "Message", Kind.TEMPLATE),
        FieldSpec("template", "or a push template", Kind.MESSAGE, channel=MessageChannel.PUSH),
        _variables(),
        FieldSpec("cta_url", "Link", Kind.TEMPLATE),
        _target(),
    ),
    "block_booking": (FieldSpec("reason", "Reason", Kind.TEMPLATE, True),),
    "grant_access": (
        FieldSpec("feature", "Feature", Kind.CHOICE, True, options=ACCESS_FEATURES),
        FieldSpec("duration_days", "For (days)", Kind.NUMBER, maximum=3650),
    ),
    "require_consent": (
        FieldSpec("consent_type", "Consent", Kind.KEY, True),
        FieldSpec("form_template_id", "Form", Kind.FORM_TEMPLATE),
    ),
    "update_segment": (
        FieldSpec("segment_id", "Segment", Kind.SEGMENT, True),
        FieldSpec("action", "Add or remove", Kind.CHOICE, True, options=("add", "remove")),
    ),
    "assign_treatment_plan": (
        FieldSpec("treatment_plan_id", "Treatment plan", Kind.REFERENCE, True),
    ),
    "send_session_reminder": (
        FieldSpec("channel", "Channel", Kind.CHOICE, True, options=("push", "email", "sms")),
        FieldSpec("message", "Message", Kind.TEMPLATE),
        FieldSpec("email_template", "or an e-mail", Kind.MESSAGE, channel=MessageChannel.EMAIL),
        FieldSpec("template", "or a push/SMS template", Kind.MESSAGE, channel=MessageChannel.PUSH),
        _variables(),
    ),
    "book_followup_appointment": (
        FieldSpec("specialist_id", "Specialist", Kind.REFERENCE, True),
        FieldSpec("service_id", "Service", Kind.REFERENCE, True),
        FieldSpec("within_days", "Within (days)", Kind.NUMBER, maximum=90, default_hint="7"),
    ),
    "schedule_action": (
        FieldSpec("delay_hours", "After (hours)", Kind.NUMBER, maximum=2160),
        FieldSpec("delay_days", "or after (days)", Kind.NUMBER, maximum=90),
        FieldSpec("action", "Then", Kind.NESTED_ACTION, True),
    ),
}
"""Keys per action type, in the order the editor shows them."""

FIXED: dict[str, dict[str, object]] = {"require_form": {"blocking": True}}
"""Keys an action type always writes (a required form always blocks)."""

MAX_DELAY_MINUTES = 60 * 24 * 90

PROFILE_FIELD_NAMES = PROFILE_FIELDS
