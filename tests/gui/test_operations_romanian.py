"""The operations runner's own words in Romanian: the error box's title and a refusal
naming its field, and the progress dialog's Cancel button."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import InvalidInput
from frontdesk.gui import operations
from frontdesk.gui.desk import Desk
from frontdesk.gui.operations import current_job, run_operation
from frontdesk.i18n.catalogs import activate
from frontdesk.services.context import ServiceContext
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.gui.test_operations import _progress_dialogs


@pytest.fixture
def widget(qtbot: QtBot) -> QWidget:
    shown = QWidget()
    qtbot.addWidget(shown)
    return shown


def test_in_romanian_a_refusal_names_its_field_in_romanian(
    qtbot: QtBot, desk: Desk, widget: QWidget
) -> None:
    activate("ro")

    def refuse(_ctx: ServiceContext) -> None:
        raise InvalidInput.single("date_of_birth", "x")

    run_operation(desk, refuse, parent=widget, on_done=lambda _none: None)
    wait_for_operations(qtbot, desk)
    [box] = error_boxes()
    assert box.windowTitle() == "Front Desk"
    assert box.text().startswith("Vă rugăm să verificați:")
    assert "Data nașterii: x" in box.text()


def test_in_romanian_the_progress_dialog_cancels_in_romanian(
    qtbot: QtBot, desk: Desk, widget: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    activate("ro")
    monkeypatch.setattr(operations, "PROGRESS_DELAY_MS", 50)
    release = threading.Event()

    def slow(_ctx: ServiceContext) -> None:
        job = current_job()
        assert job is not None
        while not (release.is_set() or job.cancelled):
            release.wait(0.01)

    run_operation(desk, slow, parent=widget, on_done=lambda _none: None, label="Se încarcă…")
    qtbot.waitUntil(lambda: _progress_dialogs() != [])
    [dialog] = _progress_dialogs()
    assert [button.text() for button in dialog.findChildren(QPushButton)] == ["Anulează"]
    release.set()
    wait_for_operations(qtbot, desk)
    qtbot.waitUntil(lambda: _progress_dialogs() == [])
