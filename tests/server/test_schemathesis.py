"""Generated requests from the OpenAPI schema (schemathesis) never get a 5xx answer.

On top of what the schema allows, the public booking page's operations get odd input the
schema cannot describe: starts and days from year 1 to 9999 at any UTC offset, odd strings
and numbers for them, unknown range parameters, and headers with control characters, NUL
bytes or thousands of characters; aimed at the real organization and service, so the
generated requests reach the slot arithmetic instead of stopping at a 404."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from frontdesk.server.accounts import Accounts
from frontdesk.server.app import create_app
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.sign_in_guard import SignInGuard
from frontdesk.services import catalog
from frontdesk.sync.protocol import SCHEMA_VERSION
from tests.server.seed import org_context
from tests.support.hours import weekday_hours
from tests.support.postgres import TEST_PASSWORD, LiveServer

# A stream stays open until the client leaves; generated cases cannot end it.
STREAMING_PATHS = ("/v1/sync/live",)
PUBLIC_PREFIX = "/v1/public/"
FUZZ_SLUG = "fuzz-clinic"

# Header values go out as ASCII through `requests`, which refuses line breaks and leading
# blanks (no HTTP client sends those); NUL and the other control bytes do get through.
ODD_TEXT = (
    st.text(st.characters(max_codepoint=127), max_size=40)
    | st.sampled_from(["", "\x00", "a\x00b", "a\tb", "k" * 5000, "zz;q=abc,*;q=-1"])
).map(lambda text: text.replace("\r", "").replace("\n", "").lstrip())
ODD_HEADERS = st.fixed_dictionaries(
    # Mostly a usable key, so that the request gets as far as the booking rules.
    {"Idempotency-Key": st.uuids().map(str) | ODD_TEXT},
    optional={
        "Accept-Language": ODD_TEXT,
        "X-Client-Id": ODD_TEXT,
        "Content-Type": st.sampled_from(
            ["application/json; charset=no-such", "application/json;;", "application/json; x=\x00"]
        ),
    },
)
ANY_OFFSET = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
ODD_NUMBERS = st.integers() | st.sampled_from([0, -1, 10**30, -(10**30), 1e308])
ODD_STARTS = (
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59), timezones=ANY_OFFSET).map(
        datetime.isoformat
    )
    | st.sampled_from(
        [
            "0000-01-01T10:00:00Z",
            "10000-01-01T10:00:00Z",
            "-0001-01-01T10:00Z",
            "2026-12-14T10:00Z\x00",
        ]
    )
    | ODD_NUMBERS
)
# Starts on or near the grid in the coming weeks: offered ones book, the rest are refused.
OFFERED_STARTS = st.builds(
    lambda days, minutes: (
        datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        + timedelta(days=days, minutes=minutes)
    ).isoformat(),
    st.integers(-3, 400),
    st.sampled_from([0, 45, 90, 135, 7]),
)
ODD_DAYS = (
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)
    | st.sampled_from(["0000-01-01", "10000-01-01", "-1", "2026-02-30", "\x00"])
    | ODD_NUMBERS.map(str)
)


def _fuzz_service(context: Any) -> str:
    return str(context.operation.schema.app.state.fuzz_service_id)


def _public(context: Any) -> bool:
    return bool(context.operation.path.startswith(PUBLIC_PREFIX))


def _register_odd_input(schema: Any) -> None:
    @schema.hook
    def map_path_parameters(context: Any, parameters: Any) -> Any:
        # The real organization: an unknown slug would stop every request at a 404.
        if not _public(context) or not isinstance(parameters, dict):
            return parameters
        return {**parameters, "slug": FUZZ_SLUG}

    @schema.hook
    def flatmap_headers(context: Any, headers: Any) -> Any:
        if not _public(context):
            return st.just(headers)
        return ODD_HEADERS.map(lambda odd: {**(headers or {}), **odd})

    @schema.hook
    def flatmap_query(context: Any, query: Any) -> Any:
        if not _public(context) or query is None:
            return st.just(query)
        odd = st.fixed_dictionaries(
            {"date": ODD_DAYS, "service_id": st.just(_fuzz_service(context))},
            optional={
                "from": ODD_DAYS,
                "to": ODD_DAYS,
                "days": ODD_NUMBERS.map(str),
            },
        )
        return odd.map(lambda changes: {**query, **changes})

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        if not _public(context) or not isinstance(body, dict):
            return st.just(body)
        odd = st.fixed_dictionaries(
            {"start": ODD_STARTS | OFFERED_STARTS, "service_id": st.just(_fuzz_service(context))},
            optional={"client_id": st.uuids().map(str), "name": st.just("Maria Pop")},
        )
        return odd.map(lambda changes: {**body, **changes})


@pytest.fixture
def api_schema(server_database: ServerDatabase, tmp_path: Path) -> Any:
    config = ServerConfig.load(
        tmp_path / "data",
        database_url=None,
        token_secret="fuzz-secret-" + uuid.uuid4().hex,
        # Every generated booking comes from one address: let them reach the booking rules.
        booking_rate_limit="100000/hour",
    )
    live = LiveServer(config=config, database=server_database, ca_path=tmp_path / "unused")
    organization = live.create_org(slug=FUZZ_SLUG)
    email = f"fuzz-{uuid.uuid4().hex[:6]}@example.com"
    live.create_user(organization.id, email)
    app = create_app(config, server_database, debug=True)  # debug: it serves its schema
    token = (
        Accounts(server_database.engine, config, live.clock)
        .sign_in(
            email=email,
            password=TEST_PASSWORD,
            organization_slug=None,
            device=None,
            address="192.0.2.1",
            guard=SignInGuard(config, live.clock),
        )
        .access_token
    )
    app.state.fuzz_headers = {
        "Authorization": f"Bearer {token}",
        "X-Frontdesk-Schema": str(SCHEMA_VERSION),
    }
    ctx = org_context(server_database.engine, organization.id)
    specialist = catalog.add_specialist(ctx, name="Dr Fuzz").value
    weekday_hours(ctx, [specialist.id])
    app.state.fuzz_service_id = catalog.add_service(
        ctx, name="Fuzz consult", duration_minutes=45, specialist_ids=[specialist.id]
    ).value.id
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    # Inputs that break the schema too (wrong types, missing fields), NUL bytes included.
    loaded.config.generation.update(modes=list(schemathesis.GenerationMode), allow_x00=True)
    _register_odd_input(loaded)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path=list(STREAMING_PATHS))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_gets_a_server_error(case: Any) -> None:
    headers = dict(case.operation.schema.app.state.fuzz_headers)
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
