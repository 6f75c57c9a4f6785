"""The booking grid and what the public is offered (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.slot_grid import is_offered, offered_slots, working_slots

BUCHAREST = ZoneInfo("Europe/Bucharest")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 09:00 in Bucharest
HALF_HOUR = timedelta(minutes=30)


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = BUCHAREST) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def test_a_day_is_cut_into_back_to_back_slots_that_end_by_closing() -> None:
    slots = working_slots(date(2026, 3, 3), BUCHAREST, timedelta(minutes=45))
    assert [s.start for s in slots[:3]] == [
        local(date(2026, 3, 3), h, m) for h, m in ((9, 0), (9, 45), (10, 30))
    ]
    assert slots[-1].end <= local(date(2026, 3, 3), 17)
    assert len(slots) == 10
    assert working_slots(date(2026, 3, 7), BUCHAREST, HALF_HOUR) == []  # Saturday


def test_a_dst_day_keeps_exact_lengths() -> None:
    # 29 March 2026: Bucharest moves from +02:00 to +03:00 at 03:00, a Sunday; Monday after.
    slots = working_slots(date(2026, 3, 30), BUCHAREST, HALF_HOUR)
    assert slots[0].start == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert all(s.end - s.start == HALF_HOUR for s in slots)


def test_offered_slots_are_after_now_and_within_the_horizon() -> None:
    today = offered_slots(date(2026, 3, 2), BUCHAREST, HALF_HOUR, now=NOW, horizon_days=10)
    assert today[0].start == local(date(2026, 3, 2), 9, 30)  # 09:00 is now, not after it
    assert offered_slots(date(2026, 3, 12), BUCHAREST, HALF_HOUR, now=NOW, horizon_days=10)
    assert offered_slots(date(2026, 3, 13), BUCHAREST, HALF_HOUR, now=NOW, horizon_days=10) == []
    assert offered_slots(date(2026, 2, 27), BUCHAREST, HALF_HOUR, now=NOW, horizon_days=10) == []
    for far in (date(1, 1, 1), date(9999, 12, 31)):
        assert offered_slots(far, KIRITIMATI, HALF_HOUR, now=NOW, horizon_days=365) == []


@pytest.mark.parametrize(
    ("start", "offered"),
    [
        (local(date(2026, 3, 3), 10), True),
        (local(date(2026, 3, 3), 10, 15), False),  # between slots
        (local(date(2026, 3, 3), 10) + timedelta(microseconds=1), False),
        (local(date(2026, 3, 3), 16, 45), False),  # would end after closing
        (local(date(2026, 3, 8), 3, 7), False),  # Sunday night
        (local(date(2026, 3, 2), 9), False),  # now
        (local(date(2027, 3, 2), 10), True),  # the 365th day is still offered
        (local(date(2027, 3, 3), 10), False),  # the day after is not
        (datetime(9999, 12, 31, 10, tzinfo=UTC), False),
        (datetime(1, 1, 1, 10, tzinfo=UTC), False),
    ],
)
def test_is_offered_agrees_with_the_listing(start: datetime, offered: bool) -> None:
    assert is_offered(start, BUCHAREST, HALF_HOUR, now=NOW, horizon_days=365) is offered


def test_year_9999_east_of_utc_is_refused_without_overflow() -> None:
    assert not is_offered(
        datetime(9999, 12, 31, 10, tzinfo=UTC), KIRITIMATI, HALF_HOUR, now=NOW, horizon_days=365
    )
