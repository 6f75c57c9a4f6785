"""`frontdesk demo` with its window: the desk opens signed in to the embedded server, online
with live updates, and the server stops when the window closes."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from frontdesk.cli import main
from frontdesk.gui.main_window import MainWindow
from frontdesk.store.profile import Profile
from frontdesk.sync.account import current_account

WAIT_SECONDS = 60.0


def _window() -> MainWindow | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return found[0] if found else None


def _status(window: MainWindow | None) -> str:
    return window.sync_label.text() if window is not None else ""


@pytest.fixture
def plain_look(qapp: QApplication) -> Iterator[None]:
    """The desk themes the whole application; later tests find it as it was."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


def test_the_demo_window_opens_online_and_the_server_stops_with_it(
    qapp: QApplication, demo_dir: Path, plain_look: None
) -> None:
    home = demo_dir / "demo"
    seen: dict[str, str] = {}
    deadline = time.monotonic() + WAIT_SECONDS

    def look() -> None:
        window = _window()
        live = window.sync.live if window is not None else None
        if live is not None and live.connected.is_set() and "● Online" in _status(window):
            seen["status"] = window.sync_label.text()
            seen["who"] = window.identity_label.text()
            seen["stylesheet"] = qapp.styleSheet()
            window.close()
            qapp.quit()
            return
        if time.monotonic() > deadline:
            qapp.quit()
            return
        QTimer.singleShot(200, look)

    QTimer.singleShot(200, look)
    assert main(["--home", str(home), "demo"]) == 0
    assert "● Online" in seen.get("status", ""), "the desk never came online"
    assert "Rita Stan (Receptionist)" in seen["who"]
    assert "QPushButton:focus" in seen["stylesheet"]  # the theme was applied at start-up
    account = current_account(Profile.resolve(home))
    assert account is not None
    port = int(account.server_url.rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))  # the server went with the window
