"""`frontdesk sync export-pending | import-pending`: a desk's unpushed changes carried in a
file to another desk of the organization, queued once, pushed from there."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.domain.enums import Role
from frontdesk.i18n.catalogs import activate
from frontdesk.store.models import Appointment
from frontdesk.store.profile import Profile
from frontdesk.sync.account import sign_in
from frontdesk.sync.pending_file import (
    FORMAT_VERSION,
    PendingFileError,
    pending_mutations,
    read_pending,
)
from tests.support.postgres import TEST_PASSWORD
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory, seed_catalog, walk_in


def _cli(desk_home: Path, *args: str) -> int:
    return main(["--home", str(desk_home), "sync", *args])


def _home(desk: Desk) -> Path:
    return desk.mirror.profile.home


def _exported(make_desk: DeskFactory, tmp_path: Path) -> tuple[Desk, Desk, Appointment, Path]:
    """Front books offline (its server gone) and exports; back is another desk."""
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    seeded = seed_catalog(front)
    front.sync()
    back.sync()
    booked = walk_in(front, seeded, NOW + timedelta(days=1, hours=3))
    out = tmp_path / "pending.json"
    assert _cli(_home(front), "export-pending", "--out", str(out)) == 0
    return front, back, booked, out


def test_changes_exported_at_one_desk_are_pushed_once_from_another(
    make_desk: DeskFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front, back, booked, out = _exported(make_desk, tmp_path)
    waiting = len(pending_mutations(front.mirror))
    assert waiting > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text())
    assert document["format_version"] == FORMAT_VERSION
    assert document["organization_id"] == str(front.account.organization_id)
    assert len(document["mutations"]) == waiting
    assert f"Wrote {waiting} unpushed change{'s' if waiting > 1 else ''}" in capsys.readouterr().out

    assert _cli(_home(back), "import-pending", str(out)) == 0
    assert f"Queued {waiting} change{'s' if waiting > 1 else ''}" in capsys.readouterr().out
    assert _cli(_home(back), "import-pending", str(out)) == 0
    assert f"Queued 0 changes from {out} ({waiting} w" in capsys.readouterr().out
    assert len(pending_mutations(back.mirror)) == waiting

    sent = back.sync()
    assert sent.pushed == waiting
    assert sent.conflicts == []
    with back.mirror.sessions() as session:
        arrived = session.get(Appointment, booked.id)
        assert arrived is not None
        assert arrived.started_at == booked.started_at
    third = make_desk("third")
    with third.mirror.sessions() as session:
        assert session.get(Appointment, booked.id) is not None


def test_a_desk_importing_its_own_file_queues_nothing_twice(
    make_desk: DeskFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front, _back, booked, out = _exported(make_desk, tmp_path)
    waiting = len(pending_mutations(front.mirror))
    capsys.readouterr()
    assert _cli(_home(front), "import-pending", str(out)) == 0
    assert f"Queued 0 changes from {out} ({waiting} w" in capsys.readouterr().out
    assert len(pending_mutations(front.mirror)) == waiting
    sent = front.sync()
    assert sent.pushed == waiting
    assert sent.conflicts == []
    third = make_desk("third")
    with third.mirror.sessions() as session:
        assert session.get(Appointment, booked.id) is not None


def test_a_file_of_another_organization_is_refused(
    make_desk: DeskFactory,
    sync_clinic: Clinic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    front, _back, _booked, out = _exported(make_desk, tmp_path)
    other = sync_clinic.server.create_org(name="Hillside Dental", timezone="Europe/Bucharest")
    sync_clinic.server.create_user(other.id, "hill@example.com", role=Role.ADMIN)
    home = tmp_path / "hill"
    sign_in(
        Profile.resolve(home),
        server_url=sync_clinic.server.url,
        email="hill@example.com",
        password=TEST_PASSWORD,
        verify=str(sync_clinic.server.ca_path),
    ).close()
    capsys.readouterr()

    assert _cli(home, "import-pending", str(out)) == 2
    said = capsys.readouterr().err
    assert f"holds changes of organization {front.account.organization_id}" in said
    assert f"works for organization {other.id}" in said
    assert "import-pending" not in said  # the sentence, not a usage text
    assert main(["--home", str(home), "sync", "export-pending", "--out", str(tmp_path / "n")]) == 0
    assert "No changes wait to be pushed" in capsys.readouterr().out  # nothing was queued
    assert not (tmp_path / "n").exists()


def _rewritten(out: Path, tmp_path: Path, name: str, change: dict[str, object]) -> Path:
    document = json.loads(out.read_text())
    document.update(change)
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_files_that_cannot_be_imported_are_refused_whole(
    make_desk: DeskFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front, back, _booked, out = _exported(make_desk, tmp_path)
    document = json.loads(out.read_text())
    bad_table = [{**document["mutations"][0], "table": "local_timers"}]
    bad_id = [*document["mutations"][1:], {**document["mutations"][0], "row_id": "nope"}]
    not_json = tmp_path / "notes.txt"
    not_json.write_text("not json")
    cases = {
        tmp_path / "missing.json": "missing.json does not exist.",
        not_json: "is not a pending-changes file (not JSON)",
        _rewritten(out, tmp_path, "other.json", {"format": "something-else"}): (
            "is not a pending-changes file (made by `frontdesk sync export-pending`)"
        ),
        _rewritten(out, tmp_path, "newer.json", {"format_version": FORMAT_VERSION + 1}): (
            f"format_version {FORMAT_VERSION + 1} is newer than this Front Desk reads"
        ),
        _rewritten(out, tmp_path, "table.json", {"mutations": bad_table}): (
            "damaged at mutations.0.table: “local_timers” is not a table that syncs."
        ),
        _rewritten(out, tmp_path, "id.json", {"mutations": bad_id}): (
            f"mutations.{len(bad_id) - 1}.row_id"
        ),
        tmp_path: "it is a folder",
    }
    capsys.readouterr()
    for path, message in cases.items():
        assert _cli(_home(back), "import-pending", str(path)) == 2, path
        assert message in capsys.readouterr().err
    assert pending_mutations(back.mirror) == []

    assert _cli(_home(front), "export-pending", "--out", str(tmp_path / "no" / "f.json")) == 2
    assert "does not exist (--out)" in capsys.readouterr().err
    signed_out = tmp_path / "signed-out"
    assert main(["--home", str(signed_out), "sync", "import-pending", str(out)]) == 2
    assert "this desk is not signed in" in capsys.readouterr().err


def test_a_file_that_cannot_be_read_is_refused_in_romanian(tmp_path: Path) -> None:
    activate("ro")
    with pytest.raises(PendingFileError) as missing:
        read_pending(tmp_path / "missing.json")
    assert str(missing.value) == f"Fișierul {tmp_path / 'missing.json'} nu există."
    activate("en")
    assert str(missing.value) == f"The file {tmp_path / 'missing.json'} does not exist."
