"""`frontdesk-server restore`: a backup into an empty database, or (`--replace`) in place of
the one there.

The dump goes into a scratch database beside the target in one transaction (`pg_restore
--single-transaction --exit-on-error`), is brought to this version's schema, and has its
organizations' versions moved past anything the lost server issued (`sync_history`). Only
then does it take the target's name, by renaming; a failure at any step leaves the target as
it was and drops the scratch copy, so nothing is ever half restored. The server must be
stopped: a database with other sessions is refused. Roles are not part of a dump: the
tables' owner must exist where the backup goes (the embedded server's administrator always
does, and its app role is made and given its rights again)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.util import CommandError as AlembicCommandError
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from frontdesk.i18n import _, ngettext
from frontdesk.server.backup import Target, check_dump
from frontdesk.server.database import admin_engine, ensure_app_role, grant_app_role
from frontdesk.server.migrate import upgrade_on
from frontdesk.server.pg_programs import BackupError
from frontdesk.server.sync_history import resume_after_restore

MAINTENANCE_DATABASE = "postgres"
# A session that just closed can linger in pg_stat_activity for a moment.
_SESSIONS_SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class RestoreSummary:
    database: str
    revision: str
    organizations: int
    replaced: bool


def restore(target: Target, dump: Path, *, replace: bool, now: datetime) -> RestoreSummary:
    dump_owner = check_dump(target.programs, dump)
    engine = admin_engine(target.url.set(database=MAINTENANCE_DATABASE))
    try:
        existed = _prepare(engine, target, replace=replace)
        scratch = _scratch_name(target.name, "restoring")
        with engine.connect() as connection:
            owner = _database_owner(connection, target.name, dump_owner)
            connection.execute(text(f"DROP DATABASE IF EXISTS {_quote(connection, scratch)}"))
            connection.execute(
                text(
                    f"CREATE DATABASE {_quote(connection, scratch)} "
                    f"OWNER {_quote(connection, owner)}"
                )
            )
        try:
            if target.app_role is not None:
                ensure_app_role(target.url.set(database=MAINTENANCE_DATABASE))  # for the grants
            target.programs.run(
                "pg_restore",
                ["--single-transaction", "--exit-on-error", "--no-password", str(dump)],
                target.url.set(database=scratch),
            )
            revision, organizations = _finish(target, scratch, now)
            _swap(engine, scratch, target.name, existed=existed)
        except BaseException:
            _drop(engine, scratch)
            raise
    except BackupError as error:
        raise BackupError(_explained(str(error))) from error
    finally:
        engine.dispose()
    return RestoreSummary(target.name, revision, organizations, replaced=existed)


def _prepare(engine: Engine, target: Target, *, replace: bool) -> bool:
    """Checks the connection may restore and the target may be restored into; whether the
    target database exists."""
    with engine.connect() as connection:
        superuser = connection.scalar(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        )
        if not superuser:
            raise BackupError(
                _(
                    "restoring needs a superuser connection (the role {role} is not one): give "
                    "--database-url a superuser's URL for the restore"
                ).format(role=repr(target.url.username))
            )
        existed = bool(
            connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.name}
            )
        )
    if not existed:
        return False
    tables = _table_count(target)
    if tables and not replace:
        raise BackupError(
            ngettext(
                "database {name} is not empty ({count} table): restore into an empty database, "
                "or give --replace to put the backup in its place (what it holds now is lost)",
                "database {name} is not empty ({count} tables): restore into an empty database, "
                "or give --replace to put the backup in its place (what it holds now is lost)",
                tables,
            ).format(name=repr(target.name), count=tables)
        )
    _require_no_sessions(engine, target.name)
    return True


def _database_owner(connection: Connection, name: str, dump_owner: str) -> str:
    """Who owns the restored database: the target's owner when it exists, else the role
    that owned the dumped tables (a server given by URL migrates as that role, and needs
    the rights a database's owner has on its schema)."""
    owner = connection.scalar(
        text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :name"),
        {"name": name},
    )
    if owner is not None:
        return str(owner)
    exists = connection.scalar(
        text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": dump_owner}
    )
    if not exists:
        raise BackupError(
            _(
                "the backup's tables belong to the role {role}, which does not exist here — "
                "roles are not part of a backup: create that role in the target PostgreSQL "
                "first, then restore again"
            ).format(role=repr(dump_owner))
        )
    return dump_owner


def _table_count(target: Target) -> int:
    engine = admin_engine(target.url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                )
                or 0
            )
    finally:
        engine.dispose()


