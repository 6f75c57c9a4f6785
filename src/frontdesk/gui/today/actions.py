"""Carrying out an appointment action chosen on the board (or in the calendar): the dialogs
it needs first, then the service call on the worker."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from frontdesk.domain.enums import AppointmentType
from frontdesk.domain.errors import DoubleBooking
from frontdesk.gui.appointments.video import open_video_room
from frontdesk.gui.desk import Desk
from frontdesk.gui.dialogs.cancel import CancelDialog
from frontdesk.gui.dialogs.override import OverrideDialog
from frontdesk.gui.operations import run_operation, show_error
from frontdesk.gui.screens import load_screen
from frontdesk.gui.today.lanes import Action
from frontdesk.i18n import _
from frontdesk.i18n.formats import format_time
from frontdesk.services import lifecycle
from frontdesk.services.calendar import CalendarEntry
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.models import Appointment

WIZARD = ("frontdesk.gui.onboarding.wizard", "OnboardingWizard")

_SIMPLE: dict[Action, Callable[[ServiceContext, uuid.UUID], Any]] = {
    Action.CONFIRM: lifecycle.confirm,
    Action.CHECK_IN: lifecycle.check_in,
    Action.COMPLETE: lifecycle.complete,
    Action.NO_SHOW: lifecycle.mark_no_show,
}


class AppointmentActions:
    """Runs actions for a screen; the dialog it is showing is `dialog` (tests drive it)."""

    def __init__(self, desk: Desk, parent: QWidget) -> None:
        self._desk = desk
        self._parent = parent
        self.dialog: QDialog | None = None

    def perform(self, action: Action, entry: CalendarEntry) -> None:
        if action is Action.ONBOARD:
            self._onboard(entry)
        elif action is Action.CANCEL:
            self._cancel(entry)
        elif action is Action.REINSTATE:
            self._reinstate(entry.id, override_reason=None)
        elif action is Action.START:
            self._start(entry.id)
        else:
            call = _SIMPLE[action]
            self._run(lambda ctx: call(ctx, entry.id))

    def _run(
        self,
        work: Callable[[ServiceContext], Any],
        on_error: Callable[[Exception], None] | None = None,
        on_done: Callable[[Any], None] = lambda _result: None,
    ) -> None:
        run_operation(self._desk, work, parent=self._parent, on_done=on_done, on_error=on_error)

    def _start(self, appointment_id: uuid.UUID) -> None:
        """Start the session; a video appointment's room opens in the system browser, as
        on My sessions. Every appointment has a room, but one in the clinic does not need it
        opened at the desk."""

        def started(outcome: Outcome[Appointment]) -> None:
            appointment = outcome.value
            if appointment.type == AppointmentType.VIDEO and appointment.video_room_url:
                open_video_room(appointment.video_room_url)

        self._run(lambda ctx: lifecycle.start_session(ctx, appointment_id), on_done=started)

    def _onboard(self, entry: CalendarEntry) -> None:
        self._show(load_screen(*WIZARD)(self._desk, entry.id, self._parent))

    def _cancel(self, entry: CalendarEntry) -> None:
        label = _("{time} {patient} — {service}").format(
            time=format_time(entry.start_local),
            patient=entry.patient_name,
            service=entry.service_name,
        )
        dialog = CancelDialog(label, self._desk.actor.label or _("this desk"), self._parent)
        dialog.accepted.connect(
            lambda: self._run(lambda ctx: lifecycle.cancel(ctx, entry.id, reason=dialog.reason()))
        )
        self._show(dialog)

    def _reinstate(self, appointment_id: uuid.UUID, override_reason: str | None) -> None:
        def refused(error: Exception) -> None:
            if isinstance(error, DoubleBooking) and override_reason is None:
                self._ask_override(appointment_id, error)
            else:
                show_error(self._parent, error)

        self._run(
            lambda ctx: lifecycle.reinstate(ctx, appointment_id, override_reason=override_reason),
            on_error=refused,
        )

    def _ask_override(self, appointment_id: uuid.UUID, refusal: DoubleBooking) -> None:
        dialog = OverrideDialog(refusal, self._parent)
        dialog.accepted.connect(lambda: self._reinstate(appointment_id, dialog.reason()))
        self._show(dialog)

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()
