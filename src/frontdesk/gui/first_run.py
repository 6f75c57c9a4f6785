"""First run: sign in to the clinic's server, or use this computer only (standalone).

Signing in (on the worker: it is network work) keeps the session through restarts — the
refresh token goes to the OS keyring — and pulls the organization's data. Standalone creates
the organization and its first admin here, through the catalog service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import NotFound
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.theme import active_theme
from frontdesk.i18n import _
from frontdesk.services.context import ServiceContext
from frontdesk.services.desk_identity import (
    DeskIdentity,
    identity_for_user,
    remember,
    setup_standalone,
)
from frontdesk.store.mirror import Mirror
from frontdesk.store.unit_of_work import Actor

if TYPE_CHECKING:
    from frontdesk.sync.account import Account, ClinicChoice

DEFAULT_TIMEZONE = "Europe/Bucharest"


@dataclass(frozen=True)
class Started:
    identity: DeskIdentity
    account: Account | None


def setup_desk(mirror: Mirror) -> Desk:
    """A desk for the first run's own work: nobody is signed in yet, no organization."""
    return Desk(mirror, uuid.UUID(int=0), Actor.system("first run"), automation=None)


def local_timezone() -> str:
    """The computer's IANA zone if it can tell, else the default."""
    name = getattr(datetime.now().astimezone().tzinfo, "key", None)
    return name if name in available_timezones() else DEFAULT_TIMEZONE


class FirstRunDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self.started: Started | None = None
        self.setWindowTitle(_("Welcome to Front Desk"))
        self.setMinimumWidth(520)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._server_page())
        self.pages.addWidget(self._standalone_page())
        self.message = QLabel()
        self.message.setObjectName("first-run-message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {active_theme().colour('error_text')}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.message)

    # --- pages ----------------------------------------------------------------------------

    def _choice_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel(
            "<h2>{}</h2><p>{}</p>".format(_("Welcome to Front Desk"), _("How will this desk work?"))
        )
        self.server_choice = QPushButton(_("&Sign in to the clinic's server"))
        self.server_choice.setToolTip(_("Appointments are shared with the other desks"))
        self.server_choice.clicked.connect(lambda: self.pages.setCurrentIndex(1))
        self.standalone_choice = QPushButton(_("&Use this computer only"))
        self.standalone_choice.setToolTip(
            _("A clinic with one desk; you can connect a server later")
        )
        self.standalone_choice.clicked.connect(lambda: self.pages.setCurrentIndex(2))
        for button in (self.server_choice, self.standalone_choice):
            button.setMinimumHeight(48)
        layout.addWidget(title)
        layout.addWidget(self.server_choice)
        layout.addWidget(self.standalone_choice)
        layout.addStretch(1)
        return page

    def _server_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.server_url = QLineEdit()
        self.server_url.setObjectName("server_url")
        # An example address: a clinic in another country has its own.
        self.server_url.setPlaceholderText(_("https://frontdesk.example-clinic.com"))
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_path = QLineEdit()
        self.ca_path.setObjectName("ca_path")
        self.ca_path.setPlaceholderText(_("only for a server with its own certificate authority"))
        browse = QPushButton(_("Bro&wse…"))
        browse.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_path, 1)
        ca_row.addWidget(browse)
        form.addRow(QLabel("<h3>{}</h3>".format(_("Sign in to the clinic's server"))))
        form.addRow(_("Server &address:"), self.server_url)
        form.addRow(_("&E-mail:"), self.email)
        form.addRow(_("&Password:"), self.password)
        form.addRow(_("Security certificate:"), ca_row)
        # Shown when the account works for several clinics (the server says which, once the
        # password is right).
        self.clinic = QComboBox()
        self.clinic.setObjectName("clinic")
        self.clinic_label = QLabel(_("C&linic:"))
        self.clinic_label.setBuddy(self.clinic)
        form.addRow(self.clinic_label, self.clinic)
        self._forget_clinics()
        # Another account or server has its own clinics: the list is asked for again.
        self.email.textEdited.connect(lambda _text: self._forget_clinics())
        self.server_url.textEdited.connect(lambda _text: self._forget_clinics())
        self.sign_in_button = QPushButton(_("Sign &in"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        form.addRow(self._back_and(self.sign_in_button))
        return page

    def _standalone_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.clinic_name = QLineEdit()
        self.clinic_name.setObjectName("clinic_name")
        self.timezone = QComboBox()
        self.timezone.setObjectName("timezone")
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(available_timezones()))
        self.timezone.setCurrentText(local_timezone())
        self.admin_name = QLineEdit()
        self.admin_name.setObjectName("admin_name")
        self.admin_email = QLineEdit()
        self.admin_email.setObjectName("admin_email")
        form.addRow(QLabel("<h3>{}</h3>".format(_("Use this computer only"))))
        form.addRow(_("&Clinic name:"), self.clinic_name)
        form.addRow(_("&Time zone:"), self.timezone)
        form.addRow(_("Your &name:"), self.admin_name)
        form.addRow(_("Your e-&mail:"), self.admin_email)
        self.create_button = QPushButton(_("C&reate the clinic"))
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_standalone)
        form.addRow(self._back_and(self.create_button))
        return page

    def _back_and(self, button: QPushButton) -> QHBoxLayout:
        back = QPushButton(_("&Back"))
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        row = QHBoxLayout()
        row.addWidget(back)
        row.addStretch(1)
        row.addWidget(button)
        return row

    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Security certificate"), "", _("Certificates (*.pem)")
        )
        if path:
            self.ca_path.setText(path)

    # --- work -----------------------------------------------------------------------------

    def sign_in(self) -> None:
        mirror = self._desk.mirror
        url, email, password = (
            self.server_url.text().strip(),
            self.email.text(),
            self.password.text(),
        )
        verify: str | bool = self.ca_path.text().strip() or True
        slug = None if self.clinic.isHidden() else self.clinic.currentData()

        def work(_ctx: ServiceContext) -> Started:
            # Network modules load on the worker, when a desk first signs in.
            from frontdesk.sync.account import sign_in
            from frontdesk.sync.runner import run_round

            account = sign_in(
                mirror.profile,
                server_url=url,
                email=email,
                password=password,
                verify=verify,
                organization_slug=slug,
            )
            run_round(mirror, account)
            try:
                identity = identity_for_user(
                    mirror.sessions, account.organization_id, account.user_id
                )
            except NotFound:
                # The server's user list has not reached this mirror: the account says enough.
                identity = DeskIdentity(
                    account.organization_id,
                    account.user_id,
                    account.role,
                    email,
                    account.specialist_id,
                )
            remember(mirror.sessions, identity)
            return Started(identity, account)

        self._run(work, label=_("Signing in…"))

    def create_standalone(self) -> None:
        sessions = self._desk.mirror.sessions
        clinic, zone = self.clinic_name.text(), self.timezone.currentText().strip()
        name, email = self.admin_name.text(), self.admin_email.text()

        def work(_ctx: ServiceContext) -> Started:
            identity = setup_standalone(
                sessions, clinic_name=clinic, timezone=zone, admin_name=name, admin_email=email
            )
            return Started(identity, None)

        self._run(work, label=None)

    def _run(self, work: Callable[[ServiceContext], Started], label: str | None) -> None:
        self.message.setText("")
        self.setEnabled(False)
        run_operation(
            self._desk,
            work,
            parent=self,
            on_done=self._done,
            on_error=self._refused,
            label=label,
        )

    def _forget_clinics(self) -> None:
        self.clinic.clear()
        self.clinic.setVisible(False)
        self.clinic_label.setVisible(False)

    def _offer_clinics(self, clinics: list[ClinicChoice]) -> None:
        self.clinic.clear()
        for choice in clinics:
            self.clinic.addItem(choice.name, choice.slug)
        self.clinic.setVisible(True)
        self.clinic_label.setVisible(True)
        self.clinic.setFocus()

    def _done(self, started: Started) -> None:
        self.setEnabled(True)
        self.started = started
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.setEnabled(True)
        clinics = getattr(error, "clinics", None)  # sync.account.ChooseClinic
        if clinics:
            self._offer_clinics(clinics)
            self.message.setText(_("This account works for several clinics: choose one."))
            return
        self.message.setText(explain(error))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
