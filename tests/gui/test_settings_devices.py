"""The settings page's "Devices" section against a live server: an administrator lists the
organization's desks, revokes one and deactivates an account; others are told why not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.settings.page import SettingsPage
from frontdesk.gui.sync_controller import SyncController
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.formats import format_datetime
from frontdesk.store.profile import Profile
from frontdesk.sync.account import Account, sign_in
from frontdesk.sync.transport import SignedOut
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.gui.patients.test_romanian import mnemonic_keys
from tests.support.postgres import TEST_PASSWORD, LiveServer


@pytest.fixture
def accounts(live_server: LiveServer, tmp_path: Path) -> Iterator[dict[str, Account]]:
    organization = live_server.create_org(name="Harbour Clinic", timezone="Europe/Bucharest")
    signed: dict[str, Account] = {}
    for name, role in (("boss", Role.ADMIN), ("front", Role.RECEPTIONIST)):
        email = f"{name}@harbour.example"
        live_server.create_user(organization.id, email, role=role)
        signed[name] = sign_in(
            Profile.resolve(tmp_path / name),
            server_url=live_server.url,
            email=email,
            password=TEST_PASSWORD,
            verify=str(live_server.ca_path),
        )
    yield signed
    for account in signed.values():
        account.close()


def _page(qtbot: QtBot, desk: Desk, account: Account | None) -> SettingsPage:
    window = QWidget()
    qtbot.addWidget(window)
    window.sync = SyncController(desk, window)  # type: ignore[attr-defined]
    page = SettingsPage(desk, window)
    window.sync.account = account  # type: ignore[attr-defined]
    window.sync.sig_account.emit(account)  # type: ignore[attr-defined]
    wait_for_operations(qtbot, desk)
    return page


def _yes(qtbot: QtBot, box: QMessageBox | None) -> None:
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)


def test_an_administrator_revokes_a_desk_and_deactivates_an_account(
    qtbot: QtBot, desk: Desk, accounts: dict[str, Account]
) -> None:
    section = _page(qtbot, desk, accounts["boss"]).devices
    assert {d.email for d in section.devices} == {"boss@harbour.example", "front@harbour.example"}
    assert section.table.rowCount() == 2
    front = next(n for n, d in enumerate(section.devices) if d.email.startswith("front"))
    # A desk by its name; its id waits in the tooltip, for support.
    assert section.table.item(front, 0).text() == section.devices[front].label
    assert str(accounts["front"].device_id) in section.table.item(front, 0).toolTip()
    assert not section.revoke_button.isEnabled()  # nothing selected yet

    section.table.selectRow(front)
    assert section.revoke_button.isEnabled()
    _yes(qtbot, section.confirm_revoke())
    wait_for_operations(qtbot, desk)
    wait_for_operations(qtbot, desk)
    assert error_boxes() == []
    assert section.message.text().startswith("Revoked ")
    revoked = next(d for d in section.devices if d.email.startswith("front"))
    assert revoked.revoked_at is not None
    with pytest.raises(SignedOut):
        accounts["front"].request("GET", "/v1/me")

    section.table.selectRow(next(n for n, d in enumerate(section.devices) if d.id == revoked.id))
    assert not section.revoke_button.isEnabled()  # already revoked
    _yes(qtbot, section.confirm_deactivate())
    wait_for_operations(qtbot, desk)
    wait_for_operations(qtbot, desk)
    assert section.message.text() == "Deactivated front@harbour.example."
    assert accounts["boss"].request("GET", "/v1/me").status_code == 200


def test_other_roles_and_a_desk_not_signed_in_are_told_why_the_list_is_empty(
    qtbot: QtBot, desk: Desk, accounts: dict[str, Account]
) -> None:
    receptionist = _page(qtbot, desk, accounts["front"]).devices
    assert receptionist.message.text() == "Only an administrator manages devices."
    assert receptionist.table.rowCount() == 0
    standalone = _page(qtbot, desk, None).devices
    assert standalone.message.text().startswith("Sign in to a server")
    assert not standalone.deactivate_button.isEnabled()


def test_a_refused_call_shows_the_servers_reason(
    qtbot: QtBot, desk: Desk, accounts: dict[str, Account]
) -> None:
    section = _page(qtbot, desk, accounts["boss"]).devices
    own = next(n for n, d in enumerate(section.devices) if d.email.startswith("boss"))
    section.table.selectRow(own)
    _yes(qtbot, section.confirm_deactivate())
    qtbot.waitUntil(lambda: bool(error_boxes()), timeout=10_000)
    assert "cannot deactivate their own account" in error_boxes()[0].text()


@pytest.mark.parametrize("language", ["en", "ro"])
def test_the_devices_speak_the_desks_language_and_their_confirmations_have_own_keys(
    qtbot: QtBot, desk: Desk, accounts: dict[str, Account], language: str
) -> None:
    activate(language)
    section = _page(qtbot, desk, accounts["boss"]).devices
    front = next(n for n, d in enumerate(section.devices) if d.email.startswith("front"))
    device = section.devices[front]
    registered = section.table.item(front, 2).text()
    # A day, a month's name and a time, as the language writes them: not ISO.
    assert registered == format_datetime(device.registered_at.astimezone(), "dd MMM y HH:mm")
    section.table.selectRow(front)
    box = section.confirm_revoke()
    assert box is not None
    buttons = [
        box.button(QMessageBox.StandardButton.Yes),
        box.button(QMessageBox.StandardButton.No),
    ]
    expected = {"en": ["&Yes", "&No"], "ro": ["&Da", "&Nu"]}[language]
    assert [button.text() for button in buttons] == expected
    assert str(device.id) not in box.text()
    keys = mnemonic_keys(box)
    assert len(set(keys)) == len(keys) == 2
    box.reject()
    keys = mnemonic_keys(section.window())
    assert len(set(keys)) == len(keys) >= 3
