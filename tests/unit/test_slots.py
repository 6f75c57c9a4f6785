"""The one slot function (`domain.slots`), against a brute-force minute-by-minute reference:
weekly hours, overrides (time off, extra hours), closed days, appointments, notice, horizon,
several performers, and days on which the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.slots import (
    Policy,
    SpecialistHours,
    WallInterval,
    format_clock,
    instant,
    local_day_of,
    overlapping,
    parse_clock,
    service_slots,
    specialist_slots,
)

BUCHAREST = ZoneInfo("Europe/Bucharest")
MINUTE = timedelta(minutes=1)
# Days on which the clock changes, and the zones: Bucharest (an hour at 03:00/04:00 local),
# New York (at 02:00), Lord Howe (half an hour).
ZONES = {
    "Europe/Bucharest": [date(2026, 3, 29), date(2026, 10, 25)],
    "America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
    "Australia/Lord_Howe": [date(2026, 4, 5), date(2026, 10, 4)],
}


# --- the reference -------------------------------------------------------------------------


def _wall(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def reference_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """By scanning minutes: the first UTC minute the local clock reads that wall time; a wall
    time the clock skips is read with the offset in force just before it."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    moment = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=15)
    last_before = moment
    while moment < wall.replace(tzinfo=UTC) + timedelta(hours=15):
        reads = _wall(moment, tz)
        if reads == wall:
            return moment
        if reads < wall:
            last_before = moment
        moment += MINUTE
    offset = last_before.astimezone(tz).utcoffset()
    assert offset is not None
    return (wall - offset).replace(tzinfo=UTC)


def reference_hours(rules: SpecialistHours, closed: set[date], day: date) -> list[WallInterval]:
    if day in closed:
        return []
    if day in rules.overrides:
        return list(rules.overrides[day])
    return list(rules.weekly.get(day.weekday(), []))


def reference_slots(
    day: date,
    hours: list[WallInterval],
    busy: list[tuple[datetime, datetime]],
    length: timedelta,
    policy: Policy,
) -> set[datetime]:
    """Every candidate start checked minute by minute: each minute of the slot lies in the
    working interval and in no busy span."""
    today = policy.now.astimezone(policy.tz).date()
    if not today <= day <= today + timedelta(days=policy.horizon_days):
        return set()
    found: set[datetime] = set()
    for interval in hours:
        opening = reference_instant(day, interval.start, policy.tz)
        closing = reference_instant(day, interval.end, policy.tz)
        start = opening
        while start < closing:
            minutes = [start + i * MINUTE for i in range(int(length / MINUTE))]
            if (
                start >= policy.now + policy.notice
                and all(opening <= m < closing for m in minutes)
                and not any(a <= m < b for m in minutes for a, b in busy)
            ):
                found.add(start)
            start += policy.step
    return found


# --- strategies ---------------------------------------------------------------------------


