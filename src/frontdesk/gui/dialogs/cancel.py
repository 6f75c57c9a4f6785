"""Cancelling an appointment: who cancels (the person signed in) and why (required)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from frontdesk.i18n import N_, _

COMMON_REASONS = [
    N_("Patient asked to cancel"),
    N_("Patient is ill"),
    N_("Specialist unavailable"),
    N_("Booked by mistake"),
]
"""Offered in the desk's language; the reason is kept as written (in the language chosen)."""


class CancelDialog(QDialog):
    """Asks for the reason; `reason()` is what to pass to `lifecycle.cancel`."""

    def __init__(self, appointment_label: str, cancelled_by: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cancel-dialog")
        self.setWindowTitle(_("Cancel appointment"))
        self._reason = QComboBox()
        self._reason.setEditable(True)
        self._reason.addItems([_(reason) for reason in COMMON_REASONS])
        self._reason.setCurrentText("")
        self._reason.lineEdit().setPlaceholderText(_("Why is it cancelled? (required)"))
        self._reason.setObjectName("reason")
        self._reason.setAccessibleName(_("Reason for cancelling"))
        self._reason.setAccessibleDescription(_("Choose a common reason or type your own"))
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self.cancel_button = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button.setText(_("&Cancel appointment"))
        self.keep_button = self._buttons.button(QDialogButtonBox.StandardButton.Close)
        self.keep_button.setText(_("&Keep it"))
        self.keep_button.setAccessibleName(_("Keep the appointment"))
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._reason.currentTextChanged.connect(self._update)
        layout = QFormLayout(self)
        layout.addRow(_("Appointment:"), QLabel(appointment_label))
        layout.addRow(_("Cancelled by:"), QLabel(cancelled_by))
        reason_label = QLabel(_("&Reason:"))
        reason_label.setBuddy(self._reason)
        layout.addRow(reason_label, self._reason)
        layout.addRow(self._buttons)
        self._update()

    def reason(self) -> str:
        return self._reason.currentText().strip()

    def set_reason(self, text: str) -> None:
        self._reason.setCurrentText(text)

    def _update(self) -> None:
        self.cancel_button.setEnabled(bool(self.reason()))
