"""My sessions in Romanian: heading with the day in words, headers, statuses and places by
their labels, a count with Romanian plurals; each mnemonic its own key in both languages;
every control named."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.i18n.catalogs import activate
from tests.gui.screen_checks import mnemonic_keys, unnamed_controls
from tests.gui.sessions.test_page import TODAY_10, TODAY_12, book_today, open_page
from tests.support.clinic import Clinic


def test_in_romanian_my_sessions_speaks_romanian(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic
) -> None:
    activate("ro")
    book_today(clinic, "Ana Pop", TODAY_10, clinic.specialist_id)
    book_today(clinic, "Dan Ilie", TODAY_12, clinic.specialist_id)
    page = open_page(qtbot, desk_as(Role.SPECIALIST))
    assert "Ședințele mele de azi — luni 02 martie" in page.heading.text()
    assert page.count.text() == "2 ședințe"
    headers = [
        page.model.headerData(n, Qt.Orientation.Horizontal) for n in range(page.model.columnCount())
    ]
    assert headers == [
        "Ora",
        "Pacient",
        "Serviciu",
        "Unde",
        "Stare",
        "Formulare de completat",
        "Sosire",
    ]
    first = [page.model.index(0, n).data() for n in range(5)]
    assert first == ["10:00–10:30", "Ana Pop", first[2], "Video", "Programată"]
    assert page.start_button.text() == "Începe șe&dința"

    qtbot.keyClicks(page.search, "dan")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.count.text() == "1 ședință"


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_my_sessions_is_its_own_key(
    qtbot: QtBot, desk: Desk, language: str
) -> None:
    activate(language)
    page = open_page(qtbot, desk)
    keys = mnemonic_keys(page)
    assert len(keys) == 4
    assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_my_sessions_has_a_name(qtbot: QtBot, desk: Desk, language: str) -> None:
    activate(language)
    page = open_page(qtbot, desk)
    assert unnamed_controls(page) == []
    assert page.table.accessibleName() == (
        "Sessions today" if language == "en" else "Ședințele de azi"
    )
