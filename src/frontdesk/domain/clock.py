"""Time: every stored instant is UTC; wall-clock rules use the organization's IANA zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.field_names import field_name
from frontdesk.i18n.text import T_


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests and for replaying."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)


def ensure_utc(value: datetime, *, field: str = "time") -> datetime:
    """The same instant in UTC. A naive datetime is refused: its meaning is unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput.single(
            field,
            T_(
                "“{field}” must include a time zone (e.g. 2026-03-01T09:00+02:00).",
                field=field_name(field),
            ),
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # The first or last hours of the calendar (year 1 or 9999) with an offset that
        # carries them past it: no such instant exists.
        raise InvalidInput.single(
            field, T_("“{field}” is outside the calendar's range.", field=field_name(field))
        ) from None


def zone(name: str, *, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput.single(
            field,
            T_("“{name}” is not a time zone the desk knows (e.g. Europe/Bucharest).", name=name),
        ) from None


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar day starts and ends (DST-aware)."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def age_on(birth: date, day: date) -> int:
    """Whole years between a date of birth and a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
