"""`GET /v1/public/organizations/{slug}/services` on a live server and real PostgreSQL: the
public services that are not retired, their public calendars and performers' names, and
nothing private."""

from __future__ import annotations

import uuid
from decimal import Decimal

from frontdesk.services import catalog, service_setup
from frontdesk.services.service_setup import ServiceDraft
from tests.server.seed import org_context, seed_org
from tests.server.test_public_booking import public_client
from tests.support.postgres import LiveServer


def _listing(live: LiveServer, slug: str) -> dict[str, object]:
    with public_client(live) as client:
        response = client.get(f"/v1/public/organizations/{slug}/services")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_public_services_with_calendars_performers_and_price(live_server: LiveServer) -> None:
    org = seed_org(live_server, "menu")
    ctx = org_context(live_server.database.engine, org.organization_id)
    other = catalog.add_specialist(ctx, name="Dr Other", email="other@example.com").value
    massage = service_setup.create_service(
        ctx,
        ServiceDraft(
            name="Sports massage",
            description="After an injury.",
            duration_minutes=50,
            appointment_type="video",
            price=Decimal("180.5"),
            currency="RON",
            reference=10,
            specialist_ids=[org.specialist_id],
        ),
    ).value
    hidden = ServiceDraft(name="Staff only", duration_minutes=30, is_public=False)
    service_setup.create_service(ctx, hidden)
    retired = service_setup.create_service(ctx, ServiceDraft(name="Old", duration_minutes=30)).value
    service_setup.retire_service(ctx, retired.id)
    everyone = catalog.add_calendar(ctx, name="Public page").value
    catalog.add_calendar(ctx, name="Dr Other's page", specialist_id=other.id)

    body = _listing(live_server, org.slug)

    services = body["services"]
    assert isinstance(services, list)
    assert [s["name"] for s in services] == ["Sports massage", "Consult menu"]
    first = services[0]
    assert first == {
        "id": str(massage.id),
        "reference": 10,
        "name": "Sports massage",
        "description": "After an injury.",
        "duration_minutes": 50,
        "mode": "video",
        "price": {"amount": "180.50", "currency": "RON"},
        "calendars": [{"id": str(everyone.id), "name": "Public page"}],
        "performers": [{"name": "Dr Menu"}],
    }
    assert services[1]["price"] is None
    assert "other@example.com" not in str(body)
    assert str(org.specialist_id) not in str(body)


def test_an_unknown_organization_is_404_and_a_bad_slug_422(live_server: LiveServer) -> None:
    with public_client(live_server) as client:
        missing = client.get(f"/v1/public/organizations/nobody-{uuid.uuid4().hex[:6]}/services")
        bad = client.get("/v1/public/organizations/Not_A_Slug/services")
    assert missing.status_code == 404
    assert bad.status_code == 422


def test_one_clinic_never_lists_anothers_services(live_server: LiveServer) -> None:
    first = seed_org(live_server, "first")
    second = seed_org(live_server, "second")
    names = [s["name"] for s in _listing(live_server, first.slug)["services"]]  # type: ignore[union-attr]
    assert names == ["Consult first"]
    assert "Consult second" not in names
    assert second.slug != first.slug
