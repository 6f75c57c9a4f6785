"""The public booking page's API on a live server and real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from frontdesk.domain.errors import InvalidInput
from frontdesk.server.app import create_app
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import catalog
from frontdesk.services.public_slots import NOT_OFFERED
from frontdesk.store.models import Appointment, PatientPerson
from tests.server.seed import SeededOrg, at, next_weekday, org_context, seed_org
from tests.support.postgres import LiveServer

SATURDAY, SUNDAY = 5, 6
NEAR = next_weekday(3).isoformat()


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
    assert len(starts_before) == 31  # 09:00-17:00, every 15 minutes, 30-minute slots
    assert ten in [s.replace("Z", "+00:00") for s in starts_before]
    assert ten not in [s.replace("Z", "+00:00") for s in starts_after]
    assert len(starts_after) == 28  # 09:45, 10:00 and 10:15 overlap the booking


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


# ---- only what the slots listing offers ------------------------------------------------


def _refusal(response: httpx.Response) -> tuple[int, list[Any]]:
    body = response.json()
    detail = body["detail"]
    return response.status_code, [(e["loc"], e["msg"]) for e in detail]


def _next(weekday: int, days_ahead: int = 1) -> date:
    day = datetime.now(UTC).date() + timedelta(days=days_ahead)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def test_a_start_taken_from_the_slots_listing_books(live_server: LiveServer) -> None:
    org = seed_org(live_server, "offered")
    with public_client(live_server) as client:
        listed = client.get(
            f"/v1/public/organizations/{org.slug}/slots",
            params={"service_id": str(org.service_id), "date": next_weekday(3).isoformat()},
        )
        start = listed.json()["slots"][5]["start"]
        created = post_booking(client, org, booking(org, start=start))
    assert created.status_code == 201, created.text
    assert created.json()["start"] == start


@pytest.mark.parametrize(
    "start",
    [
        pytest.param("9999-12-31T10:00:00+00:00", id="year-9999"),
        pytest.param(f"{_next(SUNDAY).isoformat()}T03:07:00+00:00", id="sunday-03:07"),
        pytest.param("2020-01-06T10:00:00+00:00", id="past"),
        pytest.param(
            f"{datetime.now(UTC) - timedelta(minutes=1):%Y-%m-%dT%H:%M}Z", id="a-minute-ago"
        ),
        pytest.param(f"{next_weekday(400).isoformat()}T10:00:00+00:00", id="beyond-horizon"),
        pytest.param(f"{next_weekday().isoformat()}T10:05:00+00:00", id="between-slots"),
        pytest.param(f"{next_weekday().isoformat()}T10:00:00.5+00:00", id="half-a-second-late"),
        pytest.param(f"{next_weekday().isoformat()}T16:45:00+00:00", id="ends-after-closing"),
        pytest.param(f"{next_weekday().isoformat()}T08:30:00+00:00", id="before-opening"),
        pytest.param(f"{_next(SATURDAY).isoformat()}T10:00:00+00:00", id="saturday"),
        pytest.param(
            f"{next_weekday().isoformat()}T10:00:00+14:00", id="slot-hour-in-another-zone"
        ),
    ],
)
def test_a_start_the_listing_does_not_offer_is_refused_in_plain_words(
    live_server: LiveServer, start: str
) -> None:
    org = seed_org(live_server, "refused")
    with public_client(live_server) as client:
        response = post_booking(client, org, booking(org, start=start))
    assert _refusal(response) == (422, [(["body", "start"], NOT_OFFERED.english())])
    assert count_rows(live_server, org, Appointment) == 0
    assert count_rows(live_server, org, PatientPerson) == 0


@pytest.mark.parametrize(
    "start",
    [
        pytest.param("9999-12-31T23:30:00-05:00", id="past-year-9999-in-utc"),
        pytest.param("0001-01-01T00:00:00+05:00", id="before-year-1-in-utc"),
    ],
)
def test_an_instant_outside_the_calendar_is_a_field_error(
    live_server: LiveServer, start: str
) -> None:
    org = seed_org(live_server, "calendar")
    with public_client(live_server) as client:
        response = post_booking(client, org, booking(org, start=start))
    assert _refusal(response) == (
        422,
        [(["body", "start"], "“Start time” is outside the calendar's range.")],
    )


@pytest.mark.parametrize(
    "start",
    ["0000-01-06T10:00:00Z", "10000-01-06T10:00:00Z", "-0001-01-06T10:00:00Z", 10**30, 1e308],
)
def test_years_the_calendar_has_not_are_refused_by_the_schema(
    live_server: LiveServer, start: object
) -> None:
    org = seed_org(live_server, "years")
    with public_client(live_server) as client:
        response = post_booking(client, org, booking(org, start=start))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "start"]]


def test_the_organization_horizon_bounds_the_listing_and_the_booking(
    live_server: LiveServer,
) -> None:
    org = seed_org(live_server, "horizon")
    catalog.set_booking_horizon(org_context(live_server.database.engine, org.organization_id), 10)
    near, far = next_weekday(2), next_weekday(12)
    slots_url = f"/v1/public/organizations/{org.slug}/slots"
    with public_client(live_server) as client:
        listed = {
            day: client.get(
                slots_url, params={"service_id": str(org.service_id), "date": day.isoformat()}
            ).json()["slots"]
            for day in (near, far)
        }
        refused = post_booking(client, org, booking(org, start=at(far, 10).isoformat()))
        accepted = post_booking(client, org, booking(org, start=at(near, 10).isoformat()))
    assert (len(listed[near]), listed[far]) == (31, [])
    assert _refusal(refused) == (422, [(["body", "start"], NOT_OFFERED.english())])
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize("days", [0, -1, 3651, True])
def test_a_horizon_out_of_range_is_refused(live_server: LiveServer, days: int) -> None:
    org = seed_org(live_server, "badhorizon")
    with pytest.raises(InvalidInput) as refused:
        catalog.set_booking_horizon(
            org_context(live_server.database.engine, org.organization_id), days
        )
    assert refused.value.field == "booking_horizon_days"


# ---- odd input never gets a 500 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "slots"),
    [
        ("date=9999-12-31", 200, []),
        ("date=0001-01-01", 200, []),
        ("date=2020-01-06", 200, []),
        ("date=0000-01-01", 422, None),
        ("date=10000-01-01", 422, None),
        ("date=-1", 422, None),
        ("date=-2020-01-06", 422, None),
        (f"date={10**30}", 422, None),
        ("date=%00", 422, None),
        ("date=2026-12-14%00", 422, None),
        ("date=2026-02-30", 422, None),
        ("calendar_id=%00&date=2026-12-14", 422, None),
        ("from=-1&to=99999999999999999999&days=-5", 422, None),
        (f"date={NEAR}&from=%00&to=-1&days={10**30}", 200, 31),
    ],
)
def test_odd_slot_queries_get_a_plain_answer(
    live_server: LiveServer, query: str, code: int, slots: list[Any] | int | None
) -> None:
    org = seed_org(live_server, "query")
    with public_client(live_server) as client:
        response = client.get(
            f"/v1/public/organizations/{org.slug}/slots?service_id={org.service_id}&{query}"
        )
    assert response.status_code == code, response.text
    if isinstance(slots, int):
        assert len(response.json()["slots"]) == slots
    elif slots is not None:
        assert response.json()["slots"] == slots


@pytest.mark.parametrize(
    ("headers", "code", "field"),
    [
        ({"Idempotency-Key": "k" * 201}, 422, "Idempotency-Key"),
        ({"Idempotency-Key": "a\tb"}, 422, "Idempotency-Key"),
        ({"Accept-Language": "zz;q=abc,\t*;q=-1" * 200}, 201, None),
        ({"Content-Type": "text/plain"}, 422, None),
        ({"Content-Type": "application/json; charset=no-such"}, 201, None),
        ({"Content-Type": "multipart/form-data; boundary="}, 422, None),
        ({"X-Client-Id": "\x7f" * 50}, 201, None),
    ],
)
def test_odd_headers_get_a_plain_answer(
    live_server: LiveServer, headers: dict[str, str], code: int, field: str | None
) -> None:
    org = seed_org(live_server, "headers")
    with public_client(live_server) as client:
        response = client.post(
            f"/v1/public/organizations/{org.slug}/bookings",
            content=json.dumps(booking(org)),
            headers={
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": "application/json",
                **headers,
            },
        )
    assert response.status_code == code, response.text
    if field is not None:
        assert [e["loc"][-1] for e in response.json()["detail"]] == [field]


def test_a_huge_header_is_refused_before_the_application(live_server: LiveServer) -> None:
    org = seed_org(live_server, "hugeheader")
    with public_client(live_server) as client:
        response = post_booking(client, org, booking(org), key="k" * 200_000)
    assert 400 <= response.status_code < 500
    assert count_rows(live_server, org, Appointment) == 0


async def _post_in_process(
    app: Any, url: str, body: str, headers: dict[str, str]
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://public.test") as client:
        return await client.post(url, content=body, headers=headers)


@pytest.mark.parametrize(
    ("headers", "changes", "code", "field"),
    [
        ({"idempotency-key": "a\x00b"}, {}, 422, "Idempotency-Key"),
        ({"idempotency-key": "   "}, {}, 422, "Idempotency-Key"),
        ({"accept-language": "\x00\x01"}, {}, 201, None),
        ({"content-type": "application/json\x00"}, {}, 422, "body"),
        ({}, {"client_id": "browser\x00one"}, 422, "client_id"),
        ({}, {"client_id": "b" * 101}, 422, "client_id"),
        ({}, {"name": "Maria\x00Pop"}, 422, None),
        ({}, {"email": "maria\x00@example.com"}, 422, None),
    ],
)
def test_nul_bytes_in_headers_and_fields_get_a_plain_answer(
    server_database: ServerDatabase,
    tmp_path: Path,
    headers: dict[str, str],
    changes: dict[str, str],
    code: int,
    field: str | None,
) -> None:
    """NUL bytes cannot cross a real HTTP parser, so these go to the application in-process."""
    config = ServerConfig.load(tmp_path, database_url=None, token_secret=uuid.uuid4().hex)
    live = LiveServer(config=config, database=server_database, ca_path=tmp_path / "unused")
    org = seed_org(live, "nul")
    app = create_app(config, server_database)
    headers = {"idempotency-key": uuid.uuid4().hex, "content-type": "application/json", **headers}
    body = json.dumps(booking(org, **changes))
    response = asyncio.run(
        _post_in_process(app, f"/v1/public/organizations/{org.slug}/bookings", body, headers)
    )
    assert response.status_code == code, response.text
    if field is not None:
        assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
