"""One appointment in full: every field, its status history told in sentences, its forms
(Enter opens one in the filler), its video room (opened in the system browser) and its
review. An admin may also see the stored record itself, behind "Technical details"."""

from __future__ import annotations

import dataclasses
import html
import uuid
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import AppointmentSource, AppointmentStatus, Role
from frontdesk.gui.appointments.history_words import happened
from frontdesk.gui.appointments.list_widgets import RowsTable
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.appointments.table_model import Column, RowsTableModel, show
from frontdesk.gui.appointments.video import open_video_room
from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.forms.columns import APPOINTMENT_FORM_COLUMNS
from frontdesk.gui.forms.filler import FormFillerDialog, open_filler
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_date, format_datetime, format_time
from frontdesk.services.appointment_views import AppointmentDetail, StatusStep, appointment_detail
from frontdesk.services.form_views import FormRow
from frontdesk.store.changes import ChangeSet

HISTORY_COLUMNS: list[Column[StatusStep]] = [
    Column(N_("When"), lambda r: r.changed_local),
    Column(N_("What happened"), happened),
]

SOURCE_WORDS = {
    AppointmentSource.PUBLIC: N_("the public booking page"),
    AppointmentSource.WALK_IN: N_("a walk-in at the desk"),
    AppointmentSource.STAFF: N_("the staff"),
    AppointmentSource.AUTOMATION: N_("an automation"),
}
ENDED = frozenset({AppointmentStatus.DONE, AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW})


def _time(value: datetime | None) -> str:
    return show(value) if value is not None else "—"


def raw_record(detail: AppointmentDetail) -> str:
    """The appointment as stored, for an admin looking into a problem: the stored values and
    ids, untranslated (as `--json` gives them to scripts)."""
    lines = []
    for field in dataclasses.fields(detail):
        value = getattr(detail, field.name)
        if field.name in ("history", "forms", "review"):
            continue
        lines.append(f"{field.name}: {value.isoformat() if isinstance(value, datetime) else value}")
    lines.append("history:")
    for step in detail.history:
        lines.append(
            f"  {step.changed_local.isoformat()} {step.from_status or '-'} -> {step.to_status}"
            f" actor_label={step.actor_label!r} reason={step.reason!r}"
        )
    lines += [f"form: {form.id} {form.form_type} {form.status}" for form in detail.forms]
    return "\n".join(lines)


