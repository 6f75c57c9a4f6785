"""The settings page's "Devices" section: an administrator signed in to a server sees the
organization's desks, revokes one (its sessions stop at once) or deactivates the account
that uses it. Other roles, and a desk not signed in, see why the section is empty."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.operations import run_operation
from frontdesk.gui.sync_controller import SyncController
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_datetime
from frontdesk.sync.account import Account
from frontdesk.sync.admin import DeviceInfo, deactivate_user, list_devices, revoke_device

COLUMNS = (N_("Device"), N_("User"), N_("Registered"), N_("Last seen"), N_("Revoked"))
"""A desk by its name, not its id (the id waits in the name's tooltip, for support)."""
WHEN_PATTERN = "dd MMM y HH:mm"
UNNAMED = N_("(unnamed desk)")


class DevicesSection(QGroupBox):
    def __init__(
        self, desk: Desk, sync: SyncController | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Devices"), parent)
        self.setObjectName("devices")
        self._desk = desk
        self._sync = sync
        self.devices: list[DeviceInfo] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("devices-table")
        self.table.setHorizontalHeaderLabels([_(column) for column in COLUMNS])
        self.table.setAccessibleName(_("This organization's desks"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        # Names and times are read whole: one line per device, columns as wide as their text.
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.message = QLabel()
        self.message.setObjectName("devices-message")
        self.message.setWordWrap(True)
        self.revoke_button = QPushButton(_("&Revoke device"))
        self.revoke_button.clicked.connect(self.confirm_revoke)
        self.deactivate_button = QPushButton(_("Deactivate its &account"))
        self.deactivate_button.clicked.connect(self.confirm_deactivate)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.revoke_button)
        buttons.addWidget(self.deactivate_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        if sync is not None:
            sync.sig_account.connect(self._account_found)
        self.refresh()

    def _account_found(self, _account: object) -> None:
        self.refresh()

    def _account(self) -> Account | None:
        return self._sync.account if self._sync is not None else None

    def refresh(self, message: str = "") -> None:
        """Read the list again; `message` (what was just done) shows once it is read."""
        account = self._account()
        if account is None:
            self._show([], _("Sign in to a server to see this organization's desks."))
            return
        if account.role is not Role.ADMIN:
            self._show([], _("Only an administrator manages devices."))
            return
        run_operation(
            self._desk,
            lambda _ctx: list_devices(account),
            parent=self,
            on_done=lambda rows: self._show(rows, message),
        )

    def selected(self) -> DeviceInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.devices[rows[0].row()] if rows else None

    def confirm_revoke(self) -> QMessageBox | None:
        device = self.selected()
        if device is None or device.revoked_at is not None:
            return None
        return self._confirm(
            "confirm-revoke-device",
            _("Revoke device"),
            _(
                "Revoke “{device}” ({email})? It stops syncing at once and cannot sign in again."
            ).format(device=_device_name(device), email=device.email),
            lambda: self.revoke(device.id),
        )

    def confirm_deactivate(self) -> QMessageBox | None:
        device = self.selected()
        if device is None:
            return None
        return self._confirm(
            "confirm-deactivate-account",
            _("Deactivate account"),
            _(
                "Deactivate {email} in this organization? Every desk of theirs stops at once "
                "and they can no longer sign in here."
            ).format(email=device.email),
            lambda: self.deactivate(device.user_id, device.email),
        )

    def revoke(self, device_id: uuid.UUID) -> None:
        account = self._account()
        if account is None:
            return
        run_operation(
            self._desk,
            lambda _ctx: revoke_device(account, device_id),
            parent=self,
            on_done=lambda device: self._done(
                _("Revoked {device}.").format(device=_device_name(device))
            ),
        )

    def deactivate(self, user_id: uuid.UUID, email: str) -> None:
        account = self._account()
        if account is None:
            return
        run_operation(
            self._desk,
            lambda _ctx: deactivate_user(account, user_id),
            parent=self,
            on_done=lambda _none: self._done(_("Deactivated {email}.").format(email=email)),
        )

    def _confirm(self, name: str, title: str, text: str, then: Callable[[], None]) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName(name)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Qt's own words for the buttons are English: the desk names them itself.
        yes = box.button(QMessageBox.StandardButton.Yes)
        no = box.button(QMessageBox.StandardButton.No)
        yes.setText(_("&Yes"))
        no.setText(_("&No"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(then)
        box.open()
        return box

    def _done(self, text: str) -> None:
        self.refresh(text)

    def _show(self, devices: list[DeviceInfo], message: str) -> None:
        self.devices = devices
        self.table.setRowCount(len(devices))
        for row, device in enumerate(devices):
            values = (
                _device_name(device),
                device.email,
                _when(device.registered_at),
                _when(device.last_seen_at),
                _when(device.revoked_at) if device.revoked_at else "",
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            name = self.table.item(row, 0)
            name.setToolTip(_("Device id, for support: {id}").format(id=device.id))
        self.table.setEnabled(bool(devices))
        self.message.setText(message)
        self._update_buttons()

    def _update_buttons(self) -> None:
        device = self.selected()
        self.revoke_button.setEnabled(device is not None and device.revoked_at is None)
        self.deactivate_button.setEnabled(device is not None)


def _when(moment: datetime) -> str:
    return format_datetime(moment.astimezone(), WHEN_PATTERN)


def _device_name(device: DeviceInfo) -> str:
    return device.label or _(UNNAMED)
