"""The Working hours page (admins): a specialist's weekly hours, one date's special hours
(time off, extra hours), days the whole clinic is closed, and the slot settings. Every change
goes through `services.hours`; times are the clinic's wall clock, typed as 09:00-13:00."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.slots import (
    MAX_MINIMUM_NOTICE_MINUTES,
    MAX_SLOT_INTERVAL_MINUTES,
    MIN_SLOT_INTERVAL_MINUTES,
    WallInterval,
    format_clock,
    parse_clock,
)
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _
from frontdesk.services import hours
from frontdesk.services.booking_choices import booking_choices
from frontdesk.services.context import ServiceContext

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

WEEKDAY_LABELS = (
    N_("&Monday"),
    N_("&Tuesday"),
    N_("&Wednesday"),
    N_("T&hursday"),
    N_("&Friday"),
    N_("S&aturday"),
    N_("S&unday"),
)


def parse_intervals(text: str) -> list[WallInterval]:
    """'09:00-13:00, 14:00-17:00' → intervals; empty: none. InvalidInput naming `field`."""
    found = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        start, sep, end = part.partition("-")
        try:
            if not sep:
                raise ValueError(part)
            found.append(WallInterval(parse_clock(start), parse_clock(end)))
        except ValueError as error:
            raise InvalidInput.single(
                "intervals", _("{part} is not like 09:00-13:00").format(part=part)
            ) from error
    return found


def intervals_text(intervals: list[WallInterval]) -> str:
    return ", ".join(f"{format_clock(i.start)}-{format_clock(i.end)}" for i in intervals)


class HoursPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._specialist_ids: list[uuid.UUID] = []

        self.specialist = QComboBox()
        self.specialist.setObjectName("hours-specialist")
        self.specialist.setAccessibleName(_("Specialist"))
        chooser = QFormLayout()
        specialist_label = QLabel(_("S&pecialist:"))
        specialist_label.setBuddy(self.specialist)
        chooser.addRow(specialist_label, self.specialist)

        weekly_box = QGroupBox(_("Every week"))
        weekly = QFormLayout(weekly_box)
        self.weekdays: list[QLineEdit] = []
        for index, label in enumerate(WEEKDAY_LABELS):
            line = QLineEdit()
            line.setObjectName(f"hours-weekday-{index}")
            line.setPlaceholderText(_("not working"))
            line.setAccessibleName(_(label).replace("&", ""))
            caption = QLabel(_(label) + ":")
            caption.setBuddy(line)
            weekly.addRow(caption, line)
            self.weekdays.append(line)
        self.save_weekly_button = QPushButton(_("Sa&ve weekly hours"))
        self.save_weekly_button.setObjectName("hours-save-weekly")
        weekly.addRow(self.save_weekly_button)

        day_box = QGroupBox(_("One date"))
        day_form = QFormLayout(day_box)
        self.day = QDateEdit()
        self.day.setObjectName("hours-date")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setAccessibleName(_("Date"))
        self.day_hours = QLineEdit()
        self.day_hours.setObjectName("hours-date-hours")
        self.day_hours.setPlaceholderText(_("empty: time off"))
        self.day_hours.setAccessibleName(_("Hours that date"))
        self.note = QLineEdit()
        self.note.setObjectName("hours-note")
        self.note.setAccessibleName(_("Note"))
        for text, editor in (
            (_("&Date:"), self.day),
            (_("Hours that dat&e:"), self.day_hours),
            (_("N&ote:"), self.note),
        ):
            caption = QLabel(text)
            caption.setBuddy(editor)
            day_form.addRow(caption, editor)
        self.set_day_button = QPushButton(_("App&ly to that date"))
        self.set_day_button.setObjectName("hours-set-date")
        self.clear_day_button = QPushButton(_("&Back to weekly hours"))
        self.clear_day_button.setObjectName("hours-clear-date")
        self.close_day_button = QPushButton(_("&Close the clinic that date"))
        self.close_day_button.setObjectName("hours-close-date")
        self.reopen_day_button = QPushButton(_("&Reopen the clinic that date"))
        self.reopen_day_button.setObjectName("hours-reopen-date")
        day_buttons = QHBoxLayout()
        for button in (
            self.set_day_button,
            self.clear_day_button,
            self.close_day_button,
            self.reopen_day_button,
        ):
            day_buttons.addWidget(button)
        day_form.addRow(day_buttons)

        settings_box = QGroupBox(_("Booking slots"))
        settings_form = QFormLayout(settings_box)
        self.interval = QSpinBox()
        self.interval.setObjectName("hours-interval")
        self.interval.setRange(MIN_SLOT_INTERVAL_MINUTES, MAX_SLOT_INTERVAL_MINUTES)
        self.interval.setSuffix(_(" min"))
        self.interval.setAccessibleName(_("A slot starts every"))
        self.notice = QSpinBox()
        self.notice.setObjectName("hours-notice")
        self.notice.setRange(0, MAX_MINIMUM_NOTICE_MINUTES)
        self.notice.setSuffix(_(" min"))
        self.notice.setAccessibleName(_("Minimum notice for online bookings"))
        for text, editor in (
            (_("A slot starts ever&y:"), self.interval),
            (_("Minimum &notice for online bookings:"), self.notice),
        ):
            caption = QLabel(text)
            caption.setBuddy(editor)
            settings_form.addRow(caption, editor)
        self.save_settings_button = QPushButton(_("Save &slot settings"))
        self.save_settings_button.setObjectName("hours-save-settings")
        settings_form.addRow(self.save_settings_button)

        self.zone_note = QLabel()
        self.zone_note.setObjectName("hours-zone")
        self.message = QLabel()
        self.message.setObjectName("hours-message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(_("Result"))

        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.zone_note)
        layout.addWidget(weekly_box)
        layout.addWidget(day_box)
        layout.addWidget(settings_box)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self.specialist.currentIndexChanged.connect(lambda _index: self._load_hours())
        self.save_weekly_button.clicked.connect(self.save_weekly)
        self.set_day_button.clicked.connect(self.set_day)
        self.clear_day_button.clicked.connect(self.clear_day)
        self.close_day_button.clicked.connect(self.close_day)
        self.reopen_day_button.clicked.connect(self.reopen_day)
        self.save_settings_button.clicked.connect(self.save_settings)
        today = desk.clock.now().date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.refresh()

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        def work(ctx: ServiceContext) -> tuple[list[tuple[uuid.UUID, str]], hours.SlotSettings]:
            people = [(s.id, s.name) for s in booking_choices(ctx).specialists]
            return people, hours.slot_settings(ctx)

        run_operation(self._desk, work, parent=self, on_done=self._show, on_error=self._problem)

    def _show(self, loaded: tuple[list[tuple[uuid.UUID, str]], hours.SlotSettings]) -> None:
        people, settings = loaded
        chosen = self.specialist_id()
        self.specialist.blockSignals(True)
        self.specialist.clear()
        self._specialist_ids = []
        for specialist_id, name in people:
            self.specialist.addItem(name)
            self._specialist_ids.append(specialist_id)
            if specialist_id == chosen:
                self.specialist.setCurrentIndex(self.specialist.count() - 1)
        self.specialist.blockSignals(False)
        self.zone_note.setText(_("Times are the clinic's ({zone}).").format(zone=settings.timezone))
        self.interval.setValue(settings.slot_interval_minutes)
        self.notice.setValue(settings.minimum_notice_minutes)
        self._load_hours()

    def specialist_id(self) -> uuid.UUID | None:
        index = self.specialist.currentIndex()
        return self._specialist_ids[index] if 0 <= index < len(self._specialist_ids) else None

    def chosen_date(self) -> date:
        day = self.day.date()
        return date(day.year(), day.month(), day.day())

    def _load_hours(self) -> None:
        specialist_id = self.specialist_id()
        if specialist_id is None:
            return
        run_operation(
            self._desk,
            lambda ctx: hours.hours_view(ctx, specialist_id),
            parent=self,
            on_done=self._show_hours,
            on_error=self._problem,
        )

    def _show_hours(self, view: hours.HoursView) -> None:
        if view.specialist_id != self.specialist_id():
            return  # another specialist was chosen meanwhile
        for weekday, line in enumerate(self.weekdays):
            line.setText(intervals_text(view.weekly.get(weekday, [])))

    # --- changes ---------------------------------------------------------------------------

    def _change(self, work, done: str) -> None:  # type: ignore[no-untyped-def]
        self.message.clear()

        def finished(_result: object) -> None:
            self.message.setText(done)
            self._load_hours()

        run_operation(self._desk, work, parent=self, on_done=finished, on_error=self._problem)

    def save_weekly(self) -> None:
        specialist_id = self.specialist_id()
        if specialist_id is None:
            return
        try:
            week = [parse_intervals(line.text()) for line in self.weekdays]
        except InvalidInput as error:
            self._problem(error)
            return

        def work(ctx: ServiceContext) -> None:
            for weekday, intervals in enumerate(week):
                hours.set_weekly_hours(ctx, specialist_id, weekday, intervals)

        self._change(work, _("Weekly hours saved."))

    def set_day(self) -> None:
        specialist_id, day, note = self.specialist_id(), self.chosen_date(), self.note.text()
        if specialist_id is None:
            return
        try:
            intervals = parse_intervals(self.day_hours.text())
        except InvalidInput as error:
            self._problem(error)
            return
        done = (_("Hours set for {day}.") if intervals else _("Time off on {day}.")).format(
            day=day.isoformat()
        )
        self._change(
            lambda ctx: hours.set_day_hours(ctx, specialist_id, day, intervals, note=note), done
        )

    def clear_day(self) -> None:
        specialist_id, day = self.specialist_id(), self.chosen_date()
        if specialist_id is None:
            return
        self._change(
            lambda ctx: hours.clear_day_hours(ctx, specialist_id, day),
            _("The weekly hours apply on {day} again.").format(day=day.isoformat()),
        )

    def close_day(self) -> None:
        day, note = self.chosen_date(), self.note.text()
        self._change(
            lambda ctx: hours.close_day(ctx, day, note=note),
            _("The clinic is closed on {day}.").format(day=day.isoformat()),
        )

    def reopen_day(self) -> None:
        day = self.chosen_date()
        self._change(
            lambda ctx: hours.reopen_day(ctx, day),
            _("The clinic is open on {day} again.").format(day=day.isoformat()),
        )

    def save_settings(self) -> None:
        interval, notice = self.interval.value(), self.notice.value()
        self._change(
            lambda ctx: hours.set_slot_settings(
                ctx, slot_interval_minutes=interval, minimum_notice_minutes=notice
            ),
            _("Slot settings saved."),
        )

    def _problem(self, error: Exception) -> None:
        self.message.setText(explain(error))
