"""A stop signal ends the desk's event loop at once, even when nothing else wakes it."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.gui.stop_signals import quit_on_stop_signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_the_event_loop_with_its_exit_code(
    qtbot: QtBot, signum: signal.Signals
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # A guard, so a broken wake-up fails the test instead of hanging it.
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: app.exit(-1))
    guard.start(10_000)
    QTimer.singleShot(50, lambda: os.kill(os.getpid(), signum))
    with quit_on_stop_signals(app):
        code = app.exec()
    guard.stop()
    assert code == 128 + signum


def test_the_previous_handlers_are_back_after_the_block(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = signal.getsignal(signal.SIGTERM)
    with quit_on_stop_signals(app):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
