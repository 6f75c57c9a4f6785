from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.clock import age_on, ensure_utc, local_day_bounds, zone
from frontdesk.domain.contact import normalize_email, normalize_phone, split_full_name
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.ids import derived_id, new_id


def test_new_ids_are_uuid7_and_time_ordered() -> None:
    first, second = new_id(), new_id()
    assert first.version == 7
    assert first < second


def test_derived_ids_are_stable_and_distinct_per_index() -> None:
    assert derived_id("rule:1/event:2", 0) == derived_id("rule:1/event:2", 0)
    assert derived_id("rule:1/event:2", 0) != derived_id("rule:1/event:2", 1)


def test_email_is_normalised_and_bad_email_names_the_field() -> None:
    assert normalize_email(" Ioana@Example.COM ") == "Ioana@example.com"
    with pytest.raises(InvalidInput) as bad:
        normalize_email("not-an-address", field="contact_email")
    assert bad.value.field == "contact_email"


def test_phone_is_e164_and_national_numbers_use_the_region() -> None:
    assert normalize_phone("0721 000 111", region="RO") == "+40721000111"
    assert normalize_phone("+44 20 7946 0958", region="RO") == "+442079460958"
    with pytest.raises(InvalidInput, match="“Phone” is not a valid phone number"):
        normalize_phone("+40 12", region="RO")
    with pytest.raises(InvalidInput, match="“Phone” is not a valid phone number"):
        normalize_phone("call me", region="RO")


def test_full_name_splits_on_the_last_word() -> None:
    assert split_full_name("Ana Maria  Popescu") == ("Ana Maria", "Popescu")
    assert split_full_name("Cher") == ("Cher", "")
    with pytest.raises(InvalidInput, match="“Name” is required"):
        split_full_name("   ")


def test_naive_times_are_refused_by_field() -> None:
    with pytest.raises(InvalidInput, match="“Start time” must include a time zone"):
        ensure_utc(datetime(2026, 3, 2, 9, 0), field="start")
    aware = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Bucharest"))
    assert ensure_utc(aware) == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_unknown_zone_names_the_field() -> None:
    with pytest.raises(InvalidInput, match="“Mars/Olympus” is not a time zone"):
        zone("Mars/Olympus")


def test_local_day_bounds_follow_dst() -> None:
    start, end = local_day_bounds(date(2026, 3, 29), ZoneInfo("Europe/Bucharest"))
    assert (end - start).total_seconds() == 23 * 3600
    start, end = local_day_bounds(date(2026, 10, 25), ZoneInfo("Europe/Bucharest"))
    assert (end - start).total_seconds() == 25 * 3600


def test_age_counts_whole_years() -> None:
    assert age_on(date(1960, 3, 2), date(2026, 3, 2)) == 66
    assert age_on(date(1960, 3, 3), date(2026, 3, 2)) == 65
