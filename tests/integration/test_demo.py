"""The demo clinic is built through the services and looks like a clinic mid-week."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.domain.clock import zone
from frontdesk.domain.enums import AppointmentSource, AppointmentStatus, FormStatus
from frontdesk.services.demo import existing_demo, seed_demo_clinic
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import Appointment, AppointmentStatusChange, FormInstance

# A Wednesday afternoon in Bucharest.
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def test_demo_clinic_has_history_today_and_bookings_to_onboard(mirror: Mirror) -> None:
    assert existing_demo(mirror.sessions) is None
    summary = seed_demo_clinic(mirror.sessions, NOW)
    assert existing_demo(mirror.sessions) == summary.organization_id

    with mirror.sessions() as session:
        appointments = session.scalars(select(Appointment)).all()
        statuses = Counter(a.status for a in appointments)
        history = session.scalars(select(AppointmentStatusChange)).all()
        forms = session.scalars(select(FormInstance)).all()

    assert len(appointments) == summary.appointments
    assert statuses[AppointmentStatus.DONE] > 10
    assert statuses[AppointmentStatus.NOSHOW] >= 1
    assert statuses[AppointmentStatus.CANCELLED] >= 1
    assert statuses[AppointmentStatus.UPCOMING] > 10
    waiting = [a for a in appointments if a.status == AppointmentStatus.BOOKED]
    assert len(waiting) == summary.awaiting_onboarding == 4
    assert all(a.source == AppointmentSource.PUBLIC and a.contact_email for a in waiting)
    assert all(a.started_at > NOW for a in waiting)
    # Past sessions were completed at their own times, not at seeding time.
    done = [a for a in appointments if a.status == AppointmentStatus.DONE]
    assert all(a.completed_at and a.completed_at < NOW for a in done)
    assert all(a.completed_at > a.started_at for a in done)
    assert len(history) > len(appointments)
    # Blocking forms were signed online, so every later booking went through.
    assert all(f.status == FormStatus.SIGNED for f in forms if f.blocking)
    assert any(f.status == FormStatus.CREATED for f in forms)


def test_in_romanian_the_demo_prints_todays_schedule_in_romanian(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LANG", "ro_RO.UTF-8")
    home = str(demo_dir / "demo")
    assert main(["--home", home, "demo", "--no-window", "--standalone"]) == 0
    out = capsys.readouterr().out
    today = datetime.now(zone("Europe/Bucharest")).date()
    assert f"Astăzi, {format_date(today, 'full', locale='ro')}:" in out
    assert "Clinica demonstrativă a fost creată: " in out
    assert "Rezervări online care așteaptă înregistrarea: 4" in out
    assert "Nicio programare astăzi." in out or "Stare" in out.split("Astăzi, ")[1]
    stored = {str(status) for status in AppointmentStatus} | {"Today", "Status", "Upcoming"}
    assert not [word for word in out.split() if word in stored]


def test_demo_command_seeds_once_and_shows_today(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(demo_dir / "demo")
    assert main(["--home", home, "demo", "--no-window"]) == 0
    first = capsys.readouterr().out
    assert "Seeded the demo clinic" in first
    assert "Public bookings waiting for onboarding: 4" in first
    assert main(["--home", home, "demo", "--no-window"]) == 0
    second = capsys.readouterr().out
    assert "Seeded" not in second
    assert "Riverside Physiotherapy" in second
    assert main(["--home", home, "executions", "list", "--json"]) == 0
    executions = json.loads(capsys.readouterr().out)
    assert {"New Patient GDPR & Welcome", "First Video Appointment Setup"} <= {
        execution["rule_name"] for execution in executions
    }
