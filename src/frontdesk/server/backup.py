"""`frontdesk-server backup`: the server database in PostgreSQL's custom dump format.

`pg_dump -Fc` reads one consistent snapshot, so a backup can be taken while the server
serves. It must read every organization's rows: row-level security is forced on the tables,
so the connection's role must be a superuser or have BYPASSRLS (the embedded server's
administrator is). The file appears whole or not at all: it is written under a temporary name
beside the target, private (0600) from its first byte, and renamed into place."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL

from frontdesk.i18n import _
from frontdesk.private_files import private_file
from frontdesk.server.database import admin_engine
from frontdesk.server.pg_programs import BackupError, Programs

# What makes a dump a Front Desk server's: the schema's revision travels in it.
_REVISION_TABLE_DATA = "TABLE DATA public alembic_version"


@dataclass(frozen=True)
class Target:
    """The database to back up or restore into: `url` names it and a role that is not held
    back by row-level security; `app_role` is the role the server connects as when it is not
    the tables' owner (the embedded server's), given its rights again after a restore."""

    url: URL
    programs: Programs
    app_role: str | None = None

    @property
    def name(self) -> str:
        return str(self.url.database)


def require_unfiltered_role(url: URL) -> None:
    """Refuses a role that row-level security would filter (it would dump no rows)."""
    engine = admin_engine(url)
    try:
        with engine.connect() as connection:
            superuser, bypass = connection.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            ).one()
    finally:
        engine.dispose()
    if not (superuser or bypass):
        raise BackupError(
            _(
                "the role {role} in the database URL is held back by row-level security and "
                "would miss rows: give --database-url a superuser or a role with BYPASSRLS for "
                "backup and restore (the server itself keeps its ordinary role)"
            ).format(role=repr(url.username))
        )


def _has_schema(url: URL) -> bool:
    engine = admin_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(text("SELECT to_regclass('public.alembic_version')")))
    finally:
        engine.dispose()


def backup(target: Target, out: Path) -> Path:
    """Writes the whole database to `out` (replacing a file there only once the new one is
    complete); returns the absolute path."""
    out = out.absolute()
    if not out.parent.is_dir():
        raise BackupError(_("--out: the folder {folder} does not exist").format(folder=out.parent))
    if out.is_dir():
        raise BackupError(_("--out: {file} is a folder; name the backup file").format(file=out))
    require_unfiltered_role(target.url)
    if not _has_schema(target.url):
        raise BackupError(
            _("database {name} holds no Front Desk server schema yet").format(
                name=repr(target.name)
            )
        )
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    private_file(partial)
    try:
        target.programs.run(
            "pg_dump", ["--format=custom", f"--file={partial}", "--no-password"], target.url
        )
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(out.parent)
    return out


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut (POSIX; elsewhere there is no folder handle)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def check_dump(programs: Programs, path: Path) -> str:
    """Refuses anything but a readable custom-format dump of a Front Desk server database;
    returns the role that owned its tables."""
    if not path.exists():
        raise BackupError(_("{file}: no such file").format(file=path))
    if not path.is_file():
        raise BackupError(_("{file}: not a file").format(file=path))
    with path.open("rb") as handle:  # an unreadable file fails here, with its own sentence
        magic = handle.read(5)
    if magic != b"PGDMP":
        raise BackupError(
            _(
                "{file} is not a backup made by `frontdesk-server backup` (not a PostgreSQL "
                "custom-format dump)"
            ).format(file=path)
        )
    try:
        listing = programs.run("pg_restore", ["--list", str(path)])
    except BackupError as error:
        raise BackupError(
            _("{file} cannot be read as a backup: {reason}").format(file=path, reason=error)
        ) from error
    if _REVISION_TABLE_DATA not in listing:
        raise BackupError(
            _("{file} is a PostgreSQL dump, but not of a Front Desk server database").format(
                file=path
            )
        )
    # A listing line: "<id>; <oid> <oid> TABLE public alembic_version <owner>".
    for line in listing.splitlines():
        words = line.split()
        if words[3:6] == ["TABLE", "public", "alembic_version"] and len(words) == 7:
            return words[6]
    raise BackupError(_("{file} does not name the owner of its tables").format(file=path))
