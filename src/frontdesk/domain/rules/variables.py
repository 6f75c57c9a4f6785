"""The variable catalog: what conditions and templates may read, per trigger.

A path is `entity.attribute` (`patient.age`, `appointment.specialist.specialty`). Which entities
exist depends on the trigger: a `patient.onboarded` rule has a patient but no appointment; a
`schedule.daily` rule runs once per patient and also sees that patient's treatment plan and
today's session (the specification's examples 5 and 7). `organization.*` and `time.*` exist
everywhere. Rules are checked against the catalog when saved (`check_paths`), so a misspelt path
is refused then rather than silently never matching.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from frontdesk.domain.enums import (
    AppointmentSource,
    AppointmentStatus,
    AppointmentType,
    EnrolmentStatus,
    FormStatus,
    FormType,
    PatientPlanStatus,
    TreatmentPlanStatus,
    TreatmentPlanType,
)
from frontdesk.domain.errors import FieldError
from frontdesk.domain.events import EventName
from frontdesk.domain.rules.actions import ActionBase, ScheduleAction
from frontdesk.domain.rules.conditions import (
    LIST_OPERATORS,
    FieldCondition,
    Operator,
    Test,
    comparable_kind,
    iter_field_conditions,
)
from frontdesk.domain.rules.paths import join_path
from frontdesk.domain.rules.template_trial import sample_context, trial_problem
from frontdesk.domain.rules.templates import referenced_variables
from frontdesk.domain.rules.triggers import DateReachedSettings, TriggerSettings
from frontdesk.i18n import N_, _

if TYPE_CHECKING:
    from frontdesk.domain.rules.schema import RuleDefinition


class VarType(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    ID = "id"
    ID_LIST = "id_list"


@dataclass(frozen=True, slots=True)
class Variable:
    path: str
    type: VarType
    label: str
    choices: tuple[str, ...] = ()
    """The values a text attribute takes, when they are a fixed set (for pickers and checks)."""

    @property
    def entity(self) -> str:
        return self.path.split(".", 1)[0]


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_TXT, _INT, _NUM, _BOOL = VarType.STR, VarType.INT, VarType.FLOAT, VarType.BOOL
_DATE, _DT, _ID = VarType.DATE, VarType.DATETIME, VarType.ID


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


_ENTITY_ATTRIBUTES: dict[str, tuple[tuple[str, VarType, str] | Variable, ...]] = {
    "patient": (
        ("id", _ID, N_("Patient id")),
        ("first_name", _TXT, N_("First name")),
        ("last_name", _TXT, N_("Last name")),
        ("name", _TXT, N_("Full name")),
        ("email", _TXT, N_("E-mail")),
        ("phone", _TXT, N_("Phone")),
        ("country", _TXT, N_("Country (ISO code, e.g. RO)")),
        ("city", _TXT, N_("City")),
        ("age", _INT, N_("Age in years")),
        ("date_of_birth", _DATE, N_("Date of birth")),
        ("birthday_today", _BOOL, N_("Birthday is today")),
        ("segment_ids", VarType.ID_LIST, N_("Segments")),
        ("segment_id", VarType.ID_LIST, N_("Segments (as the specification writes it)")),
        ("has_active_treatment_plan", _BOOL, N_("Has an active treatment plan")),
        ("session_due_today", _BOOL, N_("A treatment session is due today")),
        ("session_completed_today", _BOOL, N_("Today's treatment session is done")),
        ("appointment_count", _INT, N_("Number of appointments")),
        ("days_since_last_appointment", _INT, N_("Days since the last appointment")),
        ("onboarded_at", _DT, N_("Registered at")),
    ),
    "appointment": (
        ("id", _ID, N_("Appointment id")),
        Variable("appointment.type", _TXT, N_("Appointment type"), _values(AppointmentType)),
        Variable("appointment.status", _TXT, N_("Appointment status"), _values(AppointmentStatus)),
        Variable("appointment.source", _TXT, N_("Booked through"), _values(AppointmentSource)),
        ("service_id", _ID, N_("Service id")),
        ("specialist_id", _ID, N_("Specialist id")),
        ("calendar_id", _ID, N_("Calendar id")),
        ("started_at", _DT, N_("Starts at")),
        ("ended_at", _DT, N_("Ends at")),
        ("duration_minutes", _INT, N_("Duration in minutes")),
        ("video_room_url", _TXT, N_("Video room link")),
        ("is_first", _BOOL, N_("Patient's first appointment")),
        ("specialist.name", _TXT, N_("Specialist's name")),
        ("specialist.specialty", _TXT, N_("Specialist's specialty")),
        ("service.name", _TXT, N_("Service name")),
    ),
    "form": (
        ("id", _ID, N_("Form id")),
        Variable("form.type", _TXT, N_("Form type"), _values(FormType)),
        ("template_id", _ID, N_("Form template id")),
        ("template_key", _TXT, N_("Form template key")),
        ("title", _TXT, N_("Form title")),
        Variable("form.status", _TXT, N_("Form status"), _values(FormStatus)),
        ("blocking", _BOOL, N_("Blocks booking until signed")),
        ("signed_at", _DT, N_("Signed at")),
    ),
    "service_plan": (
        ("id", _ID, N_("Service plan id")),
        ("name", _TXT, N_("Service plan name")),
        ("session_count", _INT, N_("Sessions in the plan")),
        ("has_exercise_tracking", _BOOL, N_("Tracks exercises")),
    ),
    "service_plan_enrolment": (
        ("id", _ID, N_("Enrolment id")),
        Variable(
            "service_plan_enrolment.status", _TXT, N_("Enrolment status"), _values(EnrolmentStatus)
        ),
        ("enrolled_at", _DT, N_("Enrolled at")),
        ("sessions_completed", _INT, N_("Sessions completed")),
        ("sessions_remaining", _INT, N_("Sessions remaining")),
    ),
    "treatment_plan": (
        ("id", _ID, N_("Treatment plan id")),
        ("name", _TXT, N_("Treatment plan name")),
        Variable(
            "treatment_plan.type", _TXT, N_("Treatment plan type"), _values(TreatmentPlanType)
        ),
        Variable("treatment_plan.status", _TXT, N_("Plan status"), _values(TreatmentPlanStatus)),
        ("requires_approval", _BOOL, N_("Requires approval")),
        ("frequency_per_week", _INT, N_("Sessions per week")),
        ("duration_weeks", _INT, N_("Duration in weeks")),
        ("specialist_id", _ID, N_("Prescribing specialist id")),
        ("specialist.name", _TXT, N_("Prescribing specialist's name")),
        ("followup_service_id", _ID, N_("Follow-up service id")),
        ("adherence_rate", _NUM, N_("Adherence rate (0–1)")),
        ("sessions_completed", _INT, N_("Sessions completed")),
    ),
    "patient_treatment_plan": (
        ("id", _ID, N_("Patient's plan id")),
        Variable(
            "patient_treatment_plan.status",
            _TXT,
            N_("Patient's plan status"),
            _values(PatientPlanStatus),
        ),
        ("self_assigned", _BOOL, N_("Self-assigned by the patient")),
        ("sessions_total", _INT, N_("Sessions in total")),
        ("sessions_completed", _INT, N_("Sessions completed")),
        ("sessions_remaining", _INT, N_("Sessions remaining")),
        ("adherence_rate", _NUM, N_("Adherence rate (0–1)")),
        ("pain_reduction_percentage", _NUM, N_("Pain reduction (%)")),
        ("start_date", _DATE, N_("Start date")),
        ("end_date", _DATE, N_("End date")),
    ),
    "session": (
        ("id", _ID, N_("Session id")),
        ("number", _INT, N_("Session number")),
        ("scheduled_on", _DATE, N_("Scheduled for")),
        ("estimated_duration", _INT, N_("Estimated duration (minutes)")),
        ("completed_at", _DT, N_("Completed at")),
    ),
    "organization": (
        ("id", _ID, N_("Organization id")),
        ("name", _TXT, N_("Organization name")),
        ("timezone", _TXT, N_("Time zone")),
    ),
    "time": (
        ("now", _DT, N_("Now")),
        ("today", _DATE, N_("Today (organization's zone)")),
        Variable("time.day_of_week", _TXT, N_("Day of the week"), WEEKDAY_NAMES),
        ("hour", _INT, N_("Hour of the day (0–23)")),
        ("hours_before_appointment", _INT, N_("Hours until the appointment starts")),
        ("minutes_before_appointment", _INT, N_("Minutes until the appointment starts")),
    ),
}


def _build_catalog() -> dict[str, Variable]:
    catalog: dict[str, Variable] = {}
    for entity, attributes in _ENTITY_ATTRIBUTES.items():
        for attribute in attributes:
            if isinstance(attribute, Variable):
                catalog[attribute.path] = attribute
            else:
                name, kind, label = attribute
                catalog[f"{entity}.{name}"] = Variable(f"{entity}.{name}", kind, label)
    return catalog


CATALOG: dict[str, Variable] = _build_catalog()
"""Every path any trigger may offer."""

APPOINTMENT_TIME_PATHS = frozenset(
    {"time.hours_before_appointment", "time.minutes_before_appointment"}
)
"""Exist only where there is an appointment."""

_ALWAYS = frozenset({"organization", "time"})
_PATIENT_PLAN = frozenset({"patient", "treatment_plan", "patient_treatment_plan", "session"})
_SERVICE_PLAN = frozenset({"patient", "service_plan", "service_plan_enrolment"})

ENTITIES_BY_TRIGGER: dict[EventName, frozenset[str]] = {
    EventName.PATIENT_ONBOARDED: frozenset({"patient"}),
    EventName.PATIENT_FIRST_LOGIN: frozenset({"patient"}),
    EventName.PATIENT_PROFILE_COMPLETED: frozenset({"patient"}),
    **{
        trigger: frozenset({"patient", "appointment"})
        for trigger in (
            EventName.APPOINTMENT_FIRST_BOOKED,
            EventName.APPOINTMENT_BOOKED,
            EventName.APPOINTMENT_BEFORE_START,
            EventName.APPOINTMENT_STARTED,
            EventName.APPOINTMENT_COMPLETED,
            EventName.APPOINTMENT_CANCELED,
        )
    },
    EventName.SERVICE_PLAN_ENROLLED: _SERVICE_PLAN,
    EventName.SERVICE_PLAN_SESSION_STARTED: _SERVICE_PLAN | {"appointment"},
    EventName.SERVICE_PLAN_SESSION_COMPLETED: _SERVICE_PLAN | {"appointment"},
    EventName.SERVICE_PLAN_COMPLETED: _SERVICE_PLAN,
    # A plan is created and activated (published) before any patient has it.
    EventName.TREATMENT_PLAN_CREATED: frozenset({"treatment_plan"}),
    EventName.TREATMENT_PLAN_ACTIVATED: frozenset({"treatment_plan"}),
    EventName.TREATMENT_PLAN_ASSIGNED: _PATIENT_PLAN,
    EventName.TREATMENT_PLAN_SESSION_COMPLETED: _PATIENT_PLAN,
    EventName.TREATMENT_PLAN_COMPLETED: _PATIENT_PLAN,
    EventName.TREATMENT_PLAN_EXPIRED: _PATIENT_PLAN,
    EventName.FORM_CREATED: frozenset({"patient", "form", "appointment"}),
    EventName.FORM_COMPLETED: frozenset({"patient", "form", "appointment"}),
    EventName.FORM_SIGNED: frozenset({"patient", "form", "appointment"}),
    EventName.SCHEDULE_DAILY: _PATIENT_PLAN,
    EventName.SCHEDULE_WEEKLY: _PATIENT_PLAN,
    EventName.SCHEDULE_DATE_REACHED: frozenset({"patient"}),
}

_DATE_FIELD_ENTITIES: dict[str, frozenset[str]] = {
    "patient_treatment_plan": frozenset({"treatment_plan", "patient_treatment_plan"}),
    "service_plan_enrolment": _SERVICE_PLAN,
}


def entities_for(trigger: EventName, settings: TriggerSettings | None = None) -> frozenset[str]:
    """The entities a rule on `trigger` can read (a date_reached rule also gets the record
    whose date it watches)."""
    entities = ENTITIES_BY_TRIGGER[trigger] | _ALWAYS
    if isinstance(settings, DateReachedSettings):
        entities |= _DATE_FIELD_ENTITIES.get(settings.date_field.split(".")[0], frozenset())
    return entities


def catalog_for(trigger: EventName, settings: TriggerSettings | None = None) -> list[Variable]:
    """The variables a rule on `trigger` may use, by path: what the condition builder offers."""
    entities = entities_for(trigger, settings)
    return [
        variable
        for path, variable in sorted(CATALOG.items())
        if variable.entity in entities
        and ("appointment" in entities or path not in APPOINTMENT_TIME_PATHS)
    ]


# --- save-time checks ------------------------------------------------------------------------


def check_paths(rule: RuleDefinition) -> list[FieldError]:
    """Every condition path and template variable the rule uses that its trigger does not
    offer, and every comparison that cannot fit the attribute's type, by JSON path."""
    available = {v.path: v for v in catalog_for(rule.trigger_event, rule.trigger_config)}
    context = _Checker(rule.trigger_event, available)
    context.conditions(iter_field_conditions(rule.conditions))
    for field, action in _actions_with_paths(rule.actions):
        context.conditions(
            iter_field_conditions(action.conditions, field=join_path(field, "conditions"))
        )
        for relative, source in action._own_templates():
            context.template(join_path(field, relative), source)
    return context.errors


