"""The actions a rule runs, one model per `type`, as the specification lists them.

Every action may carry `description`, `delay_minutes` (run that much later) and its own
`conditions` (checked when the action is about to run, after the rule's). Text fields listed in
`template_fields` are message templates (`{{patient.first_name}}`); `variables` maps names to
templates passed to a message template (`email_template`, `template`), which lives in
`resources/` and is rendered by the engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StrictBool, model_validator

from frontdesk.domain.rules.conditions import serialize
from frontdesk.domain.rules.paths import custom_error, join_path
from frontdesk.domain.rules.templates import render
from frontdesk.domain.rules.values import (
    MAX_DELAY_MINUTES,
    Conditions,
    DelayMinutes,
    Reference,
    ReferenceOrTemplate,
    ShortTemplate,
    Target,
    TemplateKey,
    Variables,
    no_conditions,
)
from frontdesk.i18n import _

MAX_SCHEDULE_NESTING = 3

ProfileField = Literal[
    "first_name", "last_name", "email", "phone", "date_of_birth", "country", "city"
]
Feature = Literal["booking", "video", "telerehab", "treatment_plans", "exercise_videos"]
PROFILE_FIELDS: tuple[str, ...] = get_args(ProfileField)
ACCESS_FEATURES: tuple[str, ...] = get_args(Feature)


class ActionBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    template_fields: ClassVar[tuple[str, ...]] = ("description",)
    type: str
    description: ShortTemplate | None = None
    delay_minutes: DelayMinutes = 0
    conditions: Conditions = Field(default_factory=no_conditions)

    def template_sources(self) -> Iterator[tuple[str, str]]:
        """(path relative to the action, template) for every template this action holds,
        those of a nested action included."""
        return self._own_templates()

    def _own_templates(self) -> Iterator[tuple[str, str]]:
        for name in self.template_fields:
            value = getattr(self, name)
            if isinstance(value, Mapping):
                for key, source in value.items():
                    yield join_path(name, key), source
            elif isinstance(value, str):
                yield name, value

    def rendered(self, context: Mapping[str, Any], *, field: str = "") -> dict[str, Any]:
        """The action's fields as written (type and conditions aside) with every template
        filled from `context` as plain text. Raises TemplateFailed naming `field`.path."""
        fields = self.model_dump(mode="json", exclude_unset=True, exclude={"type", "conditions"})
        for path, source in self._own_templates():
            text = render(source, context, channel="text", field=join_path(field, path))
            _put(fields, path, text)
        return fields


def _put(document: dict[str, Any], path: str, value: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        document = document[part]
    document[last] = value


def _only(value: object, allowed: bool, message: str) -> bool:
    if value is not allowed:
        raise custom_error("fixed", message)
    return allowed


def _exactly_one(model: BaseModel, names: tuple[str, ...], message: str) -> None:
    given = [name for name in names if getattr(model, name) is not None]
    if len(given) != 1:
        raise custom_error("one_of", message)


# --- data collection -------------------------------------------------------------------------


class RequireForm(ActionBase):
    type: Literal["require_form"]
    form_template_id: Reference
    blocking: Annotated[
        bool,
        PlainValidator(
            lambda v: _only(
                v, True, _("a required form always blocks booking; suggest the form instead")
            )
        ),
    ] = True


class SuggestForm(ActionBase):
    type: Literal["suggest_form"]
    form_template_id: Reference
    blocking: Annotated[
        bool,
        PlainValidator(
            lambda v: _only(
                v, False, _("a suggested form never blocks booking; require the form instead")
            )
        ),
    ] = False


class RequestProfileFields(ActionBase):
    template_fields = ("description", "message")
    type: Literal["request_profile_fields"]
    fields: Annotated[
        list[ProfileField],
        Field(min_length=1, max_length=len(PROFILE_FIELDS)),
    ]
    message: ShortTemplate | None = None
    blocking: StrictBool = False

    @model_validator(mode="after")
    def _distinct(self) -> RequestProfileFields:
        if len(set(self.fields)) != len(self.fields):
            raise custom_error("duplicate", _("a profile detail is asked for twice"))
        return self


# --- communication ---------------------------------------------------------------------------


class SendEmail(ActionBase):
    template_fields = ("description", "variables")
    type: Literal["send_email"]
    email_template: TemplateKey
    variables: Variables = Field(default_factory=dict)
    target: Target = "patient"


class SendSms(ActionBase):
    template_fields = ("description", "message", "variables")
    type: Literal["send_sms"]
    template: TemplateKey | None = None
    message: ShortTemplate | None = None
    variables: Variables = Field(default_factory=dict)
    target: Target = "patient"

    @model_validator(mode="after")
    def _one_text(self) -> SendSms:
        _exactly_one(
            self, ("template", "message"), _("give either a message template or a message")
        )
        return self


class ShowNotification(ActionBase):
    template_fields = ("description", "message", "cta_url")
    type: Literal["show_notification"]
    message: ShortTemplate
    target: Target = "patient"
    priority: Literal["low", "normal", "high"] = "normal"
    cta_url: ShortTemplate | None = None
    duration_days: Annotated[int, Field(strict=True, ge=1, le=365)] | None = None


class SendPush(ActionBase):
    template_fields = ("description", "title", "message", "cta_url", "variables")
    type: Literal["send_push"]
    title: ShortTemplate | None = None
    message: ShortTemplate | None = None
    template: TemplateKey | None = None
    variables: Variables = Field(default_factory=dict)
    cta_url: ShortTemplate | None = None
    target: Target = "patient"

    @model_validator(mode="after")
    def _one_text(self) -> SendPush:
        _exactly_one(
            self, ("template", "message"), _("give either a message template or a message")
        )
        return self


# --- access control --------------------------------------------------------------------------


class BlockBooking(ActionBase):
    template_fields = ("description", "reason")
    type: Literal["block_booking"]
    reason: ShortTemplate


class GrantAccess(ActionBase):
    type: Literal["grant_access"]
    feature: Feature
    duration_days: Annotated[int, Field(strict=True, ge=1, le=3650)] | None = None


class RequireConsent(ActionBase):
    type: Literal["require_consent"]
    consent_type: TemplateKey
    form_template_id: Reference | None = None


# --- data management and treatment plans -----------------------------------------------------


class UpdateSegment(ActionBase):
    type: Literal["update_segment"]
    segment_id: Reference
    action: Literal["add", "remove"]


class AssignTreatmentPlan(ActionBase):
    template_fields = ("description", "treatment_plan_id")
    type: Literal["assign_treatment_plan"]
    treatment_plan_id: ReferenceOrTemplate


class SendSessionReminder(ActionBase):
    template_fields = ("description", "message", "variables")
    type: Literal["send_session_reminder"]
    channel: Literal["push", "email", "sms"]
    message: ShortTemplate | None = None
    email_template: TemplateKey | None = None
    template: TemplateKey | None = None
    variables: Variables = Field(default_factory=dict)

    @model_validator(mode="after")
    def _text_fits_channel(self) -> SendSessionReminder:
        if self.channel == "email":
            if self.template is not None:
                raise custom_error(
                    "channel",
                    _("an e-mail reminder takes an e-mail template, not a push or SMS one"),
                )
            _exactly_one(
                self,
                ("message", "email_template"),
                _("give either a message or an e-mail template"),
            )
        else:
            if self.email_template is not None:
                raise custom_error(
                    "channel",
                    _("a push or SMS reminder takes a push or SMS template, not an e-mail one"),
                )
            _exactly_one(
                self, ("message", "template"), _("give either a message or a message template")
            )
        return self


class BookFollowupAppointment(ActionBase):
    template_fields = ("description", "specialist_id", "service_id")
    type: Literal["book_followup_appointment"]
    specialist_id: ReferenceOrTemplate
    service_id: ReferenceOrTemplate
    within_days: Annotated[int, Field(strict=True, ge=1, le=90)] = 7


# --- scheduling ------------------------------------------------------------------------------


class ScheduleAction(ActionBase):
    """Runs `action` later. Its own conditions are checked now; the nested action's when it
    fires. The delay is given once, in minutes, hours or days."""

    type: Literal["schedule_action"]
    delay_hours: Annotated[int, Field(strict=True, ge=1, le=MAX_DELAY_MINUTES // 60)] | None = None
    delay_days: Annotated[int, Field(strict=True, ge=1, le=MAX_DELAY_MINUTES // 1440)] | None = None
    action: Action

    @model_validator(mode="after")
    def _one_delay_and_bounded_nesting(self) -> ScheduleAction:
        given = [
            name
            for name in ("delay_minutes", "delay_hours", "delay_days")
            if name in self.model_fields_set
        ]
        if len(given) != 1:
            raise custom_error(
                "one_of", _("give the delay once, in minutes, hours or days (only one of them)")
            )
        if given == ["delay_minutes"] and self.delay_minutes == 0:
            raise custom_error("delay", _("the delay must be more than 0 minutes"))
        if self.nesting > MAX_SCHEDULE_NESTING:
            message = _("“Do something later” may hold another at most {count} deep")
            raise custom_error("nesting", message.format(count=MAX_SCHEDULE_NESTING))
        return self

    @property
    def nesting(self) -> int:
        inner = self.action
        return 1 + (inner.nesting if isinstance(inner, ScheduleAction) else 0)

    @property
    def schedule_delay_minutes(self) -> int:
        """How long after this action runs the nested one fires."""
        return self.delay_minutes + 60 * (self.delay_hours or 0) + 1440 * (self.delay_days or 0)

    def template_sources(self) -> Iterator[tuple[str, str]]:
        yield from self._own_templates()
        for path, source in self.action.template_sources():
            yield join_path("action", path), source

    def rendered(self, context: Mapping[str, Any], *, field: str = "") -> dict[str, Any]:
        fields = super().rendered(context, field=field)
        nested = self.action
        # The nested action keeps its type and conditions: they decide what happens later.
        fields["action"] = {
            "type": nested.type,
            **nested.rendered(context, field=join_path(field, "action")),
        }
        if "conditions" in nested.model_fields_set:
            fields["action"]["conditions"] = serialize(nested.conditions)
        return fields


ACTION_MODELS: tuple[type[ActionBase], ...] = (
    RequireForm,
    SuggestForm,
    RequestProfileFields,
    SendEmail,
    SendSms,
    ShowNotification,
    SendPush,
    BlockBooking,
    GrantAccess,
    RequireConsent,
    UpdateSegment,
    AssignTreatmentPlan,
    SendSessionReminder,
    BookFollowupAppointment,
    ScheduleAction,
)
ACTION_TYPES: tuple[str, ...] = tuple(
    get_args(model.model_fields["type"].annotation)[0] for model in ACTION_MODELS
)

Action = Annotated[
    RequireForm
    | SuggestForm
    | RequestProfileFields
    | SendEmail
    | SendSms
    | ShowNotification
    | SendPush
    | BlockBooking
    | GrantAccess
    | RequireConsent
    | UpdateSegment
    | AssignTreatmentPlan
    | SendSessionReminder
    | BookFollowupAppointment
    | ScheduleAction,
    Field(discriminator="type"),
]
ScheduleAction.model_rebuild()
