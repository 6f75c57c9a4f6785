"""The flow board's Qt model: one row per appointment of the day, and a filter per lane."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from frontdesk.gui.today.lanes import Lane, lane_of, time_in_status
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_time
from frontdesk.services.flow_board import BoardCard

CARD_ROLE = Qt.ItemDataRole.UserRole + 1
LANE_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = (
    N_("Time"),
    N_("Patient"),
    N_("Service"),
    N_("Specialist"),
    N_("Status"),
    N_("In status"),
    N_("Forms"),
)
"""The columns' names in English (how code finds them); headers show them translated."""

Index = QModelIndex | QPersistentModelIndex


class FlowBoardModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._cards: list[BoardCard] = []
        self._now: datetime | None = None

    def set_cards(self, cards: list[BoardCard], now: datetime) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self._now = now
        self.endResetModel()

    def set_now(self, now: datetime) -> None:
        """Time moves on: only the "in status" column changes."""
        self._now = now
        if self._cards:
            column = COLUMNS.index("In status")
            self.dataChanged.emit(self.index(0, column), self.index(len(self._cards) - 1, column))

    def card(self, row: int) -> BoardCard:
        return self._cards[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._cards)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        card = self._cards[index.row()]
        entry = card.entry
        if role == CARD_ROLE:
            return card
        if role == LANE_ROLE:
            return lane_of(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._card_text(card)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = COLUMNS[index.column()]
        if column == "Time":
            return f"{format_time(entry.start_local)}–{format_time(entry.end_local)}"
        if column == "Patient":
            return entry.patient_name
        if column == "Service":
            return entry.service_name
        if column == "Specialist":
            return entry.specialist_name
        if column == "Status":
            return entry.status.label
        if column == "In status":
            return time_in_status(card.status_since, self._now) if self._now else ""
        return entry.outstanding_forms

    def _card_text(self, card: BoardCard) -> str:
        entry = card.entry
        lines = [
            f"{format_time(entry.start_local)}  {entry.patient_name}",
            f"{entry.service_name} · {entry.specialist_name}",
        ]
        facts = []
        if self._now is not None:
            since = time_in_status(card.status_since, self._now)
            facts.append(_("{status} for {time}").format(status=entry.status.label, time=since))
        forms = entry.outstanding_forms
        if forms:
            facts.append(
                ngettext("{count} form to do", "{count} forms to do", forms).format(count=forms)
            )
        if entry.video_url:
            facts.append(_("video"))
        lines.append(" · ".join(facts))
        return "\n".join(lines)

    def card_text(self, row: int) -> str:
        return self._card_text(self._cards[row])


class LaneFilter(QSortFilterProxyModel):
    """One lane of the board, narrowed further by the board's search text."""

    def __init__(self, lane: Lane) -> None:
        super().__init__()
        self.lane = lane
        self._search = ""
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._search = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if model.data(index, LANE_ROLE) is not self.lane:
            return False
        if not self._search:
            return True
        card: BoardCard = model.data(index, CARD_ROLE)
        entry = card.entry
        haystack = " ".join((entry.patient_name, entry.service_name, entry.specialist_name))
        return self._search in haystack.casefold()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A lane is a list of cards: column 0 shows the whole card.
        if role == Qt.ItemDataRole.DisplayRole and index.isValid() and index.column() == 0:
            source = self.mapToSource(index)
            return self.sourceModel().card_text(source.row())  # type: ignore[attr-defined]
        return super().data(index, role)


class CardDelegate(QStyledItemDelegate):
    """A lane's card: its text wrapped to the lane's width, with a gap above and below.
    The gap is not the view's spacing: Qt measures a wrapped item at the full width but
    draws it inside the spacing, which cut a card's last line short ("…")."""

    GAP = 3

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return super().sizeHint(option, index) + QSize(0, 2 * self.GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        inner = QStyleOptionViewItem(option)
        inner.rect = option.rect.adjusted(0, self.GAP, 0, -self.GAP)
        super().paint(painter, inner, index)
