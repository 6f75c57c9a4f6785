"""Sync benchmark (issue 4): initial sync, a big offline push, desk-to-desk propagation.

Run: python tests/bench/bench_sync.py [--appointments N] [--forms N] [--mutations N] [--hops N]

Starts an embedded PostgreSQL (or uses FRONTDESK_TEST_DATABASE_URL, an admin URL), migrates
a database, serves the real app over HTTPS on loopback (a trustme CA) and seeds one
organization on the server: 20 specialists, 20,000 patients, N appointments and N forms.
Then it measures, printing each figure:

1. Initial sync: a fresh desk (encrypted mirror) pulls everything. Beside its apply rate,
   the raw SQLite insert rate of the same rows (plain executemany into a fresh encrypted
   mirror, in the same page-sized transactions) measured in the same run.
   Target: ≤ 15 s for 100,000 appointments and 100,000 forms.
2. Push: 10,000 mutations made offline (notes written on 10,000 appointments) sent to the
   server. Target: ≤ 10 s.
3. Propagation: a booking made at one desk until it is in another desk's mirror, both
   running the sync agent (live updates). Target: p95 < 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backends.fail
from sqlalchemy import select, text

# Run as a script from anywhere: the project root holds the `tests` package reused here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.postgres import (
    TEST_PASSWORD,
    LiveServer,
    fresh_database,
    make_template,
    start_test_postgres,
    tls_files,
)

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import FormType, Role
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import booking, catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.mirror import open_mirror
from frontdesk.store.models import Appointment
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync import pull as pull_module
from frontdesk.sync.account import sign_in
from frontdesk.sync.agent import SyncAgent
from frontdesk.sync.apply import apply_page
from frontdesk.sync.pull import pull_all
from frontdesk.sync.push import push_pending
from frontdesk.sync.runner import SyncReport, run_round

SPECIALISTS = 20
PATIENTS = 20_000
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def start_server(live: LiveServer, database_url: str, root: Path) -> subprocess.Popen[bytes]:
    """`frontdesk-server run` in its own process, as deployed (HTTPS on loopback)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            "frontdesk-server",
            "--data-dir",
            str(root / "server"),
            "--database-url",
            database_url,
            "run",
            "--port",
            str(port),
            "--certfile",
            str(live.config.certfile),
            "--keyfile",
            str(live.config.keyfile),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(root / "server.log").open("wb"),
    )
    live.url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    context = ssl.create_default_context(cafile=str(live.ca_path))
    while True:
        try:
            if httpx.get(live.url + "/health", verify=context).is_success:
                return server
        except httpx.HTTPError as error:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start; see {root / 'server.log'}"
                ) from error
            time.sleep(0.2)


def timed_apply() -> list[float]:
    """Times each page's apply (fetching runs beside it on another thread)."""
    spent: list[float] = []

    def timed(engine: Any, page: Any) -> None:
        started = time.perf_counter()
        apply_page(engine, page)
        spent.append(time.perf_counter() - started)

    pull_module.apply_page = timed
    return spent


def machine() -> None:
    sqlite = sqlite3.sqlite_version
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()}; Python {platform.python_version()}, SQLite {sqlite}"
    )
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


class Desk:
    def __init__(self, name: str, root: Path, live: LiveServer, email: str) -> None:
        profile = Profile.resolve(root / name)
        self.account = sign_in(
            profile,
            server_url=live.url,
            email=email,
            password=TEST_PASSWORD,
            verify=str(live.ca_path),
        )
        self.mirror = open_mirror(profile)
        self.ctx = ServiceContext(
            sessions=self.mirror.sessions,
            organization_id=self.account.organization_id,
            actor=Actor(Role.ADMIN, self.account.user_id, name),
            clock=FixedClock(NOW),
        )

    def close(self) -> None:
        self.account.close()
        self.mirror.close()


def seed_catalog(desk: Desk) -> tuple[list[uuid.UUID], uuid.UUID]:
    """Specialists, a service and a form template, made at a desk and pushed."""
    run_round(desk.mirror, desk.account)
    specialists = [
        catalog.add_specialist(desk.ctx, name=f"Dr {i:02d}").value.id for i in range(SPECIALISTS)
    ]
    service = catalog.add_service(
        desk.ctx, name="Consult", duration_minutes=45, specialist_ids=specialists
    ).value
    catalog.add_form_template(
        desk.ctx,
        key="intake",
        title="Intake",
        form_type=FormType.SURVEY,
        fields=[{"key": "notes", "label": "Notes", "type": "textarea"}],
    )
    run_round(desk.mirror, desk.account)
    return specialists, service.id


