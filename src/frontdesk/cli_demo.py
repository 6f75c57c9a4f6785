"""`frontdesk demo`: the demo clinic on an embedded server, and this desk signed in to it.

The server (PostgreSQL in `HOME/server`, the API on loopback in a background thread) is
seeded once; the desk's profile is `HOME` itself: it signs in as the demo's receptionist, pulls
the clinic, then shows today's schedule (`--no-window`) or opens the app, and the server stops
when the window closes. `--standalone` builds the clinic in the profile alone, without a
server."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import SubprocessError
from typing import TYPE_CHECKING

import platformdirs
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.automation.scheduler import AutomationRunner, engine_steps
from frontdesk.cli_output import entries_table
from frontdesk.domain.clock import zone
from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_date
from frontdesk.services import calendar
from frontdesk.services.context import ServiceContext
from frontdesk.services.demo import existing_demo, seed_demo_clinic
from frontdesk.services.desk_identity import identity_for_user, remember
from frontdesk.services.organizations import find_organization
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.models import Organization
from frontdesk.store.profile import ENV_HOME, Profile
from frontdesk.store.unit_of_work import Actor

if TYPE_CHECKING:
    from frontdesk.server.demo import DemoServer

SERVER_DIR = "server"
"""The demo server's data directory, inside the demo's profile."""


def demo_home(home: str | None) -> Path:
    """`--home`, else $FRONTDESK_HOME, else a `demo` profile beside the real one."""
    chosen = home or os.environ.get(ENV_HOME)
    return Path(chosen) if chosen else Path(platformdirs.user_data_dir("frontdesk")) / "demo"


def run_demo(args: argparse.Namespace) -> int:
    home = demo_home(args.home)
    if args.standalone:
        return _standalone_demo(home, window=not args.no_window)
    return _server_demo(home, window=not args.no_window)


def _server_demo(home: Path, *, window: bool) -> int:
    # The server's modules (FastAPI, uvicorn) load only for this command.
    from frontdesk.server.demo import DEMO_PASSWORD, DemoServer, demo_slug, demo_staff_email

    now = datetime.now(UTC)
    home.mkdir(parents=True, exist_ok=True)
    server = DemoServer(home / SERVER_DIR)
    print(_("Starting the demo server (embedded PostgreSQL)…"), flush=True)
    try:
        server.start(now)
    except (OSError, RuntimeError, SubprocessError, SQLAlchemyError) as error:
        print(
            _(
                "error: the demo server could not start ({error}); "
                "`frontdesk demo --standalone` runs the demo without a server"
            ).format(error=error),
            file=sys.stderr,
        )
        return 1
    try:
        if server.seeded is not None:
            _print_seeded(server.seeded.appointments)
        email = demo_staff_email(Role.RECEPTIONIST)
        _sign_in(home, server, email, DEMO_PASSWORD, demo_slug())
        print(
            _("Demo server at {url} — staff sign in with password {password}.").format(
                url=server.url, password=repr(DEMO_PASSWORD)
            )
        )
        if window:
            from frontdesk.gui.app import run_app  # Qt loads only when a window is wanted

            return run_app(str(home))
        mirror = open_mirror(Profile.resolve(home))
        try:
            assert server.organization_id is not None
            _print_today(mirror, server.organization_id, now)
        finally:
            mirror.close()
        return 0
    finally:
        server.stop()


def _sign_in(home: Path, server: DemoServer, email: str, password: str, slug: str) -> None:
    """Sign the desk in as `email`, pull the clinic (the first round) and remember who the
    desk works as."""
    from frontdesk.sync.account import sign_in
    from frontdesk.sync.runner import run_round

    profile = Profile.resolve(home)
    account = sign_in(
        profile, server_url=server.url, email=email, password=password, organization_slug=slug
    )
    mirror = open_mirror(profile)
    try:
        report = run_round(mirror, account)
        print(
            ngettext(
                "Signed in as {email}; pulled {count} row.",
                "Signed in as {email}; pulled {count} rows.",
                report.pulled,
            ).format(email=email, count=report.pulled)
        )
        remember(
            mirror.sessions,
            identity_for_user(mirror.sessions, account.organization_id, account.user_id),
        )
    finally:
        account.close()
        mirror.close()


def _standalone_demo(home: Path, *, window: bool) -> int:
    mirror = open_mirror(Profile.resolve(home))
    try:
        now = datetime.now(UTC)
        if existing_demo(mirror.sessions) is None:
            summary = seed_demo_clinic(mirror.sessions, now)
            _print_seeded(summary.appointments)
        organization = find_organization(mirror.sessions)
        _run_automations(mirror.sessions, organization.id, mirror.profile.home)
        if not window:
            _print_today(mirror, organization.id, now)
    finally:
        mirror.close()
    if not window:
        return 0
    from frontdesk.gui.app import run_app

    return run_app(str(home), sign_in_as=Role.RECEPTIONIST)


def _run_automations(
    sessions: sessionmaker[Session], organization_id: uuid.UUID, home: Path
) -> None:
    """Let the engine catch up with what the demo's history caused (forms, messages, timers)."""
    ctx = ServiceContext(
        sessions=sessions, organization_id=organization_id, actor=Actor.system("automation")
    )
    while dispatch_pending(ctx).events:
        continue
    AutomationRunner(ctx, engine_steps(local_outbox=home / "outbox")).sweep()


def _print_today(mirror: Mirror, organization_id: uuid.UUID, now: datetime) -> None:
    with mirror.sessions() as session:
        organization = session.get_one(Organization, organization_id)
    ctx = ServiceContext(
        sessions=mirror.sessions,
        organization_id=organization.id,
        actor=Actor(Role.RECEPTIONIST, label="demo desk"),
    )
    today = now.astimezone(zone(organization.timezone)).date()
    todays = calendar.day(ctx, today)
    waiting = calendar.date_range(
        ctx, today, today + timedelta(days=14), statuses=[AppointmentStatus.BOOKED]
    )
    print(_("{clinic} — profile {home}").format(clinic=organization.name, home=mirror.profile.home))
    if mirror.key_storage == "file":
        print(_("Note: no OS keyring here; the mirror's key is in a private file."))
    print()
    print(_("Today, {date}:").format(date=format_date(today, "full")))
    print(entries_table(todays) if todays else _("No appointments today."))
    print()
    print(_("Public bookings waiting for onboarding: {count}").format(count=len(waiting)))


def _print_seeded(appointments: int) -> None:
    print(
        ngettext(
            "Seeded the demo clinic: {count} appointment.",
            "Seeded the demo clinic: {count} appointments.",
            appointments,
        ).format(count=appointments)
    )
