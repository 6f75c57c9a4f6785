"""The settings page in Romanian: its words, a value it refuses named in both languages,
every mnemonic its own key, every control named for a screen reader."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.gui.settings.page import SettingsPage
from frontdesk.i18n.catalogs import activate
from tests.gui.forms.test_romanian import unnamed_controls
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.gui.patients.test_romanian import mnemonic_keys


def open_page(qtbot: QtBot, desk: Desk) -> SettingsPage:
    page = SettingsPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def test_in_romanian_the_settings_page_speaks_romanian(qtbot: QtBot, desk: Desk) -> None:
    activate("ro")
    page = open_page(qtbot, desk)
    assert page.save_button.text() == "&Salvează setările"
    assert page.smtp_password.placeholderText().startswith("neschimbată")
    assert page.devices.title() == "Dispozitive"
    assert page.devices.message.text().startswith("Conectați-vă la un server")
    headers = [
        page.devices.table.horizontalHeaderItem(n).text()
        for n in range(page.devices.table.columnCount())
    ]
    assert headers == ["Dispozitiv", "Utilizator", "Înregistrat", "Ultima activitate", "Revocat"]
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    wait_for_operations(qtbot, desk)
    assert page.message.text() == "Salvat."


@pytest.mark.parametrize(
    ("language", "problem"),
    [
        ("en", "SMS provider address: needed when a token is given"),
        ("ro", "Adresa furnizorului de SMS: necesară când este dat un token"),
    ],
)
def test_a_token_without_its_provider_is_named_in_plain_words(
    qtbot: QtBot, desk: Desk, language: str, problem: str
) -> None:
    activate(language)
    page = open_page(qtbot, desk)
    qtbot.keyClicks(page.sms_token, "t0ken")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    [box] = error_boxes()
    assert problem in box.text()
    assert "sms_api_url" not in box.text()


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_settings_page_is_its_own_key(
    qtbot: QtBot, desk: Desk, language: str
) -> None:
    activate(language)
    keys = mnemonic_keys(open_page(qtbot, desk))
    assert len(keys) >= 3
    assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_the_settings_page_has_a_name(
    qtbot: QtBot, desk: Desk, language: str
) -> None:
    activate(language)
    page = open_page(qtbot, desk)
    assert unnamed_controls(page) == []
    # A list is named for what it sets, not read as its current choice.
    assert page.editors["language"].accessibleName() in ("Language", "Limba")
