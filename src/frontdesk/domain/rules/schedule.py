"""When time-based rules fire. Pure: instants in, instants out (UTC, timezone-aware).

Wall-clock rules ("09:00", "monday") are read in the organization's IANA zone:
- a time that does not exist that day (spring forward) fires at the transition, the first
  instant after the gap: Europe/Bucharest 2026-03-29 03:30 → 04:00 local = 01:00 UTC;
- a time that occurs twice (fall back) fires once, at its first occurrence.

Dates reached (`schedule.date_reached`): a yearly date on 29 February falls on 28 February in
other years — the birthday stays in its month, and a greeting on the 28th is never "late".
`offset_days` moves the firing from the date (−3 = three days before).

Occurrence windows are half-open, [start, end): consecutive windows never fire twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.clock import ensure_utc, zone
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.events import EventName
from frontdesk.domain.rules.errors import ForecastUnavailable
from frontdesk.domain.rules.schema import RuleDefinition
from frontdesk.domain.rules.triggers import (
    WEEKDAYS,
    BeforeStartSettings,
    DailySettings,
    DateReachedSettings,
    WeeklySettings,
)

MAX_FORECAST_DAYS = 366


@dataclass(frozen=True, slots=True)
class Firing:
    at_utc: datetime
    at_local: datetime

    def to_json(self) -> dict[str, str]:
        return {"at_utc": _iso_utc(self.at_utc), "at_local": self.at_local.isoformat()}


def wall_clock_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant when the clock on the wall in `tz` shows `at` on `day` (see the module
    notes for the days it shows it never or twice)."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    as_utc = first.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) == naive:
        return as_utc  # exists; fold=0 is the earlier of two occurrences
    # In a gap: fold=0 reads it with the offset before the change, fold=1 with the one after;
    # the transition lies between the two readings. Find its first second.
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = as_utc
    after_offset = tz.utcoffset(naive.replace(fold=1))
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def daily_occurrences(
    at: time, tz: ZoneInfo, start_utc: datetime, end_utc: datetime
) -> list[datetime]:
    """Every firing of a daily `at` rule in [start_utc, end_utc), in UTC."""
    return list(_occurrences(at, tz, start_utc, end_utc, weekday=None))


def weekly_occurrences(
    weekday: int | str, at: time, tz: ZoneInfo, start_utc: datetime, end_utc: datetime
) -> list[datetime]:
    """Every firing of a weekly rule in [start_utc, end_utc). `weekday`: 0 = Monday, or a
    name ("monday", any case)."""
    return list(_occurrences(at, tz, start_utc, end_utc, weekday=_weekday_index(weekday)))


def next_occurrence(
    settings: DailySettings | WeeklySettings, tz: ZoneInfo, after_utc: datetime
) -> datetime:
    """The first firing strictly after `after_utc`: when to wake the engine next."""
    weekday = settings.weekday_index if isinstance(settings, WeeklySettings) else None
    after = ensure_utc(after_utc, field="after")
    # A week and two days covers every weekday plus a day lost to DST on either side.
    window = _occurrences(settings.wall_time, tz, after, after + timedelta(days=9), weekday=weekday)
    return next(at for at in window if at > after)


def before_start_due(start_utc: datetime, settings: BeforeStartSettings) -> datetime:
    """When an `appointment.before_start` rule fires for an appointment starting at
    `start_utc`. Re-computed on reschedule; the engine never fires it at or after the start."""
    return ensure_utc(start_utc, field="start") - settings.lead


def before_start_still_useful(start_utc: datetime, now_utc: datetime) -> bool:
    """Whether a missed "before start" firing may still run: only before the start."""
    return ensure_utc(now_utc, field="now") < ensure_utc(start_utc, field="start")


def anniversary(original: date, year: int) -> date:
    """`original`'s month and day in `year`; 29 February becomes 28 February in common years."""
    try:
        return original.replace(year=year)
    except ValueError:
        return original.replace(year=year, day=28)


