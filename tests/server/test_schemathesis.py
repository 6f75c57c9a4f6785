"""Generated requests from the OpenAPI schema (schemathesis) never get a 5xx answer."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from frontdesk.server.accounts import Accounts
from frontdesk.server.app import create_app
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.sign_in_guard import SignInGuard
from frontdesk.sync.protocol import SCHEMA_VERSION
from tests.support.postgres import TEST_PASSWORD, LiveServer

# A stream stays open until the client leaves; generated cases cannot end it.
STREAMING_PATHS = ("/v1/sync/live",)


@pytest.fixture
def api_schema(server_database: ServerDatabase, tmp_path: Path) -> Any:
    config = ServerConfig.load(
        tmp_path / "data", database_url=None, token_secret="fuzz-secret-" + uuid.uuid4().hex
    )
    live = LiveServer(config=config, database=server_database, ca_path=tmp_path / "unused")
    organization = live.create_org(slug="fuzz-clinic")
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
    return schemathesis.openapi.from_asgi("/openapi.json", app)


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
