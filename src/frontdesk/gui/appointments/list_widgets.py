"""The pieces every list on the desk's screens is made of: a table that hands back the row
it was activated on (Enter or double-click), and a search box that waits for typing to
pause before asking the database."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget

from frontdesk.gui.appointments.table_model import ROW_ROLE, RowsTableModel

SEARCH_PAUSE_MS = 250
"""Typing pause after which a search runs: one query per word typed, not per key."""


class RowsTable(QTableView):
    sig_row_activated = Signal(object)
    """A row was opened (Enter, Return or double-click): carries the row object."""

    def __init__(self, model: RowsTableModel[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.activated.connect(self._activated)

    def current_row(self) -> Any:
        """The selected row object, or None."""
        index = self.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        self.sig_row_activated.emit(index.data(ROW_ROLE))

    def keyPressEvent(self, event: Any) -> None:
        # QTableView only emits `activated` on Enter on some platforms; make it everywhere.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activated(self.currentIndex())
            return
        super().keyPressEvent(event)


class SearchBox(QLineEdit):
    sig_search = Signal(str)
    """The text to search for, once typing has paused (or at once on Enter)."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        # A screen reader names the box by what it asks for (a screen may name it better).
        self.setAccessibleName(placeholder)
        self.setClearButtonEnabled(True)
        self._pause = QTimer(self)
        self._pause.setObjectName("search-pause")
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self._emit)
        self.textEdited.connect(lambda _text: self._pause.start())

    def keyPressEvent(self, event: Any) -> None:
        # Enter searches now, and stops there: in a dialog it must not press the default
        # button (booking someone while looking them up).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _emit(self) -> None:
        self._pause.stop()
        self.sig_search.emit(self.text().strip())
