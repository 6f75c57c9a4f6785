"""The sync conflicts inbox: each write another desk or the server decided against, with both
values of every field; keep mine, keep theirs, or pick per field (`services.conflicts`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.gui.messages import field_label
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import _
from frontdesk.services import conflicts
from frontdesk.services.conflicts import ConflictView, Keep

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

CONFLICT_ROLE = Qt.ItemDataRole.UserRole


def _shown(value: Any) -> str:
    if value is None:
        return _("(empty)")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


class ConflictsInbox(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.search = QLineEdit(self)
        self.search.setObjectName("conflicts-search")
        self.search.setPlaceholderText(_("Search conflicts…"))
        self.search.setAccessibleName(_("Search conflicts"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("conflicts-list")
        self.list.setAccessibleName(_("Sync conflicts"))
        self.fields = QTableWidget(0, 4, self)
        self.fields.setObjectName("conflict-fields")
        self.fields.setAccessibleName(_("The conflicting fields"))
        self.fields.setHorizontalHeaderLabels(
            [_("Field"), _("Mine (this desk)"), _("Theirs"), _("Keep")]
        )
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.keep_mine = QPushButton(_("Keep &mine"), self)
        self.keep_mine.setObjectName("keep-mine")
        self.keep_theirs = QPushButton(_("Keep &theirs"), self)
        self.keep_theirs.setObjectName("keep-theirs")
        self.keep_picked = QPushButton(_("Keep what I &picked"), self)
        self.keep_picked.setObjectName("keep-picked")
        self.empty = QLabel(_("No sync conflict: every desk agrees."), self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.keep_mine, self.keep_theirs, self.keep_picked):
            buttons.addWidget(button)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.reason)
        detail_layout.addWidget(self.fields)
        detail_layout.addLayout(buttons)
        listing = QWidget(self)
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.search)
        listing_layout.addWidget(self.list)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(listing)
        split.addWidget(detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.search.textChanged.connect(lambda _text: self._filter())
        self.keep_mine.clicked.connect(lambda: self.resolve("mine"))
        self.keep_theirs.clicked.connect(lambda: self.resolve("theirs"))
        self.keep_picked.clicked.connect(lambda: self.resolve(self.picked()))
        self._show_selected()

    def refresh(self) -> None:
        run_operation(self.desk, conflicts.list_open, parent=self, on_done=self._show)

    def _show(self, found: list[ConflictView]) -> None:
        self.list.clear()
        for conflict in found:
            item = QListWidgetItem(conflict.label, self.list)
            item.setData(CONFLICT_ROLE, conflict)
        self.empty.setVisible(not found)
        if found:
            self.list.setCurrentRow(0)
        self._filter()
        self._show_selected()

    def _filter(self) -> None:
        """Only the conflicts whose label contains what is typed (any case)."""
        wanted = self.search.text().strip().casefold()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(wanted not in item.text().casefold())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def selected(self) -> ConflictView | None:
        item = self.list.currentItem()
        conflict = None if item is None else item.data(CONFLICT_ROLE)
        return conflict if isinstance(conflict, ConflictView) else None

    def _show_selected(self) -> None:
        conflict = self.selected()
        fields = conflict.fields if conflict is not None else ()
        self.fields.setRowCount(len(fields))
        for row, field in enumerate(fields):
            self.fields.setItem(row, 0, QTableWidgetItem(field_label(field.name)))
            self.fields.setItem(row, 1, QTableWidgetItem(_shown(field.mine)))
            self.fields.setItem(row, 2, QTableWidgetItem(_shown(field.theirs)))
            keep = QComboBox(self.fields)
            for side, words in (("mine", _("mine")), ("theirs", _("theirs"))):
                keep.addItem(words, side)
            self.fields.setCellWidget(row, 3, keep)
        self.reason.setText(conflict.reason if conflict is not None else "")
        for button in (self.keep_mine, self.keep_theirs, self.keep_picked):
            button.setEnabled(conflict is not None)

    def picked(self) -> dict[str, Keep]:
        """The side chosen for each field."""
        conflict = self.selected()
        choices: dict[str, Keep] = {}
        # The table shows the fields in the conflict's order, named for people.
        for row, field in enumerate(conflict.fields if conflict is not None else ()):
            keep = self.fields.cellWidget(row, 3)
            theirs = isinstance(keep, QComboBox) and keep.currentData() == "theirs"
            choices[field.name] = "theirs" if theirs else "mine"
        return choices

    def resolve(self, keep: Keep | dict[str, Keep]) -> None:
        conflict = self.selected()
        if conflict is None:
            return
        conflict_id = conflict.id
        run_operation(
            self.desk,
            lambda ctx: conflicts.resolve(ctx, conflict_id, keep=keep),
            parent=self,
            on_done=lambda _outcome: self.refresh(),
        )
