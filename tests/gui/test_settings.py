"""The settings page: declared settings with typed editors, all-or-nothing saving, secrets
to the keyring."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.gui.settings.page import SettingsPage
from frontdesk.services import settings
from frontdesk.services.settings import SMTP_KEYRING_SERVICE
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture
def page(qtbot: QtBot, desk: Desk) -> SettingsPage:
    shown = SettingsPage(desk)
    qtbot.addWidget(shown)
    shown.show()
    wait_for_operations(qtbot, desk)
    return shown


def test_every_declared_setting_has_an_editor_of_its_type_showing_its_value(
    page: SettingsPage,
) -> None:
    assert set(page.editors) == set(settings.SETTINGS)
    assert isinstance(page.editors["smtp_port"], QSpinBox)
    assert isinstance(page.editors["smtp_starttls"], QCheckBox)
    assert isinstance(page.editors["smtp_host"], QLineEdit)
    assert page.values()["smtp_port"] == 587
    assert page.values()["smtp_starttls"] is True


def test_saving_stores_the_values_and_the_password_goes_to_the_keyring(
    qtbot: QtBot, desk: Desk, page: SettingsPage, memory_keyring: MemoryKeyring
) -> None:
    host = page.editors["smtp_host"]
    assert isinstance(host, QLineEdit)
    qtbot.keyClicks(host, "smtp.clinic.example")
    qtbot.keyClicks(page.editors["smtp_username"], "desk")
    qtbot.keyClicks(page.editors["from_address"], "Front@Clinic.Example")
    qtbot.keyClicks(page.smtp_password, "s3cret")
    with qtbot.waitSignal(page.sig_saved):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    sessions = desk.mirror.sessions
    assert settings.get_setting(sessions, settings.SMTP_HOST) == "smtp.clinic.example"
    assert (
        settings.get_setting(sessions, settings.FROM_ADDRESS) == "Front@clinic.example"
    )  # the domain is normalised
    assert memory_keyring.get_password(SMTP_KEYRING_SERVICE, "desk@smtp.clinic.example") == (
        "s3cret"
    )
    assert page.smtp_password.text() == ""
    assert page.message.text() == "Saved."


def test_one_bad_value_is_named_and_nothing_is_stored(
    qtbot: QtBot, desk: Desk, page: SettingsPage
) -> None:
    qtbot.keyClicks(page.editors["smtp_host"], "smtp.clinic.example")
    qtbot.keyClicks(page.editors["from_address"], "not an address")
    page.editors["smtp_port"].setValue(0)  # type: ignore[attr-defined]
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    [box] = error_boxes()
    assert "SMTP port: must be between 1 and 65535" in box.text()
    assert "Sender address:" in box.text()
    assert settings.get_setting(desk.mirror.sessions, settings.SMTP_HOST) == ""
