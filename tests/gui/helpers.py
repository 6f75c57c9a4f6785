"""Helpers for GUI tests: waiting for operations, finding the error boxes they show."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.gui.operations import ERROR_BOX_NAME

OPERATION_TIMEOUT_MS = 10_000


def wait_for_operations(qtbot: QtBot, *desks: Desk, timeout: int = OPERATION_TIMEOUT_MS) -> None:
    """Until every operation of these desks has run and been delivered on the UI thread."""
    qtbot.waitUntil(lambda: all(d.worker.idle for d in desks), timeout=timeout)


def error_boxes() -> list[QMessageBox]:
    """The operation error boxes currently shown (see `operations.show_error`)."""
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QMessageBox)
        and widget.objectName() == ERROR_BOX_NAME
        and widget.isVisible()
    ]
