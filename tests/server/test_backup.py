"""`backup` and `restore` on real PostgreSQL: the file, the copy, and every refusal."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from frontdesk.server.accounts import create_organization
from frontdesk.server.backup import Target, backup
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import APP_ROLE, ServerDatabase, admin_engine, sqlalchemy_url
from frontdesk.server.pg_programs import BackupError, Programs
from frontdesk.server.restore import restore
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sync_history import resume_version
from frontdesk.services import catalog
from frontdesk.store.models import Specialist
from tests.server.seed import org_context
from tests.support.postgres import drop_database

RESTORED_AT = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def admin(pg_url: str) -> URL:
    return sqlalchemy_url(pg_url)


@pytest.fixture
def target(server_database: ServerDatabase, admin: URL) -> Target:
    assert server_database.url is not None
    return Target(admin.set(database=server_database.url.database), Programs.embedded(), APP_ROLE)


@pytest.fixture
def elsewhere(admin: URL) -> Iterator[Target]:
    """A database name nothing exists under yet."""
    name = f"frontdesk_restored_{uuid.uuid4().hex[:8]}"
    yield Target(admin.set(database=name), Programs.embedded(), APP_ROLE)
    drop_database(admin, name)


def _seed(database: ServerDatabase, slug: str) -> uuid.UUID:
    organization = create_organization(database.engine, name="Backed Up", slug=slug, timezone="UTC")
    catalog.add_specialist(org_context(database.engine, organization.id), name="Dr Before")
    return organization.id


def _specialists(url: URL, organization_id: uuid.UUID) -> list[str]:
    database = ServerDatabase().attach(url.set(username=APP_ROLE, password=None))
    try:
        scope = Scope(organization_id=organization_id)
        with scoped_sessions(database.engine, scope)() as session:
            return sorted(s.name for s in session.query(Specialist))
    finally:
        database.dispose()


def _version(url: URL, organization_id: uuid.UUID) -> int:
    engine = admin_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    text("SELECT version FROM sync_org_versions WHERE organization_id = :org"),
                    {"org": organization_id},
                )
            )
    finally:
        engine.dispose()


def test_a_backup_is_a_private_file_restored_whole_into_an_empty_database(
    server_database: ServerDatabase, target: Target, elsewhere: Target, tmp_path: Path
) -> None:
    organization_id = _seed(server_database, f"backed-{uuid.uuid4().hex[:6]}")
    backed_up_at = _version(target.url, organization_id)
    out = tmp_path / "server.dump"

    assert backup(target, out) == out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["server.dump"]  # no partial file left

    summary = restore(elsewhere, out, replace=False, now=RESTORED_AT)
    assert summary.replaced is False
    assert summary.organizations == 1
    # The app role reads the copy through row-level security, as the server will.
    assert _specialists(elsewhere.url, organization_id) == ["Dr Before"]
    assert _version(elsewhere.url, organization_id) == resume_version(RESTORED_AT)
    with admin_engine(elsewhere.url).connect() as connection:
        gap = connection.execute(
            text("SELECT backup_version, resumed_version FROM sync_restores")
        ).one()
    assert tuple(gap) == (backed_up_at, resume_version(RESTORED_AT))
    # Owners and rights as the server made them: the app role owns nothing, reads and writes
    # rows, and may not move the schema's revision.
    with admin_engine(elsewhere.url.set(username=APP_ROLE, password=None)).connect() as app:
        owned = app.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = :r"),
            {"r": APP_ROLE},
        )
        may_write = app.scalar(text("SELECT has_table_privilege('appointments', 'INSERT')"))
        may_move = app.scalar(text("SELECT has_table_privilege('alembic_version', 'UPDATE')"))
    assert (owned, may_write, may_move) == (0, True, False)


def test_a_database_that_holds_data_is_replaced_only_when_asked(
    server_database: ServerDatabase, target: Target, tmp_path: Path
) -> None:
    organization_id = _seed(server_database, f"replace-{uuid.uuid4().hex[:6]}")
    out = tmp_path / "server.dump"
    backup(target, out)
    catalog.add_specialist(org_context(server_database.engine, organization_id), name="Dr After")
    server_database.engine.dispose()  # the server stopped

    with pytest.raises(BackupError, match=r"is not empty \(\d+ tables\).*--replace"):
        restore(target, out, replace=False, now=RESTORED_AT)
    assert _specialists(target.url, organization_id) == ["Dr After", "Dr Before"]

    assert restore(target, out, replace=True, now=RESTORED_AT).replaced is True
    assert _specialists(target.url, organization_id) == ["Dr Before"]


def test_a_database_in_use_is_not_restored_over(
    server_database: ServerDatabase, target: Target, tmp_path: Path
) -> None:
    organization_id = _seed(server_database, f"busy-{uuid.uuid4().hex[:6]}")
    out = tmp_path / "server.dump"
    backup(target, out)
    catalog.add_specialist(org_context(server_database.engine, organization_id), name="Dr After")
    with (
        server_database.engine.connect(),
        pytest.raises(BackupError, match=r"is in use \(1 other connection\): stop the server"),
    ):
        restore(target, out, replace=True, now=RESTORED_AT)
    assert _specialists(target.url, organization_id) == ["Dr After", "Dr Before"]


def test_what_is_not_a_backup_is_refused_and_nothing_is_created(
    server_database: ServerDatabase, target: Target, elsewhere: Target, tmp_path: Path
) -> None:
    _seed(server_database, f"bad-{uuid.uuid4().hex[:6]}")
    good = tmp_path / "good.dump"
    backup(target, good)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a dump")
    cut = tmp_path / "cut.dump"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    other = tmp_path / "other.dump"
    bare = elsewhere.url.set(database=f"bare_{uuid.uuid4().hex[:8]}")
    with admin_engine(elsewhere.url.set(database="postgres")).connect() as connection:
        connection.execute(text(f"CREATE DATABASE {bare.database}"))
    try:
        with admin_engine(bare).connect() as connection:
            connection.execute(text("CREATE TABLE notes (body text)"))
        Programs.embedded().run("pg_dump", ["--format=custom", f"--file={other}"], bare)
    finally:
        drop_database(elsewhere.url.set(database="postgres"), str(bare.database))

    cases = [
        (tmp_path / "missing.dump", "no such file"),
        (tmp_path, "not a file"),
        (text_file, "is not a backup made by `frontdesk-server backup`"),
        (other, "not of a Front Desk server database"),
        (cut, "pg_restore failed"),
    ]
    for path, message in cases:
        with pytest.raises(BackupError, match=message):
            restore(elsewhere, path, replace=False, now=RESTORED_AT)
    with admin_engine(elsewhere.url.set(database="postgres")).connect() as connection:
        left = connection.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE :name"),
            {"name": f"{elsewhere.name}%"},
        ).all()
    assert left == []


def test_a_role_held_back_by_row_level_security_cannot_back_up_or_restore(
    server_database: ServerDatabase, target: Target, tmp_path: Path
) -> None:
    assert server_database.url is not None
    app = Target(server_database.url, Programs.embedded())
    with pytest.raises(BackupError, match=r"role 'frontdesk_app'.*superuser or a role with"):
        backup(app, tmp_path / "refused.dump")
    assert list(tmp_path.iterdir()) == []
    good = backup(target, tmp_path / "server.dump")
    with pytest.raises(BackupError, match="restoring needs a superuser connection"):
        restore(app, good, replace=False, now=RESTORED_AT)


def test_a_backup_to_a_missing_folder_is_refused(target: Target, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"--out: the folder .*nowhere does not exist"):
        backup(target, tmp_path / "nowhere" / "server.dump")


def test_the_host_programs_missing_from_path_are_named(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    host = Target(target.url, Programs())
    with pytest.raises(BackupError, match="pg_dump was not found on PATH"):
        backup(host, tmp_path / "server.dump")
    assert list(tmp_path.iterdir()) == []


def test_a_backup_of_a_newer_schema_is_refused(
    server_database: ServerDatabase, target: Target, elsewhere: Target, tmp_path: Path
) -> None:
    with admin_engine(target.url).connect() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    out = backup(target, tmp_path / "future.dump")
    with pytest.raises(BackupError, match="made by a newer Front Desk server"):
        restore(elsewhere, out, replace=False, now=RESTORED_AT)
    with admin_engine(elsewhere.url.set(database="postgres")).connect() as connection:
        assert not connection.scalar(
            text("SELECT count(*) FROM pg_database WHERE datname LIKE :name"),
            {"name": f"{elsewhere.name}%"},
        )


@pytest.fixture
def owned_elsewhere(admin: URL) -> Iterator[URL]:
    """A server database as `--database-url` makes one: its own ordinary role owns the
    database and the tables (the admin URL of it is yielded)."""
    role = f"clinic_owner_{uuid.uuid4().hex[:8]}"
    name = f"frontdesk_owned_{uuid.uuid4().hex[:8]}"
    with admin_engine(admin).connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS"))
        connection.execute(text(f"CREATE DATABASE {name} OWNER {role}"))
    database = ServerDatabase().start(
        ServerConfig(
            data_dir=Path("unused"),
            database_url=admin.set(database=name, username=role, password=None).render_as_string(
                hide_password=False
            ),
            token_secret="x" * 40,
        )
    )
    database.dispose()
    yield admin.set(database=name)
    with admin_engine(admin).connect() as connection:
        owned = connection.scalars(
            text(
                "SELECT datname FROM pg_database WHERE datdba = "
                "(SELECT oid FROM pg_roles WHERE rolname = :role)"
            ),
            {"role": role},
        ).all()
        for database_name in owned:
            connection.execute(text(f"DROP DATABASE {database_name} WITH (FORCE)"))
        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))


def _owners(url: URL) -> tuple[str, set[str]]:
    with admin_engine(url).connect() as connection:
        database = connection.scalar(
            text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :name"),
            {"name": url.database},
        )
        tables = set(
            connection.scalars(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'"))
        )
    return str(database), tables


def test_a_database_its_own_role_owns_comes_back_owned_by_it(
    owned_elsewhere: URL, elsewhere: Target, tmp_path: Path
) -> None:
    out = backup(Target(owned_elsewhere, Programs.embedded()), tmp_path / "owned.dump")
    owner, tables = _owners(owned_elsewhere)
    assert tables == {owner}
    restored = Target(elsewhere.url, Programs.embedded())

    restore(restored, out, replace=False, now=RESTORED_AT)

    assert _owners(restored.url) == (owner, {owner})
    # The server starts on it as that role: migrations (as the owner) and its RLS checks pass.
    role_url = restored.url.set(username=owner, password=None)
    ServerDatabase().start(
        ServerConfig(
            data_dir=Path("unused"),
            database_url=role_url.render_as_string(hide_password=False),
            token_secret="x" * 40,
        )
    ).dispose()


def test_a_backup_whose_owner_role_is_missing_is_refused(
    owned_elsewhere: URL, elsewhere: Target, tmp_path: Path
) -> None:
    out = backup(Target(owned_elsewhere, Programs.embedded()), tmp_path / "owned.dump")
    owner, _tables = _owners(owned_elsewhere)
    with admin_engine(owned_elsewhere.set(database="postgres")).connect() as connection:
        connection.execute(text(f"ALTER ROLE {owner} RENAME TO {owner}_renamed"))
    try:
        with pytest.raises(BackupError, match=rf"belong to the role '{owner}', which does not"):
            restore(elsewhere, out, replace=False, now=RESTORED_AT)
    finally:
        with admin_engine(owned_elsewhere.set(database="postgres")).connect() as connection:
            connection.execute(text(f"ALTER ROLE {owner}_renamed RENAME TO {owner}"))
