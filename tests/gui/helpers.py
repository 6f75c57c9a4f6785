"""Helpers for GUI tests: waiting for operations, finding the error boxes they show."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.gui.operations import ERROR_BOX_NAME

OPERATION_TIMEOUT_MS = 10_000


def wait_for_operations(qtbot: QtBot, *desks: Desk, timeout: int = OPERATION_TIMEOUT_MS) -> None:
    """Until every operation of these desks has run and been delivered on the UI thread, and
    the events its delivery posted have been handled, so the screen shows the result.

    Delivering is not the end of it: a widget added to a layout that is already shown (a
    form's fields, rebuilt once the form is read) is shown by Qt with a queued call, and stays
    hidden until the event loop runs once more. The workers alone can be idle while that call
    still waits, when the delivery fell in the last pass of the event loop before a check."""

    def settled() -> bool:
        if not all(d.worker.idle for d in desks):
            return False
        QCoreApplication.sendPostedEvents()
        # What was posted may have started another operation (a reload after a save).
        return all(d.worker.idle for d in desks)

    qtbot.waitUntil(settled, timeout=timeout)


def error_boxes() -> list[QMessageBox]:
    """The operation error boxes currently shown (see `operations.show_error`)."""
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QMessageBox)
        and widget.objectName() == ERROR_BOX_NAME
        and widget.isVisible()
    ]