def seed_server(
    live: LiveServer, organization_id: uuid.UUID, appointments: int, forms: int
) -> None:
    """Patients, appointments and forms written on the server in three statements."""
    sessions = scoped_sessions(
        live.database.engine, Scope(organization_id=organization_id, role="admin")
    )
    params = {
        "org": organization_id,
        "patients": PATIENTS,
        "appointments": appointments,
        "forms": forms,
        "now": NOW,
        "specialists": SPECIALISTS,
    }
    with sessions.begin() as session:
        session.execute(
            text(
                "INSERT INTO patient_persons (id, organization_id, first_name, last_name, email, "
                "profile, created_at, updated_at, row_version) "
                "SELECT uuidv7(), :org, 'Patient' || i, 'Bench', "
                "'p' || i || '@example.com', '{}'::jsonb, :now, :now, 1 "
                "FROM generate_series(1, :patients) AS i"
            ),
            params,
        )
    with sessions.begin() as session:
        session.execute(
            text(
                "WITH people AS (SELECT array_agg(id) AS ids FROM patient_persons), "
                "doctors AS (SELECT array_agg(id ORDER BY name) AS ids FROM specialists), "
                "service AS (SELECT id FROM services LIMIT 1) "
                "INSERT INTO appointments (id, organization_id, patient_person_id, specialist_id, "
                "service_id, status, type, source, started_at, ended_at, additional_service_ids, "
                "additional_product_ids, notes, created_at, updated_at, row_version) "
                "SELECT uuidv7(), :org, people.ids[1 + i % :patients], "
                "doctors.ids[1 + i % :specialists], service.id, "
                "CASE WHEN i % 2 = 0 THEN 'done' ELSE 'booked' END, 'in_clinic', 'staff', "
                ":now + (i / :specialists) * interval '1 hour', "
                ":now + (i / :specialists) * interval '1 hour' + interval '45 minutes', "
                "'[]'::jsonb, '[]'::jsonb, '', :now, :now, 1 "
                "FROM generate_series(0, :appointments - 1) AS i, people, doctors, service"
            ),
            params,
        )
    with sessions.begin() as session:
        session.execute(
            text(
                "WITH template AS (SELECT id FROM form_templates LIMIT 1) "
                "INSERT INTO form_instances (id, organization_id, template_id, template_key, "
                "template_version, appointment_id, patient_person_id, form_type, title, status, "
                "blocking, source, fields, values, created_at, updated_at, row_version) "
                "SELECT uuidv7(), :org, template.id, 'intake', 1, a.id, "
                "a.patient_person_id, 'survey', 'Intake', 'created', false, 'service', "
                '\'[{"key": "notes", "type": "textarea"}]\'::jsonb, '
                '\'{"notes": "seeded"}\'::jsonb, :now, :now, 1 '
                "FROM (SELECT id, patient_person_id FROM appointments ORDER BY id LIMIT :forms) a, "
                "template"
            ),
            params,
        )


def raw_insert_rate(desk: Desk, root: Path, page: int) -> tuple[int, float]:
    """The same appointment and form rows, inserted with plain executemany into a fresh
    encrypted mirror in page-sized transactions: SQLite's own speed here."""
    tables = ("appointments", "form_instances")
    with desk.mirror.engine.connect() as connection:
        copies = {
            name: [tuple(row) for row in connection.exec_driver_sql(f"SELECT * FROM {name}")]
            for name in tables
        }
        columns = {
            name: [c[1] for c in connection.exec_driver_sql(f"PRAGMA table_info({name})")]
            for name in tables
        }
    scratch = open_mirror(Profile.resolve(root / "raw"))
    total = sum(len(rows) for rows in copies.values())
    started = time.perf_counter()
    with scratch.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        cursor = driver.cursor()
        for name in tables:
            quoted = ", ".join(f'"{c}"' for c in columns[name])
            sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join('?' for _ in columns[name])})"
            rows = copies[name]
            for start in range(0, len(rows), page):
                cursor.executemany(sql, rows[start : start + page])
                driver.commit()
    elapsed = time.perf_counter() - started
    scratch.close()
    return total, elapsed


def offline_push(desk: Desk, mutations: int) -> float:
    with desk.ctx.transaction() as tx:
        rows = tx.session.scalars(
            select(Appointment).order_by(Appointment.started_at).limit(mutations)
        ).all()
        for row in rows:
            row.notes = "called to confirm"
    started = time.perf_counter()
    summary = push_pending(desk.mirror, desk.account)
    elapsed = time.perf_counter() - started
    assert summary.pushed == mutations, summary.pushed
    return elapsed


