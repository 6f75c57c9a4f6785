"""The "Details" control: the raw detail behind a plain-words line (JSON paths, ids, the
stored trace), for the admin who needs it. Collapsed until asked for."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from frontdesk.i18n import _


class DetailsToggle(QWidget):
    """A "Details" button that shows or hides a read-only text; hidden while it has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QPushButton(_("De&tails"), self)
        self.button.setObjectName("details-toggle")
        self.button.setCheckable(True)
        self.button.setAccessibleDescription(
            _("Shows or hides the technical detail: field paths, ids and the stored record")
        )
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("details-text")
        self.text.setReadOnly(True)
        self.text.setAccessibleName(_("Technical details"))
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setMaximumHeight(220)
        self.text.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.text)
        self.button.toggled.connect(self.text.setVisible)
        self.setVisible(False)

    def set_text(self, text: str) -> None:
        """Offer `text` behind the button, collapsed."""
        self.text.setPlainText(text)
        self.button.setChecked(False)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.set_text("")

    def expanded(self) -> bool:
        return self.button.isChecked()
