"""The desktop's engine claims through the server once the desk's account is found, and runs
everything itself again once the window (and its account) is closed."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.main_window import MainWindow
from frontdesk.server.claims import SERVER_NODE, claim
from frontdesk.server.rls import ENGINE_ROLE
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services.desk_identity import DeskIdentity
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile
from frontdesk.sync.account import sign_in
from tests.gui.helpers import wait_for_operations
from tests.support.postgres import TEST_PASSWORD, LiveServer

TAKEN = "rule-1:patient:p1:2026-03-02T07:30:00Z"
FREE = "rule-1:patient:p2:2026-03-02T07:30:00Z"


def test_a_signed_in_desk_runs_only_what_the_server_grants_it(
    qtbot: QtBot, tmp_path: Path, live_server: LiveServer
) -> None:
    organization = live_server.create_org(name="Harbour Clinic", timezone="Europe/Bucharest")
    live_server.create_user(organization.id, "rita@harbour.example", role=Role.RECEPTIONIST)
    server_sessions = scoped_sessions(
        live_server.database.engine, Scope(organization_id=organization.id, role=ENGINE_ROLE)
    )
    with server_sessions.begin() as session:
        claim(session, organization.id, [TAKEN], node=SERVER_NODE, clock=SystemClock())
    mirror = open_mirror(Profile.resolve(tmp_path / "signed-in"))
    try:
        account = sign_in(
            mirror.profile,
            server_url=live_server.url,
            email="rita@harbour.example",
            password=TEST_PASSWORD,
            verify=str(live_server.ca_path),
        )
        account.close()
        identity = DeskIdentity(organization.id, account.user_id, Role.RECEPTIONIST, "Rita")
        desk = Desk(mirror, organization.id, identity.actor)
        try:
            assert desk.claims.claim([TAKEN]) == {TAKEN}  # no account yet: all local
            window = MainWindow(desk, clinic_name="Harbour Clinic")
            qtbot.addWidget(window)
            window.show()
            qtbot.waitUntil(lambda: window.sync.account is not None, timeout=30_000)
            assert desk.claims.claim([TAKEN, FREE]) == {FREE}
            window.close()
            wait_for_operations(qtbot, desk, timeout=30_000)
            assert desk.claims.claim([TAKEN]) == {TAKEN}  # signed out of the engine: local
        finally:
            desk.close()
    finally:
        mirror.close()
