"""The calendar's Qt models, over the visible range only: a month grid of counts per day, and
a schedule of time slots with a column per (day, specialist).

Colours come from the application's palette, so the text stays readable in a dark theme: a
status tints the palette's base colour, and the text keeps the palette's own colour."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from frontdesk.domain.enums import AppointmentStatus as S
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_date, format_time
from frontdesk.services.booking_choices import SpecialistChoice
from frontdesk.services.calendar import CalendarEntry

Index = QModelIndex | QPersistentModelIndex

DATE_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRIES_ROLE = Qt.ItemDataRole.UserRole + 2
SLOT_ROLE = Qt.ItemDataRole.UserRole + 3
SPECIALIST_ROLE = Qt.ItemDataRole.UserRole + 4

STATUS_HUES = {
    S.BOOKED: "#e8912a",
    S.UPCOMING: "#3d8bd9",
    S.CONFIRMED: "#2e9e5b",
    S.INPROGRESS: "#8a5cd6",
    S.DONE: "#8c8c8c",
    S.CANCELLED: "#d64545",
    S.NOSHOW: "#d64545",
}
"""Each status's hue, mixed into the palette's base colour (`TINT` of it) for a cell."""
TINT = 0.3
TODAY_TINT = 0.25


def tinted(hue: QColor, palette: QPalette, share: float) -> QColor:
    """`share` of `hue` over the palette's base colour: a pastel on a light theme, a deep
    shade on a dark one, under which the palette's text colour stays readable."""
    base = palette.color(QPalette.ColorRole.Base)
    return QColor.fromRgbF(
        base.redF() + (hue.redF() - base.redF()) * share,
        base.greenF() + (hue.greenF() - base.greenF()) * share,
        base.blueF() + (hue.blueF() - base.blueF()) * share,
    )


def status_background(status: S, palette: QPalette | None = None) -> QColor:
    return tinted(QColor(STATUS_HUES[status]), palette or QGuiApplication.palette(), TINT)


def today_background(palette: QPalette | None = None) -> QColor:
    palette = palette or QGuiApplication.palette()
    return tinted(palette.color(QPalette.ColorRole.Highlight), palette, TODAY_TINT)


def weekday_name(day: date) -> str:
    """ "Mon", "lun." — the short weekday in the desk's language."""
    return format_date(day, "EEE")


def month_grid_start(year: int, month: int) -> date:
    """The Monday on or before the 1st: the grid's first cell."""
    first = date(year, month, 1)
    return first - timedelta(days=first.weekday())