@st.composite
def day_intervals(draw: st.DrawFn) -> list[WallInterval]:
    """Zero to three non-overlapping intervals of one day, at five-minute marks."""
    points = sorted(draw(st.sets(st.integers(0, 288).map(lambda n: n * 5), max_size=6).map(sorted)))
    if len(points) % 2:
        points = points[:-1]
    return [WallInterval(points[i], points[i + 1]) for i in range(0, len(points), 2)]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    zone_name = draw(st.sampled_from(sorted(ZONES)))
    tz = ZoneInfo(zone_name)
    day = draw(
        st.one_of(
            st.sampled_from(ZONES[zone_name]),
            st.dates(date(2026, 1, 1), date(2026, 12, 31)),
        )
    )
    performers = {}
    closed = {day} if draw(st.integers(0, 9)) == 0 else set()
    for key in range(draw(st.integers(1, 3))):
        weekly = {day.weekday(): draw(day_intervals())}
        overrides = {}
        match draw(st.sampled_from(["none", "time off", "other hours"])):
            case "time off":
                overrides[day] = []
            case "other hours":
                overrides[day] = draw(day_intervals())
        midnight = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        busy = []
        for _ in range(draw(st.integers(0, 3))):
            start = midnight + timedelta(minutes=draw(st.integers(-120, 26 * 60)))
            busy.append((start, start + timedelta(minutes=draw(st.integers(5, 240)))))
        performers[key] = (SpecialistHours(weekly, overrides), busy)
    midnight = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    policy = Policy(
        tz=tz,
        now=midnight + timedelta(minutes=draw(st.integers(-3 * 1440, 1440))),
        step=timedelta(minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60]))),
        notice=timedelta(minutes=draw(st.integers(0, 600))),
        horizon_days=draw(st.integers(0, 3)),
    )
    length = timedelta(minutes=draw(st.integers(1, 48).map(lambda n: n * 5)))
    return {
        "day": day,
        "performers": performers,
        "closed": closed,
        "policy": policy,
        "length": length,
    }


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_slot_function_agrees_with_the_minute_by_minute_reference(
    case: dict[str, object],
) -> None:
    day: date = case["day"]  # type: ignore[assignment]
    policy: Policy = case["policy"]  # type: ignore[assignment]
    length: timedelta = case["length"]  # type: ignore[assignment]
    closed: set[date] = case["closed"]  # type: ignore[assignment]
    performers: dict[int, tuple[SpecialistHours, list[tuple[datetime, datetime]]]]
    performers = case["performers"]  # type: ignore[assignment]

    union: set[datetime] = set()
    for rules, busy in performers.values():
        expected = reference_slots(day, reference_hours(rules, closed, day), busy, length, policy)
        got = specialist_slots(day, rules.on(day, closed), busy, length, policy)
        assert [s.start for s in got] == sorted(expected)
        assert all(s.end - s.start == length for s in got)
        union |= expected
    together = service_slots(
        day,
        {key: (rules.on(day, closed), busy) for key, (rules, busy) in performers.items()},
        length,
        policy,
    )
    assert [s.start for s in together] == sorted(union)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(ZONES)),
    st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    st.integers(0, 1440),
)
def test_wall_times_become_instants_as_the_reference_reads_them(
    zone_name: str, day: date, minute: int
) -> None:
    tz = ZoneInfo(zone_name)
    assert instant(day, minute, tz) == reference_instant(day, minute, tz)


# --- examples a person can read -------------------------------------------------------------

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 09:00 in Bucharest
NINE_TO_FIVE = WallInterval(540, 1020)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BUCHAREST).astimezone(UTC)


def starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{s.start.astimezone(BUCHAREST):%H:%M}" for s in slots]


def test_starts_every_interval_from_each_working_intervals_start() -> None:
    policy = Policy(BUCHAREST, NOW, step=timedelta(minutes=30), notice=timedelta(0))
    morning, afternoon = WallInterval(9 * 60 + 10, 12 * 60), WallInterval(14 * 60, 15 * 60)
    slots = specialist_slots(
        date(2026, 3, 3), [morning, afternoon], [], timedelta(minutes=45), policy
    )
    assert starts(slots) == ["09:10", "09:40", "10:10", "10:40", "11:10", "14:00"]


def test_appointments_notice_and_horizon_take_starts_away() -> None:
    day = date(2026, 3, 2)  # today
    busy = [(local(day, 12), local(day, 13))]
    policy = Policy(BUCHAREST, NOW, step=timedelta(minutes=60), notice=timedelta(hours=2))
    slots = specialist_slots(day, [NINE_TO_FIVE], busy, timedelta(minutes=60), policy)
    # 09:00 and 10:00 are within two hours of now; 12:00 is taken.
    assert starts(slots) == ["11:00", "13:00", "14:00", "15:00", "16:00"]
    short = Policy(BUCHAREST, NOW, horizon_days=3)
    assert specialist_slots(date(2026, 3, 5), [NINE_TO_FIVE], [], timedelta(hours=1), short)
    assert specialist_slots(date(2026, 3, 6), [NINE_TO_FIVE], [], timedelta(hours=1), short) == []
    assert specialist_slots(date(2026, 3, 1), [NINE_TO_FIVE], [], timedelta(hours=1), short) == []


