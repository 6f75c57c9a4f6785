"""Time rules: wall-clock schedules across DST, reminders, dates reached, forecasts, keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules import (
    ForecastUnavailable,
    before_start_due,
    before_start_still_useful,
    daily_occurrences,
    date_reached_occurrences,
    forecast,
    forecast_document,
    next_occurrence,
    occurrence_key,
    validate_rule,
    wall_clock_instant,
    weekly_occurrences,
)
from frontdesk.domain.rules.schedule import anniversary
from frontdesk.domain.rules.triggers import (
    BeforeStartSettings,
    DailySettings,
    DateReachedSettings,
    WeeklySettings,
)
from tests.unit.rules.factories import load_example, rule_doc

BUCHAREST = ZoneInfo("Europe/Bucharest")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("zone_name", "day", "at", "expected"),
    [
        ("Europe/Bucharest", date(2026, 1, 15), time(9, 0), utc(2026, 1, 15, 7, 0)),
        ("Europe/Bucharest", date(2026, 7, 15), time(9, 0), utc(2026, 7, 15, 6, 0)),
        # Spring forward: 03:00–04:00 does not exist; fire at the transition (04:00 local).
        ("Europe/Bucharest", date(2026, 3, 29), time(3, 30), utc(2026, 3, 29, 1, 0)),
        ("Europe/Bucharest", date(2026, 3, 29), time(3, 0), utc(2026, 3, 29, 1, 0)),
        ("Europe/Bucharest", date(2026, 3, 29), time(2, 59), utc(2026, 3, 29, 0, 59)),
        ("Europe/Bucharest", date(2026, 3, 29), time(4, 0), utc(2026, 3, 29, 1, 0)),
        # Fall back: 03:00–04:00 happens twice; the first one counts.
        ("Europe/Bucharest", date(2026, 10, 25), time(3, 30), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        # A 30-minute DST shift.
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30)),
    ],
)
def test_wall_clock_instants(zone_name: str, day: date, at: time, expected: datetime) -> None:
    assert wall_clock_instant(day, at, ZoneInfo(zone_name)) == expected


def test_daily_fires_once_a_day_through_both_transitions() -> None:
    spring = daily_occurrences(time(3, 30), BUCHAREST, utc(2026, 3, 28), utc(2026, 3, 31))
    assert spring == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)]
    autumn = daily_occurrences(time(3, 30), BUCHAREST, utc(2026, 10, 24), utc(2026, 10, 27))
    assert autumn == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    local_days = [at.astimezone(BUCHAREST).date() for at in spring + autumn]
    assert len(local_days) == len(set(local_days))


def test_windows_are_half_open() -> None:
    at = utc(2026, 1, 15, 7, 0)
    assert daily_occurrences(time(9, 0), BUCHAREST, at, at + timedelta(days=1)) == [at]
    assert daily_occurrences(time(9, 0), BUCHAREST, at - timedelta(days=1), at) == [
        at - timedelta(days=1)
    ]


def test_naive_window_bounds_are_refused() -> None:
    with pytest.raises(InvalidInput, match="“Start time” must include a time zone"):
        daily_occurrences(time(9, 0), BUCHAREST, datetime(2026, 1, 1), utc(2026, 1, 2))


def test_weekly_by_name_or_number() -> None:
    by_name = weekly_occurrences("Monday", time(8, 0), BUCHAREST, utc(2026, 3, 1), utc(2026, 3, 31))
    by_number = weekly_occurrences(0, time(8, 0), BUCHAREST, utc(2026, 3, 1), utc(2026, 3, 31))
    assert by_name == by_number
    assert [at.astimezone(BUCHAREST).day for at in by_name] == [2, 9, 16, 23, 30]
    assert by_name[-1] == utc(2026, 3, 30, 5, 0)  # summer time from the 29th
    with pytest.raises(InvalidInput, match="weekday: must be a day of the week"):
        weekly_occurrences("someday", time(8, 0), BUCHAREST, utc(2026, 3, 1), utc(2026, 3, 31))


def test_next_occurrence_is_strictly_after() -> None:
    daily = DailySettings(time="09:00")
    assert next_occurrence(daily, BUCHAREST, utc(2026, 1, 15, 6, 59)) == utc(2026, 1, 15, 7, 0)
    assert next_occurrence(daily, BUCHAREST, utc(2026, 1, 15, 7, 0)) == utc(2026, 1, 16, 7, 0)
    weekly = WeeklySettings(time="08:00", day="sunday")
    # Thursday 26 March → Sunday 29 March, the day clocks go forward.
    assert next_occurrence(weekly, BUCHAREST, utc(2026, 3, 26, 12)) == utc(2026, 3, 29, 5, 0)
    gap = DailySettings(time="03:30")
    assert next_occurrence(gap, BUCHAREST, utc(2026, 3, 28, 2)) == utc(2026, 3, 29, 1, 0)


def test_before_start() -> None:
    start = datetime(2026, 11, 22, 9, 0, tzinfo=BUCHAREST)
    assert before_start_due(start, BeforeStartSettings(hours_before=24)) == utc(2026, 11, 21, 7, 0)
    assert before_start_due(start, BeforeStartSettings(hours_before=1.5)) == utc(
        2026, 11, 22, 5, 30
    )
    assert before_start_due(start, BeforeStartSettings(minutes_before=15)) == utc(
        2026, 11, 22, 6, 45
    )
    assert before_start_still_useful(start, utc(2026, 11, 22, 6, 59))
    assert not before_start_still_useful(start, utc(2026, 11, 22, 7, 0))
    with pytest.raises(InvalidInput, match="“Start time” must include a time zone"):
        before_start_due(datetime(2026, 11, 22, 9), BeforeStartSettings(hours_before=24))


def test_anniversaries_of_29_february() -> None:
    leap_day = date(2000, 2, 29)
    assert anniversary(leap_day, 2027) == date(2027, 2, 28)
    assert anniversary(leap_day, 2028) == date(2028, 2, 29)
    assert anniversary(date(1990, 7, 4), 2026) == date(2026, 7, 4)


def test_birthdays_fire_yearly_at_nine_local_by_default() -> None:
    settings = DateReachedSettings(date_field="patient.date_of_birth")
    firings = date_reached_occurrences(
        date(2000, 2, 29), settings, BUCHAREST, utc(2026, 1, 1), utc(2029, 1, 1)
    )
    assert firings == [utc(2026, 2, 28, 7, 0), utc(2027, 2, 28, 7, 0), utc(2028, 2, 29, 7, 0)]


def test_no_birthday_before_birth() -> None:
    settings = DateReachedSettings(date_field="patient.date_of_birth")
    born = date(2026, 6, 1)
    assert date_reached_occurrences(
        born, settings, BUCHAREST, utc(2020, 1, 1), utc(2027, 1, 1)
    ) == [utc(2026, 6, 1, 6, 0)]


def test_plan_dates_fire_once_with_offset_and_time() -> None:
    settings = DateReachedSettings(
        date_field="patient_treatment_plan.end_date", offset_days=-3, time="18:30"
    )
    end = date(2026, 5, 10)
    assert date_reached_occurrences(end, settings, BUCHAREST, utc(2026, 1, 1), utc(2030, 1, 1)) == [
        utc(2026, 5, 7, 15, 30)
    ]


def test_instants_are_read_as_their_local_date() -> None:
    settings = DateReachedSettings(date_field="service_plan_enrolment.enrolled_at", offset_days=30)
    enrolled = utc(2026, 1, 31, 23, 0)  # already 1 February in Bucharest
    assert date_reached_occurrences(
        enrolled, settings, BUCHAREST, utc(2026, 1, 1), utc(2026, 12, 31)
    ) == [utc(2026, 3, 3, 7, 0)]
    with pytest.raises(InvalidInput, match="“Service plan enrolment enrolled at” must include"):
        date_reached_occurrences(
            datetime(2026, 1, 31), settings, BUCHAREST, utc(2026, 1, 1), utc(2026, 12, 31)
        )


def test_forecast_of_the_daily_examples_crosses_dst() -> None:
    rule = validate_rule(load_example(7))
    firings = forecast(rule, utc(2026, 3, 27), 4, "Europe/Bucharest")
    assert [f.at_utc for f in firings] == [
        utc(2026, 3, 27, 7),
        utc(2026, 3, 28, 7),
        utc(2026, 3, 29, 6),
        utc(2026, 3, 30, 6),
    ]
    assert all(f.at_local.hour == 9 for f in firings)
    assert forecast_document(rule, utc(2026, 3, 28), 2, BUCHAREST) == {
        "rule": "Daily Session Reminder",
        "firings": [
            {"at_utc": "2026-03-28T07:00:00Z", "at_local": "2026-03-28T09:00:00+02:00"},
            {"at_utc": "2026-03-29T06:00:00Z", "at_local": "2026-03-29T09:00:00+03:00"},
        ],
    }


def test_forecast_of_a_weekly_rule() -> None:
    rule = validate_rule(
        rule_doc(
            trigger_event="schedule.weekly", trigger_config={"time": "07:15", "weekday": "friday"}
        )
    )
    firings = forecast(rule, utc(2026, 10, 19), 14, "Europe/Bucharest")
    assert [f.at_local.isoformat() for f in firings] == [
        "2026-10-23T07:15:00+03:00",
        "2026-10-30T07:15:00+02:00",
    ]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            rule_doc(
                trigger_event="schedule.date_reached",
                trigger_config={"date_field": "patient.date_of_birth"},
            ),
            "needs patient data",
        ),
        (load_example(4), "relative to each appointment"),
        (load_example(1), "fires on events"),
    ],
)
def test_rules_that_fire_on_data_cannot_be_forecast(
    document: dict[str, object], reason: str
) -> None:
    rule = validate_rule(document)
    with pytest.raises(ForecastUnavailable) as excinfo:
        forecast(rule, utc(2026, 1, 1), 7, "UTC")
    assert excinfo.value.field == "trigger_event"
    assert reason in excinfo.value.message


def test_forecast_arguments_are_checked_by_name() -> None:
    rule = validate_rule(load_example(5))
    with pytest.raises(InvalidInput, match="days: must be between 1 and 366"):
        forecast(rule, utc(2026, 1, 1), 0, "UTC")
    with pytest.raises(InvalidInput, match="is not a time zone"):
        forecast(rule, utc(2026, 1, 1), 1, "Mars/Olympus")
    with pytest.raises(InvalidInput, match="“From” must include a time zone"):
        forecast(rule, datetime(2026, 1, 1), 1, "UTC")


def test_occurrence_keys_name_one_instant_whatever_its_offset() -> None:
    local = datetime(2026, 3, 29, 4, 0, tzinfo=BUCHAREST)
    key = occurrence_key("r1", "p9", local)
    assert key == "rule:r1/subject:p9/at:2026-03-29T01:00:00Z"
    assert occurrence_key("r1", "p9", utc(2026, 3, 29, 1)) == key
    assert occurrence_key("r1", "p8", utc(2026, 3, 29, 1)) != key
    assert occurrence_key("r1", "p9", utc(2026, 3, 30, 1)) != key
