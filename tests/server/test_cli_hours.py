"""`frontdesk-server hours`: an administrator sets working hours, days off, closed days and
slot settings from the command line, and the public page follows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from frontdesk.server.database import ServerDatabase
from tests.server.seed import next_weekday, seed_org
from tests.server.test_cli import _cli
from tests.server.test_public_booking import public_client
from tests.support.postgres import LiveServer


@pytest.fixture
def database_url(server_database: ServerDatabase) -> str:
    assert server_database.url is not None
    return server_database.url.render_as_string(hide_password=False)


def _slots(live: LiveServer, slug: str, service_id: object, day: date) -> list[str]:
    with public_client(live) as client:
        response = client.get(
            f"/v1/public/organizations/{slug}/slots",
            params={"service_id": str(service_id), "date": day.isoformat()},
        )
    assert response.status_code == 200, response.text
    return [slot["start"][11:16] for slot in response.json()["slots"]]


def test_an_administrator_sets_hours_from_the_command_line(
    database_url: str, tmp_path: Path, live_server: LiveServer
) -> None:
    org = seed_org(live_server, "hours")  # Dr Hours, weekdays 09:00-17:00 (UTC clinic)
    who = ("--specialist", "Dr Hours")
    monday = next_weekday()
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    saturday = monday + timedelta(days=5)

    def hours(*args: str) -> str:
        result = _cli(database_url, tmp_path, "hours", args[0], "--org", org.slug, *args[1:])
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "Monday: 09:00-10:00, 15:00-16:00" in hours(
        "weekly", *who, "--weekday", "monday", "09:00-10:00", "15:00-16:00"
    )
    hours("settings", "--interval", "30", "--notice", "0")
    assert _slots(live_server, org.slug, org.service_id, monday) == [
        "09:00",
        "09:30",
        "15:00",
        "15:30",
    ]
    hours("day", *who, "--date", saturday.isoformat(), "10:00-11:00", "--note", "open day")
    assert _slots(live_server, org.slug, org.service_id, saturday) == ["10:00", "10:30"]
    hours("day", *who, "--date", monday.isoformat(), "--note", "time off")
    assert _slots(live_server, org.slug, org.service_id, monday) == []
    hours("day", *who, "--date", monday.isoformat(), "--clear")
    assert len(_slots(live_server, org.slug, org.service_id, monday)) == 4
    hours("closed", "--date", monday.isoformat(), "--note", "holiday")
    assert _slots(live_server, org.slug, org.service_id, monday) == []
    shown = hours("show", *who)
    assert "Monday     09:00-10:00, 15:00-16:00" in shown
    assert "Sunday     not working" in shown
    assert f"{saturday:%a} {saturday.day} {saturday:%b %Y} 10:00-11:00" in shown
    assert f"{monday:%a} {monday.day} {monday:%b %Y} closed (the whole organization)" in shown
    assert "a slot every 30 minutes, 0 minutes' notice, 365 days ahead." in shown
    hours("closed", "--date", monday.isoformat(), "--reopen")
    assert len(_slots(live_server, org.slug, org.service_id, monday)) == 4


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("weekly", "--specialist", "Dr Nobody", "--weekday", "monday"), 2, "--specialist:"),
        (("weekly", "--specialist", "Dr Bad", "--weekday", "monday", "9-10"), 2, "HH:MM-HH:MM"),
        (
            ("weekly", "--specialist", "Dr Bad", "--weekday", "monday", "10:00-09:00"),
            1,
            "The hours 10:00-09:00 must end after they start.",
        ),
        (("day", "--specialist", "Dr Bad", "--date", "tomorrow"), 2, "--date: 'tomorrow'"),
        (("day", "--specialist", "Dr Bad", "--date", "2027-01-04", "--clear"), 1, "no special"),
        (("closed", "--date", "2027-01-04", "--reopen"), 1, "not closed on 04 Jan 2027"),
        (("settings",), 2, "give --interval, --notice or both"),
        (("settings", "--interval", "1"), 1, "“A slot starts every” must be from 5 to 240"),
    ],
    ids=[
        "unknown-specialist",
        "bad-interval",
        "backwards",
        "bad-date",
        "nothing-to-clear",
        "not-closed",
        "no-settings",
        "bad-interval-setting",
    ],
)
def test_bad_hours_options_are_named(
    database_url: str,
    tmp_path: Path,
    live_server: LiveServer,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    org = seed_org(live_server, "bad")
    result = _cli(database_url, tmp_path, "hours", args[0], "--org", org.slug, *args[1:])
    assert result.returncode == code, result.stderr
    assert message in result.stderr
