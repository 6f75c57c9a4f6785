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
from frontdesk.i18n import _


class OverrideDialog(QDialog):
    def __init__(self, refusal: DoubleBooking, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("override-dialog")
        self.setWindowTitle(_("Double booking"))
        message = QLabel(explain(refusal) + "\n\n" + _("Book it anyway? Please say why."))
        message.setWordWrap(True)
        self._reason = QLineEdit()
        self._reason.setObjectName("override_reason")
        self._reason.setPlaceholderText(_("Reason for the override (required)"))
        self._reason.setAccessibleName(_("Reason for booking anyway"))
        self._reason.setAccessibleDescription(_("Kept on the appointment and in the log"))
        reason_label = QLabel(_("&Reason:"))
        reason_label.setBuddy(self._reason)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.book_button = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.book_button.setText(_("&Book anyway"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._reason.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(reason_label)
        layout.addWidget(self._reason)
        layout.addWidget(self._buttons)
        self._update()

    def reason(self) -> str:
        return self._reason.text().strip()

    def set_reason(self, text: str) -> None:
        self._reason.setText(text)

    def _update(self) -> None:
        self.book_button.setEnabled(bool(self.reason()))
