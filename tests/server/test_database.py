"""The server schema on real PostgreSQL: migrations, the app role, row-level security."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from frontdesk.server.accounts import create_organization
from frontdesk.server.database import (
    DatabaseSetupError,
    ServerDatabase,
    admin_engine,
    sqlalchemy_url,
)
from frontdesk.server.errors import is_overlap_violation
from frontdesk.server.migrate import current_revision, target_metadata
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import catalog
from frontdesk.services.booking import book_public
from frontdesk.store.models import Appointment
from tests.server.seed import at, next_weekday, org_context
from tests.support.hours import weekday_hours


def test_migrated_database_is_at_head_and_app_role_is_ordinary(
    server_database: ServerDatabase,
) -> None:
    assert current_revision(server_database.engine) is not None
    with server_database.engine.connect() as connection:
        superuser, bypass = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owns_tables = connection.scalar(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tableowner = current_user"
            )
        )
    assert (superuser, bypass, owns_tables) == (False, False, 0)
    with server_database.engine.connect() as connection:
        may_move_revision = connection.scalar(
            text("SELECT has_table_privilege('alembic_version', 'UPDATE')")
        )
    assert may_move_revision is False


def test_every_org_owned_table_has_forced_row_level_security(
    server_database: ServerDatabase,
) -> None:
    with server_database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "(SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS ("
                "  SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid "
                "  AND a.attname = 'organization_id' AND NOT a.attisdropped)"
            )
        ).all()
    assert len(rows) > 30
    unprotected = [
        name for name, enabled, forced, policies in rows if not (enabled and forced and policies)
    ]
    assert unprotected == []


def test_the_server_refuses_a_table_row_level_security_does_not_guard(
    server_database: ServerDatabase, pg_url: str
) -> None:
    assert server_database.url is not None
    owner = admin_engine(sqlalchemy_url(pg_url).set(database=server_database.url.database))
    with owner.connect() as connection:
        connection.execute(text("ALTER TABLE patients DISABLE ROW LEVEL SECURITY"))
    owner.dispose()
    with pytest.raises(DatabaseSetupError, match="row-level security does not apply") as refused:
        ServerDatabase().attach(server_database.url)
    assert str(refused.value).endswith(": patients")


def _seed_appointment(database: ServerDatabase) -> tuple[uuid.UUID, Appointment]:
    organization = create_organization(
        database.engine, name="Overlap", slug=f"overlap-{uuid.uuid4().hex[:6]}", timezone="UTC"
    )
    ctx = org_context(database.engine, organization.id)
    specialist = catalog.add_specialist(ctx, name="Dr Overlap").value
    weekday_hours(ctx, [specialist.id])
    service = catalog.add_service(
        ctx, name="Consult", duration_minutes=30, specialist_ids=[specialist.id]
    ).value
    booked = book_public(
        ctx,
        service_id=service.id,
        start=at(next_weekday(), 10),
        name="Ana Pop",
        email="ana.pop@example.com",
        phone="+40 721 234 567",
        client_id="test",
        idempotency_key="first",
    ).value.appointment
    return organization.id, booked


def _copy(appointment: Appointment, **changes: object) -> Appointment:
    fields = {
        name: getattr(appointment, name)
        for name in (
            "organization_id",
            "patient_person_id",
            "specialist_id",
            "service_id",
            "status",
            "started_at",
            "ended_at",
        )
    }
    fields["started_at"] += timedelta(minutes=15)
    fields["ended_at"] += timedelta(minutes=15)
    return Appointment(**{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "allowed"),
    [
        ({}, False),
        ({"status": "upcoming"}, False),
        ({"status": "cancelled"}, True),
        ({"double_booking_override_reason": "urgent case, agreed with the specialist"}, True),
    ],
    ids=["booked", "upcoming", "cancelled", "overridden"],
)
def test_the_database_refuses_overlapping_active_appointments(
    server_database: ServerDatabase, changes: dict[str, object], allowed: bool
) -> None:
    organization_id, first = _seed_appointment(server_database)
    sessions = scoped_sessions(server_database.engine, Scope(organization_id=organization_id))
    overlapping = _copy(first, **changes)
    try:
        with sessions.begin() as session:
            session.add(overlapping)
        refused = None
    except IntegrityError as error:
        refused = error
    assert (refused is None) == allowed
    if refused is not None:
        assert is_overlap_violation(refused)


def test_the_migrated_schema_matches_the_models(server_database: ServerDatabase) -> None:
    """Fails when a model changed and 0001 was not regenerated
    (`python -m frontdesk.server.migrate regenerate-initial`)."""
    with server_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _modelled}
        )
        differences = compare_metadata(context, target_metadata())
    assert differences == []


def _modelled(item: object, name: str | None, kind: str, reflected: bool, twin: object) -> bool:
    # Tables the hand-written revisions add (the sync change log) have no model to match.
    table = item if kind == "table" else getattr(item, "table", None)
    modelled = {t for metadata in target_metadata() for t in metadata.tables}
    return not (reflected and twin is None and getattr(table, "name", None) not in modelled)


def test_store_types_round_trip_on_postgresql(server_database: ServerDatabase) -> None:
    organization_id, booked = _seed_appointment(server_database)
    sessions = scoped_sessions(server_database.engine, Scope(organization_id=organization_id))
    with sessions.begin() as session:
        row = session.get_one(Appointment, booked.id)
        row.additional_service_ids = [str(booked.service_id)]
    with sessions() as session:
        again = session.get_one(Appointment, booked.id)
        kinds = dict(
            session.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'appointments' "
                    "AND column_name IN ('started_at', 'additional_service_ids')"
                )
            ).all()
        )
    assert again.started_at == booked.started_at
    assert again.started_at.utcoffset() == timedelta(0)
    assert again.additional_service_ids == [str(booked.service_id)]
    assert kinds == {"started_at": "timestamp with time zone", "additional_service_ids": "jsonb"}
