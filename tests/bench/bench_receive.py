"""Receive benchmark: what the receive rules cost a pull, per role.

Run: python tests/bench/bench_receive.py [--appointments N]

Starts an embedded PostgreSQL, migrates a database and seeds one organization in SQL: 20
specialists, 2,000 patients, N appointments with one form, one status change, one automation
run and one notification each, then builds pull pages (5,000 change entries each) directly with
`sync_pull.build_page`, as an admin, a receptionist and a specialist: the whole organization
from the start, and a catch-up page after 1,000 appointments moved between specialists.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

# Run as a script from anywhere: the project root holds the `tests` package reused here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.postgres import fresh_database, make_template, start_test_postgres

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import Role
from frontdesk.server.accounts import create_organization
from frontdesk.server.database import ServerDatabase, admin_engine, sqlalchemy_url
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sync_pull import Reader, build_page

SPECIALISTS = 20
PATIENTS = 2_000
PAGE = 5_000
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)

SEED = [
    "INSERT INTO specialists (id, organization_id, name, specialty, is_active, created_at, "
    "updated_at, row_version) SELECT uuidv7(), :org, 'Dr ' || lpad(i::text, 2, '0'), '', true, "
    ":now, :now, 1 FROM generate_series(1, :specialists) AS i",
    "INSERT INTO services (id, organization_id, name, duration_minutes, appointment_type, "
    "price_cents, is_public, created_at, updated_at, row_version) SELECT uuidv7(), :org, "
    "'Consult', 45, 'in_clinic', 0, true, :now, :now, 1",
    "INSERT INTO form_templates (id, organization_id, template_key, version, is_current, title, "
    "form_type, blocking, fields, body, created_at, updated_at, row_version) SELECT uuidv7(), "
    ":org, 'intake', 1, true, 'Intake', 'survey', false, '[]'::jsonb, '', :now, :now, 1",
    "INSERT INTO automation_rules (id, organization_id, name, enabled, trigger_event, "
    "trigger_config, conditions, actions, definition, execution_count, created_at, updated_at, "
    "row_version) SELECT uuidv7(), :org, 'Rule', true, 'appointment.booked', '{}'::jsonb, "
    "'{}'::jsonb, '[]'::jsonb, '{}'::jsonb, 0, :now, :now, 1",
    "INSERT INTO patient_persons (id, organization_id, first_name, last_name, email, profile, "
    "created_at, updated_at, row_version) SELECT uuidv7(), :org, 'Patient' || i, 'Bench', "
    "'p' || i || '@example.com', '{}'::jsonb, :now, :now, 1 "
    "FROM generate_series(1, :patients) AS i",
    "WITH people AS (SELECT array_agg(id) AS ids FROM patient_persons), "
    "doctors AS (SELECT array_agg(id ORDER BY name) AS ids FROM specialists), "
    "service AS (SELECT id FROM services LIMIT 1) "
    "INSERT INTO appointments (id, organization_id, patient_person_id, specialist_id, "
    "service_id, status, type, source, started_at, ended_at, additional_service_ids, "
    "additional_product_ids, notes, created_at, updated_at, row_version) "
    "SELECT uuidv7(), :org, people.ids[1 + i % :patients], doctors.ids[1 + i % :specialists], "
    "service.id, 'booked', 'in_clinic', 'staff', :now + i * interval '1 hour', "
    ":now + i * interval '1 hour' + interval '45 minutes', '[]'::jsonb, '[]'::jsonb, '', "
    ":now, :now, 1 FROM generate_series(0, :appointments - 1) AS i, people, doctors, service",
    "INSERT INTO form_instances (id, organization_id, template_id, template_key, "
    "template_version, appointment_id, patient_person_id, form_type, title, status, blocking, "
    "source, fields, values, created_at, updated_at, row_version) SELECT uuidv7(), :org, "
    "(SELECT id FROM form_templates LIMIT 1), 'intake', 1, a.id, a.patient_person_id, "
    "'survey', 'Intake', 'created', false, 'service', '[]'::jsonb, '{}'::jsonb, :now, :now, 1 "
    "FROM appointments a",
    "INSERT INTO appointment_status_history (id, organization_id, appointment_id, to_status, "
    "changed_at, actor_label, created_at, updated_at, row_version) SELECT uuidv7(), :org, a.id, "
    "'booked', :now, 'bench', :now, :now, 1 FROM appointments a",
    "INSERT INTO automation_executions (id, organization_id, automation_rule_id, execution_key, "
    "trigger_event, trigger_entity_type, trigger_entity_id, status, actions_executed, trace, "
    "executed_at, created_at, updated_at, row_version) SELECT uuidv7(), :org, "
    "(SELECT id FROM automation_rules LIMIT 1), 'bench:' || a.id, 'appointment.booked', "
    "'appointment', a.id, 'success', '[]'::jsonb, '{}'::jsonb, :now, :now, :now, 1 "
    "FROM appointments a",
    "INSERT INTO notifications (id, organization_id, target, specialist_id, message, priority, "
    "created_at, updated_at, row_version) SELECT uuidv7(), :org, 'specialist', a.specialist_id, "
    "'Confirmed', 'normal', :now, :now, 1 FROM appointments a",
]

MOVE = (
    "UPDATE appointments a SET specialist_id = (SELECT id FROM specialists s "
    "WHERE s.id <> a.specialist_id ORDER BY s.name LIMIT 1), row_version = row_version + 1 "
    "WHERE a.id IN (SELECT id FROM appointments ORDER BY id LIMIT 1000)"
)


def pull(sessions: object, reader: Reader, cursor: str) -> tuple[float, int, int, int, str]:
    """Every page after `cursor`: seconds, pages, rows, removed ids, the last cursor."""
    pages = rows = removed = 0
    started = time.perf_counter()
    while True:
        with sessions.begin() as session:  # type: ignore[attr-defined]
            page = build_page(session, reader, cursor, reader.scope, PAGE)
        body = json.loads(page.body)
        pages += 1
        rows += sum(len(t["values"]) for t in body["rows"].values())
        removed += sum(len(ids) for ids in body["removed"].values())
        cursor = page.cursor
        if not page.more:
            return time.perf_counter() - started, pages, rows, removed, cursor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=20_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="frontdesk-bench-receive-"))
    admin = sqlalchemy_url(start_test_postgres(root))
    app_url = fresh_database(admin, make_template(admin))
    database = ServerDatabase().attach(app_url)
    organization = create_organization(
        database.engine, name="Bench", slug="bench", timezone="UTC", clock=FixedClock(NOW)
    )
    sessions = scoped_sessions(
        database.engine, Scope(organization_id=organization.id, role="admin")
    )
    params = {
        "org": organization.id,
        "now": NOW,
        "specialists": SPECIALISTS,
        "patients": PATIENTS,
        "appointments": args.appointments,
    }
    started = time.perf_counter()
    for statement in SEED:
        with sessions.begin() as session:
            session.execute(text(statement), params)
    # Statistics, as autovacuum would have them (only the tables' owner may gather them).
    owner = admin_engine(admin.set(database=app_url.database))
    with owner.begin() as connection:
        connection.execute(text("ANALYZE"))
    owner.dispose()
    with sessions.begin() as session:
        specialist = session.scalar(text("SELECT id FROM specialists ORDER BY name LIMIT 1"))
    print(
        f"seeded {args.appointments:,} appointments (and 4 rows each) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    readers = {
        "admin": Reader(organization.id, Role.ADMIN, None, uuid.uuid4()),
        "receptionist": Reader(organization.id, Role.RECEPTIONIST, None, uuid.uuid4()),
        "specialist": Reader(organization.id, Role.SPECIALIST, specialist, uuid.uuid4()),
    }
    cursors = {}
    for name, reader in readers.items():
        seconds, pages, rows, removed, cursors[name] = pull(sessions, reader, "")
        print(
            f"from the start, {name}: {rows:,} rows in {pages} pages, {seconds:.2f} s "
            f"({removed} removed)"
        )
    with sessions.begin() as session:
        session.execute(text(MOVE))
    for name, reader in readers.items():
        seconds, pages, rows, removed, _ = pull(sessions, reader, cursors[name])
        print(
            f"after 1,000 appointments moved, {name}: {rows:,} rows, {removed} removed, "
            f"{seconds:.3f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
