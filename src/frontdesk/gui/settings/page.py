"""The settings page: every declared desk setting (`services.settings.SETTINGS`) with an
editor for its type, and the secrets that go to the OS keyring (never into the mirror); for
an administrator signed in to a server, the organization's desks (`devices.DevicesSection`).
Window geometry is not here: it is kept apart (`Desk.window_state`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import FieldError, InvalidInput
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import field_label
from frontdesk.gui.operations import run_operation
from frontdesk.gui.settings.devices import DevicesSection
from frontdesk.gui.sync_controller import SyncController
from frontdesk.gui.theme import apply_theme
from frontdesk.i18n import N_, _
from frontdesk.services import settings
from frontdesk.services.context import ServiceContext
from frontdesk.services.settings import SETTINGS, Setting

SECRETS = ("smtp_password", "sms_token")
CHOICE_LABELS = {
    settings.AUTO: N_("Follow the system"),
    "light": N_("Light"),
    "dark": N_("Dark"),
}
"""The words for a choice's value; a language is named in itself (the list a person who does
not read the current language looks for)."""
LANGUAGE_NAMES = {"en": "English", "ro": "Română"}
KEPT_IN_KEYRING = N_("unchanged (kept in the system keyring)")
SETTING_LABELS = {settings.LANGUAGE.key: N_("Language"), settings.THEME.key: N_("Theme")}
"""Labels of the settings only this page names (errors name the others: `field_label`)."""


class SettingsPage(QWidget):
    sig_saved = Signal()
    """The settings were saved."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self.editors: dict[str, QWidget] = {}
        self._stored: dict[str, Any] = {}
        form_box = QGroupBox(_("This desk"))
        form = QFormLayout(form_box)
        for setting in SETTINGS.values():
            editor = _editor_for(setting)
            editor.setObjectName(setting.key)
            editor.setToolTip(_(setting.help))
            editor.setAccessibleName(_setting_label(setting.key))
            self.editors[setting.key] = editor
            label = QLabel(_("{field}:").format(field=_setting_label(setting.key)))
            label.setBuddy(editor)
            form.addRow(label, editor)
        self.smtp_password = QLineEdit()
        self.smtp_password.setObjectName("smtp_password")
        self.smtp_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.smtp_password.setPlaceholderText(_(KEPT_IN_KEYRING))
        self.sms_token = QLineEdit()
        self.sms_token.setObjectName("sms_token")
        self.sms_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.sms_token.setPlaceholderText(_(KEPT_IN_KEYRING))
        form.addRow(_("SMTP password:"), self.smtp_password)
        form.addRow(_("SMS provider token:"), self.sms_token)
        self.message = QLabel()
        self.message.setObjectName("settings-message")
        self.message.setWordWrap(True)
        self.save_button = QPushButton(_("&Save settings"))
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        # The main window's sync controller holds the desk's server account (if any).
        sync = getattr(parent, "sync", None)
        self.devices = DevicesSection(desk, sync if isinstance(sync, SyncController) else None)
        layout = QVBoxLayout(self)
        layout.addWidget(form_box)
        layout.addLayout(buttons)
        layout.addWidget(self.devices, 1)
        self.refresh()

    def refresh(self) -> None:
        sessions = self._desk.mirror.sessions
        run_operation(
            self._desk,
            lambda _ctx: {key: settings.get_setting(sessions, s) for key, s in SETTINGS.items()},
            parent=self,
            on_done=self._show,
        )

    def values(self) -> dict[str, Any]:
        return {key: _value_of(editor) for key, editor in self.editors.items()}

    def save(self) -> None:
        """Check every value first, then store them all (nothing is stored if one is wrong)."""
        values = self.values()
        password, token = self.smtp_password.text(), self.sms_token.text()
        sessions = self._desk.mirror.sessions

        def work(_ctx: ServiceContext) -> None:
            errors = []
            for key, value in values.items():
                try:
                    SETTINGS[key].parse(value)
                except InvalidInput as error:
                    errors.extend(error.errors)
            if token and not values["sms_api_url"]:
                errors.append(FieldError("sms_api_url", _("needed when a token is given")))
            if errors:
                raise InvalidInput(errors)
            for key, value in values.items():
                settings.set_setting(sessions, SETTINGS[key], value)
            if password:
                settings.set_smtp_password(
                    str(values["smtp_host"]), str(values["smtp_username"]), password
                )
            if token:
                settings.set_sms_token(str(values["sms_api_url"]), token)

        self.message.setText("")
        run_operation(self._desk, work, parent=self, on_done=self._saved)

    def _show(self, stored: dict[str, Any]) -> None:
        self._stored = stored
        for key, value in stored.items():
            _set_value(self.editors[key], value)

    def _saved(self, _result: None) -> None:
        self.smtp_password.clear()
        self.sms_token.clear()
        self.message.setText(_("Saved."))
        # A theme chosen applies at once; the language at the next start.
        theme = str(self.values()[settings.THEME.key])
        app = QApplication.instance()
        if theme != self._stored.get(settings.THEME.key) and isinstance(app, QApplication):
            apply_theme(app, theme)
        self.refresh()
        self.sig_saved.emit()


def _setting_label(key: str) -> str:
    return _(SETTING_LABELS[key]) if key in SETTING_LABELS else field_label(key)


def _editor_for(setting: Setting[Any]) -> QWidget:
    if setting.choices:
        box = QComboBox()
        for choice in setting.choices:
            words = LANGUAGE_NAMES.get(choice) or _(CHOICE_LABELS[choice])
            box.addItem(words, choice)
        return box
    if setting.type is bool:
        return QCheckBox(_(setting.help))
    if setting.type is int:
        box = QSpinBox()
        box.setRange(0, 65535)
        return box
    line = QLineEdit()
    line.setPlaceholderText(_(setting.help))
    return line


def _value_of(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    assert isinstance(editor, QLineEdit)
    return editor.text()


def _set_value(editor: QWidget, value: Any) -> None:
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(max(editor.findData(value), 0))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox):
        editor.setValue(int(value))
    elif isinstance(editor, QLineEdit):
        editor.setText(str(value))