def _actions_with_paths(actions: Sequence[ActionBase]) -> Iterator[tuple[str, ActionBase]]:
    """Each action with its JSON path, nested scheduled actions included."""
    for index, action in enumerate(actions):
        field = f"actions[{index}]"
        yield field, action
        while isinstance(action, ScheduleAction):
            field, action = join_path(field, "action"), action.action
            yield field, action


_SAMPLE_ID = "00000000-0000-4000-8000-000000000001"
_SAMPLES: dict[VarType, object] = {
    VarType.STR: "Sample text",
    VarType.INT: 30,
    VarType.FLOAT: 0.5,
    VarType.BOOL: True,
    VarType.DATE: "2026-01-15",
    VarType.DATETIME: "2026-01-15T09:00:00+00:00",
    VarType.ID: _SAMPLE_ID,
    VarType.ID_LIST: [_SAMPLE_ID],
}


def _sample(variable: Variable) -> object:
    """A value of the variable's type for trying templates (`template_trial`)."""
    return variable.choices[0] if variable.choices else _SAMPLES[variable.type]


class _Checker:
    def __init__(self, trigger: EventName, available: dict[str, Variable]) -> None:
        self.trigger = trigger
        self.available = available
        self.errors: list[FieldError] = []
        self._samples: dict[str, Any] | None = None

    def conditions(self, entries: Iterator[tuple[str, FieldCondition]]) -> None:
        for field, condition in entries:
            variable = self.available.get(condition.path)
            if variable is None:
                problem = self._missing(condition.path, "attribute")
            else:
                problems = (_type_problem(variable, test) for test in condition.tests)
                problem = next(filter(None, problems), None)
            if problem is not None:
                self.errors.append(FieldError(field, problem))

    def template(self, field: str, source: str) -> None:
        missing = [
            FieldError(field, self._missing(path, "variable"))
            for path in sorted(referenced_variables(source, field=field))
            if path not in self.available
        ]
        self.errors.extend(missing)
        if not missing:
            problem = trial_problem(source, field, self._sample_context())
            if problem is not None:
                self.errors.append(FieldError(field, problem))

    def _sample_context(self) -> dict[str, Any]:
        if self._samples is None:
            self._samples = sample_context(
                {path: _sample(variable) for path, variable in self.available.items()}
            )
        return self._samples

    def _missing(self, path: str, noun: str) -> str:
        if path in CATALOG:
            return _("'{path}' is not available for trigger {trigger}").format(
                path=path, trigger=self.trigger.value
            )
        if noun == "variable":
            return _("unknown variable '{path}'").format(path=path)
        return _("unknown attribute '{path}'").format(path=path)


