"""The clinic's booking grid and which of its slots the public is offered. Pure: no database.

The working day is weekdays 09:00-17:00 in the organization's zone, cut into back-to-back
slots of the service's length from 09:00 (09:00, 09:45, 10:30 … for 45 minutes); a slot ends
by 17:00. A start is *offered* to the public when it is the start of such a slot, it is after
now, and its local day is no later than today plus the organization's booking horizon.
`offered_slots` is the one place that decides it: the public slots listing shows its answer
and a public booking is accepted only at one of its starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)
SATURDAY = 5
DEFAULT_BOOKING_HORIZON_DAYS = 365
MAX_BOOKING_HORIZON_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Slot:
    """One slot of the grid, in UTC."""

    start: datetime
    end: datetime


def working_slots(day: date, tz: ZoneInfo, length: timedelta) -> list[Slot]:
    """Every slot of the local `day` (none at weekends), whether free or not."""
    if day.weekday() >= SATURDAY:
        return []
    start = datetime.combine(day, WORKDAY_START, tzinfo=tz).astimezone(UTC)
    closing = datetime.combine(day, WORKDAY_END, tzinfo=tz).astimezone(UTC)
    slots: list[Slot] = []
    # UTC arithmetic: a slot lasts exactly the service's length even across a DST change.
    while start + length <= closing:
        slots.append(Slot(start, start + length))
        start += length
    return slots


def offered_slots(
    day: date, tz: ZoneInfo, length: timedelta, *, now: datetime, horizon_days: int
) -> list[Slot]:
    """The slots of the local `day` the public may choose from (taken or not): none on a day
    before today or after today plus `horizon_days`, and none that start by `now`."""
    today = now.astimezone(tz).date()
    if not today <= day <= today + timedelta(days=horizon_days):
        return []
    return [slot for slot in working_slots(day, tz, length) if slot.start > now]


def is_offered(
    start: datetime, tz: ZoneInfo, length: timedelta, *, now: datetime, horizon_days: int
) -> bool:
    """Whether `start` (aware) is the start of one of `offered_slots` on its local day."""
    # An instant outside the window is refused before it is converted to local time: one
    # centuries away may have no local date at all (year 9999 east of UTC overflows).
    if start <= now or start - now > timedelta(days=horizon_days + 2):
        return False
    day = start.astimezone(tz).date()
    return any(
        slot.start == start
        for slot in offered_slots(day, tz, length, now=now, horizon_days=horizon_days)
    )
