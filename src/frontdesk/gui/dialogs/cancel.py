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

COMMON_REASONS = [
    "Patient asked to cancel",
    "Patient is ill",
    "Specialist unavailable",
    "Booked by mistake",
]


class CancelDialog(QDialog):
    """Asks for the reason; `reason()` is what to pass to `lifecycle.cancel`."""

    def __init__(self, appointment_label: str, cancelled_by: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Cancel appointment")
        self._reason = QComboBox()
        self._reason.setEditable(True)
        self._reason.addItems(COMMON_REASONS)
        self._reason.setCurrentText("")
        self._reason.lineEdit().setPlaceholderText("Why is it cancelled? (required)")
        self._reason.setObjectName("reason")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Cancel appointment")
        self._buttons.button(QDialogButtonBox.StandardButton.Close).setText("Keep it")
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._reason.currentTextChanged.connect(self._update)
        layout = QFormLayout(self)
        layout.addRow("Appointment:", QLabel(appointment_label))
        layout.addRow("Cancelled by:", QLabel(cancelled_by))
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self._reason)
        layout.addRow(reason_label, self._reason)
        layout.addRow(self._buttons)
        self._update()

    def reason(self) -> str:
        return self._reason.currentText().strip()

    def set_reason(self, text: str) -> None:
        self._reason.setCurrentText(text)

    def _update(self) -> None:
        ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))
