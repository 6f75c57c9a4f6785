from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.cli import main
from frontdesk.domain.enums import AppointmentStatus
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.models import Organization
from frontdesk.store.profile import Profile
from tests.support.clinic import Clinic, build_clinic
from tests.support.rows import insert_appointment, insert_person

BUCHAREST = ZoneInfo("Europe/Bucharest")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command; argparse's own refusals exit, ours return: both give the code."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def booked(clinic: Clinic) -> dict[str, uuid.UUID]:
    ioana = insert_person(clinic, first_name="Ioana", last_name="Marin").id
    radu = insert_person(clinic, first_name="Radu", last_name="Stan", email="radu@example.com").id
    return {
        "monday": insert_appointment(
            clinic, start=datetime(2026, 3, 2, 9, 0, tzinfo=BUCHAREST), person_id=ioana
        ).id,
        "late": insert_appointment(
            clinic,
            start=datetime(2026, 3, 3, 23, 30, tzinfo=BUCHAREST),  # 21:30 UTC
            person_id=radu,
            status=AppointmentStatus.CANCELLED,
            specialist_id=clinic.other_specialist_id,
        ).id,
        "next_week": insert_appointment(
            clinic, start=datetime(2026, 3, 9, 9, 0, tzinfo=BUCHAREST), person_id=ioana
        ).id,
    }


def listing(mirror: Mirror, *extra: str) -> list[str]:
    return ["--home", str(mirror.profile.home), "appointments", "list", *extra]


def test_json_lists_the_range_in_local_time(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, booked: dict[str, uuid.UUID]
) -> None:
    code, out, err = run(
        capsys, *listing(mirror, "--from", "2026-03-02", "--to", "2026-03-03", "--json")
    )
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [str(booked["monday"]), str(booked["late"])]
    first, late = rows
    assert first == {
        "id": str(booked["monday"]),
        "start": "2026-03-02T09:00:00+02:00",
        "end": "2026-03-02T09:45:00+02:00",
        "status": "upcoming",
        "type": "in_clinic",
        "specialist": "Dr Mihai Popescu",
        "specialist_id": first["specialist_id"],
        "service": "Physiotherapy consult",
        "patient": "Ioana Marin",
        "outstanding_forms": 0,
        "checked_in_at": None,
        "video_url": None,
    }
    # --to is inclusive, and the local date decides: 23:30 on the 3rd is on the 3rd.
    assert late["start"] == "2026-03-03T23:30:00+02:00"


def test_filters_by_status_and_specialist(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    clinic: Clinic,
    booked: dict[str, uuid.UUID],
) -> None:
    week = ("--from", "2026-03-02", "--to", "2026-03-15", "--json")
    _, out, _ = run(capsys, *listing(mirror, *week, "--status", "cancelled"))
    assert [row["id"] for row in json.loads(out)] == [str(booked["late"])]
    specialist = str(clinic.specialist_id)
    _, out, _ = run(capsys, *listing(mirror, *week, "--specialist", specialist))
    assert [row["id"] for row in json.loads(out)] == [
        str(booked["monday"]),
        str(booked["next_week"]),
    ]
    both = ("--status", "upcoming", "--status", "cancelled")
    _, out, _ = run(capsys, *listing(mirror, *week, *both))
    assert len(json.loads(out)) == 3


def test_a_table_for_people(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, booked: dict[str, uuid.UUID]
) -> None:
    code, out, _ = run(capsys, *listing(mirror, "--from", "2026-03-02", "--to", "2026-03-08"))
    assert code == 0
    header, rule, monday, late = out.splitlines()
    assert header.split() == [
        "Start",
        "End",
        "Status",
        "Type",
        "Specialist",
        "Service",
        "Patient",
        "Forms",
    ]
    assert set(rule) <= {"-", " "}
    cells = re.split(r"\s{2,}", monday)
    # Dates, times and words as the language writes them (English here: en_GB's order).
    assert cells == [
        "02/03/2026, 09:00",
        "09:45",
        "Upcoming",
        "In the clinic",
        "Dr Mihai Popescu",
        "Physiotherapy consult",
        "Ioana Marin",
        "0",
    ]
    # An appointment that ends after midnight shows the end's date.
    assert re.split(r"\s{2,}", late)[:3] == [
        "03/03/2026, 23:30",
        "04/03/2026, 00:15",
        "Cancelled",
    ]
    assert monday.index("Upcoming") == late.index("Cancelled")  # columns line up


def test_an_empty_range_says_so(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic
) -> None:
    code, out, _ = run(capsys, *listing(mirror, "--from", "2026-05-01", "--to", "2026-05-01"))
    assert (code, out) == (0, "No appointments from 1 May 2026 to 1 May 2026.\n")
    _, out, _ = run(
        capsys, *listing(mirror, "--from", "2026-05-01", "--to", "2026-05-01", "--json")
    )
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (("--from", "2026-13-01", "--to", "2026-03-02"), "--from"),
        (("--from", "2026-03-02", "--to", "tomorrow"), "--to"),
        (("--from", "2026-03-09", "--to", "2026-03-02"), "--to"),
        (("--from", "2026-01-01", "--to", "2027-06-01"), "--to"),
        (("--from", "2026-03-02", "--to", "2026-03-08", "--status", "postponed"), "--status"),
        (("--from", "2026-03-02", "--to", "2026-03-08", "--specialist", "dr-who"), "--specialist"),
        (
            ("--from", "2026-03-02", "--to", "2026-03-08", "--specialist", str(uuid.uuid4())),
            "--specialist",
        ),
        (("--from", "2026-03-02", "--to", "2026-03-08", "--org", "elsewhere"), "--org"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    clinic: Clinic,
    extra: tuple[str, ...],
    option: str,
) -> None:
    code, out, err = run(capsys, *listing(mirror, *extra))
    assert code == 2
    assert out == ""
    assert f"argument {option}:" in err.splitlines()[-1]


def test_a_mirror_without_an_organization_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], mirror: Mirror
) -> None:
    code, _, err = run(capsys, *listing(mirror, "--from", "2026-03-02", "--to", "2026-03-02"))
    assert code == 2
    assert "This desk holds no clinic yet" in err


def test_several_organizations_need_org(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    clinic: Clinic,
    booked: dict[str, uuid.UUID],
) -> None:
    other = build_clinic(mirror.sessions)
    insert_appointment(
        other,
        start=datetime(2026, 3, 2, 11, 0, tzinfo=BUCHAREST),
        person_id=insert_person(other).id,
    )
    days = ("--from", "2026-03-02", "--to", "2026-03-02", "--json")
    code, _, err = run(capsys, *listing(mirror, *days))
    assert code == 2
    assert "argument --org: This desk holds several clinics" in err
    with mirror.sessions() as session:
        slug = session.get_one(Organization, clinic.organization_id).slug
    code, out, _ = run(capsys, *listing(mirror, *days, "--org", slug))
    assert code == 0
    assert [row["id"] for row in json.loads(out)] == [str(booked["monday"])]


def test_home_can_come_from_the_environment(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    mirror = open_mirror(profile)
    try:
        clinic = build_clinic(mirror.sessions)
        person = insert_person(clinic).id
        insert_appointment(
            clinic, start=datetime(2026, 3, 2, 9, 0, tzinfo=BUCHAREST), person_id=person
        )
    finally:
        mirror.close()
    monkeypatch.setenv("FRONTDESK_HOME", str(profile.home))
    code, out, _ = run(
        capsys, "appointments", "list", "--from", "2026-03-02", "--to", "2026-03-02", "--json"
    )
    assert code == 0
    assert len(json.loads(out)) == 1
