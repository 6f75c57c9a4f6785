"""The Services screen in Romanian: its words, headers and a refusal naming the field, and
every mnemonic its own key in the page and the editor, in both languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.i18n.catalogs import activate
from tests.gui.helpers import wait_for_operations
from tests.gui.patients.test_romanian import mnemonic_keys
from tests.gui.services_admin.test_page import names, open_page, save, select
from tests.support.clinic import Clinic


@pytest.fixture
def admin(desk_as: Callable[[Role], Desk]) -> Desk:
    return desk_as(Role.ADMIN)


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_services_screen_is_its_own_key(
    qtbot: QtBot, admin: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    page = open_page(qtbot, admin)
    select(page, "Physiotherapy consult")
    editor = page.edit_selected()
    assert editor is not None
    for window, least in ((page, 5), (editor, 14)):
        keys = mnemonic_keys(window)
        assert len(keys) >= least, keys
        assert len(set(keys)) == len(keys), keys
    editor.reject()


def test_in_romanian_the_services_screen_speaks_romanian(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    activate("ro")
    page = open_page(qtbot, admin)
    model = page.table.proxy
    titles = [model.headerData(n, Qt.Orientation.Horizontal) for n in range(model.columnCount())]
    assert titles[:3] == ["Nr.", "Nume", "Durată"]
    row = names(page).index("Physiotherapy consult")
    assert model.index(row, 2).data() == "45 de minute"
    assert model.index(row, 3).data() == "La clinică"
    assert model.index(row, 7).data() == "Oferit"
    assert page.new_button.text() == "Serviciu &nou…"

    editor = page.new_service()
    assert editor.windowTitle() == "Serviciu nou"
    editor.duration.setValue(5)
    qtbot.keyClicks(editor.price, "12")
    editor.currency.clear()
    save(qtbot, admin, editor)
    text = editor.problem.text()
    assert text.startswith("Vă rugăm să verificați:")
    assert "• Scrieți numele serviciului." in text
    assert "• Alegeți moneda prețului." in text
    wait_for_operations(qtbot, admin)
    editor.reject()
