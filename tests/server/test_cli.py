"""`frontdesk-server` as an administrator runs it: migrate, create-org, create-user, run,
devices, deactivate-user."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from frontdesk.domain.enums import Role
from frontdesk.server.database import ServerDatabase, admin_engine, sqlalchemy_url
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.store.models import Organization
from frontdesk.sync.protocol import SCHEMA_VERSION
from tests.server.seed import device_client, seed_org, sign_in_device
from tests.support.postgres import LiveServer, tls_files


def _cli(
    url: str, data_dir: Path, *args: str, stdin: str = "", lang: str | None = None
) -> subprocess.CompletedProcess[str]:
    # LANG alone names the language (the tests set LANGUAGE=en, which would win).
    env = None if lang is None else {**os.environ, "LANGUAGE": "", "LC_ALL": "", "LANG": lang}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "frontdesk.server.cli",
            "--data-dir",
            str(data_dir),
            "--database-url",
            url,
            *args,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture
def database_url(server_database: ServerDatabase) -> str:
    assert server_database.url is not None
    return server_database.url.render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def running_server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    ca, cert, key = tls_files(tmp_path)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frontdesk.server.cli",
            "--data-dir",
            str(tmp_path / "data"),
            "--database-url",
            database_url,
            "run",
            "--port",
            str(port),
            "--certfile",
            str(cert),
            "--keyfile",
            str(key),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                httpx.get(f"{url}/health", verify=ssl.create_default_context(cafile=ca))
                break
            except httpx.ConnectError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url, ca
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_administrator_bootstraps_an_organization_and_signs_in(
    database_url: str, tmp_path: Path, running_server: tuple[str, Path]
) -> None:
    data_dir = tmp_path / "admin"
    assert "revision" in _cli(database_url, data_dir, "migrate").stdout
    org = _cli(
        database_url,
        data_dir,
        "create-org",
        "--name",
        "Lakeside",
        "--slug",
        "lakeside",
        "--timezone",
        "Europe/Bucharest",
    )
    assert org.returncode == 0, org.stderr
    user = _cli(
        database_url,
        data_dir,
        "create-user",
        "--org",
        "lakeside",
        "--email",
        "boss@example.com",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert user.returncode == 0, user.stderr
    url, ca = running_server
    response = httpx.post(
        f"{url}/v1/auth/login",
        json={"email": "boss@example.com", "password": "a long enough password"},
        headers={"X-Frontdesk-Schema": str(SCHEMA_VERSION)},
        verify=ssl.create_default_context(cafile=ca),
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "admin"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("create-org", "--name", "X", "--slug", "Bad Slug", "--timezone", "UTC"),
            "",
            "short name",
        ),
        (("create-org", "--name", "X", "--slug", "x", "--timezone", "Mars/Base"), "", "time zone"),
        (
            (
                "create-user",
                "--org",
                "nowhere",
                "--email",
                "a@example.com",
                "--role",
                "admin",
                "--password-stdin",
            ),
            "a long enough password\n",
            "--org",
        ),
        (
            (
                "create-user",
                "--org",
                "nowhere",
                "--email",
                "a@example.com",
                "--role",
                "admin",
                "--password-stdin",
            ),
            "short\n",
            "password",
        ),
        (("set-booking-horizon", "--org", "nowhere", "--days", "30"), "", "--org"),
        (("run", "--trusted-proxy", "proxy.local"), "", "“proxy.local” is not an IP address"),
    ],
    ids=[
        "bad-slug",
        "bad-zone",
        "unknown-org",
        "short-password",
        "horizon-unknown-org",
        "bad-proxy",
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    database_url: str, tmp_path: Path, args: tuple[str, ...], stdin: str, message: str
) -> None:
    result = _cli(database_url, tmp_path, *args, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_superuser_url_is_refused(pg_url: str, tmp_path: Path) -> None:
    result = _cli(pg_url, tmp_path, "migrate")
    assert result.returncode == 2
    assert "BYPASSRLS" in result.stderr
    engine = admin_engine(sqlalchemy_url(pg_url))
    with engine.connect() as connection:
        migrated = connection.scalar(text("SELECT to_regclass('alembic_version')"))
    engine.dispose()
    assert migrated is None  # refused before touching the schema


def test_an_administrator_lists_and_revokes_devices_and_deactivates_an_account(
    database_url: str, tmp_path: Path, live_server: LiveServer
) -> None:
    org = seed_org(live_server, "cli")
    email = f"desk-{uuid.uuid4().hex[:6]}@example.com"
    live_server.create_user(org.organization_id, email, role=Role.RECEPTIONIST)
    admin = sign_in_device(live_server, org.admin_email)
    desk = sign_in_device(live_server, email)

    listed = _cli(database_url, tmp_path, "devices", "--org", org.slug)
    assert listed.returncode == 0, listed.stderr
    header, *lines = listed.stdout.splitlines()
    assert header.split("\t") == ["id", "user", "label", "registered", "last seen", "revoked"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert set(rows) == {admin["device_id"], desk["device_id"]}
    assert rows[desk["device_id"]][1:3] == [email, "front-desk-pc"]
    assert rows[desk["device_id"]][5] == "-"

    revoked = _cli(
        database_url, tmp_path, "devices", "--org", org.slug, "--revoke", desk["device_id"]
    )
    assert revoked.returncode == 0, revoked.stderr
    assert desk["device_id"] in revoked.stdout
    with device_client(live_server, desk) as client:
        assert client.get("/v1/me").status_code == 401
    again = _cli(database_url, tmp_path, "devices", "--org", org.slug).stdout
    revoked_row = next(line for line in again.splitlines() if line.startswith(desk["device_id"]))
    assert revoked_row.split("\t")[5] != "-"

    with device_client(live_server, admin) as client:
        assert client.get("/v1/me").status_code == 200
    off = _cli(
        database_url, tmp_path, "deactivate-user", "--org", org.slug, "--email", org.admin_email
    )
    assert off.returncode == 0, off.stderr
    with device_client(live_server, admin) as client:
        assert client.get("/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("devices", "--org", "nowhere"), "--org: no organization 'nowhere'"),
        (("deactivate-user", "--org", "nowhere", "--email", "a@example.com"), "--org:"),
        (("deactivate-user", "--org", "{slug}", "--email", "nobody@example.com"), "--email:"),
        (("devices", "--org", "{slug}", "--revoke", "not-an-id"), "--revoke: 'not-an-id'"),
        (("devices", "--org", "{slug}", "--revoke", str(uuid.uuid4())), "--revoke: no device"),
    ],
    ids=["devices-org", "deactivate-org", "unknown-email", "bad-device-id", "unknown-device"],
)
def test_device_and_account_commands_name_the_bad_option(
    database_url: str,
    tmp_path: Path,
    live_server: LiveServer,
    args: tuple[str, ...],
    message: str,
) -> None:
    org = seed_org(live_server, "clibad")
    result = _cli(database_url, tmp_path, *(arg.format(slug=org.slug) for arg in args))
    assert result.returncode == 2
    assert message in result.stderr


def test_an_administrator_sets_the_booking_horizon(
    server_database: ServerDatabase, database_url: str, tmp_path: Path
) -> None:
    create = ("create-org", "--name", "Hills", "--slug", "hills", "--timezone", "UTC")
    assert _cli(database_url, tmp_path, *create).returncode == 0
    too_far = _cli(database_url, tmp_path, "set-booking-horizon", "--org", "hills", "--days", "0")
    assert too_far.returncode == 1
    assert "Patients can book from 1 to 3650 days ahead." in too_far.stderr
    result = _cli(database_url, tmp_path, "set-booking-horizon", "--org", "hills", "--days", "90")
    assert result.returncode == 0, result.stderr
    assert "up to 90 days ahead" in result.stdout
    with scoped_sessions(server_database.engine, Scope(public_slug="hills"))() as session:
        days = session.scalar(
            select(Organization.booking_horizon_days).where(Organization.slug == "hills")
        )
    assert days == 90


def test_in_romanian_the_commands_speak_romanian(
    server_database: ServerDatabase, database_url: str, tmp_path: Path
) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return _cli(database_url, tmp_path, *args, lang="ro_RO.UTF-8")

    helped = cli("--help")
    assert helped.stdout.startswith("utilizare: frontdesk-server")
    assert "Serverul Front Desk: baza lui de date, conturile și API-ul." in helped.stdout
    assert "creează o organizație" in helped.stdout
    assert "migrate             creează sau actualizează schema bazei de date" in helped.stdout

    migrated = cli("migrate")
    assert migrated.stdout.startswith("baza de date a serverului este la revizia "), migrated
    create = ("create-org", "--name", "Dealu", "--slug", "dealu", "--timezone", "Europe/Bucharest")
    created = cli(*create)
    assert created.stdout.startswith("a fost creată organizația dealu ("), created.stderr
    horizon = cli("set-booking-horizon", "--org", "dealu", "--days", "20")
    assert horizon.stdout == (
        "dealu: pagina publică de rezervări oferă intervale cu până la 20 de zile înainte\n"
    )
    listed = cli("devices", "--org", "dealu")
    assert listed.stdout.splitlines()[0].split("\t")[1:] == [
        "utilizator",
        "etichetă",
        "înregistrat",
        "văzut ultima dată",
        "revocat",
    ]

    unknown = cli("devices", "--org", "nowhere")
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "frontdesk-server: --org: nu există organizația 'nowhere'\n",
    )
    bad_role = cli("create-user", "--org", "dealu", "--email", "a@b.ro", "--role", "boss")
    assert bad_role.returncode == 2
    assert bad_role.stderr.splitlines()[-1] == (
        "frontdesk-server create-user: eroare: argumentul --role: variantă nevalidă: 'boss' "
        "(alegeți dintre 'admin', 'receptionist', 'specialist')"
    )
