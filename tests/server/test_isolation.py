"""Row-level security keeps organizations apart: in the database under any query, and
through every endpoint of the API."""

from __future__ import annotations

import contextlib
import re
import uuid

import httpx
from sqlalchemy import text

from frontdesk.server.app import create_app
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services.booking import book_public
from tests.server.seed import SeededOrg, at, desk_client, next_weekday, org_context, seed_org
from tests.server.seed import sign_in as sign_in_over_http
from tests.support.postgres import LiveServer


def _with_a_booking(live: LiveServer, label: str) -> SeededOrg:
    org = seed_org(live, label)
    book_public(
        org_context(live.database.engine, org.organization_id),
        service_id=org.service_id,
        start=at(next_weekday(), 11),
        name=f"Patient {label.title()}",
        email=f"patient-{label}@example.com",
        phone="+40 721 234 567",
        client_id="test",
        idempotency_key=f"key-{label}",
    )
    return org


def _org_owned_tables(live: LiveServer) -> list[str]:
    with live.database.engine.connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT DISTINCT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = 'organization_id'"
                )
            )
        )


def test_a_session_of_one_organization_sees_no_row_of_another(live_server: LiveServer) -> None:
    a = _with_a_booking(live_server, "alpha")
    b = _with_a_booking(live_server, "beta")
    scope_a = Scope(organization_id=a.organization_id, role="admin")
    seen_of_b: dict[str, int] = {}
    seen_of_a = 0
    with scoped_sessions(live_server.database.engine, scope_a)() as session:
        for table in _org_owned_tables(live_server):
            params = {"b": b.organization_id, "a": a.organization_id}
            # Even a query that asks for the other organization by id gets nothing.
            seen_of_b[table] = session.scalar(
                text(f"SELECT count(*) FROM {table} WHERE organization_id = :b"), params
            )
            seen_of_a += session.scalar(
                text(f"SELECT count(*) FROM {table} WHERE organization_id = :a"), params
            )
        organizations = set(session.scalars(text("SELECT id FROM organizations")))
        emails = set(session.scalars(text("SELECT email FROM users")))
    assert {table: n for table, n in seen_of_b.items() if n} == {}
    assert seen_of_a > 5  # the query itself works: A's own rows are there
    assert organizations == {a.organization_id}
    assert b.admin_email not in emails
    assert a.admin_email in emails


def test_a_session_cannot_write_into_another_organization(live_server: LiveServer) -> None:
    a = seed_org(live_server, "gamma")
    b = seed_org(live_server, "delta")
    scope_a = Scope(organization_id=a.organization_id, role="admin")
    with scoped_sessions(live_server.database.engine, scope_a).begin() as session:
        renamed = session.execute(
            text("UPDATE services SET name = 'taken over' WHERE organization_id = :b"),
            {"b": b.organization_id},
        ).rowcount
    assert renamed == 0
    try:
        with scoped_sessions(live_server.database.engine, scope_a).begin() as session:
            session.execute(
                text(
                    "INSERT INTO specialists (id, organization_id, name, specialty, is_active, "
                    "created_at, updated_at, row_version) VALUES (:id, :b, 'Mole', '', true, "
                    "now(), now(), 1)"
                ),
                {"id": uuid.uuid4(), "b": b.organization_id},
            )
        inserted = True
    except Exception as error:  # the policy's WITH CHECK refuses the row
        inserted = "row-level security" not in str(error)
    assert inserted is False


def _first_answer(client: httpx.Client, method: str, path: str) -> tuple[int, str]:
    """Status and body; for a stream (server-sent events) what arrives in the first seconds."""
    body = ""
    with client.stream(method, path, json=None if method == "GET" else {}) as response:
        streaming = response.headers.get("content-type", "").startswith("text/event-stream")
        with contextlib.suppress(httpx.ReadTimeout):
            for chunk in response.iter_text():
                body += chunk
                if streaming and body.count("\n\n") >= 1:
                    break
    return response.status_code, body


def test_no_endpoint_returns_another_organizations_data(live_server: LiveServer) -> None:
    a = _with_a_booking(live_server, "epsilon")
    b = _with_a_booking(live_server, "zeta")
    token = sign_in_over_http(live_server, a.admin_email)["access_token"]
    markers = [str(b.organization_id), b.slug, b.admin_email, "patient-zeta", "Patient Zeta"]
    paths = create_app(live_server.config, live_server.database).openapi()["paths"]
    operations = [
        (method.upper(), path)
        for path, item in paths.items()
        if not path.startswith("/v1/public/")
        for method in item
    ]
    with desk_client(live_server, token, read_timeout=3) as client:
        for method, template in operations:
            # Path parameters get the other organization's ids: asking directly must not help.
            path = re.sub(r"\{[^}]+\}", str(b.organization_id), template)
            status, body = _first_answer(client, method, path)
            leaked = [marker for marker in markers if marker in body]
            assert leaked == [], f"{method} {template} leaked {leaked}"
            assert status < 500, f"{method} {template}: {body}"
    assert ("GET", "/v1/me") in operations
    assert len(operations) >= 4
