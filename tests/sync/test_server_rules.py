"""The server re-checks what it is sent; whatever it cannot take becomes a conflict."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from frontdesk.domain.enums import Role
from frontdesk.i18n.text import shown
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.sync.protocol import SCHEMA_HEADER
from frontdesk.sync.transport import Transport
from tests.server.seed import sign_in as sign_in_over_http
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory, seed_catalog, walk_in
from tests.sync.snapshots import server_snapshot


def _push(desk: Desk, mutations: list[dict[str, Any]], device: uuid.UUID | None = None) -> Any:
    return desk.account.request(
        "POST",
        "/v1/sync/push",
        json={"device_id": str(device or desk.mirror.device_id), "mutations": mutations},
    )


def _next_seq(desk: Desk) -> int:
    with desk.mirror.engine.connect() as connection:
        last = connection.exec_driver_sql(
            "SELECT coalesce(max(device_seq), 0) FROM sync_outbox"
        ).scalar()
    return int(last) + 1


def test_refused_writes_are_acknowledged_as_conflicts(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    seeded = seed_catalog(desk)
    appointment = walk_in(desk, seeded, NOW + timedelta(days=2))
    desk.sync()
    seq = _next_seq(desk)
    ghost = uuid.uuid4()
    # Straight to done skips the visit: the state machine refuses it.
    straight_to_done = {
        "seq": seq,
        "table": "appointments",
        "row_id": str(appointment.id),
        "operation": "update",
        "changed": {"status": "done"},
        "base_version": 1,
    }

    answer = _push(
        desk,
        [
            straight_to_done,
            # A table that does not sync.
            {
                "seq": seq + 1,
                "table": "timers",
                "row_id": str(ghost),
                "operation": "insert",
                "changed": {"status": "pending"},
            },
            # A value of the wrong kind.
            {
                "seq": seq + 2,
                "table": "patient_persons",
                "row_id": str(seeded.patient_ids[0]),
                "operation": "update",
                "changed": {"date_of_birth": "not a date"},
                "base_version": 1,
            },
            # A row the server never had.
            {
                "seq": seq + 3,
                "table": "patient_persons",
                "row_id": str(ghost),
                "operation": "update",
                "changed": {"first_name": "Nobody"},
                "base_version": 1,
            },
        ],
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["acknowledged_seq"] == seq + 3
    assert [r["outcome"] for r in body["results"]] == ["conflict"] * 4
    server = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert server["appointments"][str(appointment.id)]["status"] == appointment.status
    reasons = {c["device_seq"]: shown(c["reason"]) for c in server["sync_conflicts"].values()}
    assert "cannot become “Done”" in reasons[seq]
    assert "not shared between desks" in reasons[seq + 1]
    assert reasons[seq + 2]
    assert "not on the server" in reasons[seq + 3]

    # Acknowledged means done: the same batch again is skipped, not retried.
    again = _push(desk, [straight_to_done])
    assert again.json()["results"] == [{"seq": seq, "outcome": "skipped", "conflict_id": None}]


def test_a_session_pushes_only_for_its_own_device(make_desk: DeskFactory) -> None:
    desk = make_desk("front", Role.ADMIN)
    answer = _push(desk, [], device=uuid.uuid4())
    assert answer.status_code == 403
    assert "device_id" in answer.json()["detail"]


def test_malformed_pushes_write_nothing(make_desk: DeskFactory, sync_clinic: Clinic) -> None:
    desk = make_desk("front", Role.ADMIN)
    before = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    bad = _push(
        desk,
        [
            {
                "seq": 0,
                "table": "appointments",
                "row_id": "nope",
                "operation": "upsert",
                "changed": {},
            }
        ],
    )
    assert bad.status_code == 422
    after = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert after == before


def test_an_oversized_push_gets_413_and_writes_nothing(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    before = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    note = "x" * (sync_clinic.server.config.max_body_bytes + 1)
    answer = _push(
        desk,
        [
            {
                "seq": _next_seq(desk),
                "table": "patient_persons",
                "row_id": str(uuid.uuid4()),
                "operation": "insert",
                "changed": {"first_name": "Big", "last_name": note},
            }
        ],
    )
    assert answer.status_code == 413
    after = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert after == before


def test_an_outdated_desk_is_told_to_update(sync_clinic: Clinic) -> None:
    transport = Transport(sync_clinic.server.url, verify=str(sync_clinic.server.ca_path))
    try:
        answer = transport.client.get("/v1/sync/state", headers={SCHEMA_HEADER: "0"})
    finally:
        transport.close()
    assert answer.status_code == 426
    assert "please update Front Desk" in answer.json()["detail"]


def test_values_postgresql_cannot_hold_become_conflicts_not_errors(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    seeded = seed_catalog(desk)
    desk.sync()
    seq = _next_seq(desk)
    person = str(seeded.patient_ids[0])
    answer = _push(
        desk,
        [
            {
                "seq": seq,
                "table": "patient_persons",
                "row_id": person,
                "operation": "update",
                "changed": {"first_name": "Nul\x00l"},
                "base_version": 1,
            },
            {
                "seq": seq + 1,
                "table": "no_such\x00table",
                "row_id": person,
                "operation": "update",
                "changed": {"x\x00": "y\x00"},
                "base_version": 1,
            },
        ],
    )
    assert answer.status_code == 200, answer.text
    assert [r["outcome"] for r in answer.json()["results"]] == ["conflict", "conflict"]


def test_out_of_range_numbers_are_refused_as_input(make_desk: DeskFactory) -> None:
    desk = make_desk("front", Role.ADMIN)
    huge = {
        "seq": 2**63,
        "table": "appointments",
        "row_id": str(uuid.uuid4()),
        "operation": "insert",
        "changed": {},
    }
    assert _push(desk, [huge]).status_code == 422
    too_far = desk.account.request("GET", "/v1/sync/pull", params={"cursor": "9" * 19})
    assert too_far.status_code == 422


def test_a_session_without_a_device_cannot_push_for_one(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    tokens = sign_in_over_http(sync_clinic.server, "front@example.com")  # no device_id
    assert tokens["device_id"] is None
    transport = Transport(sync_clinic.server.url, verify=str(sync_clinic.server.ca_path))
    try:
        answer = transport.request(
            "POST",
            "/v1/sync/push",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            json={"device_id": str(desk.mirror.device_id), "mutations": []},
        )
    finally:
        transport.close()
    assert answer.status_code == 403
    assert "device_id" in answer.json()["detail"]


def _membership_of(clinic: Clinic, desk: Desk) -> dict[str, Any]:
    server = server_snapshot(clinic.server.database.engine, clinic.organization_id)
    return next(
        row for row in server["memberships"].values() if row["user_id"] == str(desk.account.user_id)
    )


def _server_account(clinic: Clinic, user_id: uuid.UUID) -> tuple[Any, ...]:
    scope = Scope(organization_id=clinic.organization_id, role="admin")
    with scoped_sessions(clinic.server.database.engine, scope).begin() as session:
        return tuple(
            session.execute(
                text("SELECT email, display_name, is_active FROM users WHERE id = :id"),
                {"id": user_id},
            ).one()
        )


def test_only_an_admin_desk_changes_who_works_here(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.RECEPTIONIST)
    mine = _membership_of(sync_clinic, desk)
    answer = _push(
        desk,
        [
            {
                "seq": _next_seq(desk),
                "table": "memberships",
                "row_id": mine["id"],
                "operation": "update",
                "changed": {"role": "admin"},
                "base_version": mine["row_version"],
            },
            {
                "seq": _next_seq(desk) + 1,
                "table": "memberships",
                "row_id": str(uuid.uuid4()),
                "operation": "insert",
                "changed": {"user_id": mine["user_id"], "role": "admin"},
            },
        ],
    )
    assert answer.status_code == 200, answer.text
    assert [r["outcome"] for r in answer.json()["results"]] == ["conflict", "conflict"]
    assert _membership_of(sync_clinic, desk)["role"] == "receptionist"
    server = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert len(server["memberships"]) == 1
    reasons = sorted(shown(c["reason"]) for c in server["sync_conflicts"].values())
    assert reasons == [
        # Accounts join a clinic on the server; an admin's desk changes a member's role.
        "Nobody adds this (membership) at a desk: the server does.",
        "You are not allowed to change this (membership: Role): ask an admin to change it.",
    ]


def test_no_desk_writes_an_account_not_even_its_own(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    user_id = str(desk.account.user_id)
    seq = _next_seq(desk)
    answer = _push(
        desk,
        [
            {
                "seq": seq,
                "table": "users",
                "row_id": user_id,
                "operation": "update",
                "changed": {"display_name": "Front Desk One"},
                "base_version": 1,
            },
            {
                "seq": seq + 1,
                "table": "users",
                "row_id": user_id,
                "operation": "update",
                "changed": {"email": "taken-over@example.com"},
                "base_version": 1,
            },
            {
                "seq": seq + 2,
                "table": "users",
                "row_id": user_id,
                "operation": "update",
                "changed": {"is_active": False},
                "base_version": 1,
            },
        ],
    )
    assert answer.status_code == 200, answer.text
    outcomes = [r["outcome"] for r in answer.json()["results"]]
    assert outcomes == ["conflict", "conflict", "conflict"]
    assert _server_account(sync_clinic, desk.account.user_id) == (
        "front@example.com",
        "Front",
        True,
    )
