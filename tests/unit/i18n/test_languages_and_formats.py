"""The translation mechanism: the language from the system or a setting, Romanian's three
plural forms, lazy strings, and dates, times, numbers and money by the locale."""

from __future__ import annotations

import gettext
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.enums import AppointmentStatus, AppointmentType, Role
from frontdesk.i18n import _, active_language, lazy_gettext, ngettext
from frontdesk.i18n.catalogs import activate, load, read_catalog
from frontdesk.i18n.core import install
from frontdesk.i18n.formats import format_currency, format_date, format_number, format_time
from frontdesk.i18n.languages import chosen_language, language_of, system_language
from frontdesk.project_paths import MissingProjectFiles

BUCHAREST = ZoneInfo("Europe/Bucharest")


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "ro_RO.UTF-8"}, "ro"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ro_RO.UTF-8"}, "ro"),
        ({"LANG": "ro_RO.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL decides, even "C"
        ({"LC_ALL": "ro_RO.UTF-8", "LANGUAGE": "de:en"}, "en"),  # GNU's list first
        ({"LANG": "C", "LANGUAGE": "de:ro"}, "ro"),
        ({"LANG": "ro_RO.UTF-8", "LANGUAGE": "fr"}, "ro"),  # no language spoken: next variable
    ],
)
def test_the_system_language_comes_from_the_posix_variables(
    environ: dict[str, str], language: str
) -> None:
    assert system_language(environ) == language


def test_a_locale_name_in_any_spelling_names_its_language() -> None:
    assert language_of("ro-Latn-RO") == "ro"
    assert language_of("RO_ro.utf8@euro") == "ro"
    assert language_of("en") == "en"
    assert language_of("POSIX") is None


def test_a_chosen_language_overrides_the_system_and_auto_follows_it() -> None:
    assert chosen_language("ro", "en_US") == "ro"
    assert chosen_language("en", "ro_RO") == "en"
    assert chosen_language("auto", "ro_RO") == "ro"
    assert chosen_language("auto", "de_DE") == "en"
    assert chosen_language("klingon", "ro-RO") == "ro"  # a value this version does not know


def test_activating_romanian_translates_and_english_restores() -> None:
    assert _("Today") == "Today"
    activate("ro")
    assert active_language() == "ro"
    assert _("Today") == "Astăzi"
    assert _("a message no catalogue has") == "a message no catalogue has"
    activate("en")
    assert _("Today") == "Today"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="klingon"):
        activate("klingon")
    with pytest.raises(ValueError, match="klingon"):
        install("klingon", gettext.NullTranslations())
    assert active_language() == "en"


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "1 zi"),
        (0, "0 zile"),
        (2, "2 zile"),
        (19, "19 zile"),
        (20, "20 de zile"),
        (100, "100 de zile"),
        (101, "101 zile"),
        (119, "119 zile"),
        (120, "120 de zile"),
    ],
)
def test_romanian_has_three_plural_forms(count: int, text: str) -> None:
    activate("ro")
    assert ngettext("{count} day", "{count} days", count).format(count=count) == text


@pytest.mark.parametrize(("count", "text"), [(1, "1 day"), (0, "0 days"), (20, "20 days")])
def test_english_has_two(count: int, text: str) -> None:
    assert ngettext("{count} day", "{count} days", count).format(count=count) == text


def test_a_lazy_string_is_translated_when_read() -> None:
    title = lazy_gettext("Settings")
    assert str(title) == "Settings"
    activate("ro")
    assert str(title) == "Setări"


def test_a_fuzzy_entry_reads_as_untranslated(tmp_path: Path) -> None:
    po = tmp_path / "frontdesk.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Today"\nmsgstr "Astăzi"\n\n'
        '#, fuzzy\nmsgid "Calendar"\nmsgstr "Agendă"\n',
        encoding="utf-8",
    )
    catalog = read_catalog(po, "ro")
    assert catalog.gettext("Today") == "Astăzi"
    assert catalog.gettext("Calendar") == "Calendar"


def test_dates_times_numbers_and_money_follow_the_language() -> None:
    day = date(2026, 12, 7)
    morning = datetime(2026, 12, 7, 9, 5, tzinfo=BUCHAREST)
    assert format_date(day, "full") == "Monday, 7 December 2026"
    assert format_time(morning) == "09:05"
    assert format_number(1234.5) == "1,234.5"
    assert format_currency(1234.5) == "RON1,234.50"  # CLDR's en_GB pattern
    activate("ro")
    assert format_date(day, "full") == "luni, 7 decembrie 2026"
    assert format_date(day, "short") == "07.12.2026"
    assert format_time(morning) == "09:05"
    assert format_number(1234.5) == "1.234,5"
    assert format_currency(1234.5).replace("\xa0", " ") == "1.234,50 RON"


def test_a_time_is_written_in_its_own_zone_not_the_machines() -> None:
    evening = datetime(2026, 12, 7, 22, 30, tzinfo=BUCHAREST)
    assert format_time(evening) == "22:30"


def test_statuses_roles_and_types_read_as_plain_words_in_both_languages() -> None:
    english = {status: status.label for status in AppointmentStatus}
    assert english[AppointmentStatus.INPROGRESS] == "In progress"
    assert english[AppointmentStatus.NOSHOW] == "No-show"
    activate("ro")
    romanian = {status: status.label for status in AppointmentStatus}
    assert romanian[AppointmentStatus.INPROGRESS] == "În desfășurare"
    assert romanian[AppointmentStatus.NOSHOW] == "Neonorată"
    for labels in (english, romanian):
        assert len(set(labels.values())) == len(AppointmentStatus)  # none read alike
        assert all(label != str(status) for status, label in labels.items())
    assert all(role.label != str(role) for role in Role)
    assert AppointmentType.IN_CLINIC.label == "La clinică"
    assert str(AppointmentStatus.NOSHOW) == "noshow"  # stored values do not change


def test_an_installation_without_its_catalogue_says_so(tmp_path: Path) -> None:
    assert load("en", tmp_path).gettext("Today") == "Today"  # English needs none
    with pytest.raises(MissingProjectFiles, match="lacks the 'ro' translations"):
        load("ro", tmp_path)