def date_reached_occurrences(
    value: date | datetime,
    settings: DateReachedSettings,
    tz: ZoneInfo,
    start_utc: datetime,
    end_utc: datetime,
) -> list[datetime]:
    """Firings in [start_utc, end_utc) for one record whose `date_field` holds `value` (a
    date-time is read as its local date in `tz`)."""
    start = ensure_utc(start_utc, field="start")
    end = ensure_utc(end_utc, field="end")
    if isinstance(value, datetime):
        original = ensure_utc(value, field=settings.date_field).astimezone(tz).date()
    else:
        original = value
    offset = timedelta(days=settings.offset_days)
    if settings.repeats_yearly:
        # Two years of margin: an offset of up to a year moves a date into the next one.
        first_year = max(original.year, start.astimezone(tz).year - 2)
        last_year = end.astimezone(tz).year + 2
        days = [anniversary(original, y) + offset for y in range(first_year, last_year + 1)]
    else:
        days = [original + offset]
    instants = (wall_clock_instant(day, settings.wall_time, tz) for day in days)
    return [at for at in instants if start <= at < end]


def forecast(
    rule: RuleDefinition, start_utc: datetime, days: int, tz: ZoneInfo | str
) -> list[Firing]:
    """The firings of a daily or weekly rule over `days` days from `start_utc`. Other triggers
    fire on data (an appointment, a patient's birthday), so they cannot be forecast alone."""
    if not 1 <= days <= MAX_FORECAST_DAYS:
        raise InvalidInput.single("days", f"must be between 1 and {MAX_FORECAST_DAYS}")
    zone_info = tz if isinstance(tz, ZoneInfo) else zone(tz)
    start = ensure_utc(start_utc, field="from")
    end = start + timedelta(days=days)
    settings = rule.trigger_config
    if isinstance(settings, DailySettings):
        instants = daily_occurrences(settings.wall_time, zone_info, start, end)
    elif isinstance(settings, WeeklySettings):
        instants = weekly_occurrences(
            settings.weekday_index, settings.wall_time, zone_info, start, end
        )
    else:
        raise ForecastUnavailable.single("trigger_event", _not_forecastable(rule.trigger_event))
    return [Firing(at, at.astimezone(zone_info)) for at in instants]


def forecast_document(
    rule: RuleDefinition, start_utc: datetime, days: int, tz: ZoneInfo | str
) -> dict[str, Any]:
    """What `frontdesk schedule forecast --json` prints: {"rule", "firings": [...]}."""
    firings = forecast(rule, start_utc, days, tz)
    return {"rule": rule.name, "firings": [firing.to_json() for firing in firings]}


def occurrence_key(rule_id: object, subject: object, at_utc: datetime) -> str:
    """The identity of one scheduled firing: the same rule, subject and instant give the same
    key on every machine, so a firing runs once however many desks see it."""
    return f"rule:{rule_id}/subject:{subject}/at:{_iso_utc(ensure_utc(at_utc))}"


def _not_forecastable(trigger: EventName) -> str:
    if trigger is EventName.SCHEDULE_DATE_REACHED:
        return "schedule.date_reached fires on each record's own date; it needs patient data"
    if trigger is EventName.APPOINTMENT_BEFORE_START:
        return "appointment.before_start fires relative to each appointment; it needs data"
    return f"{trigger.value} fires on events, not on the clock"


def _occurrences(
    at: time, tz: ZoneInfo, start_utc: datetime, end_utc: datetime, *, weekday: int | None
) -> Iterator[datetime]:
    start = ensure_utc(start_utc, field="start")
    end = ensure_utc(end_utc, field="end")
    # Local days overlapping the window, one day of margin for offsets either side.
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        if weekday is None or day.weekday() == weekday:
            instant = wall_clock_instant(day, at, tz)
            if start <= instant < end:
                yield instant
        day += timedelta(days=1)


def _weekday_index(weekday: int | str) -> int:
    if isinstance(weekday, int) and not isinstance(weekday, bool) and 0 <= weekday <= 6:
        return weekday
    if isinstance(weekday, str) and weekday.strip().lower() in WEEKDAYS:
        return WEEKDAYS.index(weekday.strip().lower())
    raise InvalidInput.single("weekday", 'must be a day of the week, e.g. "monday"')


def _iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
