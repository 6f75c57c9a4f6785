"""What the action editor shows for each action type: the keys of docs/rule-format.md, each
with the kind of editor it needs. Every action also gets description, delay and conditions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from frontdesk.domain.enums import MessageChannel
from frontdesk.domain.rules.actions import ACCESS_FEATURES, PROFILE_FIELDS
from frontdesk.i18n import N_


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
    """Marked for the catalogue; shown through `_()`."""
    kind: Kind
    required: bool = False
    options: tuple[str, ...] = ()
    channel: MessageChannel | None = None
    maximum: int = 0
    default_hint: str = ""


_TARGETS = ("patient", "specialist", "staff")


def _target() -> FieldSpec:
    return FieldSpec("target", N_("Send to"), Kind.CHOICE, options=_TARGETS, default_hint="patient")


def _variables() -> FieldSpec:
    return FieldSpec("variables", N_("Variables"), Kind.VARIABLES)


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "require_form": (FieldSpec("form_template_id", N_("Form"), Kind.FORM_TEMPLATE, True),),
    "suggest_form": (FieldSpec("form_template_id", N_("Form"), Kind.FORM_TEMPLATE, True),),
    "request_profile_fields": (
        FieldSpec("fields", N_("Details to ask for"), Kind.PROFILE_FIELDS, True),
        FieldSpec("message", N_("Message"), Kind.TEMPLATE),
        FieldSpec("blocking", N_("Block booking until given"), Kind.YES_NO, default_hint="no"),
    ),
    "send_email": (
        FieldSpec("email_template", N_("E-mail"), Kind.MESSAGE, True, channel=MessageChannel.EMAIL),
        _variables(),
        _target(),
    ),
    "send_sms": (
        FieldSpec("template", N_("SMS template"), Kind.MESSAGE, channel=MessageChannel.SMS),
        FieldSpec("message", N_("or a message"), Kind.TEMPLATE),
        _variables(),
        _target(),
    ),
    "show_notification": (
        FieldSpec("message", N_("Message"), Kind.TEMPLATE, True),
        _target(),
        FieldSpec(
            "priority",
            N_("Priority"),
            Kind.CHOICE,
            options=("low", "normal", "high"),
            default_hint="normal",
        ),
        FieldSpec("cta_url", N_("Link"), Kind.TEMPLATE),
        FieldSpec("duration_days", N_("Shown for (days)"), Kind.NUMBER, maximum=365),
    ),
    "send_push": (
        FieldSpec("title", N_("Title"), Kind.TEMPLATE),
        FieldSpec("message", N_("Message"), Kind.TEMPLATE),
        FieldSpec("template", N_("or a push template"), Kind.MESSAGE, channel=MessageChannel.PUSH),
        _variables(),
        FieldSpec("cta_url", N_("Link"), Kind.TEMPLATE),
        _target(),
    ),
    "block_booking": (FieldSpec("reason", N_("Reason"), Kind.TEMPLATE, True),),
    "grant_access": (
        FieldSpec("feature", N_("Feature"), Kind.CHOICE, True, options=ACCESS_FEATURES),
        FieldSpec("duration_days", N_("For (days)"), Kind.NUMBER, maximum=3650),
    ),
    "require_consent": (
        FieldSpec("consent_type", N_("Consent"), Kind.KEY, True),
        FieldSpec("form_template_id", N_("Form"), Kind.FORM_TEMPLATE),
    ),
    "update_segment": (
        FieldSpec("segment_id", N_("Segment"), Kind.SEGMENT, True),
        FieldSpec("action", N_("Add or remove"), Kind.CHOICE, True, options=("add", "remove")),
    ),
    "assign_treatment_plan": (
        FieldSpec("treatment_plan_id", N_("Treatment plan"), Kind.REFERENCE, True),
    ),
    "send_session_reminder": (
        FieldSpec("channel", N_("Channel"), Kind.CHOICE, True, options=("push", "email", "sms")),
        FieldSpec("message", N_("Message"), Kind.TEMPLATE),
        FieldSpec("email_template", N_("or an e-mail"), Kind.MESSAGE, channel=MessageChannel.EMAIL),
        FieldSpec(
            "template", N_("or a push/SMS template"), Kind.MESSAGE, channel=MessageChannel.PUSH
        ),
        _variables(),
    ),
    "book_followup_appointment": (
        FieldSpec("specialist_id", N_("Specialist"), Kind.REFERENCE, True),
        FieldSpec("service_id", N_("Service"), Kind.REFERENCE, True),
        FieldSpec("within_days", N_("Within (days)"), Kind.NUMBER, maximum=90, default_hint="7"),
    ),
    "schedule_action": (
        FieldSpec("delay_hours", N_("After (hours)"), Kind.NUMBER, maximum=2160),
        FieldSpec("delay_days", N_("or after (days)"), Kind.NUMBER, maximum=90),
        FieldSpec("action", N_("Then"), Kind.NESTED_ACTION, True),
    ),
}
"""Keys per action type, in the order the editor shows them."""

FIXED: dict[str, dict[str, object]] = {"require_form": {"blocking": True}}
"""Keys an action type always writes (a required form always blocks)."""

MAX_DELAY_MINUTES = 60 * 24 * 90

PROFILE_FIELD_NAMES = PROFILE_FIELDS
