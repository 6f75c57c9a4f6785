"""Working hours and the one slot function: which starts a specialist, or a service's
performers, can be booked at on one local day. Pure: no database, no clock.

Hours are wall-clock intervals in the organization's zone, as minutes after local midnight
(`WallInterval(540, 1020)` is 09:00-17:00; 1440 is the next midnight). A specialist's hours on
a day are, in order of precedence: none when the whole organization is closed; the day's
overrides when it has any (an override with no interval is time off for the whole day); else
the weekly hours of its weekday.

A wall-clock time becomes an instant the way `zoneinfo` reads it with `fold=0`: a time that
occurs twice (a fall-back night) means its first occurrence; a time that does not exist
(skipped by a spring-forward change) is read with the offset before the change (03:30 on the
night Bucharest skips 03:00-04:00 is 04:30 summer time). From there everything is UTC
arithmetic: candidate starts are every `step` after an interval's start instant; a start is
free when the service's whole length ends by the interval's end instant, overlaps no busy
span of that specialist, is at least the minimum notice after now, and its local day is no
later than today plus the booking horizon.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from frontdesk.i18n.text import T_, Text

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

DEFAULT_BOOKING_HORIZON_DAYS = 365
MAX_BOOKING_HORIZON_DAYS = 3650
DEFAULT_SLOT_INTERVAL_MINUTES = 15
MIN_SLOT_INTERVAL_MINUTES = 5
MAX_SLOT_INTERVAL_MINUTES = 240
DEFAULT_MINIMUM_NOTICE_MINUTES = 120
MAX_MINIMUM_NOTICE_MINUTES = 60 * 24 * 90  # ninety days


@dataclass(frozen=True, slots=True, order=True)
class WallInterval:
    """Local wall-clock minutes [start, end) of one day."""

    start: int
    end: int

    def problem(self) -> Text | None:
        """Why this cannot be working hours, a sentence naming the hours (None: it can)."""
        hours = f"{format_clock(self.start)}-{format_clock(self.end)}"
        if not 0 <= self.start < MINUTES_PER_DAY or not 0 < self.end <= MINUTES_PER_DAY:
            return T_("The hours {hours} must be between 00:00 and 24:00.", hours=hours)
        if self.end <= self.start:
            return T_("The hours {hours} must end after they start.", hours=hours)
        return None


def parse_clock(text: str) -> int:
    """'09:30' → 570; '24:00' is the end of the day. ValueError with plain words otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or len(minutes) != 2 or not minutes.isdigit():
        raise ValueError(f"{text!r} is not a time like 09:30")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def format_clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def overlapping(intervals: Sequence[WallInterval]) -> tuple[WallInterval, WallInterval] | None:
    """The first two intervals of a day that overlap (None: they do not)."""
    ordered = sorted(intervals)
    for first, second in pairwise(ordered):
        if second.start < first.end:
            return first, second
    return None


@dataclass(frozen=True)
class SpecialistHours:
    """One specialist's rules: weekly hours by weekday (0 = Monday) and dated overrides (a
    date present with no interval: no hours that day)."""

    weekly: Mapping[int, Sequence[WallInterval]] = field(default_factory=dict)
    overrides: Mapping[date, Sequence[WallInterval]] = field(default_factory=dict)

    def on(self, day: date, closed_days: Iterable[date] = ()) -> list[WallInterval]:
        if day in set(closed_days):
            return []
        if day in self.overrides:
            return sorted(self.overrides[day])
        return sorted(self.weekly.get(day.weekday(), ()))


def instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of local `minute` of `day` (1440: the next midnight)."""
    whole_days, rest = divmod(minute, MINUTES_PER_DAY)
    local = datetime.combine(
        day + timedelta(days=whole_days), time(rest // 60, rest % 60), tzinfo=tz
    )
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable span, in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Policy:
    """The organization's booking settings and the moment they are applied at."""

    tz: ZoneInfo
    now: datetime
    step: timedelta = timedelta(minutes=DEFAULT_SLOT_INTERVAL_MINUTES)
    notice: timedelta = timedelta(minutes=DEFAULT_MINIMUM_NOTICE_MINUTES)
    horizon_days: int = DEFAULT_BOOKING_HORIZON_DAYS

    def day_open(self, day: date) -> bool:
        """Whether `day` lies between today and the last day of the horizon."""
        today = self.now.astimezone(self.tz).date()
        return today <= day <= today + timedelta(days=self.horizon_days)


def specialist_slots(
    day: date,
    hours: Sequence[WallInterval],
    busy: Iterable[tuple[datetime, datetime]],
    length: timedelta,
    policy: Policy,
) -> list[Slot]:
    """The free slots of one specialist on local `day`, given that day's `hours` and the
    spans (UTC) they are busy, in start order."""
    if policy.step <= timedelta(0):
        raise ValueError("the slot interval must be positive")
    if not policy.day_open(day) or length <= timedelta(0):
        return []
    taken = sorted(busy)
    earliest = policy.now + policy.notice
    found: set[datetime] = set()
    for interval in hours:
        start, closing = (
            instant(day, interval.start, policy.tz),
            instant(day, interval.end, policy.tz),
        )
        while start + length <= closing:
            end = start + length
            if start >= earliest and all(end <= a or start >= b for a, b in taken):
                found.add(start)
            start += policy.step
    return [Slot(start, start + length) for start in sorted(found)]


def service_slots(
    day: date,
    performers: Mapping[object, tuple[Sequence[WallInterval], Iterable[tuple[datetime, datetime]]]],
    length: timedelta,
    policy: Policy,
) -> list[Slot]:
    """A service's free slots: the union over its performers (key → that day's hours and
    busy spans) of each one's free slots."""
    starts: set[datetime] = set()
    for hours, busy in performers.values():
        starts.update(slot.start for slot in specialist_slots(day, hours, busy, length, policy))
    return [Slot(start, start + length) for start in sorted(starts)]


def local_day_of(start: datetime, policy: Policy) -> date | None:
    """The local day an instant falls on, or None when it is so far from now that it can be
    no slot (an instant centuries away may have no local date at all)."""
    if abs(start - policy.now) > timedelta(days=policy.horizon_days + 2):
        return None
    return start.astimezone(policy.tz).date()