_TYPE_WORDS: dict[VarType, str] = {
    VarType.STR: N_("text"),
    VarType.INT: N_("a whole number"),
    VarType.FLOAT: N_("a number"),
    VarType.BOOL: N_("true or false"),
    VarType.DATE: N_("a date (YYYY-MM-DD)"),
    VarType.DATETIME: N_("a date and time (ISO 8601)"),
    VarType.ID: N_("an id"),
    VarType.ID_LIST: N_("a list of ids"),
}

_OPERATORS_BY_TYPE: dict[VarType, frozenset[Operator]] = {
    VarType.STR: frozenset(Operator),
    VarType.INT: frozenset(Operator) - {Operator.CONTAINS},
    VarType.FLOAT: frozenset(Operator) - {Operator.CONTAINS},
    VarType.BOOL: frozenset({Operator.EQ, Operator.NE, Operator.EXISTS}),
    VarType.DATE: frozenset(Operator) - {Operator.CONTAINS},
    VarType.DATETIME: frozenset(Operator) - {Operator.CONTAINS},
    VarType.ID: frozenset(
        {Operator.EQ, Operator.NE, Operator.IN, Operator.NOT_IN, Operator.EXISTS}
    ),
    VarType.ID_LIST: frozenset(
        {Operator.EQ, Operator.NE, Operator.IN, Operator.NOT_IN, Operator.CONTAINS, Operator.EXISTS}
    ),
}