def _require_no_sessions(engine: Engine, name: str) -> None:
    """Refuses a database others are connected to (the server running on it)."""
    deadline = time.monotonic() + _SESSIONS_SETTLE_SECONDS
    while True:
        with engine.connect() as connection:
            others = int(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                        "AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                or 0
            )
        if not others:
            return
        if time.monotonic() > deadline:
            raise BackupError(
                ngettext(
                    "database {name} is in use ({count} other connection): stop the server "
                    "(and anything else connected to it) before restoring",
                    "database {name} is in use ({count} other connections): stop the server "
                    "(and anything else connected to it) before restoring",
                    others,
                ).format(name=repr(name), count=others)
            )
        time.sleep(0.1)


def _finish(target: Target, scratch: str, now: datetime) -> tuple[str, int]:
    """In the restored copy: this version's schema, the versions moved on, the app role's
    rights. Returns the schema revision and how many organizations moved."""
    engine = create_engine(target.url.set(database=scratch))
    try:
        with engine.connect() as connection, connection.begin():
            owner = connection.scalar(
                text(
                    "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename = 'alembic_version'"
                )
            )
            # New tables belong to the owner of the others, not to the restoring superuser.
            connection.execute(text(f"SET LOCAL ROLE {_quote(connection, str(owner))}"))
            try:
                upgrade_on(connection)
            except AlembicCommandError as error:
                raise BackupError(
                    _(
                        "the backup was made by a newer Front Desk server (its schema is unknown "
                        "here: {reason}); restore it with that version or a later one"
                    ).format(reason=error)
                ) from error
            connection.execute(text("RESET ROLE"))
            organizations = resume_after_restore(connection, now)
            revision = str(connection.scalar(text("SELECT version_num FROM alembic_version")))
        if target.app_role is not None:
            grant_app_role(engine)
    finally:
        engine.dispose()
    return revision, organizations


def _swap(engine: Engine, scratch: str, name: str, *, existed: bool) -> None:
    """The restored copy takes the target's name; the old database is dropped after."""
    old = _scratch_name(name, "replaced")
    with engine.connect() as connection:
        quoted = _quote(connection, name)
        if existed:
            connection.execute(text(f"DROP DATABASE IF EXISTS {_quote(connection, old)}"))
            try:
                connection.execute(
                    text(f"ALTER DATABASE {quoted} RENAME TO {_quote(connection, old)}")
                )
            except DBAPIError as error:
                raise BackupError(
                    _(
                        "database {name} came into use during the restore, and was left as it "
                        "was: stop the server and restore again"
                    ).format(name=repr(name))
                ) from error
        try:
            connection.execute(
                text(f"ALTER DATABASE {_quote(connection, scratch)} RENAME TO {quoted}")
            )
        except BaseException:
            if existed:
                connection.execute(
                    text(f"ALTER DATABASE {_quote(connection, old)} RENAME TO {quoted}")
                )
            raise
        if existed:
            connection.execute(text(f"DROP DATABASE {_quote(connection, old)}"))


def _drop(engine: Engine, name: str) -> None:
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {_quote(connection, name)} WITH (FORCE)"))


def _scratch_name(name: str, purpose: str) -> str:
    return f"{name[:40]}_{purpose}"  # within PostgreSQL's 63 characters


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def _explained(message: str) -> str:
    if "role" in message and "does not exist" in message:
        return _(
            "{message} — roles are not part of a backup: create that role in the target "
            "PostgreSQL first, then restore again"
        ).format(message=message)
    return message
