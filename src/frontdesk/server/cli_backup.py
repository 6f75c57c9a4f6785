"""`frontdesk-server backup` and `frontdesk-server restore` (parsed in server/cli.py).

With a database URL the host's `pg_dump`/`pg_restore` are used on it (the URL's role must be
a superuser, or have BYPASSRLS for a backup); without one, the embedded PostgreSQL of the data
directory is started (or joined, while the server runs) and its own programs are used."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import OperationalError

from frontdesk.domain.clock import SystemClock
from frontdesk.i18n import _, ngettext
from frontdesk.server.backup import Target, backup
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import APP_ROLE, EMBEDDED_DATABASE, sqlalchemy_url
from frontdesk.server.embedded import HOLDERS_FILE, start_embedded, stop_embedded
from frontdesk.server.pg_programs import BackupError, Programs
from frontdesk.server.restore import restore


@contextmanager
def _connection_explained(target: Target) -> Iterator[None]:
    """A database that cannot be reached: one sentence, not the driver's traceback."""
    try:
        yield
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[-1] if error.orig else str(error)
        raise BackupError(
            _("cannot use database {name}: {reason}").format(name=repr(target.name), reason=reason)
        ) from error


def backup_command(args: argparse.Namespace, config: ServerConfig) -> int:
    with _target(config, restoring=False) as target, _connection_explained(target):
        written = backup(target, args.out)
    print(_("backed up database {name} to {file}").format(name=repr(target.name), file=written))
    return 0


def restore_command(args: argparse.Namespace, config: ServerConfig) -> int:
    with _target(config, restoring=True) as target, _connection_explained(target):
        summary = restore(target, args.file, replace=args.replace, now=SystemClock().now())
    print(
        ngettext(
            "restored {file} into database {name} (schema {revision}; the desks of {count} "
            "organization pull on from their cursors, or again from the start if they had "
            "pulled past the backup)",
            "restored {file} into database {name} (schema {revision}; the desks of {count} "
            "organizations pull on from their cursors, or again from the start if they had "
            "pulled past the backup)",
            summary.organizations,
        ).format(
            file=args.file,
            name=repr(summary.database),
            revision=summary.revision,
            count=summary.organizations,
        )
    )
    return 0


@contextmanager
def _target(config: ServerConfig, *, restoring: bool) -> Iterator[Target]:
    if config.database_url:
        yield Target(sqlalchemy_url(config.database_url), Programs())
        return
    server = start_embedded(config.data_dir / "pg")
    try:
        if restoring:
            _require_alone(config.data_dir / "pg")
        admin = sqlalchemy_url(server.get_uri())
        yield Target(admin.set(database=EMBEDDED_DATABASE), Programs.embedded(), APP_ROLE)
    finally:
        stop_embedded(server)


def _require_alone(pgdata: Path) -> None:
    """Refuses while another process (the server) uses the embedded PostgreSQL."""
    try:
        holders = [int(pid) for pid in json.loads((pgdata / HOLDERS_FILE).read_text())]
    except (OSError, ValueError, TypeError):
        holders = []
    others = sorted(pid for pid in holders if pid != os.getpid())
    if others:
        raise BackupError(
            ngettext(
                "the server database in {folder} is in use by process {processes} (the "
                "server?): stop it before restoring",
                "the server database in {folder} is in use by processes {processes} (the "
                "server?): stop it before restoring",
                len(others),
            ).format(folder=pgdata.parent, processes=", ".join(map(str, others)))
        )
