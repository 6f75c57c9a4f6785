"""The trigger's settings (`trigger_config`): hours or minutes before an appointment, the time of
day, the day of the week, the date watched. Only the keys the trigger takes are shown and
written."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from frontdesk.domain.events import EventName
from frontdesk.domain.rules.triggers import DATE_FIELDS, MAX_HOURS_BEFORE, WEEKDAYS
from frontdesk.gui.automations.catalog_words import weekday_label
from frontdesk.i18n import N_, _

_DATE_FIELD_WORDS = {
    "patient.date_of_birth": N_("Patient's birthday"),
    "patient_treatment_plan.start_date": N_("Treatment plan start date"),
    "patient_treatment_plan.end_date": N_("Treatment plan end date"),
    "service_plan_enrolment.enrolled_at": N_("Service plan enrolment date"),
}


REPEATS = (("yearly", N_("Every year")), ("once", N_("Once")))
"""A date-reached trigger's `repeat` values, in words."""


class TriggerSettingsEditor(QWidget):
    sig_date_field_changed = Signal()
    """Another date is watched: the record it belongs to becomes readable by the rule."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.trigger = ""
        self.hours_before = QDoubleSpinBox(self)
        self.hours_before.setObjectName("trigger-hours-before")
        self.hours_before.setRange(0, MAX_HOURS_BEFORE)
        self.hours_before.setDecimals(1)
        self.hours_before.setSuffix(" " + _("h"))
        self.hours_before.setAccessibleName(_("Hours before the appointment"))
        self.hours_before.setValue(24)
        self.minutes_before = QSpinBox(self)
        self.minutes_before.setObjectName("trigger-minutes-before")
        self.minutes_before.setRange(0, 59)
        self.minutes_before.setSuffix(" " + _("min"))
        self.minutes_before.setAccessibleName(_("And minutes"))
        self.time = QTimeEdit(QTime(9, 0), self)
        self.time.setObjectName("trigger-time")
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName(_("At (time of day)"))
        self.weekday = QComboBox(self)
        self.weekday.setObjectName("trigger-weekday")
        for day in WEEKDAYS:
            self.weekday.addItem(weekday_label(day), day)
        self.weekday.setAccessibleName(_("On (day of the week)"))
        self.date_field = QComboBox(self)
        self.date_field.setObjectName("trigger-date-field")
        for field in DATE_FIELDS:
            words = _DATE_FIELD_WORDS.get(field)
            self.date_field.addItem(_(words) if words else field, field)
        self.date_field.setAccessibleName(_("Date watched"))
        self.date_field.currentIndexChanged.connect(self.sig_date_field_changed)
        self.offset_days = QSpinBox(self)
        self.offset_days.setObjectName("trigger-offset-days")
        self.offset_days.setRange(-366, 366)
        self.offset_days.setSuffix(" " + _("days"))
        self.offset_days.setAccessibleName(_("Shifted by (days)"))
        self.offset_days.setAccessibleDescription(
            _("Days after the date (negative: before it); 0 for the day itself")
        )
        self.repeat = QComboBox(self)
        self.repeat.setObjectName("trigger-repeat")
        self.repeat.setAccessibleName(_("Repeats"))
        self.repeat.addItem(_("(default: birthdays every year, plan dates once)"), None)
        for value, words in REPEATS:
            self.repeat.addItem(_(words), value)
        self.none_label = QLabel(_("This trigger has no settings."), self)

    def set_trigger(self, trigger: str) -> None:
        self.trigger = trigger
        while self.form.rowCount():
            self.form.takeRow(0)
        for widget in self._all():
            widget.hide()
        rows: list[tuple[str, QWidget]]
        if trigger == EventName.APPOINTMENT_BEFORE_START:
            rows = [
                (N_("Hours before"), self.hours_before),
                (N_("and minutes"), self.minutes_before),
            ]
        elif trigger == EventName.SCHEDULE_DAILY:
            rows = [(N_("At"), self.time)]
        elif trigger == EventName.SCHEDULE_WEEKLY:
            rows = [(N_("On"), self.weekday), (N_("At"), self.time)]
        elif trigger == EventName.SCHEDULE_DATE_REACHED:
            rows = [
                (N_("Date"), self.date_field),
                (N_("At"), self.time),
                (N_("Shifted by"), self.offset_days),
                (N_("Repeats"), self.repeat),
            ]
        else:
            rows = [("", self.none_label)]
        for label, widget in rows:
            widget.show()
            self.form.addRow(_(label) if label else "", widget)

    def _all(self) -> list[QWidget]:
        return [
            self.hours_before,
            self.minutes_before,
            self.time,
            self.weekday,
            self.date_field,
            self.offset_days,
            self.repeat,
            self.none_label,
        ]

    def document(self) -> dict[str, Any]:
        """The trigger_config; empty for triggers that take none."""
        trigger = self.trigger
        at = self.time.time().toString("HH:mm")
        if trigger == EventName.APPOINTMENT_BEFORE_START:
            hours, minutes = self.hours_before.value(), self.minutes_before.value()
            if minutes:
                return {"minutes_before": round(hours * 60) + minutes}
            return {"hours_before": int(hours) if hours.is_integer() else hours}
        if trigger == EventName.SCHEDULE_DAILY:
            return {"time": at}
        if trigger == EventName.SCHEDULE_WEEKLY:
            return {"time": at, "weekday": self.weekday.currentData()}
        if trigger == EventName.SCHEDULE_DATE_REACHED:
            document: dict[str, Any] = {"date_field": self.date_field.currentData(), "time": at}
            if self.offset_days.value():
                document["offset_days"] = self.offset_days.value()
            if self.repeat.currentData():
                document["repeat"] = self.repeat.currentData()
            return document
        return {}

    def set_document(self, document: dict[str, Any]) -> None:
        if "hours_before" in document:
            self.hours_before.setValue(float(document["hours_before"]))
            self.minutes_before.setValue(0)
        if "minutes_before" in document:
            total = int(document["minutes_before"])
            self.hours_before.setValue(total // 60)
            self.minutes_before.setValue(total % 60)
        if "time" in document:
            self.time.setTime(QTime.fromString(str(document["time"]), "HH:mm"))
        day = document.get("weekday") or document.get("day")
        if day:
            self.weekday.setCurrentIndex(self.weekday.findData(str(day).strip().lower()))
        if "date_field" in document:
            self.date_field.setCurrentIndex(self.date_field.findData(document["date_field"]))
        self.offset_days.setValue(int(document.get("offset_days", 0)))
        self.repeat.setCurrentIndex(max(self.repeat.findData(document.get("repeat")), 0))
