"""Starting the desktop: the QApplication, the profile's mirror, who is signed in (first run
asks), the automation engine in the background, and the main window."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from frontdesk.domain.enums import Role
from frontdesk.file_access import FileAccessRefused
from frontdesk.gui.desk import Desk
from frontdesk.gui.main_window import MainWindow
from frontdesk.gui.preferences import apply_preferences
from frontdesk.gui.stop_signals import quit_on_stop_signals
from frontdesk.i18n import _
from frontdesk.services.context import ServiceContext
from frontdesk.services.desk_identity import (
    DeskIdentity,
    first_member,
    remember,
    remembered,
)
from frontdesk.services.organizations import find_organization
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.models import Organization
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor

if TYPE_CHECKING:
    from frontdesk.automation.scheduler import AutomationRunner

APP_NAME = "Front Desk"


@dataclass
class DeskSession:
    """A running desk: close it to stop its threads (the mirror stays with its opener)."""

    desk: Desk
    window: MainWindow
    automation: AutomationRunner | None = None

    def start_automation(self) -> None:
        """The engine in the background (timers, reminders, delivery). Started once the window
        is up: importing and sweeping it must not delay the first screen."""
        from frontdesk.automation.scheduler import AutomationRunner, engine_steps

        mirror = self.desk.mirror
        engine = ServiceContext(
            sessions=mirror.sessions,
            organization_id=self.desk.organization_id,
            actor=Actor.system("automation"),
        )
        self.automation = AutomationRunner(
            engine,
            engine_steps(local_outbox=mirror.profile.outbox_dir, claims=self.desk.claims),
        )
        self.automation.start()

    def close(self) -> None:
        self.window.close()
        if self.automation is not None:
            self.automation.stop()
        self.desk.close()


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("frontdesk")
    return app


def known_identity(mirror: Mirror, sign_in_as: Role | None = None) -> DeskIdentity | None:
    """Who this profile works as, without asking: the identity remembered at sign-in or
    set-up, or (the demo) the organization's first member with the role `sign_in_as`. The
    server account, if any, is found by the sync controller off the UI thread."""
    if sign_in_as is not None:
        organization = find_organization(mirror.sessions)
        identity = first_member(mirror.sessions, organization.id, sign_in_as)
        remember(mirror.sessions, identity)
        return identity
    return remembered(mirror.sessions)


def open_desk(mirror: Mirror, identity: DeskIdentity) -> DeskSession:
    desk = Desk(mirror, identity.organization_id, identity.actor)
    window = MainWindow(desk, clinic_name=_clinic_name(mirror, identity))
    return DeskSession(desk, window)


def _clinic_name(mirror: Mirror, identity: DeskIdentity) -> str:
    with mirror.sessions() as session:
        organization = session.get(Organization, identity.organization_id)
    return organization.name if organization is not None else ""


def first_run(mirror: Mirror) -> DeskIdentity | None:
    """Ask how this desk works (blocks until answered); None if the window was closed."""
    from frontdesk.gui.first_run import FirstRunDialog, setup_desk

    desk = setup_desk(mirror)
    try:
        dialog = FirstRunDialog(desk)
        dialog.exec()
        started = dialog.started
        if started is None:
            return None
        if started.account is not None:
            started.account.close()  # the sync controller opens its own from the profile
        return started.identity
    finally:
        desk.close()


def run_app(home: str | None = None, *, sign_in_as: Role | None = None) -> int:
    """`frontdesk` with no command (and `frontdesk demo`): the desk until its window closes."""
    app = application()
    try:
        mirror = open_mirror(Profile.resolve(home))
    except FileAccessRefused as refused:
        # The same sentence the command line prints, where a desk user sees it.
        QMessageBox.critical(
            None, _("Front Desk"), _("The desk cannot start: {reason}").format(reason=refused)
        )
        return 2
    try:
        apply_preferences(app, mirror)
        identity = known_identity(mirror, sign_in_as) or first_run(mirror)
        if identity is None:
            return 0
        session = open_desk(mirror, identity)
        try:
            session.window.show()
            QTimer.singleShot(0, session.start_automation)
            # Start-up objects leave the collector's view: a long-running desk should not walk
            # them on every full collection (docs/performance.md).
            gc.freeze()
            with quit_on_stop_signals(app):
                return app.exec()
        finally:
            session.close()
    finally:
        mirror.close()
