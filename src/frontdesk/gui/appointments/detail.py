"""One appointment in full: every field, its status history, its forms (Enter opens one in
the filler), its video room (opened in the system browser) and its review."""

from __future__ import annotations

import html
import uuid
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.gui.appointments.list_widgets import RowsTable
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.appointments.table_model import Column, RowsTableModel, show
from frontdesk.gui.appointments.video import open_video_room
from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.forms.columns import APPOINTMENT_FORM_COLUMNS
from frontdesk.gui.forms.filler import FormFillerDialog, open_filler
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.services.appointment_views import AppointmentDetail, StatusStep, appointment_detail
from frontdesk.services.form_views import FormRow
from frontdesk.store.changes import ChangeSet

HISTORY_COLUMNS: list[Column[StatusStep]] = [
    Column("When", lambda r: r.changed_local),
    Column("From", lambda r: r.from_status or "—"),
    Column("To", lambda r: str(r.to_status)),
    Column("By", lambda r: r.actor_label),
    Column("Reason", lambda r: r.reason),
]

SOURCE_WORDS = {
    "public": "public booking page",
    "walk_in": "walk-in at the desk",
    "staff": "booked by staff",
    "automation": "booked by an automation",
}


def _time(value: datetime | None) -> str:
    return show(value) if value is not None else "—"


class AppointmentDetailDialog(QDialog):
    def __init__(
        self, desk: Desk, appointment_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.appointment_id = appointment_id
        self.detail: AppointmentDetail | None = None
        self.setObjectName("appointment-detail")
        self.setWindowTitle("Appointment")
        self.resize(760, 680)

        self.heading = QLabel("Loading…")
        self.heading.setObjectName("appointment-heading")
        self.heading.setWordWrap(True)
        self.problem = problem_label("appointment-problem")

        self.fields = QFormLayout()
        self.field_labels: dict[str, QLabel] = {}
        details = QWidget()
        details.setLayout(self.fields)

        self.video_url = QLabel("—")
        self.video_url.setObjectName("video-url")
        self.video_url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.video_button = QPushButton("Open &video room")
        self.video_button.setAutoDefault(False)
        self.video_button.setEnabled(False)
        self.video_button.clicked.connect(self.open_room)
        video_row = QHBoxLayout()
        video_row.addWidget(QLabel("<b>Video room:</b>"))
        video_row.addWidget(self.video_url, 1)
        video_row.addWidget(self.video_button)

        self.history_model: RowsTableModel[StatusStep] = RowsTableModel(HISTORY_COLUMNS, self)
        self.history = RowsTable(self.history_model)
        self.history.setObjectName("appointment-history")
        self.forms_model: RowsTableModel[FormRow] = RowsTableModel(APPOINTMENT_FORM_COLUMNS, self)
        self.forms = RowsTable(self.forms_model)
        self.forms.setObjectName("appointment-forms")
        self.forms.sig_row_activated.connect(self.open_form)
        self.review = QLabel("No review yet.")
        self.review.setObjectName("appointment-review")
        self.review.setWordWrap(True)
        self.review.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.tabs = QTabWidget()
        self.tabs.addTab(details, "&Details")
        self.tabs.addTab(self.history, "&History")
        self.tabs.addTab(self.forms, "&Forms")
        self.tabs.addTab(self.review, "&Review")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.problem)
        layout.addLayout(video_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        desk.signals.sig_changed.connect(self._on_changed)
        self.reload()

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
        self.heading.setText(
            f"<h3>{html.escape(detail.patient_name)} · {html.escape(detail.service_name)}</h3>"
            f"{detail.start_local:%A %d %B %Y, %H:%M}–{detail.end_local:%H:%M} with "
            f"{html.escape(detail.specialist_name)} · <b>{detail.status}</b>"
        )
        self._fill_fields(detail)
        self.video_url.setText(detail.video_room_url or "no room (opened at onboarding)")
        self.video_button.setEnabled(detail.video_room_url is not None)
        self.history_model.set_rows(detail.history)
        self.forms_model.set_rows(detail.forms)
        self.tabs.setTabText(2, f"&Forms ({len(detail.forms)})")
        if detail.review is None:
            self.review.setText("No review yet.")
        else:
            stars = "★" * detail.review.rating + "☆" * (5 - detail.review.rating)
            # The patient's own words: shown as text, never read as markup.
            comment = html.escape(detail.review.comment or "(no comment)")
            self.review.setText(
                f"<p style='font-size: 18pt'>{stars}</p><p>{detail.review.rating} of 5 stars, "
                f"{detail.review.submitted_local:%d %b %Y %H:%M}</p><p>{comment}</p>"
            )

    def _fill_fields(self, detail: AppointmentDetail) -> None:
        cancelled = None
        if detail.cancelled_local is not None:
            by = f" by {detail.cancelled_by}" if detail.cancelled_by else ""
            cancelled = f"{_time(detail.cancelled_local)}{by}: {detail.cancellation_reason or ''}"
        rows = [
            ("status", "Status", str(detail.status)),
            ("type", "Type", "video" if detail.type == "video" else "in the clinic"),
            ("source", "Booked through", SOURCE_WORDS.get(detail.source, str(detail.source))),
            ("start", "Starts", _time(detail.start_local)),
            ("end", "Ends", _time(detail.end_local)),
            ("service", "Service", detail.service_name),
            ("specialist", "Specialist", detail.specialist_name),
            ("calendar", "Calendar", detail.calendar_name or "— (booked directly)"),
            ("patient", "Patient", detail.patient_name),
            ("phone", "Phone", detail.patient_phone or "—"),
            ("email", "E-mail", detail.patient_email or "—"),
            ("contact_email", "Booking e-mail", detail.contact_email or "—"),
            ("booked", "Booked on", _time(detail.booked_local)),
            ("onboarded", "Onboarded", _time(detail.onboarded_local)),
            ("checked_in", "Checked in", _time(detail.checked_in_local)),
            ("session_started", "Session started", _time(detail.session_started_local)),
            ("completed", "Completed", _time(detail.completed_local)),
            ("cancelled", "Cancelled", cancelled or "—"),
            (
                "override",
                "Double booking allowed because",
                detail.double_booking_override_reason or "—",
            ),
            ("room_expires", "Video room expires", _time(detail.video_room_expires_local)),
            ("plan", "Plan session", show(detail.plan_session_number) or "—"),
            ("notes", "Notes", detail.notes or "—"),
        ]
        for key, label, value in rows:
            shown = self.field_labels.get(key)
            if shown is None:
                shown = QLabel()
                shown.setObjectName(f"detail-{key}")
                shown.setWordWrap(True)
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.fields.addRow(f"{label}:", shown)
                self.field_labels[key] = shown
            shown.setText(value)

    def _show_problem(self, error: Exception) -> None:
        self.problem.setText(explain(error))
        self.problem.show()

    def open_room(self) -> None:
        if self.detail is not None and self.detail.video_room_url:
            open_video_room(self.detail.video_room_url)

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
