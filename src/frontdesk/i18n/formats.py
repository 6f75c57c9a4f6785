"""Dates, times, numbers and money as the active language writes them (Babel's CLDR data):
"luni, 7 decembrie 2026" and "14:30" in Romanian, "Monday, December 7, 2026" in English."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from babel import dates, numbers

from frontdesk.i18n.core import active_language

CURRENCY = "RON"
"""The clinics' currency."""

_LOCALES = {"en": "en_GB", "ro": "ro_RO"}
"""The locale each language is written in (the desk's English is the clinics' Europe's:
day before month, 24-hour clock)."""


def locale() -> str:
    return _LOCALES[active_language()]


def format_date(value: date, format: str = "medium") -> str:
    """`format`: "short", "medium", "long", "full" (with the weekday) or a CLDR pattern."""
    return dates.format_date(value, format=format, locale=locale())


def format_time(value: time | datetime, format: str = "short") -> str:
    """A wall-clock time as given (not converted between zones); "short" is hours and
    minutes."""
    zone = value.tzinfo if isinstance(value, datetime) else None
    return dates.format_time(value, format=format, tzinfo=zone, locale=locale())


def format_datetime(value: datetime, format: str = "short") -> str:
    """In the datetime's own zone."""
    return dates.format_datetime(value, format=format, tzinfo=value.tzinfo, locale=locale())


def weekday_name(weekday: int) -> str:
    """The weekday's full name, Monday being 0 (as `date.weekday()` counts)."""
    return str(dates.get_day_names("wide", locale=locale())[weekday])


def format_zone(zone: str) -> str:
    """A time zone in words ("Romania Time", "Ora din România") rather than its name in the
    tz database ("Europe/Bucharest")."""
    return dates.get_timezone_location(zone, locale=locale())


def format_number(value: int | float | Decimal) -> str:
    return numbers.format_decimal(value, locale=locale())


def format_currency(amount: int | float | Decimal, currency: str = CURRENCY) -> str:
    return numbers.format_currency(amount, currency, locale=locale())
