"""My sessions today: a specialist's appointments of the clinic's day, in order. Starting a
session moves it to in progress and opens its video room in the system browser; completing
it marks it done. Enter opens the appointment in full. (Reception sees every session.)"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.gui.appointments.detail import AppointmentDetailDialog
from frontdesk.gui.appointments.list_widgets import RowsTable, SearchBox
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.appointments.table_model import Column, RowsTableModel
from frontdesk.gui.appointments.video import open_video_room
from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_date, format_time
from frontdesk.services import lifecycle
from frontdesk.services.appointment_views import sessions_today
from frontdesk.services.calendar import CalendarEntry
from frontdesk.services.context import Outcome
from frontdesk.store.changes import ChangeSet
from frontdesk.store.models import Appointment

STARTABLE = frozenset({AppointmentStatus.UPCOMING, AppointmentStatus.CONFIRMED})
WATCHED_TABLES = ("appointments", "form_instances", "patient_persons")

SESSION_COLUMNS: list[Column[CalendarEntry]] = [
    Column(N_("Time"), lambda r: f"{format_time(r.start_local)}–{format_time(r.end_local)}"),
    Column(N_("Patient"), lambda r: r.patient_name),
    Column(N_("Service"), lambda r: r.service_name),
    Column(N_("Where"), lambda r: r.type.label),
    Column(N_("Status"), lambda r: r.status.label),
    Column(N_("Forms to do"), lambda r: r.outstanding_forms, align_right=True),
    Column(N_("Checked in"), lambda r: format_time(r.checked_in_at) if r.checked_in_at else ""),
]


def heading(own: bool) -> str:
    return _("My sessions today") if own else _("Sessions today")


class MySessionsPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.entries: list[CalendarEntry] = []
        self.setObjectName("sessions-page")
        own = desk.actor.role == Role.SPECIALIST
        self.heading = QLabel(heading(own))
        self.heading.setObjectName("sessions-heading")
        self.search = SearchBox(_("Filter by patient or service"))
        self.search.setObjectName("sessions-search")
        self.model: RowsTableModel[CalendarEntry] = RowsTableModel(SESSION_COLUMNS, self)
        self.table = RowsTable(self.model)
        self.table.setObjectName("sessions-table")
        self.table.setAccessibleName(heading(own))
        self.table.setAccessibleDescription(_("Enter opens the chosen session in full"))
        self.count = QLabel()
        self.count.setObjectName("sessions-count")
        self.problem = problem_label("sessions-problem")
        self.start_button = QPushButton(_("&Start session"))
        self.start_button.setAccessibleDescription(
            _("Moves the session to in progress and opens its video room")
        )
        self.room_button = QPushButton(_("Open &video room"))
        self.room_button.setAccessibleDescription(_("Opens the room in the web browser"))
        self.complete_button = QPushButton(_("&Complete session"))
        self.details_button = QPushButton(_("Open the &appointment…"))
        self.details_button.setAccessibleDescription(_("Shows the chosen session in full"))
        buttons = QHBoxLayout()
        for button in (
            self.start_button,
            self.room_button,
            self.complete_button,
            self.details_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

        self.search.sig_search.connect(lambda _text: self._filter())
        self.table.sig_row_activated.connect(self.open_details)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.start_button.clicked.connect(self.start_session)
        self.room_button.clicked.connect(self.open_room)
        self.complete_button.clicked.connect(self.complete_session)
        self.details_button.clicked.connect(lambda: self.open_details(self.table.current_row()))
        desk.signals.sig_changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        run_operation(
            self.desk, sessions_today, parent=self, on_done=self._show, on_error=self._problem
        )

    def _show(self, loaded: tuple[date, list[CalendarEntry]]) -> None:
        day, self.entries = loaded
        title = heading(self.desk.actor.role == Role.SPECIALIST)
        self.heading.setText(f"<h3>{title} — {format_date(day, 'EEEE dd MMMM')}</h3>")
        self._filter()

    def _filter(self) -> None:
        chosen = self.table.current_row()
        words = self.search.text().lower().split()
        rows = [
            entry
            for entry in self.entries
            if all(w in f"{entry.patient_name} {entry.service_name}".lower() for w in words)
        ]
        self.model.set_rows(rows)
        self.count.setText(
            ngettext("{count} session", "{count} sessions", len(rows)).format(count=len(rows))
        )
        ids = [row.id for row in rows]
        if chosen is not None and chosen.id in ids:
            self.table.selectRow(ids.index(chosen.id))
        else:
            # The next session to start, else the first.
            upcoming = [i for i, row in enumerate(rows) if row.status in STARTABLE]
            if rows:
                self.table.selectRow(upcoming[0] if upcoming else 0)
        self._update_buttons()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _update_buttons(self) -> None:
        entry = self.table.current_row()
        status = entry.status if entry is not None else None
        self.start_button.setEnabled(status in STARTABLE)
        self.complete_button.setEnabled(status == AppointmentStatus.INPROGRESS)
        self.room_button.setEnabled(entry is not None and entry.video_url is not None)
        self.details_button.setEnabled(entry is not None)

    def start_session(self) -> None:
        entry = self.table.current_row()
        if entry is None or entry.status not in STARTABLE:
            return
        self.start_button.setEnabled(False)
        run_operation(
            self.desk,
            lambda ctx: lifecycle.start_session(ctx, entry.id),
            parent=self,
            on_done=self._started,
            on_error=self._problem,
        )

    def _started(self, outcome: Outcome[Appointment]) -> None:
        self.problem.hide()
        if outcome.value.video_room_url:
            open_video_room(outcome.value.video_room_url)

    def complete_session(self) -> None:
        entry = self.table.current_row()
        if entry is None or entry.status != AppointmentStatus.INPROGRESS:
            return
        self.complete_button.setEnabled(False)
        run_operation(
            self.desk,
            lambda ctx: lifecycle.complete(ctx, entry.id),
            parent=self,
            on_done=lambda _outcome: self.problem.hide(),
            on_error=self._problem,
        )

    def open_room(self) -> None:
        entry = self.table.current_row()
        if entry is not None and entry.video_url:
            open_video_room(entry.video_url)

    def open_details(self, entry: CalendarEntry | None) -> AppointmentDetailDialog | None:
        if entry is None:
            return None
        dialog = AppointmentDetailDialog(self.desk, entry.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _problem(self, error: Exception) -> None:
        self.problem.setText(explain(error))
        self.problem.show()
        self._update_buttons()

    def _on_changed(self, changes: ChangeSet) -> None:
        if affects(changes, WATCHED_TABLES):
            self.refresh()