class MonthModel(QAbstractTableModel):
    """Six weeks of seven days; each cell the day and its number of appointments."""

    def __init__(self) -> None:
        super().__init__()
        self._year, self._month = 2000, 1
        self._counts: dict[date, int] = {}
        self._today: date | None = None

    def set_month(self, year: int, month: int, counts: dict[date, int], today: date) -> None:
        self.beginResetModel()
        self._year, self._month = year, month
        self._counts = dict(counts)
        self._today = today
        self.endResetModel()

    def day_at(self, row: int, column: int) -> date:
        return month_grid_start(self._year, self._month) + timedelta(days=row * 7 + column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else 6

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return weekday_name(month_grid_start(self._year, self._month) + timedelta(section))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        day = self.day_at(index.row(), index.column())
        in_month = day.month == self._month
        count = self._counts.get(day)
        if role == DATE_ROLE:
            return day
        if role == Qt.ItemDataRole.DisplayRole:
            if not in_month or not count:
                return str(day.day)
            return f"{day.day}\n{appointments(count)}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            # The whole date, read aloud: "Thursday 5 March 2026, 1 appointment".
            said = format_date(day, "EEEE d MMMM y")
            return f"{said}, {appointments(count or 0)}" if in_month else said
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        if role == Qt.ItemDataRole.ForegroundRole and not in_month:
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.BackgroundRole and day == self._today:
            return QBrush(today_background())
        if role == Qt.ItemDataRole.FontRole and day == self._today:
            font = QFont()
            font.setBold(True)
            return font
        return None


@dataclass(frozen=True)
class Column:
    day: date
    specialist: SpecialistChoice


class ScheduleModel(QAbstractTableModel):
    """Rows are time slots of the clinic's day; columns are (day, specialist). An appointment
    shows its text in the slot it starts in and colours every slot it covers."""

    def __init__(self, slot_minutes: int = 30, first_hour: int = 7, last_hour: int = 21) -> None:
        super().__init__()
        self._slot = timedelta(minutes=slot_minutes)
        self._default_hours = (first_hour, last_hour)
        self._first_hour, self._last_hour = first_hour, last_hour
        self._columns: list[Column] = []
        self._tz = ZoneInfo("UTC")
        self._starting: dict[tuple[int, int], list[CalendarEntry]] = {}
        self._covering: dict[tuple[int, int], list[CalendarEntry]] = {}
        self.entries: list[CalendarEntry] = []

    def set_schedule(
        self,
        days: list[date],
        specialists: list[SpecialistChoice],
        entries: list[CalendarEntry],
        tz: ZoneInfo,
    ) -> None:
        self.beginResetModel()
        self._tz = tz
        self.entries = list(entries)
        self._columns = [Column(day, s) for day in days for s in specialists]
        first, last = self._default_hours
        for entry in entries:
            first = min(first, entry.start_local.hour)
            last = max(last, entry.end_local.hour + (1 if entry.end_local.minute else 0))
        self._first_hour, self._last_hour = first, min(last, 24)
        self._index_entries()
        self.endResetModel()

    def _index_entries(self) -> None:
        column_of = {(c.day, c.specialist.id): n for n, c in enumerate(self._columns)}
        starting: dict[tuple[int, int], list[CalendarEntry]] = defaultdict(list)
        covering: dict[tuple[int, int], list[CalendarEntry]] = defaultdict(list)
        slots = self.rowCount()
        for entry in self.entries:
            column = column_of.get((entry.start_local.date(), entry.specialist_id))
            if column is None:
                continue
            first_row = self._row_of(entry.start_local)
            starting[(first_row, column)].append(entry)
            last_row = self._row_of(entry.end_local - timedelta(microseconds=1))
            for row in range(first_row, min(last_row, slots - 1) + 1):
                covering[(row, column)].append(entry)
        self._starting, self._covering = dict(starting), dict(covering)

    def _row_of(self, local: datetime) -> int:
        minutes = (local.hour - self._first_hour) * 60 + local.minute
        return max(0, minutes // int(self._slot.total_seconds() // 60))

    def column(self, number: int) -> Column:
        return self._columns[number]

    def slot_start(self, row: int, column: int) -> datetime:
        """The slot's start as an aware local time (what a booking at this cell would use)."""
        day = self._columns[column].day
        at = datetime.combine(day, time(self._first_hour), tzinfo=self._tz) + row * self._slot
        return at

    def find(self, appointment_id: uuid.UUID) -> QModelIndex:
        for (row, column), entries in self._starting.items():
            if any(entry.id == appointment_id for entry in entries):
                return self.index(row, column)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return (self._last_hour - self._first_hour) * 3600 // int(self._slot.total_seconds())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            minutes = self._first_hour * 60 + section * int(self._slot.total_seconds() // 60)
            return format_time(time(minutes // 60, minutes % 60))
        column = self._columns[section]
        days = {c.day for c in self._columns}
        if len(days) == 1:
            return column.specialist.name
        return f"{format_date(column.day, 'EEE d')}\n{column.specialist.name}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = (index.row(), index.column())
        if role == ENTRIES_ROLE:
            return list(self._covering.get(key, ()))
        if role == SLOT_ROLE:
            return self.slot_start(index.row(), index.column())
        if role == SPECIALIST_ROLE:
            return self._columns[index.column()].specialist.id
        if role == Qt.ItemDataRole.DisplayRole:
            starting = self._starting.get(key, ())
            return "\n".join(_entry_text(entry) for entry in starting)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._described(key)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            # A screen reader hears the slot, its specialist and what fills it.
            column = self._columns[index.column()]
            slot = self.slot_start(index.row(), index.column())
            return _("{day}, {time}, {specialist}: {what}").format(
                day=format_date(column.day, "EEEE d MMMM"),
                time=format_time(slot),
                specialist=column.specialist.name,
                what=self._described(key).replace("\n", ", "),
            )
        if role == Qt.ItemDataRole.BackgroundRole:
            covering = self._covering.get(key)
            if covering:
                return QBrush(status_background(covering[0].status))
            if self._columns[index.column()].day.toordinal() % 2:
                # Days told apart in a week's columns.
                return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.AlternateBase))
        return None

    def _described(self, key: tuple[int, int]) -> str:
        covering = self._covering.get(key, ())
        return "\n".join(_entry_tooltip(entry) for entry in covering) or _("Free — click to book")


def appointments(count: int) -> str:
    return ngettext("{count} appointment", "{count} appointments", count).format(count=count)


def _entry_text(entry: CalendarEntry) -> str:
    text = f"{format_time(entry.start_local)} {entry.patient_name}"
    forms = entry.outstanding_forms
    if forms:
        # Short: a slot is narrow (the tooltip says "to do").
        count = ngettext("{count} form", "{count} forms", forms).format(count=forms)
        text = _("{appointment} ({forms})").format(appointment=text, forms=count)
    return text


def _entry_tooltip(entry: CalendarEntry) -> str:
    facts = [entry.service_name, entry.specialist_name, entry.status.label]
    forms = entry.outstanding_forms
    if forms:
        facts.append(
            ngettext("{count} form to do", "{count} forms to do", forms).format(count=forms)
        )
    return (
        f"{format_time(entry.start_local)}–{format_time(entry.end_local)} {entry.patient_name}\n"
        + " · ".join(facts)
    )
