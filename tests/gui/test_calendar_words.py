"""The calendar in Romanian (titles, weekdays, counts with Romanian plurals, statuses by
their labels), each mnemonic its own key in both languages, every control named, and its
colours readable in the light and the dark theme."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.gui.appointments.problem_label import error_colour
from frontdesk.gui.calendar.models import status_background, today_background
from frontdesk.gui.calendar.page import CalendarPage
from frontdesk.gui.desk import Desk
from frontdesk.gui.theme import THEMES, load_theme
from frontdesk.i18n.catalogs import activate
from frontdesk.services import onboarding
from tests.gui.helpers import wait_for_operations
from tests.gui.screen_checks import mnemonic_keys, unnamed_controls
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book

TEN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 10:00 at the clinic


def _book(clinic: Clinic, start: datetime, name: str = "Ioana Marin") -> uuid.UUID:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    return book(clinic.ctx, clinic, start=start, name=name, email=email).appointment.id


def open_page(qtbot: QtBot, desk: Desk) -> CalendarPage:
    page = CalendarPage(desk)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def test_in_romanian_the_calendar_speaks_romanian(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    activate("ro")
    _book(clinic, TEN, name="Ana Pop")
    _book(clinic, TEN + timedelta(hours=1), name="Dan Toma")
    _book(clinic, TEN + timedelta(days=3))
    page = open_page(qtbot, desk)
    assert "Săptămâna 2 mar. – 8 mar. 2026" in page.title.text()
    assert page.schedule_model.headerData(6, Qt.Orientation.Vertical) == "10:00"
    header = page.schedule_model.headerData(0, Qt.Orientation.Horizontal)
    assert header.startswith("lun. 2\n")
    ana = page.schedule_model.find(
        next(e.id for e in page.schedule_model.entries if e.patient_name == "Ana Pop")
    )
    assert " · Rezervată" in ana.data(Qt.ItemDataRole.ToolTipRole)
    free = page.schedule_model.index(0, 1)
    assert free.data(Qt.ItemDataRole.ToolTipRole) == "Liber — clic pentru a programa"
    assert free.data(Qt.ItemDataRole.AccessibleTextRole).startswith("luni 2 martie, 07:00, ")
    assert page.today_button.text() == "&Astăzi"
    assert page.specialist_box.itemText(0) == "Toți specialiștii"
    assert [a.text() for a in page.status_actions.values()][3] == "În desfășurare"

    with qtbot.waitSignal(page.sig_loaded):
        page.set_mode("month")
    assert "Martie 2026" in page.title.text()
    model = page.month_model
    assert [model.headerData(n, Qt.Orientation.Horizontal) for n in (0, 6)] == ["lun.", "dum."]
    texts = {model.index(r, c).data() for r in range(6) for c in range(7)}
    assert "2\n2 programări" in texts  # Romanian's "few" form
    assert "5\n1 programare" in texts

    with qtbot.waitSignal(page.sig_loaded):
        page.status_actions[AppointmentStatus.CANCELLED].setChecked(False)
    assert page.status_button.text().startswith("S&tare: Rezervată, Programată")
    with qtbot.waitSignal(page.sig_loaded):
        page.set_mode("day")
    assert "Luni 2 martie 2026" in page.title.text()


def test_a_slot_names_its_forms_to_do_with_romanian_plurals(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    appointment_id = _book(clinic, TEN, name="Ana Pop")
    onboarding.onboard(clinic.ctx, appointment_id)
    page = open_page(qtbot, desk)
    [entry] = page.schedule_model.entries
    assert entry.outstanding_forms == 2
    cell = page.schedule_model.find(appointment_id)
    assert cell.data() == "10:00 Ana Pop (2 formulare)"
    assert cell.data(Qt.ItemDataRole.ToolTipRole).endswith(" · 2 formulare de completat")


def test_a_month_cell_reads_its_whole_date_and_count_aloud(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    for minutes in range(0, 20 * 30, 30):
        _book(clinic, TEN + timedelta(minutes=minutes), name=f"Ana Pop{minutes}")
    page = open_page(qtbot, desk)
    activate("ro")
    with qtbot.waitSignal(page.sig_loaded):
        page.set_mode("month")
    monday = page.month_model.index(0, 0)  # 23 February: outside March
    assert monday.data(Qt.ItemDataRole.AccessibleTextRole) == "luni 23 februarie 2026"
    second = page.month_model.index(1, 0)
    assert second.data() == "2\n20 de programări"  # Romanian's "other" form takes "de"
    assert second.data(Qt.ItemDataRole.AccessibleTextRole) == (
        "luni 2 martie 2026, 20 de programări"
    )


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_calendar_is_its_own_key(
    qtbot: QtBot, desk: Desk, language: str
) -> None:
    activate(language)
    page = open_page(qtbot, desk)
    keys = mnemonic_keys(page)
    assert len(keys) == 9
    assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_the_calendar_has_a_name(qtbot: QtBot, desk: Desk, language: str) -> None:
    activate(language)
    page = open_page(qtbot, desk)
    assert unnamed_controls(page) == []
    assert page.schedule_view.accessibleDescription()


def _contrast(first: QColor, second: QColor) -> float:
    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("theme", THEMES)
def test_the_calendars_text_is_readable_on_every_cell_colour_in_each_theme(theme: str) -> None:
    palette = load_theme(theme).qpalette()
    text = palette.color(QPalette.ColorRole.Text)
    backgrounds = [status_background(status, palette) for status in AppointmentStatus]
    backgrounds += [today_background(palette), palette.color(QPalette.ColorRole.AlternateBase)]
    assert min(_contrast(text, colour) for colour in backgrounds) >= 4.5
    other_month = palette.color(QPalette.ColorRole.PlaceholderText)
    assert _contrast(other_month, palette.color(QPalette.ColorRole.Base)) >= 4.5


def test_a_dark_theme_gives_the_calendar_dark_cells(qtbot: QtBot) -> None:
    dark = load_theme("dark").qpalette()
    light = load_theme("light").qpalette()
    for status in AppointmentStatus:
        assert status_background(status, dark).lightnessF() < 0.4
        assert status_background(status, light).lightnessF() > 0.6


@pytest.mark.parametrize("theme", THEMES)
def test_a_problem_line_is_a_readable_red_in_each_theme(theme: str) -> None:
    palette = load_theme(theme).qpalette()
    red = QColor(error_colour(palette))
    assert _contrast(red, palette.color(QPalette.ColorRole.Window)) >= 4.5
    assert red.hsvHue() in range(0, 15) or red.hsvHue() >= 345
