"""First run: standalone set-up through the catalog, refusals naming the field, and the
sign-in path against a real server on loopback (TLS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.gui.app import known_identity
from frontdesk.gui.desk import Desk
from frontdesk.gui.first_run import FirstRunDialog, setup_desk
from frontdesk.i18n.catalogs import activate
from frontdesk.services.desk_identity import remembered
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.models import Membership, Organization
from frontdesk.store.profile import Profile
from frontdesk.sync.account import ClinicChoice, current_account
from tests.gui.helpers import wait_for_operations
from tests.support.postgres import TEST_PASSWORD, LiveServer


@pytest.fixture
def empty_mirror(tmp_path: Path) -> Iterator[Mirror]:
    opened = open_mirror(Profile.resolve(tmp_path / "new-desk"))
    yield opened
    opened.close()


@pytest.fixture
def setup(empty_mirror: Mirror) -> Iterator[Desk]:
    desk = setup_desk(empty_mirror)
    yield desk
    desk.close()


@pytest.fixture
def dialog(qtbot: QtBot, setup: Desk) -> FirstRunDialog:
    shown = FirstRunDialog(setup)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def test_standalone_creates_the_clinic_and_its_first_admin(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog, empty_mirror: Mirror
) -> None:
    assert known_identity(empty_mirror) is None  # nothing yet: the first run asks
    qtbot.mouseClick(dialog.standalone_choice, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 2
    qtbot.keyClicks(dialog.clinic_name, "Lakeside Clinic")
    dialog.timezone.setCurrentText("Europe/Bucharest")
    qtbot.keyClicks(dialog.admin_name, "Maria Admin")
    qtbot.keyClicks(dialog.admin_email, "maria@lakeside.example")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    started = dialog.started
    assert started is not None
    assert started.account is None
    assert started.identity.role == Role.ADMIN
    with empty_mirror.sessions() as session:
        organization = session.scalars(select(Organization)).one()
        assert organization.name == "Lakeside Clinic"
        assert organization.timezone == "Europe/Bucharest"
        assert session.scalars(select(Membership.role)).all() == [Role.ADMIN]
    assert remembered(empty_mirror.sessions) == started.identity
    assert known_identity(empty_mirror) == started.identity


def test_missing_details_are_named_and_nothing_is_created(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog, empty_mirror: Mirror
) -> None:
    qtbot.mouseClick(dialog.standalone_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.admin_email, "not-an-address")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, setup)
    text = dialog.message.text()
    assert "Type the clinic's name." in text
    assert "Type your name." in text
    assert "“Your e-mail” is not a valid e-mail address" in text
    assert dialog.started is None
    assert dialog.isEnabled()
    with empty_mirror.sessions() as session:
        assert session.scalars(select(Organization)).all() == []


def test_an_unknown_time_zone_is_refused(qtbot: QtBot, setup: Desk, dialog: FirstRunDialog) -> None:
    qtbot.mouseClick(dialog.standalone_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.clinic_name, "Lakeside")
    dialog.timezone.setCurrentText("Mars/Olympus")
    qtbot.keyClicks(dialog.admin_name, "Maria")
    qtbot.keyClicks(dialog.admin_email, "maria@lakeside.example")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, setup)
    assert "“Mars/Olympus” is not a time zone" in dialog.message.text()


def test_a_wrong_server_address_is_explained(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog
) -> None:
    qtbot.mouseClick(dialog.server_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.server_url, "https://127.0.0.1:9")  # nothing listens there
    qtbot.keyClicks(dialog.email, "rita@example.com")
    qtbot.keyClicks(dialog.password, "secret")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, setup)
    assert dialog.message.text()
    assert dialog.started is None


def test_plain_http_to_another_computer_is_refused_on_screen(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog, empty_mirror: Mirror
) -> None:
    qtbot.mouseClick(dialog.server_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.server_url, "http://frontdesk.example-clinic.com")
    qtbot.keyClicks(dialog.email, "rita@example.com")
    qtbot.keyClicks(dialog.password, "secret")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, setup)
    assert dialog.message.text() == (
        "The server address must start with https:// (only a server on this computer may "
        "use http://)."
    )
    assert dialog.started is None
    assert dialog.isEnabled()
    assert current_account(empty_mirror.profile) is None


def test_signing_in_to_a_server_keeps_the_session_and_pulls_the_clinic(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog, empty_mirror: Mirror, live_server: LiveServer
) -> None:
    organization = live_server.create_org(name="Harbour Clinic", timezone="Europe/Bucharest")
    live_server.create_user(
        organization.id, "rita@harbour.example", role=Role.RECEPTIONIST, display_name="Rita"
    )
    qtbot.mouseClick(dialog.server_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.server_url, live_server.url)
    qtbot.keyClicks(dialog.email, "rita@harbour.example")
    qtbot.keyClicks(dialog.password, TEST_PASSWORD)
    dialog.ca_path.setText(str(live_server.ca_path))
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    started = dialog.started
    assert started is not None
    assert started.account is not None
    assert started.identity.role == Role.RECEPTIONIST
    assert started.identity.organization_id == organization.id
    with empty_mirror.sessions() as session:
        assert session.get(Organization, organization.id).name == "Harbour Clinic"
    # The next start needs no dialog: the identity is remembered, the session kept.
    assert known_identity(empty_mirror) == started.identity
    kept = current_account(empty_mirror.profile)
    assert kept is not None
    assert kept.organization_id == organization.id
    started.account.close()


def test_a_wrong_password_names_the_field(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog, live_server: LiveServer
) -> None:
    organization = live_server.create_org()
    live_server.create_user(organization.id, "rita@harbour.example", role=Role.RECEPTIONIST)
    qtbot.mouseClick(dialog.server_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.server_url, live_server.url)
    qtbot.keyClicks(dialog.email, "rita@harbour.example")
    qtbot.keyClicks(dialog.password, "not the password")
    dialog.ca_path.setText(str(live_server.ca_path))
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, setup, timeout=30_000)
    assert "Wrong e-mail or password." in dialog.message.text()
    assert dialog.started is None


def test_staff_of_two_clinics_choose_the_clinic_at_sign_in(
    qtbot: QtBot, setup: Desk, dialog: FirstRunDialog, live_server: LiveServer
) -> None:
    harbour = live_server.create_org(name="Harbour Clinic", slug="harbour")
    hillside = live_server.create_org(name="Hillside Physio", slug="hillside")
    for clinic in (harbour, hillside):
        live_server.create_user(clinic.id, "rita@harbour.example", role=Role.RECEPTIONIST)
    qtbot.mouseClick(dialog.server_choice, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.server_url, live_server.url)
    qtbot.keyClicks(dialog.email, "rita@harbour.example")
    qtbot.keyClicks(dialog.password, TEST_PASSWORD)
    dialog.ca_path.setText(str(live_server.ca_path))
    assert not dialog.clinic.isVisibleTo(dialog)

    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, setup, timeout=30_000)

    assert dialog.message.text() == "This account works for several clinics: choose one."
    assert dialog.clinic.isVisibleTo(dialog)
    assert [dialog.clinic.itemText(i) for i in range(dialog.clinic.count())] == [
        "Harbour Clinic",
        "Hillside Physio",
    ]
    dialog.clinic.setCurrentIndex(1)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    started = dialog.started
    assert started is not None
    assert started.account is not None
    assert started.identity.organization_id == hillside.id
    started.account.close()


def test_the_clinic_list_goes_when_the_account_or_server_changes(
    qtbot: QtBot, dialog: FirstRunDialog
) -> None:
    qtbot.mouseClick(dialog.server_choice, Qt.MouseButton.LeftButton)
    for field in (dialog.email, dialog.server_url):
        dialog._offer_clinics([ClinicChoice("harbour", "Harbour Clinic")])
        assert dialog.clinic.isVisibleTo(dialog)
        qtbot.keyClicks(field, "x")
        assert not dialog.clinic.isVisibleTo(dialog)
        assert dialog.clinic.count() == 0


def _mnemonics(dialog: FirstRunDialog) -> list[str]:
    texts = [button.text() for button in dialog.findChildren(QPushButton)]
    texts += [label.text() for label in dialog.findChildren(QLabel)]
    # Each page has its own Back button, doing the same; only one page shows at a time.
    keys = {text.split("&")[1][0].lower(): text for text in texts if "&" in text}
    assert sum("&" in text for text in texts) - len(keys) == 1, texts
    return sorted(keys)


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_mnemonic_of_the_first_run_is_its_own_key(
    qtbot: QtBot, setup: Desk, language: str
) -> None:
    activate(language)
    shown = FirstRunDialog(setup)
    qtbot.addWidget(shown)
    assert len(_mnemonics(shown)) == 14


def test_in_romanian_the_first_run_speaks_romanian(qtbot: QtBot, setup: Desk) -> None:
    activate("ro")
    shown = FirstRunDialog(setup)
    qtbot.addWidget(shown)
    assert shown.windowTitle() == "Bun venit în Front Desk"
    assert shown.server_choice.text() == "&Conectare la serverul clinicii"
    assert shown.clinic_label.text() == "C&linică:"
    shown._refused(ValueError("several"))
    assert "Ceva nu a mers bine" in shown.message.text()
