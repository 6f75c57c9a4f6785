"""Double-booking override: the refusal in plain words, and the reason staff give to book
anyway (it is kept on the appointment and in the audit log)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import DoubleBooking
from frontdesk.gui.messages import explain


class OverrideDialog(QDialog):
    def __init__(self, refusal: DoubleBooking, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Double booking")
        message = QLabel(explain(refusal) + "\n\nBook it anyway? Please say why.")
        message.setWordWrap(True)
        self._reason = QLineEdit()
        self._reason.setObjectName("override_reason")
        self._reason.setPlaceholderText("Reason for the override (required)")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Book anyway")
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._reason.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self._reason)
        layout.addWidget(self._buttons)
        self._update()

    def reason(self) -> str:
        return self._reason.text().strip()

    def set_reason(self, text: str) -> None:
        self._reason.setText(text)

    def _update(self) -> None:
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))
