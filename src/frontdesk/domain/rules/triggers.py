"""`trigger_config`: the settings each trigger takes.

- `appointment.before_start`: `hours_before` (a number, so 0.5 works) or `minutes_before`.
- `schedule.daily`: `time` "HH:MM" in the organization's zone.
- `schedule.weekly`: `time` and `weekday` ("monday" … "sunday", any case; `day` is accepted as
  another spelling of the same key).
- `schedule.date_reached`: `date_field` (one of DATE_FIELDS), optional `time` (default
  DEFAULT_DATE_TIME), `offset_days` (fire that many days after the date; negative = before) and
  `repeat` ("yearly" or "once"; birthdays repeat by default, plan and enrolment dates do not).
- every other trigger: none.

Each model keeps exactly the keys it was given, so a rule exports as it was written.
"""

from __future__ import annotations

import math
import re
from datetime import time as wall_time
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from frontdesk.domain.events import EventName
from frontdesk.domain.rules.paths import custom_error
from frontdesk.i18n import _

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_HOURS_BEFORE = 24 * 60
DEFAULT_DATE_TIME = "09:00"

DATE_FIELDS: dict[str, Literal["yearly", "once"]] = {
    "patient.date_of_birth": "yearly",
    "patient_treatment_plan.start_date": "once",
    "patient_treatment_plan.end_date": "once",
    "service_plan_enrolment.enrolled_at": "once",
}
"""Dates `schedule.date_reached` can watch, with whether they repeat every year by default."""

_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _wall_time(value: object) -> str:
    if not isinstance(value, str) or not _HH_MM.fullmatch(value):
        raise custom_error("wall_time", _('must be a time of day as "HH:MM", e.g. "09:00"'))
    return value


def _weekday(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in WEEKDAYS:
        raise custom_error("weekday", _('must be a day of the week, e.g. "monday"'))
    return value


def _positive_number(limit: float, *, whole: bool) -> PlainValidator:
    def check(value: object) -> int | float:
        kind = _("must be a whole number") if whole else _("must be a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise custom_error("number", kind)
        if (whole and not isinstance(value, int)) or not math.isfinite(value):
            raise custom_error("number", kind)
        if not 0 < value <= limit:
            message = _("must be greater than 0 and at most {limit}")
            raise custom_error("number", message.format(limit=f"{limit:g}"))
        return value

    return PlainValidator(check)


def _date_field(value: object) -> str:
    if not isinstance(value, str) or value not in DATE_FIELDS:
        names = ", ".join(DATE_FIELDS)
        raise custom_error("date_field", _("must be one of {names}").format(names=names))
    return value


WallTime = Annotated[str, PlainValidator(_wall_time)]
Weekday = Annotated[str, PlainValidator(_weekday)]


def parse_wall_time(text: str) -> wall_time:
    """ "09:30" → time(9, 30). The text must already be a valid WallTime."""
    hours, minutes = text.split(":")
    return wall_time(int(hours), int(minutes))


class TriggerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoSettings(TriggerSettings):
    """Triggers fired by a write take no settings."""


class BeforeStartSettings(TriggerSettings):
    hours_before: Annotated[int | float, _positive_number(MAX_HOURS_BEFORE, whole=False)] | None = (
        None
    )
    minutes_before: Annotated[int, _positive_number(MAX_HOURS_BEFORE * 60, whole=True)] | None = (
        None
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> BeforeStartSettings:
        if (self.hours_before is None) == (self.minutes_before is None):
            raise custom_error(
                "one_of", _("give the time before the start once, in hours or in minutes")
            )
        return self

    @property
    def lead(self) -> timedelta:
        """How long before the start the trigger fires."""
        if self.hours_before is not None:
            return timedelta(hours=self.hours_before)
        return timedelta(minutes=self.minutes_before or 0)


class DailySettings(TriggerSettings):
    time: WallTime

    @property
    def wall_time(self) -> wall_time:
        return parse_wall_time(self.time)


class WeeklySettings(TriggerSettings):
    time: WallTime
    weekday: Weekday | None = None
    day: Weekday | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> WeeklySettings:
        if (self.weekday is None) == (self.day is None):
            raise custom_error("one_of", _("give the day of the week once"))
        return self

    @property
    def wall_time(self) -> wall_time:
        return parse_wall_time(self.time)

    @property
    def weekday_index(self) -> int:
        """Monday = 0 … Sunday = 6, as `date.weekday()`."""
        return WEEKDAYS.index(str(self.weekday or self.day).strip().lower())


class DateReachedSettings(TriggerSettings):
    date_field: Annotated[str, PlainValidator(_date_field)]
    time: WallTime | None = None
    offset_days: Annotated[int, Field(strict=True, ge=-366, le=366)] = 0
    repeat: Literal["yearly", "once"] | None = None

    @property
    def wall_time(self) -> wall_time:
        return parse_wall_time(self.time or DEFAULT_DATE_TIME)

    @property
    def repeats_yearly(self) -> bool:
        return (self.repeat or DATE_FIELDS[self.date_field]) == "yearly"


SETTINGS_BY_TRIGGER: dict[EventName, type[TriggerSettings]] = {
    EventName.APPOINTMENT_BEFORE_START: BeforeStartSettings,
    EventName.SCHEDULE_DAILY: DailySettings,
    EventName.SCHEDULE_WEEKLY: WeeklySettings,
    EventName.SCHEDULE_DATE_REACHED: DateReachedSettings,
}


def settings_model(trigger: EventName) -> type[TriggerSettings]:
    return SETTINGS_BY_TRIGGER.get(trigger, NoSettings)
