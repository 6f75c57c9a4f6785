"""One desk's writes reach the server and another desk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.store.models import Appointment, Organization, PatientPerson
from frontdesk.sync import push
from frontdesk.sync.account import sign_in
from frontdesk.sync.apply import read_cursor
from tests.support.postgres import TEST_PASSWORD
from tests.sync.conftest import NOW, Clinic, DeskFactory, seed_catalog, walk_in


def test_a_booking_made_at_one_desk_arrives_at_the_other(make_desk: DeskFactory) -> None:
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    seeded = seed_catalog(front)
    booked = walk_in(front, seeded, NOW + timedelta(days=1, hours=3))

    sent = front.sync()
    received = back.sync()

    assert sent.pushed > 0
    assert sent.conflicts == []
    assert received.pulled >= sent.pushed // 2
    with back.mirror.sessions() as session:
        copy = session.get(Appointment, booked.id)
        assert copy is not None
        assert copy.started_at == booked.started_at
        assert copy.specialist_id == seeded.specialist_id
        assert session.scalars(select(PatientPerson)).all()


def test_a_large_outbox_goes_in_several_requests(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    seed_catalog(front, patients_count=12)
    requests: list[int] = []
    real_request = front.account.request

    def counting(method: str, path: str, **kwargs: Any) -> Any:
        if path == "/v1/sync/push":
            requests.append(len(kwargs["json"]["mutations"]))
        return real_request(method, path, **kwargs)

    monkeypatch.setattr(push, "MAX_PUSH_BYTES", 2_000)  # a few rows per request
    monkeypatch.setattr(front.account, "request", counting)
    sent = front.sync()
    back.sync()

    assert len(requests) > 3
    assert sent.pushed == sum(requests)
    with back.mirror.sessions() as session:
        assert len(session.scalars(select(PatientPerson)).all()) == 12


def test_signing_in_to_another_organization_starts_its_sync_afresh(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    assert read_cursor(desk.mirror.engine).cursor not in ("", "0")
    other = sync_clinic.server.create_org(name="Hillside Dental", timezone="Europe/Bucharest")
    sync_clinic.server.create_user(other.id, "hill@example.com", role=Role.ADMIN)
    desk.account.close()

    desk.account = sign_in(
        desk.mirror.profile,
        server_url=sync_clinic.server.url,
        email="hill@example.com",
        password=TEST_PASSWORD,
        verify=str(sync_clinic.server.ca_path),
    )
    assert read_cursor(desk.mirror.engine).cursor == ""
    desk.sync()

    with desk.mirror.sessions() as session:
        assert session.get(Organization, other.id) is not None
