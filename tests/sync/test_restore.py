"""Desks after the server is restored from a backup: they go on from their cursors, and
what they had not pushed (or pushed after the backup) lands; a desk that pulled past the
backup pulls again from the start and keeps its own changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from frontdesk.server.backup import Target, backup
from frontdesk.server.database import APP_ROLE, sqlalchemy_url
from frontdesk.server.pg_programs import Programs
from frontdesk.server.restore import restore
from frontdesk.services import patients
from frontdesk.store.models import Appointment, PatientPerson
from frontdesk.sync import pull
from frontdesk.sync.apply import CURSOR_SETTING, PulledPage, read_cursor
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory, seed_catalog, walk_in


@pytest.fixture
def server_target(sync_clinic: Clinic, pg_url: str) -> Target:
    url = sync_clinic.server.database.url
    assert url is not None
    return Target(sqlalchemy_url(pg_url).set(database=url.database), Programs.embedded(), APP_ROLE)


@pytest.fixture
def resets(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each page the desks applied was a `reset` (a pull from the start)."""
    seen: list[bool] = []
    real: Callable[..., None] = pull.apply_page

    def recording(engine: Engine, page: PulledPage, *args: object) -> None:
        seen.append(page.reset)
        real(engine, page, *args)

    monkeypatch.setattr(pull, "apply_page", recording)
    return seen


def _lose_and_restore(clinic: Clinic, target: Target, dump: Path) -> None:
    """The server's database is lost and restored from `dump` (the server stopped meanwhile:
    its connections closed; it opens new ones to the restored database)."""
    clinic.server.database.engine.dispose()
    restore(target, dump, replace=True, now=datetime.now(UTC))


def _has(desk: Desk, model: type, row_id: object) -> bool:
    with desk.mirror.sessions() as session:
        return session.get(model, row_id) is not None


def _patient(desk: Desk, name: str) -> PatientPerson:
    return patients.register_patient(
        desk.ctx, first_name=name, last_name="Later", request_account=False
    ).value


def test_desks_behind_the_backup_go_on_from_their_cursors_and_push_what_waited(
    make_desk: DeskFactory,
    sync_clinic: Clinic,
    server_target: Target,
    resets: list[bool],
    tmp_path: Path,
) -> None:
    front = make_desk("front", "admin")
    back = make_desk("back")
    seeded = seed_catalog(front)
    front.sync()
    back.sync()
    dump = backup(server_target, tmp_path / "server.dump")
    waiting = walk_in(front, seeded, NOW + timedelta(days=1, hours=3))  # not pushed yet

    _lose_and_restore(sync_clinic, server_target, dump)
    resets.clear()
    sent = front.sync()
    received = back.sync()

    assert sent.pushed > 0
    assert sent.conflicts == []
    assert _has(back, Appointment, waiting.id)
    assert resets
    assert not any(resets)  # both pulled on from their cursors
    assert received.pulled < 10  # the new booking's rows, not the whole organization


def test_a_desk_that_pulled_past_the_backup_starts_again_and_keeps_its_own_changes(
    make_desk: DeskFactory,
    sync_clinic: Clinic,
    server_target: Target,
    resets: list[bool],
    tmp_path: Path,
) -> None:
    front = make_desk("front", "admin")
    back = make_desk("back")
    seeded = seed_catalog(front)
    front.sync()
    back.sync()
    dump = backup(server_target, tmp_path / "server.dump")
    # After the backup: front pushes a booking and back pulls it (back is now ahead).
    lost = walk_in(front, seeded, NOW + timedelta(days=1, hours=3))
    front.sync()
    back.sync()
    assert _has(back, Appointment, lost.id)

    _lose_and_restore(sync_clinic, server_target, dump)
    later = walk_in(front, seeded, NOW + timedelta(days=2, hours=3), patient=1)
    unpushed = _patient(back, "Unpushed")

    resets.clear()
    first = back.sync()
    assert resets[0] is True  # back's cursor was ahead of the restored server
    assert first.conflicts == []
    assert _has(back, PatientPerson, unpushed.id)
    assert not _has(back, Appointment, lost.id)  # the server no longer has it (yet)

    resets.clear()
    again = front.sync()  # front sends again what the restored server lost, then the rest
    assert again.conflicts == []
    assert resets[0] is True  # front had pulled past the backup too
    assert _has(front, PatientPerson, unpushed.id)

    resets.clear()
    back.sync()
    assert not any(resets)  # back is on the restored server's history now
    assert _has(back, Appointment, lost.id)
    assert _has(back, Appointment, later.id)
    with back.mirror.sessions() as session:
        names = session.scalars(select(PatientPerson.first_name)).all()
    assert names.count("Unpushed") == 1


def test_a_cursor_beyond_the_servers_version_starts_again_without_losing_the_outbox(
    make_desk: DeskFactory, resets: list[bool]
) -> None:
    """As after a restore made by hand (pg_restore, no gap recorded): the server has never
    issued the desk's version, so the desk pulls from the start."""
    front = make_desk("front", "admin")
    seeded = seed_catalog(front)
    front.sync()
    waiting = walk_in(front, seeded, NOW + timedelta(days=1, hours=3))
    state = read_cursor(front.mirror.engine)
    version = int(state.cursor.partition(".")[0])
    with front.mirror.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE local_settings SET value = json_set(value, '$.cursor', ?) WHERE key = ?",
            (f"{version + 1000}.1", CURSOR_SETTING),
        )

    resets.clear()
    pull.pull_all(front.mirror, front.account)  # a pull alone: the booking is still unpushed
    assert resets[0] is True
    assert _has(front, Appointment, waiting.id)  # the reset kept the outbox's rows
    assert _has(front, PatientPerson, seeded.patient_ids[0])  # and the server's came back
    assert read_cursor(front.mirror.engine).cursor != f"{version + 1000}.1"
    resets.clear()
    report = front.sync()
    assert report.pushed > 0
    assert report.conflicts == []
    assert not any(resets)
