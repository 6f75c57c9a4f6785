"""The public booking page's API on a live server and real PostgreSQL."""

from __future__ import annotations

import ssl
import threading
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.store.models import Appointment, PatientPerson
from tests.server.seed import SeededOrg, at, next_weekday, seed_org
from tests.support.postgres import LiveServer


def public_client(live: LiveServer) -> httpx.Client:
    return httpx.Client(
        base_url=live.url, verify=ssl.create_default_context(cafile=live.ca_path), timeout=30
    )


def booking(org: SeededOrg, hour: int = 10, **changes: Any) -> dict[str, Any]:
    body = {
        "service_id": str(org.service_id),
        "start": at(next_weekday(), hour).isoformat(),
        "name": "Maria Pop",
        "email": "maria.pop@example.com",
        "phone": "+40 721 234 567",
        "client_id": f"browser-{uuid.uuid4().hex[:8]}",
    }
    return {**body, **changes}


def count_rows(live: LiveServer, org: SeededOrg, model: type) -> int:
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=org.organization_id))
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def post_booking(
    client: httpx.Client, org: SeededOrg, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return client.post(f"/v1/public/organizations/{org.slug}/bookings", json=body, headers=headers)


def test_a_booking_is_created_and_its_slot_leaves_the_list(live_server: LiveServer) -> None:
    org = seed_org(live_server, "book")
    day = next_weekday()
    with public_client(live_server) as client:
        slots_url = f"/v1/public/organizations/{org.slug}/slots"
        params = {"service_id": str(org.service_id), "date": day.isoformat()}
        before = client.get(slots_url, params=params)
        created = post_booking(client, org, booking(org, hour=10))
        after = client.get(slots_url, params=params)
    assert before.status_code == 200, before.text
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "booked"
    starts_before = [slot["start"] for slot in before.json()["slots"]]
    starts_after = [slot["start"] for slot in after.json()["slots"]]
    ten = at(day, 10).isoformat()
    assert len(starts_before) == 16  # 09:00-17:00 in 30-minute slots
    assert ten in [s.replace("Z", "+00:00") for s in starts_before]
    assert ten not in [s.replace("Z", "+00:00") for s in starts_after]
    assert len(starts_after) == 15


def test_the_same_request_twice_creates_one_appointment(live_server: LiveServer) -> None:
    org = seed_org(live_server, "twice")
    body = booking(org)
    with public_client(live_server) as client:
        first = post_booking(client, org, body, key="same-key")
        second = post_booking(client, org, body, key="same-key")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["appointment_id"] == second.json()["appointment_id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count_rows(live_server, org, Appointment) == 1


def test_a_taken_slot_answers_409(live_server: LiveServer) -> None:
    org = seed_org(live_server, "taken")
    with public_client(live_server) as client:
        assert post_booking(client, org, booking(org)).status_code == 201
        second = post_booking(client, org, booking(org, email="other@example.com"))
    assert second.status_code == 409
    assert count_rows(live_server, org, Appointment) == 1


def test_two_concurrent_bookings_of_one_slot_create_one(live_server: LiveServer) -> None:
    org = seed_org(live_server, "race")
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def attempt(index: int) -> None:
        with public_client(live_server) as client:
            body = booking(org, email=f"racer{index}@example.com")
            barrier.wait()
            codes.append(post_booking(client, org, body).status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 409, 409, 409]
    assert count_rows(live_server, org, Appointment) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"name": "   "}, "name"),
        ({"start": "2026-01-05T10:00:00"}, "start"),
        ({"service_id": "not-a-uuid"}, "service_id"),
    ],
)
def test_field_errors_answer_422_naming_the_field_and_save_nothing(
    live_server: LiveServer, changes: dict[str, str], field: str
) -> None:
    org = seed_org(live_server, "bad")
    with public_client(live_server) as client:
        response = post_booking(client, org, booking(org, **changes))
    assert response.status_code == 422, response.text
    assert field in [error["loc"][-1] for error in response.json()["detail"]]
    assert count_rows(live_server, org, Appointment) == 0
    assert count_rows(live_server, org, PatientPerson) == 0


def test_a_booking_in_the_past_is_refused(live_server: LiveServer) -> None:
    org = seed_org(live_server, "past")
    with public_client(live_server) as client:
        response = post_booking(client, org, booking(org, start="2020-01-06T10:00:00+00:00"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "start"]


def test_a_missing_idempotency_key_is_a_field_error(live_server: LiveServer) -> None:
    org = seed_org(live_server, "nokey")
    with public_client(live_server) as client:
        response = client.post(f"/v1/public/organizations/{org.slug}/bookings", json=booking(org))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "Idempotency-Key"]


def test_unknown_organization_or_service_is_404(live_server: LiveServer) -> None:
    org = seed_org(live_server, "lost")
    with public_client(live_server) as client:
        unknown_org = client.get(
            "/v1/public/organizations/no-such-clinic/slots",
            params={"service_id": str(org.service_id), "date": next_weekday().isoformat()},
        )
        unknown_service = post_booking(client, org, booking(org, service_id=str(uuid.uuid4())))
    assert (unknown_org.status_code, unknown_service.status_code) == (404, 404)


def test_bookings_are_rate_limited_by_client_id(live_server: LiveServer) -> None:
    org = seed_org(live_server, "spam")
    limit = int(live_server.config.booking_rate_limit.split("/")[0])
    with public_client(live_server) as client:
        codes = [
            post_booking(
                client, org, booking(org, hour=9 + i % 8, client_id="one-browser")
            ).status_code
            for i in range(limit + 1)
        ]
    assert codes[-1] == 429
    assert 429 not in codes[:limit]
