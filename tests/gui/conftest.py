"""GUI fixtures: a desk over a fresh seeded mirror, and a check that fails a test which leaves
threads running, or timers active once its windows are closed.

Settings are isolated per test: preferences live in the test's mirror, window geometry in its
profile directory (`Desk.window_state`). Helpers: `tests.gui.helpers`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.store.mirror import Mirror
from tests.support.clinic import Clinic


@pytest.fixture(autouse=True)
def no_leaked_threads_or_timers(qapp: QApplication) -> Iterator[None]:
    """Runs around every GUI test (autouse: set up first, torn down last)."""
    before = set(threading.enumerate())
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    deadline = time.monotonic() + 2.0
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    while leaked and time.monotonic() < deadline:
        time.sleep(0.02)
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    timers = [timer for timer in qapp.findChildren(QTimer) if timer.isActive()]
    for widget in QApplication.topLevelWidgets():
        timers += [timer for timer in widget.findChildren(QTimer) if timer.isActive()]
    problems = [f"thread {t.name} still running" for t in leaked]
    problems += [f"timer {t.objectName() or t} still active" for t in timers]
    if problems:
        pytest.fail("the test left work running: " + "; ".join(problems))


@pytest.fixture
def desk(mirror: Mirror, clinic: Clinic) -> Iterator[Desk]:
    """A desk over a fresh clinic, acting as its receptionist; its worker stops after."""
    opened = Desk(mirror, clinic.organization_id, clinic.receptionist, clinic.clock)
    yield opened
    opened.close()


@pytest.fixture
def desk_as(desk: Desk, clinic: Clinic) -> Iterator[Callable[[Role], Desk]]:
    """`desk_as(Role.SPECIALIST)`: the same mirror, signed in as the clinic's specialist
    (or admin, or receptionist)."""
    actors = {
        Role.ADMIN: clinic.admin,
        Role.RECEPTIONIST: clinic.receptionist,
        Role.SPECIALIST: clinic.specialist_actor,
    }
    opened: list[Desk] = []

    def make(role: Role) -> Desk:
        other = desk.acting_as(actors[role])
        opened.append(other)
        return other

    yield make
    for other in opened:
        other.close()


@pytest.fixture
def restore_look(qapp: QApplication) -> Iterator[None]:
    """For a test that themes the application (`gui.theme.apply_theme`): the tests after it
    find the application's style, palette and stylesheet as they were."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)
