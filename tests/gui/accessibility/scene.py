"""What the accessibility walks (and scripts/screenshots.py) build windows over: desks for each
role over one clinic, with an appointment to onboard, one onboarded with its forms, and a patient.

The tests make a scene over the small test clinic (`tests.support.clinic`); the screenshots
over the demo clinic. Builders only read a scene, so both work."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk

SETTLE_TIMEOUT_S = 30.0


@dataclass
class Scene:
    desk_as: Callable[[Role], Desk]
    """A desk over the clinic signed in with that role (the same one each time asked)."""
    new_desk: Callable[[], Desk]
    """A desk over a fresh profile that has no clinic yet (what the first run finds)."""
    booked_id: uuid.UUID
    """A public booking still to onboard."""
    onboarded_id: uuid.UUID
    """An onboarded appointment; its forms are `form_id`'s."""
    form_id: uuid.UUID
    """A form to fill, created by onboarding."""
    person_id: uuid.UUID
    """A patient with a profile."""
    start: datetime
    """A free time to book, in the specialist's hours."""
    specialist_id: uuid.UUID
    opened: list[Desk]
    """Every desk the scene opened, so that `settle` waits for them all."""

    def settle(self) -> None:
        """Until every desk's operations have run and been delivered, and what their delivery
        posted has been handled, so the windows show their data."""
        app = QApplication.instance()
        assert app is not None
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            app.processEvents()
            QCoreApplication.sendPostedEvents()
            if all(desk.worker.idle for desk in self.opened):
                app.processEvents()
                if all(desk.worker.idle for desk in self.opened):
                    return
            time.sleep(0.005)
        raise TimeoutError("the desk's operations did not finish in time")
