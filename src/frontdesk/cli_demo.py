"""`frontdesk demo`: a seeded demo clinic in its own profile, shown as today's schedule."""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.automation.scheduler import AutomationRunner, engine_steps
from frontdesk.cli_output import entries_table
from frontdesk.domain.clock import zone
from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.services import calendar
from frontdesk.services.context import ServiceContext
from frontdesk.services.demo import existing_demo, seed_demo_clinic
from frontdesk.services.organizations import find_organization
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import ENV_HOME, Profile
from frontdesk.store.unit_of_work import Actor


def demo_home(home: str | None) -> Path:
    """`--home`, else $FRONTDESK_HOME, else a `demo` profile beside the real one."""
    chosen = home or os.environ.get(ENV_HOME)
    return Path(chosen) if chosen else Path(platformdirs.user_data_dir("frontdesk")) / "demo"


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


def run_demo(args: argparse.Namespace) -> int:
    mirror = open_mirror(Profile.resolve(demo_home(args.home)))
    try:
        now = datetime.now(UTC)
        if existing_demo(mirror.sessions) is None:
            summary = seed_demo_clinic(mirror.sessions, now)
            print(f"Seeded the demo clinic: {summary.appointments} appointments.")
        organization = find_organization(mirror.sessions)
        _run_automations(mirror.sessions, organization.id, mirror.profile.home)
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
        print(f"{organization.name} — profile {mirror.profile.home}")
        if mirror.key_storage == "file":
            print("Note: no OS keyring here; the mirror's key is in a private file.")
        print(f"\nToday, {today:%A %d %B %Y}:")
        print(entries_table(todays) if todays else "no appointments today")
        print(f"\nPublic bookings waiting for onboarding: {len(waiting)}")
        return 0
    finally:
        mirror.close()
