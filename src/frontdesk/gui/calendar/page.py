"""The calendar page: month (counts per day), week and day (time slots, a column per
specialist), with filters by specialist, status and date. Only the visible range is loaded,
on the worker; a click on a free slot books it."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QDate, QLocale, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.gui.calendar.models import (
    DATE_ROLE,
    ENTRIES_ROLE,
    SLOT_ROLE,
    SPECIALIST_ROLE,
    MonthModel,
    ScheduleModel,
)
from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.operations import run_operation, show_error
from frontdesk.gui.screens import load_screen
from frontdesk.gui.today.actions import AppointmentActions
from frontdesk.gui.today.lanes import actions_for
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_date, locale
from frontdesk.services import calendar
from frontdesk.services.booking_choices import BookingChoices, booking_choices
from frontdesk.services.calendar import CalendarEntry
from frontdesk.services.context import ServiceContext
from frontdesk.store.changes import ChangeSet

MODES = ("month", "week", "day")
MODE_WORDS = {
    "month": (N_("&Month"), N_("Show a month, with each day's number of appointments")),
    "week": (N_("&Week"), N_("Show a week, a column per day and specialist")),
    "day": (N_("&Day"), N_("Show a day, a column per specialist")),
}
BOOKING_DIALOG = ("frontdesk.gui.booking.dialog", "BookingDialog")
DETAIL_DIALOG = ("frontdesk.gui.appointments.detail", "AppointmentDetailDialog")
WATCHED_TABLES = ("appointments", "form_instances", "patient_persons", "specialists")


READ_AHEAD_DELAY_MS = 150
CACHED_RANGES = 8
"""Ranges kept after they were shown or read ahead; any change to the data forgets them."""


@dataclass(frozen=True)
class _Key:
    mode: str
    first: date
    specialist_ids: tuple[uuid.UUID, ...] | None
    statuses: tuple[AppointmentStatus, ...] | None


@dataclass(frozen=True)
class _Loaded:
    choices: BookingChoices
    mode: str
    anchor: date
    counts: dict[date, int]
    entries: list[CalendarEntry]


class CalendarPage(QWidget):
    sig_loaded = Signal()
    """The visible range has been loaded and shown."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self.mode = "week"
        self.anchor = desk.clock.now().date()
        self._anchor_chosen = False
        self._choices: BookingChoices | None = None
        self._entries: list[CalendarEntry] = []
        self._cache: OrderedDict[_Key, _Loaded] = OrderedDict()
        self._pending: set[_Key] = set()
        self._generation = 0
        # Reading ahead waits for a pause: keys held down must not queue reads before the
        # range the person is waiting for.
        self._read_ahead = QTimer(self)
        self._read_ahead.setObjectName("calendar-read-ahead")
        self._read_ahead.setSingleShot(True)
        self._read_ahead.setInterval(READ_AHEAD_DELAY_MS)
        self._read_ahead.timeout.connect(self._prefetch_neighbours)
        self.specialist_ids: list[uuid.UUID] | None = None
        self.statuses: list[AppointmentStatus] | None = None
        self.actions = AppointmentActions(desk, self)
        self.month_model = MonthModel()
        self.schedule_model = ScheduleModel()
        self.dialog: QWidget | None = None
        self.menu: QMenu | None = None

        layout = QVBoxLayout(self)
        layout.addLayout(self._navigation())
        layout.addLayout(self._filters())
        self._stack = QStackedWidget()
        self.month_view = self._month_view()
        self.schedule_view = self._schedule_view()
        self._stack.addWidget(self.month_view)
        self._stack.addWidget(self.schedule_view)
        layout.addWidget(self._stack, 1)
        desk.signals.sig_changed.connect(self._changed)
        self.set_mode("week")

    # --- building -------------------------------------------------------------------------

    def _navigation(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.previous_button = QPushButton(_("◀ &Previous"))
        self.previous_button.setAccessibleName(_("Previous period"))
        self.previous_button.clicked.connect(self.previous_period)
        self.today_button = QPushButton(_("&Today"))
        self.today_button.setAccessibleName(_("Go to today"))
        self.today_button.clicked.connect(self.go_today)
        self.next_button = QPushButton(_("&Next ▶"))
        self.next_button.setAccessibleName(_("Next period"))
        self.next_button.clicked.connect(self.next_period)
        self.title = QLabel()
        self.title.setObjectName("page-title")
        row.addWidget(self.previous_button)
        row.addWidget(self.today_button)
        row.addWidget(self.next_button)
        row.addWidget(self.title, 1)
        self.mode_buttons = QButtonGroup(self)
        for mode in MODES:
            text, description = MODE_WORDS[mode]
            button = QToolButton()
            button.setText(_(text))
            button.setAccessibleName(_(text).replace("&", ""))
            button.setAccessibleDescription(_(description))
            button.setToolTip(_(description))
            button.setCheckable(True)
            button.setObjectName(f"mode-{mode}")
            button.clicked.connect(lambda _checked=False, m=mode: self.set_mode(m))
            self.mode_buttons.addButton(button)
            row.addWidget(button)
        return row

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("calendar-date")
        self.date_edit.setLocale(QLocale(locale()))  # the weekday and month in the desk's words
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setAccessibleName(_("Date shown"))
        self.date_edit.setAccessibleDescription(_("The calendar shows the period of this date"))
        self.date_edit.dateChanged.connect(self._date_chosen)
        self.specialist_box = QComboBox()
        self.specialist_box.setObjectName("specialist-filter")
        self.specialist_box.setAccessibleName(_("Specialist shown"))
        self.specialist_box.addItem(_("All specialists"), None)
        self.specialist_box.activated.connect(self._specialist_chosen)
        # A push button draws its menu arrow beside the words (a tool button's covered them).
        self.status_button = QPushButton()
        self.status_button.setObjectName("status-filter")
        self.status_button.setText(_("&Status: all"))
        self.status_button.setAccessibleName(_("Statuses shown"))
        self.status_button.setAccessibleDescription(_("Choose which statuses the calendar shows"))
        status_menu = QMenu(self.status_button)
        self.status_actions = {}
        for status in AppointmentStatus:
            action = status_menu.addAction(status.label)
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(self._statuses_chosen)
            self.status_actions[status] = action
        self.status_button.setMenu(status_menu)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Find a patient or service in view"))
        self.search.setAccessibleName(_("Find in the calendar"))
        self.search.setAccessibleDescription(
            _("Shows only the appointments of a patient or service")
        )
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._show_schedule())
        for text, widget in (
            (_("D&ate:"), self.date_edit),
            (_("Sp&ecialist:"), self.specialist_box),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addWidget(self.status_button)
        row.addWidget(self.search, 1)
        return row

    def _month_view(self) -> QTableView:
        view = QTableView()
        view.setObjectName("month-view")
        view.setAccessibleName(_("Month"))
        view.setAccessibleDescription(_("Each day with its number of appointments; Enter opens it"))
        view.setModel(self.month_model)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.verticalHeader().hide()
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.activated.connect(self._day_opened)
        view.clicked.connect(self._day_opened)
        return view

    def _schedule_view(self) -> QTableView:
        view = QTableView()
        view.setObjectName("schedule-view")
        view.setAccessibleName(_("Schedule"))
        view.setAccessibleDescription(
            _(
                "Time slots by specialist. Enter books a free slot or opens an appointment; "
                "the menu key lists an appointment's actions"
            )
        )
        view.setModel(self.schedule_model)
        view.setWordWrap(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.horizontalHeader().setDefaultSectionSize(150)
        view.horizontalHeader().setMinimumSectionSize(90)
        view.verticalHeader().setDefaultSectionSize(34)
        view.clicked.connect(self._cell_clicked)
        view.activated.connect(self._cell_activated)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._cell_menu)
        return view

    # --- navigation -----------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        for button in self.mode_buttons.buttons():
            button.setChecked(button.objectName() == f"mode-{mode}")
        self._stack.setCurrentWidget(self.month_view if mode == "month" else self.schedule_view)
        self._show_or_load()

    def go_to(self, day: date) -> None:
        self.anchor = day
        self._anchor_chosen = True
        self._show_or_load()

    def go_today(self) -> None:
        self.go_to(self._today())

    def next_period(self) -> None:
        self.go_to(self._step(+1))

    def previous_period(self) -> None:
        self.go_to(self._step(-1))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _step(self, direction: int) -> date:
        if self.mode == "month":
            month = self.anchor.month - 1 + direction
            return date(self.anchor.year + month // 12, month % 12 + 1, 1)
        return self.anchor + timedelta(days=direction * (7 if self.mode == "week" else 1))

    def _today(self) -> date:
        now = self._desk.clock.now()
        return now.astimezone(self._zone()).date() if self._choices else now.date()

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self._choices.timezone if self._choices else "UTC")

    def visible_days(self) -> list[date]:
        if self.mode == "day":
            return [self.anchor]
        monday = self.anchor - timedelta(days=self.anchor.weekday())
        return [monday + timedelta(days=n) for n in range(7)]

    # --- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the visible range from the mirror (on the worker), forgetting what was kept."""
        self._cache.clear()
        self._generation += 1
        self._show_or_load()

    def _key(self, mode: str, anchor: date) -> _Key:
        if mode == "month":
            first = anchor.replace(day=1)
        elif mode == "week":
            first = anchor - timedelta(days=anchor.weekday())
        else:
            first = anchor
        specialists = tuple(self.specialist_ids) if self.specialist_ids is not None else None
        statuses = tuple(self.statuses) if self.statuses is not None else None
        return _Key(mode, first, specialists, statuses)

    def _show_or_load(self) -> None:
        """Show the visible range: at once if it was read already (a neighbour read ahead),
        else when the worker has read it."""
        key = self._key(self.mode, self.anchor)
        loaded = self._cache.get(key)
        if loaded is None:
            self._load(key)
            return
        self._cache.move_to_end(key)
        self._show(loaded)
        self.sig_loaded.emit()
        self._read_ahead.start()

    def _load(self, key: _Key) -> None:
        if key in self._pending:
            return  # already on its way (fetched ahead): shown when it arrives
        self._pending.add(key)
        known, generation = self._choices, self._generation

        def work(ctx: ServiceContext) -> _Loaded:
            choices = known or booking_choices(ctx)
            specialists, statuses = key.specialist_ids, key.statuses
            if key.mode == "month":
                counts = calendar.month_counts(
                    ctx,
                    key.first.year,
                    key.first.month,
                    specialist_ids=specialists,
                    statuses=statuses,
                )
                return _Loaded(choices, key.mode, key.first, counts, [])
            last = key.first + timedelta(days=6 if key.mode == "week" else 0)
            entries = calendar.date_range(
                ctx, key.first, last, specialist_ids=specialists, statuses=statuses
            )
            return _Loaded(choices, key.mode, key.first, {}, entries)

        run_operation(
            self._desk,
            work,
            parent=self,
            on_done=lambda loaded: self._arrived(key, generation, loaded),
            on_error=lambda error: self._failed(key, error),
        )

    def _arrived(self, key: _Key, generation: int, loaded: _Loaded) -> None:
        self._pending.discard(key)
        if self._choices is None:
            self._choices = loaded.choices
            self._fill_specialists(loaded.choices)
        if not self._anchor_chosen:
            # Until the clinic's zone was known, "today" was the UTC date.
            self.anchor = self._today()
            self._anchor_chosen = True
        fresh = generation == self._generation
        if fresh:
            self._cache[key] = loaded
            while len(self._cache) > CACHED_RANGES:
                self._cache.popitem(last=False)
        current = self._key(self.mode, self.anchor)
        if key == current and fresh:
            self._show(loaded)
            self.sig_loaded.emit()
            self._read_ahead.start()
        elif current not in self._cache:
            # The view moved on, or the data changed while this was read: read what it shows.
            self._load(current)

    def _prefetch_neighbours(self) -> None:
        """The periods either side, read ahead so Next and Previous show at once."""
        for direction in (1, -1):
            key = self._key(self.mode, self._step(direction))
            if key not in self._cache:
                self._load(key)

    def _failed(self, key: _Key, error: Exception) -> None:
        self._pending.discard(key)
        if key == self._key(self.mode, self.anchor):
            show_error(self, error)

    def _show(self, loaded: _Loaded) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(self.anchor.year, self.anchor.month, self.anchor.day))
        self.date_edit.blockSignals(False)
        if loaded.mode == "month":
            self.month_model.set_month(
                self.anchor.year, self.anchor.month, loaded.counts, self._today()
            )
            self.title.setText(f"<h2>{_capital(format_date(self.anchor, 'LLLL y'))}</h2>")
            return
        self._entries = loaded.entries
        # A day's few specialist columns share the width; a week scrolls sideways.
        self.schedule_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch
            if loaded.mode == "day"
            else QHeaderView.ResizeMode.Interactive
        )
        days = self.visible_days()
        if loaded.mode == "day":
            title = _capital(format_date(days[0], "EEEE d MMMM y"))
        else:
            title = _("Week of {first} – {last}").format(
                first=format_date(days[0], "d MMM"), last=format_date(days[-1], "d MMM y")
            )
        self.title.setText(f"<h2>{title}</h2>")
        self._show_schedule()

    def _show_schedule(self) -> None:
        if self._choices is None:
            return
        wanted = self.search.text().strip().casefold()
        entries = [
            e
            for e in self._entries
            if not wanted or wanted in f"{e.patient_name} {e.service_name}".casefold()
        ]
        chosen = self.specialist_ids
        specialists = [s for s in self._choices.specialists if chosen is None or s.id in chosen]
        self.schedule_model.set_schedule(self.visible_days(), specialists, entries, self._zone())

    def _changed(self, changes: ChangeSet) -> None:
        if affects(changes, WATCHED_TABLES):
            if changes.touched("specialists"):
                self._choices = None
            self.refresh()

    # --- filters --------------------------------------------------------------------------

    def _fill_specialists(self, choices: BookingChoices) -> None:
        self.specialist_box.clear()
        self.specialist_box.addItem(_("All specialists"), None)
        for specialist in choices.specialists:
            self.specialist_box.addItem(specialist.name, specialist.id)

    def _specialist_chosen(self, index: int) -> None:
        chosen = self.specialist_box.itemData(index)
        self.set_specialist(chosen)

    def set_specialist(self, specialist_id: uuid.UUID | None) -> None:
        self.specialist_ids = None if specialist_id is None else [specialist_id]
        position = self.specialist_box.findData(specialist_id)
        if position >= 0:
            self.specialist_box.setCurrentIndex(position)
        self._show_or_load()

    def _statuses_chosen(self) -> None:
        chosen = [status for status, action in self.status_actions.items() if action.isChecked()]
        everything = len(chosen) == len(self.status_actions)
        self.statuses = None if everything else chosen
        if everything:
            text = _("&Status: all")
        elif chosen:
            text = _("&Status: {statuses}").format(statuses=", ".join(s.label for s in chosen))
        else:
            text = _("&Status: none")
        self.status_button.setText(text)
        self._show_or_load()

    def _date_chosen(self, chosen: QDate) -> None:
        self.go_to(date(chosen.year(), chosen.month(), chosen.day()))

    # --- clicks ---------------------------------------------------------------------------

    def _day_opened(self, index: QModelIndex) -> None:
        self.anchor = index.data(DATE_ROLE)
        self._anchor_chosen = True
        self.set_mode("day")

    def _cell_clicked(self, index: QModelIndex) -> None:
        if not index.data(ENTRIES_ROLE):
            self.book_at(index)

    def _cell_activated(self, index: QModelIndex) -> None:
        entries: list[CalendarEntry] = index.data(ENTRIES_ROLE)
        if not entries:
            self.book_at(index)
            return
        self._open(load_screen(*DETAIL_DIALOG)(self._desk, entries[0].id, self))

    def book_at(self, index: QModelIndex) -> None:
        """A free slot: the booking dialog, starting there with that specialist."""
        shown = self.dialog
        if shown is not None and shiboken6.isValid(shown) and shown.isVisible():
            return  # a double click on a free slot opens one booking
        self._open(
            load_screen(*BOOKING_DIALOG)(
                self._desk,
                self,
                start=index.data(SLOT_ROLE),
                specialist_id=index.data(SPECIALIST_ROLE),
            )
        )

    def _cell_menu(self, position: QPoint) -> None:
        index = self.schedule_view.indexAt(position)
        if not (index.isValid() and index.data(ENTRIES_ROLE)):
            # The menu key: the cell the keyboard is on.
            index = self.schedule_view.currentIndex()
            position = self.schedule_view.visualRect(index).center()
        entries: list[CalendarEntry] = index.data(ENTRIES_ROLE) if index.isValid() else []
        if not entries:
            return
        menu = QMenu(self)
        self.menu = menu
        now = self._desk.clock.now()
        for entry in entries:
            for action in actions_for(entry, now):
                item = menu.addAction(
                    _("{patient}: {action}").format(patient=entry.patient_name, action=action.label)
                )
                item.triggered.connect(
                    lambda _checked=False, a=action, e=entry: self.actions.perform(a, e)
                )
        menu.popup(self.schedule_view.viewport().mapToGlobal(position))

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.open()  # type: ignore[attr-defined]


def _capital(text: str) -> str:
    """A title's first letter in capitals ("martie 2026" heads a page as "Martie 2026")."""
    return text[:1].upper() + text[1:]
