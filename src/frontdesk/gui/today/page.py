"""Today: the day's appointments as a flow board — a lane per stage, time in status, an
outstanding-forms count — and the actions of the selected appointment's state."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import QItemSelectionModel, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.operations import run_operation, show_error
from frontdesk.gui.today.actions import AppointmentActions
from frontdesk.gui.today.lanes import Action, Lane, actions_for
from frontdesk.gui.today.model import CARD_ROLE, CardDelegate, FlowBoardModel, LaneFilter
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_date, format_time
from frontdesk.services.flow_board import BoardCard, FlowBoard, flow_board
from frontdesk.store.changes import ChangeSet

WATCHED_TABLES = ("appointments", "form_instances", "patient_persons", "appointment_status_changes")
CLOCK_TICK_MS = 30_000

# The buttons' words with their mnemonics (unique on the page in each language).
_MNEMONIC = {
    Action.ONBOARD: N_("&Onboard…"),
    Action.CONFIRM: N_("Con&firm"),
    Action.CHECK_IN: N_("Check &in"),
    Action.START: N_("&Start session"),
    Action.COMPLETE: N_("Co&mplete"),
    Action.NO_SHOW: N_("&No-show"),
    Action.CANCEL: N_("&Cancel…"),
    Action.REINSTATE: N_("&Reinstate"),
}


class TodayPage(QWidget):
    sig_loaded = Signal()
    """The board has been (re)loaded from the mirror."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._loading = False
        self._reload_again = False
        self._selected_id: uuid.UUID | None = None
        self.model = FlowBoardModel()
        self.actions = AppointmentActions(desk, self)

        self._title = QLabel()
        self._title.setObjectName("page-title")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Search patient, service or specialist"))
        self.search.setAccessibleName(_("Search today's appointments"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search)
        top = QHBoxLayout()
        top.addWidget(self._title, 1)
        top.addWidget(self.search, 1)

        self.lanes: dict[Lane, QListView] = {}
        self._filters: dict[Lane, LaneFilter] = {}
        self._lane_titles: dict[Lane, QLabel] = {}
        board = QHBoxLayout()
        for lane in Lane:
            board.addWidget(self._lane(lane), 1)

        self.buttons: dict[Action, QPushButton] = {}
        bar = QHBoxLayout()
        self._selected_label = QLabel(_("Select an appointment"))
        bar.addWidget(self._selected_label, 1)
        for action in Action:
            button = QPushButton(_(_MNEMONIC[action]))
            button.setAccessibleName(action.label)
            button.setObjectName(f"action-{action.name.lower()}")
            button.clicked.connect(lambda _checked=False, a=action: self._perform(a))
            self.buttons[action] = button
            bar.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(board, 1)
        layout.addLayout(bar)

        self._tick = QTimer(self)
        self._tick.setInterval(CLOCK_TICK_MS)
        self._tick.timeout.connect(lambda: self.model.set_now(self._desk.clock.now()))
        self._tick.start()
        desk.signals.sig_changed.connect(self._changed)
        self._update_buttons()
        self.refresh()

    def _lane(self, lane: Lane) -> QGroupBox:
        proxy = LaneFilter(lane)
        proxy.setSourceModel(self.model)
        view = QListView()
        view.setObjectName(f"lane-{lane.name.lower()}")
        view.setModel(proxy)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setWordWrap(True)
        # Cards wrap to the lane's width, laid out again when it changes.
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setItemDelegate(CardDelegate(view))
        view.setAccessibleName(lane.label)
        view.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected, v=view: self._selected(v)
        )
        view.activated.connect(lambda _index: self._primary_action())
        proxy.rowsInserted.connect(lambda *_: self._count(lane))
        proxy.modelReset.connect(lambda: self._count(lane))
        proxy.rowsRemoved.connect(lambda *_: self._count(lane))
        # The lane's name over it, wrapping where a language's words are longer than the lane
        # is wide (a group box's title would be cut).
        title = QLabel(lane.label)
        title.setObjectName(f"lane-title-{lane.name.lower()}")
        title.setWordWrap(True)
        title.setBuddy(view)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        box = QGroupBox()
        box.setObjectName("lane")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(4, 4, 4, 4)
        inner.addWidget(title)
        inner.addWidget(view, 1)
        if lane is Lane.TO_ONBOARD:
            self.later_hint = QLabel()
            self.later_hint.setObjectName("to-onboard-later")
            self.later_hint.setWordWrap(True)
            inner.addWidget(self.later_hint)
        self.lanes[lane] = view
        self._filters[lane] = proxy
        self._lane_titles[lane] = title
        return box

    def refresh(self) -> None:
        """Reload the day from the mirror (on the worker)."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        run_operation(
            self._desk,
            flow_board,
            parent=self,
            on_done=self._show,
            on_error=self._failed,
        )

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def selected_card(self) -> BoardCard | None:
        for view in self.lanes.values():
            index = view.currentIndex()
            if index.isValid() and view.selectionModel().isSelected(index):
                card: BoardCard = index.data(CARD_ROLE)
                return card
        return None

    def select(self, appointment_id: uuid.UUID) -> bool:
        """Select an appointment's card (True if it is on the board)."""
        for view in self.lanes.values():
            model = view.model()
            for row in range(model.rowCount()):
                index = model.index(row, 0)
                if index.data(CARD_ROLE).entry.id == appointment_id:
                    view.setFocus()
                    view.selectionModel().setCurrentIndex(
                        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    )
                    return True
        return False

    def _show(self, board: FlowBoard) -> None:
        self._loading = False
        title = _("Today — {date}").format(date=format_date(board.day, "full"))
        self._title.setText(f"<h2>{html.escape(title)}</h2>")
        self.model.set_cards(board.cards, self._desk.clock.now())
        later = board.to_onboard_later
        # Where to find them, by the page's name: its shortcut differs between roles.
        self.later_hint.setText(
            ngettext(
                "{count} public booking on later days to onboard (in the Calendar)",
                "{count} public bookings on later days to onboard (in the Calendar)",
                later,
            ).format(count=later)
            if later
            else ""
        )
        if self._selected_id is not None:
            self.select(self._selected_id)
        self._update_buttons()
        self.sig_loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self.refresh()

    def _failed(self, error: Exception) -> None:
        self._loading = False
        show_error(self, error)

    def _changed(self, changes: ChangeSet) -> None:
        if affects(changes, WATCHED_TABLES):
            self.refresh()

    def _search(self, text: str) -> None:
        for proxy in self._filters.values():
            proxy.set_search(text)

    def lane_title(self, lane: Lane) -> str:
        """The lane's name and how many cards it holds, as shown over it."""
        return self._lane_titles[lane].text()

    def _count(self, lane: Lane) -> None:
        self._lane_titles[lane].setText(
            _("{lane} ({count})").format(lane=lane.label, count=self._filters[lane].rowCount())
        )

    def _selected(self, view: QListView) -> None:
        index = view.currentIndex()
        if index.isValid() and view.selectionModel().isSelected(index):
            card: BoardCard = index.data(CARD_ROLE)
            self._selected_id = card.entry.id
            for other in self.lanes.values():
                if other is not view:
                    other.selectionModel().clearSelection()
        self._update_buttons()

    def _update_buttons(self) -> None:
        card = self.selected_card()
        offered = actions_for(card.entry, self._desk.clock.now()) if card else []
        for action, button in self.buttons.items():
            button.setEnabled(action in offered)
        if card is None:
            self._selected_label.setText(_("Select an appointment"))
        else:
            entry = card.entry
            self._selected_label.setText(
                _("{time} {patient} — {status}").format(
                    time=format_time(entry.start_local),
                    patient=entry.patient_name,
                    status=entry.status.label,
                )
            )

    def _perform(self, action: Action) -> None:
        card = self.selected_card()
        if card is not None and self.buttons[action].isEnabled():
            self.actions.perform(action, card.entry)

    def _primary_action(self) -> None:
        """Enter on a card: its first action."""
        for action, button in self.buttons.items():
            if button.isEnabled():
                self._perform(action)
                return