def test_overrides_replace_a_day_and_closed_days_close_it_for_everyone() -> None:
    saturday, friday = date(2026, 3, 7), date(2026, 3, 6)
    rules = SpecialistHours(
        weekly={4: [NINE_TO_FIVE]},
        overrides={friday: [], saturday: [WallInterval(600, 720)]},
    )
    assert rules.on(friday) == []  # time off
    assert rules.on(saturday) == [WallInterval(600, 720)]  # extra hours on a Saturday
    assert rules.on(date(2026, 3, 13)) == [NINE_TO_FIVE]
    assert rules.on(date(2026, 3, 13), closed_days=[date(2026, 3, 13)]) == []


def test_a_spring_forward_day_in_bucharest() -> None:
    # 29 March 2026: the clock jumps from 03:00 to 04:00. Hours 02:00-06:00 last three hours.
    day = date(2026, 3, 29)
    policy = Policy(BUCHAREST, NOW, step=timedelta(hours=1), notice=timedelta(0))
    slots = specialist_slots(day, [WallInterval(120, 360)], [], timedelta(hours=1), policy)
    assert starts(slots) == ["02:00", "04:00", "05:00"]
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)


def test_a_fall_back_day_in_bucharest() -> None:
    # 25 October 2026: 03:00-04:00 happens twice. Hours 02:00-06:00 last five hours.
    day = date(2026, 10, 25)
    policy = Policy(BUCHAREST, NOW, step=timedelta(hours=1), notice=timedelta(0))
    slots = specialist_slots(day, [WallInterval(120, 360)], [], timedelta(hours=1), policy)
    assert starts(slots) == ["02:00", "03:00", "03:00", "04:00", "05:00"]


def test_union_over_performers() -> None:
    day = date(2026, 3, 3)
    policy = Policy(BUCHAREST, NOW, step=timedelta(minutes=60), notice=timedelta(0))
    one = ([WallInterval(540, 660)], [(local(day, 9), local(day, 10))])
    two = ([WallInterval(600, 720)], [])
    slots = service_slots(day, {"one": one, "two": two}, timedelta(hours=1), policy)
    assert starts(slots) == ["10:00", "11:00"]


def test_clock_texts_and_interval_checks() -> None:
    assert parse_clock("09:30") == 570
    assert parse_clock("24:00") == 1440
    assert format_clock(570) == "09:30"
    for bad in ("9", "25:00", "09:60", "ab:cd", "24:01", "9:5"):
        with pytest.raises(ValueError, match="is not a time"):
            parse_clock(bad)
    assert (
        str(WallInterval(600, 540).problem()) == "The hours 10:00-09:00 must end after they start."
    )
    assert (
        str(WallInterval(0, 1441).problem())
        == "The hours 00:00-24:01 must be between 00:00 and 24:00."
    )
    assert WallInterval(0, 1440).problem() is None
    assert overlapping([WallInterval(540, 720), WallInterval(700, 800)]) == (
        WallInterval(540, 720),
        WallInterval(700, 800),
    )
    assert overlapping([WallInterval(540, 720), WallInterval(720, 800)]) is None


def test_an_instant_centuries_away_has_no_slot_day() -> None:
    policy = Policy(BUCHAREST, NOW)
    assert local_day_of(datetime(9999, 12, 31, 10, tzinfo=UTC), policy) is None
    assert local_day_of(local(date(2026, 3, 3), 10), policy) == date(2026, 3, 3)


def test_a_slot_interval_of_zero_is_refused() -> None:
    policy = Policy(BUCHAREST, NOW, step=timedelta(0))
    with pytest.raises(ValueError, match="must be positive"):
        specialist_slots(date(2026, 3, 3), [NINE_TO_FIVE], [], timedelta(hours=1), policy)
