"""Oversized and malformed requests are refused before anything is written; every answer
carries the server's time; HTTPS verifies against the deployment's own CA."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from frontdesk.store.models import Appointment, PatientPerson
from tests.server.seed import desk_client, seed_org
from tests.server.test_public_booking import booking, count_rows, public_client
from tests.support.postgres import LiveServer


def _bookings_url(slug: str) -> str:
    return f"/v1/public/organizations/{slug}/bookings"


def test_an_oversized_body_gets_413_and_nothing_is_written(live_server: LiveServer) -> None:
    org = seed_org(live_server, "big")
    body = booking(org, name="x" * (live_server.config.max_body_bytes + 1))
    with public_client(live_server) as client:
        response = client.post(
            _bookings_url(org.slug), json=body, headers={"Idempotency-Key": "big"}
        )
    assert response.status_code == 413
    assert count_rows(live_server, org, Appointment) == 0


def test_an_oversized_chunked_body_without_length_gets_413(live_server: LiveServer) -> None:
    org = seed_org(live_server, "chunks")
    chunk = b"x" * 65536
    count = live_server.config.max_body_bytes // len(chunk) + 2

    def chunks() -> Iterator[bytes]:
        yield from (chunk for _ in range(count))

    with public_client(live_server) as client:
        response = client.post(
            _bookings_url(org.slug),
            content=chunks(),
            headers={"Idempotency-Key": "chunks", "Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert count_rows(live_server, org, PatientPerson) == 0


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'"a string"',
        b'{"service_id": 5}',
        b'{"name": "\\ud800"}',
        b"\xff\xfe not utf-8",
    ],
    ids=["broken", "array", "string", "wrong-type", "lone-surrogate", "not-utf8"],
)
def test_malformed_bodies_get_4xx_and_nothing_is_written(
    live_server: LiveServer, content: bytes
) -> None:
    org = seed_org(live_server, "junk")
    with public_client(live_server) as client:
        response = client.post(
            _bookings_url(org.slug),
            content=content,
            headers={"Idempotency-Key": "junk", "Content-Type": "application/json"},
        )
    assert 400 <= response.status_code < 500, response.text
    assert count_rows(live_server, org, PatientPerson) == 0


def test_text_that_cannot_be_stored_is_a_field_error(live_server: LiveServer) -> None:
    org = seed_org(live_server, "surrogate")
    body = booking(org).copy()
    body["name"] = "Maria \ud800 Pop"
    content = json.dumps(body).encode()  # ensure_ascii keeps the lone surrogate as an escape
    with public_client(live_server) as client:
        response = client.post(
            _bookings_url(org.slug),
            content=content,
            headers={"Idempotency-Key": "surrogate", "Content-Type": "application/json"},
        )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "name"
    assert count_rows(live_server, org, PatientPerson) == 0


def test_every_answer_carries_the_server_time(live_server: LiveServer) -> None:
    with desk_client(live_server) as client:
        answers = [client.get("/health"), client.get("/v1/me"), client.post("/v1/auth/login")]
    for answer in answers:
        stamped = datetime.fromisoformat(answer.headers["X-Frontdesk-Server-Time"])
        assert abs((stamped - datetime.now(UTC)).total_seconds()) < 60


def test_https_is_verified_with_the_custom_ca_and_refused_without_it(
    live_server: LiveServer,
) -> None:
    assert live_server.url.startswith("https://")
    with httpx.Client(verify=ssl.create_default_context(cafile=live_server.ca_path)) as trusting:
        assert trusting.get(f"{live_server.url}/health").status_code == 200
    with httpx.Client() as default_trust, pytest.raises(httpx.ConnectError) as refused:
        default_trust.get(f"{live_server.url}/health")
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