def propagation(
    writer: Desk,
    reader: Desk,
    hops: int,
    specialists: list[uuid.UUID],
    service_id: uuid.UUID,
    patient_id: uuid.UUID,
) -> list[float]:
    arrived = threading.Event()
    waiting_for: list[uuid.UUID] = []

    def on_report(_report: SyncReport) -> None:
        if waiting_for:
            with reader.mirror.sessions() as session:
                if session.get(Appointment, waiting_for[0]) is not None:
                    arrived.set()

    writer_agent = SyncAgent(writer.mirror, writer.account, interval_seconds=300)
    reader_agent = SyncAgent(
        reader.mirror, reader.account, interval_seconds=300, on_report=on_report
    )
    writer_agent.start()
    reader_agent.start()
    assert reader_agent.live.connected.wait(10)
    delays = []
    try:
        for hop in range(hops):
            arrived.clear()
            waiting_for.clear()
            started = time.perf_counter()
            booked = booking.book_walk_in(
                writer.ctx,
                patient_person_id=patient_id,
                service_id=service_id,
                specialist_id=specialists[hop % len(specialists)],
                start=NOW - timedelta(days=30 + hop),
            ).value.appointment
            waiting_for.append(booked.id)
            writer_agent.nudge()  # what the desk's operations do after a write
            if not arrived.wait(10):
                raise RuntimeError(f"booking {hop} did not arrive within 10 s")
            delays.append(time.perf_counter() - started)
    finally:
        writer_agent.stop()
        reader_agent.stop()
    return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--forms", type=int, default=100_000)
    parser.add_argument("--mutations", type=int, default=10_000)
    parser.add_argument("--hops", type=int, default=40)
    args = parser.parse_args()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # key files, as on a headless box
    machine()
    root = Path(tempfile.mkdtemp(prefix="frontdesk-bench-sync-"))
    admin = sqlalchemy_url(start_test_postgres(root))
    app_url = fresh_database(admin, make_template(admin))
    database = ServerDatabase().attach(app_url)
    ca_path, cert_path, key_path = tls_files(root)
    config = ServerConfig.load(root / "server", certfile=cert_path, keyfile=key_path)
    live = LiveServer(config=config, database=database, ca_path=ca_path)
    server = start_server(live, app_url.render_as_string(hide_password=False), root)
    try:
        organization = live.create_org(timezone="Europe/Bucharest")
        for email in ("seed@example.com", "fresh@example.com", "other@example.com"):
            live.create_user(organization.id, email, role=Role.ADMIN)
        seeder = Desk("seed", root, live, "seed@example.com")
        specialists, service_id = seed_catalog(seeder)
        started = time.perf_counter()
        seed_server(live, organization.id, args.appointments, args.forms)
        print(
            f"\nseeded the server with {args.appointments:,} appointments and "
            f"{args.forms:,} forms in {time.perf_counter() - started:.1f} s"
        )

        fresh = Desk("fresh", root, live, "fresh@example.com")
        applying = timed_apply()
        started = time.perf_counter()
        pulled = pull_all(fresh.mirror, fresh.account)
        initial = time.perf_counter() - started
        apply_seconds = sum(applying)
        pull_module.apply_page = apply_page
        rows, raw_seconds = raw_insert_rate(fresh, root, page=5000)
        print(
            f"\n1. initial sync: {pulled.pulled:,} rows in {pulled.pages} pages, "
            f"{initial:.2f} s ({pulled.pulled / initial:,.0f} rows/s end to end)"
        )
        print(
            f"   of which applying pages (fetching runs beside it): {apply_seconds:.2f} s, "
            f"{pulled.pulled / apply_seconds:,.0f} rows/s"
        )
        print(
            f"   raw SQLite insert of the {rows:,} appointment and form rows: "
            f"{raw_seconds:.2f} s ({rows / raw_seconds:,.0f} rows/s)"
        )

        push_seconds = offline_push(fresh, args.mutations)
        print(
            f"\n2. push of {args.mutations:,} offline mutations: {push_seconds:.2f} s "
            f"({args.mutations / push_seconds:,.0f} mutations/s)"
        )
        run_round(seeder.mirror, seeder.account)
        run_round(fresh.mirror, fresh.account)

        patient_id = (
            fresh.mirror.sessions()
            .execute(text("SELECT id FROM patient_persons LIMIT 1"))
            .scalar_one()
        )
        delays = propagation(
            seeder, fresh, args.hops, specialists, service_id, uuid.UUID(hex=patient_id)
        )
        delays.sort()
        p95 = delays[max(0, int(len(delays) * 0.95) - 1)]
        print(
            f"\n3. desk-to-desk propagation over {len(delays)} bookings: "
            f"median {statistics.median(delays) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {delays[-1] * 1000:.0f} ms"
        )
        seeder.close()
        fresh.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        database.dispose()
    print("\nload average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
