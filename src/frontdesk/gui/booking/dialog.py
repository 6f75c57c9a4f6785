"""Booking a walk-in (or a phone call) at the desk: who, what, with whom, when.

Refusals are shown in the dialog, in words: a double booking names the specialist's taken
time and, for staff, opens the override with its reason (kept on the appointment and in the
audit log); a blocked patient gets the whole list of what is outstanding, which no override
lifts. A booking that lands on a day the patient already has another appointment is made,
and the desk is told so before the dialog closes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import STAFF_ROLES
from frontdesk.domain.errors import BookingBlocked, DoubleBooking, InvalidInput
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.patients.picker import PatientPicker
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_zone, locale
from frontdesk.services import booking
from frontdesk.services.booking import BookingResult
from frontdesk.services.booking_choices import BookingChoices, booking_choices
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.slots import next_free_start

SLOT_MINUTES = 15
"""Until the specialist's next free slot is known (or when they have none soon), a new
booking starts at the next quarter hour unless a time was given."""


def next_slot(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz).replace(second=0, microsecond=0)
    return local + timedelta(minutes=SLOT_MINUTES - local.minute % SLOT_MINUTES)


class BookingDialog(QDialog):
    sig_booked = Signal(object)
    """The appointment was booked: carries its id."""

    def __init__(
        self,
        desk: Desk,
        parent: QWidget | None = None,
        *,
        start: datetime | None = None,
        specialist_id: uuid.UUID | None = None,
        patient: tuple[uuid.UUID, str] | None = None,
    ) -> None:
        """`start` and `specialist_id` come from a slot clicked in the calendar; `patient`
        (id, name) from a patient's page."""
        super().__init__(parent)
        self.desk = desk
        self.choices: BookingChoices | None = None
        # Ids by combo position, kept in Python rather than in Qt's item data, which some
        # PySide6 releases read back with a broken reference count (see pyproject.toml).
        self._service_ids: list[uuid.UUID] = []
        self._specialist_ids: list[uuid.UUID] = []
        self.result_booking: BookingResult | None = None
        self._start = start
        self._specialist_id = specialist_id
        self.setObjectName("booking-dialog")
        self.setWindowTitle(_("Book an appointment"))
        self.resize(620, 640)

        self.picker = PatientPicker(desk)
        # Named here: the picker (shared with other screens) leaves its list unnamed.
        if not self.picker.table.accessibleName():
            self.picker.table.setAccessibleName(_("Patients found"))
            self.picker.table.setAccessibleDescription(_("Enter chooses the patient"))
        patient_box = QGroupBox(_("&Patient"))
        patient_layout = QVBoxLayout(patient_box)
        patient_layout.addWidget(self.picker)

        self.service = QComboBox()
        self.service.setObjectName("booking-service")
        self.service.setAccessibleName(_("Service"))
        self.specialist = QComboBox()
        self.specialist.setObjectName("booking-specialist")
        self.specialist.setAccessibleName(_("Specialist"))
        self.specialist.setAccessibleDescription(_("The specialists who give the chosen service"))
        self.start = QDateTimeEdit()
        self.start.setObjectName("booking-start")
        self.start.setLocale(QLocale(locale()))  # the weekday and month in the desk's words
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        self.start.setAccessibleName(_("Start"))
        self.start.setAccessibleDescription(_("The day and time it starts, at the clinic"))
        self.notes = QLineEdit()
        self.notes.setObjectName("booking-notes")
        self.notes.setAccessibleName(_("Notes"))
        self.timezone_note = QLabel()
        form = QFormLayout()
        form.addRow(_("Se&rvice"), self.service)
        form.addRow(_("Spe&cialist"), self.specialist)
        form.addRow(_("&Start"), self.start)
        form.addRow("", self.timezone_note)
        form.addRow(_("N&otes"), self.notes)

        self.problem = problem_label("booking-problem")

        self.override_box = QGroupBox(_("Book over the other appointment anyway"))
        self.override_box.setObjectName("booking-override")
        self.override_reason = QLineEdit()
        self.override_reason.setObjectName("booking-override-reason")
        self.override_reason.setPlaceholderText(_("Why (kept on the appointment and in the log)"))
        self.override_reason.setAccessibleName(_("Reason for booking anyway"))
        override_form = QFormLayout(self.override_box)
        override_form.addRow(_("Re&ason"), self.override_reason)
        self.override_box.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.book_button = self.buttons.addButton(
            _("&Book"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.book_button.setEnabled(False)
        self.book_button.clicked.connect(self.book)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(patient_box, 1)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.override_box)
        layout.addWidget(self.buttons)

        self.service.currentIndexChanged.connect(self._service_chosen)
        self.picker.sig_person_chosen.connect(lambda _id, _name: self._clear_problem())
        # An override answers one refusal: another time or specialist is a new question.
        self.specialist.currentIndexChanged.connect(lambda _index: self._clear_problem())
        self.start.dateTimeChanged.connect(lambda _when: self._clear_problem())
        # No time given: the chosen specialist's next free slot, until a person picks a time.
        self._suggest = start is None
        self.start.dateTimeChanged.connect(self._start_edited)
        self.specialist.currentIndexChanged.connect(lambda _index: self._suggest_start())
        self.picker.search.setFocus()
        if patient is not None:
            self.picker.choose(*patient)
            self.service.setFocus()
        run_operation(
            desk, booking_choices, parent=self, on_done=self._show_choices, on_error=self._refused
        )

    # --- choices ---------------------------------------------------------------------------

    def _show_choices(self, choices: BookingChoices) -> None:
        self.choices = choices
        tz = ZoneInfo(choices.timezone)
        self.timezone_note.setText(
            _("Times are the clinic's ({zone}).").format(zone=format_zone(choices.timezone))
        )
        self.service.blockSignals(True)
        for service in choices.services:
            minutes = service.duration_minutes
            self.service.addItem(
                ngettext(
                    "{service} ({count} minute)", "{service} ({count} minutes)", minutes
                ).format(service=service.name, count=minutes)
            )
            self._service_ids.append(service.id)
        self.service.blockSignals(False)
        if self._specialist_id is not None:
            # A slot clicked in a specialist's column: offer a service they give.
            for index, service in enumerate(choices.services):
                if any(s.id == self._specialist_id for s in choices.specialists_for(service.id)):
                    self.service.setCurrentIndex(index)
                    break
        self._service_chosen()
        self._set_start((self._start or next_slot(self.desk.clock.now(), tz)).astimezone(tz))
        self.book_button.setEnabled(bool(choices.services))
        self._suggest_start()

    def _set_start(self, start: datetime) -> None:
        self.start.blockSignals(True)
        self.start.setDateTime(
            QDateTime(QDate(start.year, start.month, start.day), QTime(start.hour, start.minute))
        )
        self.start.blockSignals(False)

    def _start_edited(self) -> None:
        self._suggest = False

    def _suggest_start(self) -> None:
        """Ask for the chosen specialist's next free slot for the chosen service (the slot
        function, without the public page's notice)."""
        service_id, specialist_id = self.service_id(), self.specialist_id()
        if not self._suggest or self.choices is None or not service_id or not specialist_id:
            return

        def work(ctx: ServiceContext) -> datetime | None:
            return next_free_start(ctx, service_id=service_id, specialist_id=specialist_id)

        def show(found: datetime | None) -> None:
            # Only if the question still stands: same service and specialist, time untouched.
            if (
                found is not None
                and self._suggest
                and self.choices is not None
                and (self.service_id(), self.specialist_id()) == (service_id, specialist_id)
            ):
                self._set_start(found.astimezone(ZoneInfo(self.choices.timezone)))

        run_operation(self.desk, work, parent=self, on_done=show, on_error=self._refused)

    def _service_chosen(self) -> None:
        if self.choices is None:
            return
        wanted = self.specialist_id() or self._specialist_id
        self.specialist.clear()
        self._specialist_ids = []
        service_id = self.service_id()
        for specialist in self.choices.specialists_for(service_id) if service_id else []:
            label = specialist.name + (f" — {specialist.specialty}" if specialist.specialty else "")
            self.specialist.addItem(label)
            self._specialist_ids.append(specialist.id)
            if specialist.id == wanted:
                self.specialist.setCurrentIndex(self.specialist.count() - 1)

    def service_id(self) -> uuid.UUID | None:
        index = self.service.currentIndex()
        return self._service_ids[index] if 0 <= index < len(self._service_ids) else None

    def specialist_id(self) -> uuid.UUID | None:
        index = self.specialist.currentIndex()
        return self._specialist_ids[index] if 0 <= index < len(self._specialist_ids) else None

    def start_time(self, timezone: str) -> datetime:
        """The chosen start as an instant: the wall-clock time read in the clinic's zone."""
        day, time = self.start.date(), self.start.time()
        return datetime(
            day.year(),
            day.month(),
            day.day(),
            time.hour(),
            time.minute(),
            tzinfo=ZoneInfo(timezone),
        )

    # --- booking ---------------------------------------------------------------------------

    def book(self) -> None:
        if self.choices is None:
            return
        chosen, service_id, specialist_id = (
            self.picker.chosen,
            self.service_id(),
            self.specialist_id(),
        )
        if chosen is None:
            self._show_problem(
                InvalidInput.single("patient_person_id", _("choose or register the patient"))
            )
            return
        if service_id is None or specialist_id is None:
            field = "service_id" if service_id is None else "specialist_id"
            self._show_problem(InvalidInput.single(field, _("choose one")))
            return
        person_id = chosen[0]
        start, notes = self.start_time(self.choices.timezone), self.notes.text()
        override = self.override_reason.text() if self.override_box.isVisible() else None

        def work(ctx: ServiceContext) -> Outcome[BookingResult]:
            return booking.book_walk_in(
                ctx,
                patient_person_id=person_id,
                service_id=service_id,
                specialist_id=specialist_id,
                start=start,
                override_reason=override,
                notes=notes,
            )

        self.book_button.setEnabled(False)
        run_operation(self.desk, work, parent=self, on_done=self._booked, on_error=self._refused)

    def _booked(self, outcome: Outcome[BookingResult]) -> None:
        self.result_booking = outcome.value
        self.sig_booked.emit(outcome.value.appointment.id)
        if not outcome.value.warnings:
            self.accept()
            return
        # Booked, but worth a second look: say so before closing.
        notes = "\n".join(f"• {warning}" for warning in outcome.value.warnings)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            _("Appointment booked"),
            _("The appointment is booked. Note:\n{notes}").format(notes=notes),
            parent=self,
        )
        box.setObjectName("booking-warning")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.button(QMessageBox.StandardButton.Ok).setText(_("OK"))
        box.finished.connect(lambda _result: self.accept())
        box.open()

    def _refused(self, error: Exception) -> None:
        self.book_button.setEnabled(self.choices is not None)
        if isinstance(error, DoubleBooking) and self.desk.actor.role in STAFF_ROLES:
            self.override_box.show()
            self.override_reason.setFocus()
            self._show_problem(
                error,
                _(
                    "To book anyway, say why below and press Book again; otherwise choose "
                    "another time or specialist."
                ),
            )
            return
        if isinstance(error, BookingBlocked):
            self.override_box.hide()
        self._show_problem(error)

    def _show_problem(self, error: Exception, advice: str = "") -> None:
        self.problem.setText(explain(error) + (f"\n{advice}" if advice else ""))
        self.problem.show()

    def _clear_problem(self) -> None:
        self.problem.hide()
        self.override_box.hide()
