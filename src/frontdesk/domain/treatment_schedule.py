"""A treatment plan's calendar and progress figures. Pure: dates in, dates and numbers out."""

from __future__ import annotations

from datetime import date, timedelta

DAYS_PER_WEEK = 7


def session_dates(start: date, frequency_per_week: int, duration_weeks: int) -> list[date]:
    """The days a patient's sessions fall on: `frequency_per_week` days in each week from
    `start`, spread as evenly as the week allows (3 a week → days 0, 2 and 4), so sessions
    never bunch at the start of a week and rest days fall between them."""
    if not 1 <= frequency_per_week <= DAYS_PER_WEEK:
        raise ValueError(f"frequency_per_week must be 1–7, not {frequency_per_week}")
    offsets = [i * DAYS_PER_WEEK // frequency_per_week for i in range(frequency_per_week)]
    return [
        start + timedelta(days=week * DAYS_PER_WEEK + offset)
        for week in range(duration_weeks)
        for offset in offsets
    ]


def plan_end_date(start: date, duration_weeks: int) -> date:
    """The last day of a plan lasting `duration_weeks` whole weeks from `start`."""
    return start + timedelta(days=duration_weeks * DAYS_PER_WEEK - 1)


def adherence_rate(completed: int, due: int) -> float | None:
    """Sessions done over sessions due so far (up to today), at most 1: sessions done early
    count, but cannot make up more than everything. None while nothing was due yet."""
    if due <= 0:
        return None
    return round(min(completed / due, 1.0), 4)


def pain_reduction_percentage(baseline: float | None, latest: float | None) -> float | None:
    """How much pain fell from the first session to the latest, in percent (negative when it
    rose). None without both figures or with no pain to begin with."""
    if baseline is None or latest is None or baseline <= 0:
        return None
    return round((baseline - latest) / baseline * 100, 1)