class AppointmentDetailDialog(QDialog):
    def __init__(
        self, desk: Desk, appointment_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.appointment_id = appointment_id
        self.detail: AppointmentDetail | None = None
        self.setObjectName("appointment-detail")
        self.setWindowTitle(_("Appointment"))
        self.resize(760, 680)

        self.heading = QLabel(_("Loading…"))
        self.heading.setObjectName("appointment-heading")
        self.heading.setWordWrap(True)
        self.problem = problem_label("appointment-problem")

        self.fields = QFormLayout()
        self.field_labels: dict[str, QLabel] = {}
        details = QWidget()
        details.setLayout(self.fields)

        self.video_state = QLabel("—")
        self.video_state.setObjectName("video-state")
        self.video_state.setWordWrap(True)
        self.video_button = QPushButton(_("Open &video room"))
        self.video_button.setAccessibleDescription(_("Opens the room in the web browser"))
        self.copy_button = QPushButton(_("Cop&y link"))
        self.copy_button.setAccessibleName(_("Copy the video room's link"))
        self.copy_button.setAccessibleDescription(_("To paste into a message to the patient"))
        for button in (self.video_button, self.copy_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
        self.video_button.clicked.connect(self.open_room)
        self.copy_button.clicked.connect(self.copy_link)
        video_row = QHBoxLayout()
        video_row.addWidget(QLabel("<b>{}</b>".format(html.escape(_("Video room:")))))
        video_row.addWidget(self.video_state, 1)
        video_row.addWidget(self.copy_button)
        video_row.addWidget(self.video_button)

        self.history_model: RowsTableModel[StatusStep] = RowsTableModel(HISTORY_COLUMNS, self)
        self.history = RowsTable(self.history_model)
        self.history.setObjectName("appointment-history")
        self.history.setWordWrap(True)
        self.history.setAccessibleName(_("Status history"))
        self.history.setAccessibleDescription(_("Who changed the appointment's status, and when"))
        self.forms_model: RowsTableModel[FormRow] = RowsTableModel(APPOINTMENT_FORM_COLUMNS, self)
        self.forms = RowsTable(self.forms_model)
        self.forms.setObjectName("appointment-forms")
        self.forms.setAccessibleName(_("Forms of this appointment"))
        self.forms.setAccessibleDescription(_("Enter opens the chosen form"))
        self.forms.sig_row_activated.connect(self.open_form)
        self.review = QLabel(_("No review yet."))
        self.review.setObjectName("appointment-review")
        self.review.setWordWrap(True)
        self.review.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_("Parts of the appointment"))
        self.tabs.addTab(details, _("&Details"))
        self.tabs.addTab(self._history_tab(desk.actor.role == Role.ADMIN), _("&History"))
        self.tabs.addTab(self.forms, _("&Forms"))
        self.tabs.addTab(self.review, _("&Review"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.problem)
        layout.addLayout(video_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        desk.signals.sig_changed.connect(self._on_changed)
        self.reload()

    def _history_tab(self, for_admin: bool) -> QWidget:
        """The history in sentences; for an admin, a button showing the stored record."""
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.history, 1)
        self.technical_button = QPushButton(_("&Technical details"))
        self.technical_button.setObjectName("technical-details")
        self.technical_button.setCheckable(True)
        self.technical_button.setAccessibleDescription(
            _("Shows the appointment as it is stored, for looking into a problem")
        )
        self.technical = QPlainTextEdit()
        self.technical.setObjectName("technical-record")
        self.technical.setReadOnly(True)
        self.technical.setAccessibleName(_("Technical details"))
        self.technical.hide()
        self.technical_button.toggled.connect(self.technical.setVisible)
        self.technical_button.setVisible(for_admin)
        self.technical_button.setEnabled(for_admin)
        row = QHBoxLayout()
        row.addWidget(self.technical_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.technical, 1)
        return tab

    def reload(self) -> None:
        appointment_id = self.appointment_id
        run_operation(
            self.desk,
            lambda ctx: appointment_detail(ctx, appointment_id),
            parent=self,
            on_done=self._show,
            on_error=self._show_problem,
        )

    def _show(self, detail: AppointmentDetail) -> None:
        self.detail = detail
        self.problem.hide()
        self.setWindowTitle(f"{detail.service_name} — {detail.patient_name}")
        minutes = int((detail.end_local - detail.start_local).total_seconds() // 60)
        when = _("{day}, {start}–{end} ({duration}) with {specialist}").format(
            day=format_date(detail.start_local, "EEEE dd MMMM y"),
            start=format_time(detail.start_local),
            end=format_time(detail.end_local),
            duration=ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes),
            specialist=detail.specialist_name,
        )
        self.heading.setText(
            f"<h3>{html.escape(detail.patient_name)} · {html.escape(detail.service_name)}</h3>"
            f"{html.escape(when)} · <b>{html.escape(detail.status.label)}</b>"
        )
        self._fill_fields(detail)
        self.video_state.setText(self._room_words(detail))
        self.video_button.setEnabled(detail.video_room_url is not None)
        self.copy_button.setEnabled(detail.video_room_url is not None)
        self.history_model.set_rows(detail.history)
        self.history.resizeRowsToContents()
        self.forms_model.set_rows(detail.forms)
        self.tabs.setTabText(2, _("&Forms ({count})").format(count=len(detail.forms)))
        if self.technical_button.isEnabled():
            self.technical.setPlainText(raw_record(detail))
        if detail.review is None:
            self.review.setText(_("No review yet."))
        else:
            stars = "★" * detail.review.rating + "☆" * (5 - detail.review.rating)
            # The patient's own words: shown as text, never read as markup.
            comment = html.escape(detail.review.comment or _("(no comment)"))
            said = _("{rating} of 5 stars, {when}").format(
                rating=detail.review.rating,
                when=format_datetime(detail.review.submitted_local, "dd MMM y HH:mm"),
            )
            self.review.setText(
                f"<p style='font-size: 18pt'>{stars}</p><p>{html.escape(said)}</p><p>{comment}</p>"
            )

    @staticmethod
    def _room_words(detail: AppointmentDetail) -> str:
        if detail.video_room_url is not None:
            expires = detail.video_room_expires_local
            if expires is None:
                return _("Open.")
            return _("Open until {time}.").format(time=format_time(expires))
        if detail.status in ENDED:
            return _("Closed.")
        return _("Not open yet: it opens when the appointment is onboarded.")

    def _fill_fields(self, detail: AppointmentDetail) -> None:
        cancelled = None
        if detail.cancelled_local is not None:
            cancelled = _("{when} by {who}: {reason}").format(
                when=_time(detail.cancelled_local),
                who=detail.cancelled_by or _("someone"),
                reason=detail.cancellation_reason or "",
            )
        source = SOURCE_WORDS.get(detail.source)
        rows = [
            ("status", _("Status:"), detail.status.label),
            ("type", _("Where:"), detail.type.label),
            ("source", _("Booked through:"), _(source) if source else str(detail.source)),
            ("start", _("Starts:"), _time(detail.start_local)),
            ("end", _("Ends:"), _time(detail.end_local)),
            ("service", _("Service:"), detail.service_name),
            ("specialist", _("Specialist:"), detail.specialist_name),
            ("calendar", _("Calendar:"), detail.calendar_name or _("— (booked directly)")),
            ("patient", _("Patient:"), detail.patient_name),
            ("phone", _("Phone:"), detail.patient_phone or "—"),
            ("email", _("E-mail:"), detail.patient_email or "—"),
            ("contact_email", _("Booking e-mail:"), detail.contact_email or "—"),
            ("booked", _("Booked on:"), _time(detail.booked_local)),
            ("onboarded", _("Onboarded:"), _time(detail.onboarded_local)),
            ("checked_in", _("Checked in:"), _time(detail.checked_in_local)),
            ("session_started", _("Session started:"), _time(detail.session_started_local)),
            ("completed", _("Completed:"), _time(detail.completed_local)),
            ("cancelled", _("Cancelled:"), cancelled or "—"),
            (
                "override",
                _("Double booking allowed because:"),
                detail.double_booking_override_reason or "—",
            ),
            ("room_expires", _("Video room closes:"), _time(detail.video_room_expires_local)),
            ("plan", _("Session of the plan:"), show(detail.plan_session_number) or "—"),
            ("notes", _("Notes:"), detail.notes or "—"),
        ]
        for key, label, value in rows:
            shown = self.field_labels.get(key)
            if shown is None:
                shown = QLabel()
                shown.setObjectName(f"detail-{key}")
                shown.setWordWrap(True)
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.fields.addRow(label, shown)
                self.field_labels[key] = shown
            shown.setText(value)

    def _show_problem(self, error: Exception) -> None:
        self.problem.setText(explain(error))
        self.problem.show()

    def open_room(self) -> None:
        if self.detail is not None and self.detail.video_room_url:
            open_video_room(self.detail.video_room_url)

    def copy_link(self) -> None:
        if self.detail is not None and self.detail.video_room_url:
            QGuiApplication.clipboard().setText(self.detail.video_room_url)

    def open_form(self, row: FormRow | None) -> FormFillerDialog | None:
        return open_filler(self.desk, row.id, self) if row is not None else None

    def _on_changed(self, changes: ChangeSet) -> None:
        forms = {form.id for form in self.detail.forms} if self.detail else set()
        if (
            self.appointment_id in changes.ids("appointments")
            or forms & changes.ids("form_instances")
            or affects(changes, ("reviews",))
        ):
            self.reload()
