"""Backup benchmark: `backup` and `restore --replace` of a server database holding one
organization with 20,000 patients, N appointments and N forms.

Run: python tests/bench/bench_backup.py [--appointments N] [--forms N]

Starts an embedded PostgreSQL (or uses FRONTDESK_TEST_DATABASE_URL, an admin URL), migrates a
database, seeds it on the server (as bench_sync.py does), then times the backup (pg_dump -Fc
to a private file, renamed into place) and the restore over it (scratch database, one
transaction, migrate, versions moved on, renamed into place), printing the file's size.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

# Run as a script from anywhere: the project root holds the `tests` package reused here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_sync import SPECIALISTS, seed_server
from tests.server.seed import org_context
from tests.support.postgres import LiveServer, fresh_database, make_template, start_test_postgres

from frontdesk.domain.enums import FormType
from frontdesk.server.backup import Target, backup
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import APP_ROLE, ServerDatabase, admin_engine, sqlalchemy_url
from frontdesk.server.pg_programs import Programs
from frontdesk.server.restore import restore
from frontdesk.services import catalog


def seed_catalog(database: ServerDatabase, organization_id: uuid.UUID) -> None:
    ctx = org_context(database.engine, organization_id)
    specialists = [
        catalog.add_specialist(ctx, name=f"Dr {i:02d}").value.id for i in range(SPECIALISTS)
    ]
    catalog.add_service(ctx, name="Consult", duration_minutes=45, specialist_ids=specialists)
    catalog.add_form_template(
        ctx,
        key="intake",
        title="Intake",
        form_type=FormType.SURVEY,
        fields=[{"key": "notes", "label": "Notes", "type": "textarea"}],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--forms", type=int, default=100_000)
    args = parser.parse_args()
    print(f"{platform.platform()}, Python {platform.python_version()}")
    root = Path(tempfile.mkdtemp(prefix="frontdesk-bench-backup-"))
    root.chmod(0o755)
    admin = sqlalchemy_url(start_test_postgres(root))
    app_url = fresh_database(admin, make_template(admin))
    database = ServerDatabase().attach(app_url)
    config = ServerConfig(data_dir=root, token_secret="x" * 40)
    live = LiveServer(config=config, database=database, ca_path=root)
    organization = live.create_org(timezone="Europe/Bucharest")
    seed_catalog(database, organization.id)
    started = time.perf_counter()
    seed_server(live, organization.id, args.appointments, args.forms)
    print(
        f"seeded {args.appointments:,} appointments and {args.forms:,} forms "
        f"in {time.perf_counter() - started:.1f} s"
    )
    target = Target(admin.set(database=app_url.database), Programs.embedded(), APP_ROLE)
    sizing = admin_engine(target.url)
    with sizing.connect() as connection:
        size = connection.scalar(text("SELECT pg_database_size(current_database())"))
    sizing.dispose()
    database.dispose()  # the server stops before a restore

    started = time.perf_counter()
    out = backup(target, root / "server.dump")
    backed_up = time.perf_counter() - started
    print(
        f"backup: {backed_up:.2f} s, {out.stat().st_size / 1e6:.1f} MB file "
        f"(database {int(size) / 1e6:.0f} MB)"
    )
    started = time.perf_counter()
    restore(target, out, replace=True, now=datetime.now(UTC))
    print(f"restore --replace: {time.perf_counter() - started:.2f} s")
    out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
