"""The operations runner: work off the UI thread, results and ChangeSets on it, errors shown
in plain words, cancellation, progress after a delay."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.domain.errors import InvalidInput
from frontdesk.gui import operations
from frontdesk.gui.desk import AUTOMATION_RAN, Desk
from frontdesk.gui.operations import current_job, run_operation
from frontdesk.services import lifecycle, onboarding
from frontdesk.services.context import ServiceContext
from frontdesk.store.changes import ChangeSet
from frontdesk.store.models import FormInstance, FormTemplate
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.support.automation import add_example_templates, insert_example
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book


@pytest.fixture
def widget(qtbot: QtBot) -> QWidget:
    shown = QWidget()
    qtbot.addWidget(shown)
    return shown


def _onboarded(clinic: Clinic) -> uuid.UUID:
    booked = book(clinic.ctx, clinic, start=clinic.clock.now() + timedelta(hours=2))
    onboarding.onboard(clinic.ctx, booked.appointment.id)
    return booked.appointment.id


def test_work_runs_on_the_worker_and_the_result_on_the_ui_thread(
    qtbot: QtBot, desk: Desk, widget: QWidget
) -> None:
    seen: dict[str, object] = {}

    def work(ctx: ServiceContext) -> str:
        seen["work_thread"] = threading.current_thread()
        seen["organization"] = ctx.organization_id
        return "ready"

    def done(result: str) -> None:
        seen["done_thread"] = threading.current_thread()
        seen["result"] = result

    run_operation(desk, work, parent=widget, on_done=done)
    assert not desk.worker.idle
    wait_for_operations(qtbot, desk)
    assert seen["result"] == "ready"
    assert seen["organization"] == desk.organization_id
    assert seen["done_thread"] is threading.main_thread()
    assert seen["work_thread"] is not threading.main_thread()


def test_an_outcome_announces_its_changes_and_the_automations_run(
    qtbot: QtBot, desk: Desk, clinic: Clinic, widget: QWidget
) -> None:
    changes: list[ChangeSet] = []
    desk.signals.sig_changed.connect(changes.append)
    appointment_id = _onboarded(clinic)
    run_operation(
        desk,
        lambda ctx: lifecycle.confirm(ctx, appointment_id),
        parent=widget,
        on_done=lambda _outcome: None,
    )
    wait_for_operations(qtbot, desk)
    assert len(changes) == 1
    assert appointment_id in changes[0].ids("appointments")
    assert "appointment.confirmed" in changes[0].events


def test_a_refusal_is_shown_in_plain_words_naming_the_field(
    qtbot: QtBot, desk: Desk, widget: QWidget
) -> None:
    def refuse(_ctx: ServiceContext) -> None:
        raise InvalidInput.single("date_of_birth", "cannot be in the future")

    done: list[object] = []
    run_operation(desk, refuse, parent=widget, on_done=done.append)
    wait_for_operations(qtbot, desk)
    assert done == []
    [box] = error_boxes()
    assert "Date of birth: cannot be in the future" in box.text()


def test_on_error_replaces_the_message_box(qtbot: QtBot, desk: Desk, widget: QWidget) -> None:
    errors: list[Exception] = []

    def fail(_ctx: ServiceContext) -> None:
        raise RuntimeError("disk on fire")

    run_operation(desk, fail, parent=widget, on_done=lambda _r: None, on_error=errors.append)
    wait_for_operations(qtbot, desk)
    assert [str(e) for e in errors] == ["disk on fire"]
    assert error_boxes() == []


def test_a_widget_closed_before_the_result_is_not_called_back(qtbot: QtBot, desk: Desk) -> None:
    release = threading.Event()
    done: list[object] = []
    gone = QWidget()

    def slow(_ctx: ServiceContext) -> str:
        release.wait(5)
        return "late"

    run_operation(desk, slow, parent=gone, on_done=done.append)
    gone.deleteLater()
    qtbot.waitUntil(lambda: not _alive(gone))
    release.set()
    wait_for_operations(qtbot, desk)
    assert done == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_long_work_shows_progress_after_a_delay_and_can_be_cancelled(
    qtbot: QtBot, desk: Desk, widget: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(operations, "PROGRESS_DELAY_MS", 50)
    started = threading.Event()
    steps: list[int] = []

    def long_work(_ctx: ServiceContext) -> str:
        job = current_job()
        assert job is not None
        started.set()
        for step in range(500):
            job.check_cancelled()
            job.report(step, 500)
            steps.append(step)
            threading.Event().wait(0.01)
        return "finished"

    done: list[str] = []
    run_operation(desk, long_work, parent=widget, on_done=done.append, label="Loading…")
    qtbot.waitUntil(lambda: _progress_dialogs() != [])
    [dialog] = _progress_dialogs()
    assert dialog.labelText() == "Loading…"
    qtbot.waitUntil(lambda: dialog.maximum() == 500)  # the work's reports reach the dialog
    [cancel] = dialog.findChildren(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert done == []
    assert len(steps) < 500
    qtbot.waitUntil(lambda: _progress_dialogs() == [])


def _progress_dialogs() -> list[QProgressDialog]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QProgressDialog) and w.isVisible()
    ]


def test_quick_work_never_shows_progress(qtbot: QtBot, desk: Desk, widget: QWidget) -> None:
    done: list[str] = []
    run_operation(desk, lambda _ctx: "quick", parent=widget, on_done=done.append, label="Busy")
    wait_for_operations(qtbot, desk)
    assert done == ["quick"]
    qtbot.wait(operations.PROGRESS_DELAY_MS + 100)
    assert _progress_dialogs() == []


def test_the_automations_run_after_an_operation_and_are_announced(
    qtbot: QtBot, desk: Desk, clinic: Clinic, widget: QWidget
) -> None:
    add_example_templates(clinic)
    insert_example(clinic, 1)  # patient.onboarded → require the privacy and terms forms
    booked = book(clinic.ctx, clinic, start=clinic.clock.now() + timedelta(hours=2))
    changes: list[ChangeSet] = []
    desk.signals.sig_changed.connect(changes.append)
    run_operation(
        desk,
        lambda ctx: onboarding.onboard(ctx, booked.appointment.id),
        parent=widget,
        on_done=lambda _outcome: None,
    )
    wait_for_operations(qtbot, desk)
    [announced] = changes
    assert AUTOMATION_RAN in announced.events
    with desk.mirror.sessions() as session:
        titles = set(
            session.scalars(
                select(FormTemplate.title)
                .join(FormInstance, FormInstance.template_id == FormTemplate.id)
                .where(FormInstance.patient_person_id == booked.appointment.patient_person_id)
            )
        )
    assert {"Privacy Policy & GDPR Consent", "Terms of Service"} <= titles


def test_a_failing_rule_does_not_fail_the_operation_that_committed(
    qtbot: QtBot, desk: Desk, clinic: Clinic, widget: QWidget
) -> None:
    def broken_engine(_ctx: ServiceContext) -> ChangeSet:
        raise RuntimeError("rule cache corrupted")

    desk.automation = broken_engine
    appointment_id = _onboarded(clinic)
    changes: list[ChangeSet] = []
    done: list[object] = []
    desk.signals.sig_changed.connect(changes.append)
    run_operation(
        desk, lambda ctx: lifecycle.confirm(ctx, appointment_id), parent=widget, on_done=done.append
    )
    wait_for_operations(qtbot, desk)
    assert len(done) == 1
    assert appointment_id in changes[0].ids("appointments")
    assert error_boxes() == []