def operators_for(kind: VarType) -> frozenset[Operator]:
    """The comparisons that make sense for a variable of this type (what a rule editor
    offers; anything else is refused by `check_paths`)."""
    return _OPERATORS_BY_TYPE[kind]


def _type_problem(variable: Variable, test: Test) -> str | None:
    word = _(_TYPE_WORDS[variable.type])
    if test.op not in _OPERATORS_BY_TYPE[variable.type]:
        return _("'{op}' does not apply to {path} ({kind})").format(
            op=test.op, path=variable.path, kind=word
        )
    if test.op is Operator.EXISTS:
        return None
    values = test.expected if isinstance(test.expected, tuple) else (test.expected,)
    for value in values:
        if not _fits(variable.type, value):
            return _("{path} is {kind}; {value} cannot match it").format(
                path=variable.path, kind=word, value=repr(value)
            )
        if variable.choices and test.op in _CHOICE_OPERATORS and value not in variable.choices:
            options = ", ".join(repr(choice) for choice in variable.choices)
            return _("{path} is one of {options}; {value} cannot match it").format(
                path=variable.path, options=options, value=repr(value)
            )
    return None


_CHOICE_OPERATORS = frozenset({Operator.EQ, Operator.NE}) | LIST_OPERATORS


def _fits(kind: VarType, value: object) -> bool:
    if kind is VarType.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind in {VarType.INT, VarType.FLOAT}:
        return isinstance(value, int | float)
    if kind in {VarType.ID, VarType.ID_LIST}:
        return isinstance(value, int | str)
    if not isinstance(value, str):
        return False
    if kind is VarType.DATE:
        return comparable_kind(value) == "date"
    if kind is VarType.DATETIME:
        return comparable_kind(value) == "datetime"
    return True
