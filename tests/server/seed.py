"""Organizations with a little data, built through the services on the server database."""

from __future__ import annotations

import secrets
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import httpx
from sqlalchemy import Engine

from frontdesk.domain.enums import Role
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.protocol import DEVICE_KEY_HEADER, SCHEMA_VERSION
from tests.support.hours import weekday_hours
from tests.support.postgres import TEST_PASSWORD, LiveServer


@dataclass(frozen=True)
class SeededOrg:
    organization_id: uuid.UUID
    slug: str
    admin_email: str
    specialist_id: uuid.UUID
    service_id: uuid.UUID


def org_context(engine: Engine, organization_id: uuid.UUID) -> ServiceContext:
    return ServiceContext(
        sessions=scoped_sessions(engine, Scope(organization_id=organization_id, role="admin")),
        organization_id=organization_id,
        actor=Actor.system("test setup"),
        record_outbox=False,
    )


def seed_org(live: LiveServer, label: str) -> SeededOrg:
    """An organization (UTC) with an admin, one specialist working weekdays 09:00-17:00 and
    a 30-minute public service."""
    organization = live.create_org(name=f"Clinic {label}", slug=f"{label}-{uuid.uuid4().hex[:6]}")
    email = f"admin-{label}-{uuid.uuid4().hex[:6]}@example.com"
    live.create_user(organization.id, email, role=Role.ADMIN)
    ctx = org_context(live.database.engine, organization.id)
    specialist = catalog.add_specialist(ctx, name=f"Dr {label.title()}").value
    weekday_hours(ctx, [specialist.id])
    service = catalog.add_service(
        ctx, name=f"Consult {label}", duration_minutes=30, specialist_ids=[specialist.id]
    ).value
    return SeededOrg(organization.id, organization.slug, email, specialist.id, service.id)


def next_weekday(days_ahead: int = 7) -> date:
    day = datetime.now(UTC).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def desk_client(
    live: LiveServer, token: str | None = None, *, read_timeout: float = 30
) -> httpx.Client:
    headers = {"X-Frontdesk-Schema": str(SCHEMA_VERSION)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        base_url=live.url,
        verify=ssl.create_default_context(cafile=live.ca_path),
        headers=headers,
        timeout=httpx.Timeout(30, read=read_timeout),
    )


def sign_in(live: LiveServer, email: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    with desk_client(live) as client:
        response = client.post("/v1/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    body: dict[str, str] = response.json()
    return body


def device_login(
    live: LiveServer,
    email: str,
    *,
    device_id: uuid.UUID | None = None,
    secret: str | None = None,
    password: str = TEST_PASSWORD,
    organization_slug: str | None = None,
) -> httpx.Response:
    """A desk's sign-in: a device id and the secret that proves it."""
    with desk_client(live) as client:
        return client.post(
            "/v1/auth/login",
            json={
                "email": email,
                "password": password,
                "device_id": str(device_id or uuid.uuid4()),
                "device_secret": secret or secrets.token_urlsafe(32),
                "device_label": "front-desk-pc",
                "organization_slug": organization_slug,
            },
        )


def sign_in_device(live: LiveServer, email: str, **claim: object) -> dict[str, str]:
    """Tokens for a new (or the given) device; its secret is in `device_secret`."""
    secret = str(claim.pop("secret", None) or secrets.token_urlsafe(32))
    response = device_login(live, email, secret=secret, **claim)  # type: ignore[arg-type]
    response.raise_for_status()
    body: dict[str, str] = response.json()
    return {**body, "device_secret": secret}


def device_client(live: LiveServer, tokens: dict[str, str]) -> httpx.Client:
    """A client of that device: its access token and its key on every request."""
    client = desk_client(live, tokens["access_token"])
    client.headers[DEVICE_KEY_HEADER] = tokens["device_secret"]
    return client
