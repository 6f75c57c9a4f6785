"""Devices and accounts: a desk's device proved by its secret, revocation, deactivation,
the refresh token's absolute lifetime, and the administrator's API for them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import Role
from frontdesk.server.accounts import Accounts
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.devices import DeviceClaim
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sign_in_guard import SignInGuard
from frontdesk.server.tokens import InvalidToken
from frontdesk.sync.protocol import DEVICE_KEY_HEADER
from tests.server.seed import (
    desk_client,
    device_client,
    device_login,
    seed_org,
    sign_in,
    sign_in_device,
)
from tests.support.postgres import TEST_PASSWORD, LiveServer


def _staff(live: LiveServer, organization_id: uuid.UUID, role: Role = Role.RECEPTIONIST) -> str:
    email = f"{role.value}-{uuid.uuid4().hex[:6]}@example.com"
    live.create_user(organization_id, email, role=role)
    return email


def _refresh(live: LiveServer, token: str) -> httpx.Response:
    with desk_client(live) as client:
        return client.post("/v1/auth/refresh", json={"refresh_token": token})


def test_a_device_id_cannot_be_taken_over_by_another_desk(live_server: LiveServer) -> None:
    org = seed_org(live_server, "takeover")
    victim = sign_in_device(live_server, org.admin_email)
    device = uuid.UUID(victim["device_id"])
    attacker = _staff(live_server, org.organization_id)

    other_user = device_login(live_server, attacker, device_id=device)
    same_user_other_secret = device_login(live_server, org.admin_email, device_id=device)
    with desk_client(live_server) as client:
        no_secret = client.post(
            "/v1/auth/login",
            json={"email": attacker, "password": TEST_PASSWORD, "device_id": str(device)},
        )
    again = device_login(
        live_server, org.admin_email, device_id=device, secret=victim["device_secret"]
    )

    assert other_user.status_code == same_user_other_secret.status_code == 403
    [refusal] = other_user.json()["detail"]
    assert refusal["loc"] == ["body", "device_id"]
    assert (
        refusal["msg"] == "This desk's id is registered to another desk: sign in from a new desk."
    )
    assert refusal["text"]["msgid"] == refusal["msg"]  # language-neutral: the desk translates
    assert no_secret.status_code == 422
    assert "device_secret" in no_secret.text
    assert again.status_code == 200, again.text  # the desk itself, proved by its secret


def test_push_and_pull_need_the_devices_key(live_server: LiveServer) -> None:
    org = seed_org(live_server, "proof")
    tokens = sign_in_device(live_server, org.admin_email)
    push = {"device_id": tokens["device_id"], "mutations": []}
    with desk_client(live_server, tokens["access_token"]) as client:
        no_key_pull = client.get("/v1/sync/pull")
        no_key_push = client.post("/v1/sync/push", json=push)
        wrong_key = client.get("/v1/sync/pull", headers={DEVICE_KEY_HEADER: "x" * 43})
    with device_client(live_server, tokens) as client:
        proven_pull = client.get("/v1/sync/pull")
        proven_push = client.post("/v1/sync/push", json=push)
    assert (no_key_pull.status_code, no_key_push.status_code, wrong_key.status_code) == (
        403,
        403,
        403,
    )
    assert no_key_pull.json()["detail"].startswith(f"{DEVICE_KEY_HEADER}: the device key is")
    assert "does not belong" in wrong_key.json()["detail"]
    assert (proven_pull.status_code, proven_push.status_code) == (200, 200)


def test_revoking_a_device_stops_its_tokens_at_once(live_server: LiveServer) -> None:
    org = seed_org(live_server, "revoke")
    admin = sign_in_device(live_server, org.admin_email)
    email = _staff(live_server, org.organization_id)
    desk = sign_in_device(live_server, email)
    with device_client(live_server, desk) as client:
        assert client.get("/v1/me").status_code == 200
        with device_client(live_server, admin) as admin_client:
            revoked = admin_client.post(f"/v1/admin/devices/{desk['device_id']}/revoke")
        after = client.get("/v1/me")
        pull = client.get("/v1/sync/pull")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert after.status_code == pull.status_code == 401
    assert "revoked this desk" in after.json()["detail"][0]["msg"]
    refreshed = _refresh(live_server, desk["refresh_token"])
    assert refreshed.status_code == 401
    assert "revoked by an administrator" in refreshed.json()["detail"]
    # The same desk signing in again is refused too: a revocation sticks.
    again = device_login(
        live_server, email, device_id=uuid.UUID(desk["device_id"]), secret=desk["device_secret"]
    )
    assert again.status_code == 403
    assert again.json()["detail"][0]["loc"] == ["body", "device_id"]
    assert "revoked this desk" in again.json()["detail"][0]["msg"]
    # The administrator's own desk is untouched.
    with device_client(live_server, admin) as admin_client:
        assert admin_client.get("/v1/me").status_code == 200


def test_deactivating_an_account_stops_every_token_at_the_next_request(
    live_server: LiveServer,
) -> None:
    org = seed_org(live_server, "deactivate")
    admin = sign_in_device(live_server, org.admin_email)
    email = _staff(live_server, org.organization_id)
    desk_one, desk_two = (sign_in_device(live_server, email) for _ in range(2))
    script = sign_in(live_server, email)  # a session without a device
    with desk_client(live_server, script["access_token"]) as client:
        assert client.get("/v1/me").status_code == 200
    with device_client(live_server, admin) as admin_client:
        answer = admin_client.post(f"/v1/admin/users/{desk_one['user_id']}/deactivate")
    assert answer.status_code == 204, answer.text
    for tokens in (desk_one, desk_two, script):
        with desk_client(live_server, tokens["access_token"]) as client:
            me = client.get("/v1/me")
        assert me.status_code == 401
        assert me.json()["detail"][0]["msg"] == (
            "This account no longer has access to the clinic: ask an admin."
        )
        refreshed = _refresh(live_server, tokens["refresh_token"])
        assert refreshed.status_code == 401
        assert "no longer has access" in refreshed.json()["detail"]
    with desk_client(live_server) as client:
        login = client.post("/v1/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert login.status_code == 401


def test_a_token_stops_when_its_role_changes(live_server: LiveServer) -> None:
    org = seed_org(live_server, "demote")
    tokens = sign_in(live_server, org.admin_email)
    scope = Scope(organization_id=org.organization_id, role="admin")
    with scoped_sessions(live_server.database.engine, scope).begin() as session:
        session.execute(
            text("UPDATE memberships SET role = 'receptionist' WHERE user_id = :user"),
            {"user": uuid.UUID(tokens["user_id"])},
        )
    with desk_client(live_server, tokens["access_token"]) as client:
        assert client.get("/v1/me").status_code == 401


def test_the_admin_api_is_for_administrators_only(live_server: LiveServer) -> None:
    org = seed_org(live_server, "adminonly")
    admin = sign_in_device(live_server, org.admin_email)
    receptionist = sign_in_device(live_server, _staff(live_server, org.organization_id))
    with device_client(live_server, receptionist) as client:
        answers = [
            client.get("/v1/admin/devices"),
            client.post(f"/v1/admin/devices/{admin['device_id']}/revoke"),
            client.post(f"/v1/admin/users/{admin['user_id']}/deactivate"),
        ]
    assert [a.status_code for a in answers] == [403, 403, 403]
    with device_client(live_server, admin) as client:
        listed = client.get("/v1/admin/devices")
        unknown_device = client.post(f"/v1/admin/devices/{uuid.uuid4()}/revoke")
        unknown_user = client.post(f"/v1/admin/users/{uuid.uuid4()}/deactivate")
        own = client.post(f"/v1/admin/users/{admin['user_id']}/deactivate")
        me = client.get("/v1/me")
    assert listed.status_code == 200
    rows = {row["id"]: row for row in listed.json()}
    assert set(rows) == {admin["device_id"], receptionist["device_id"]}
    assert rows[admin["device_id"]]["label"] == "front-desk-pc"
    assert rows[admin["device_id"]]["revoked_at"] is None
    assert (unknown_device.status_code, unknown_user.status_code, own.status_code) == (
        404,
        404,
        422,
    )
    assert unknown_device.json()["detail"][0]["loc"] == ["body", "device_id"]
    assert unknown_device.json()["detail"][0]["text"] == {
        "msgid": "This desk was not found in the clinic; it may be another clinic's."
    }
    assert own.json()["detail"].startswith("user_id:")
    assert me.status_code == 200  # nothing of the refused calls happened
    # Nothing of one organization is visible from another.
    other = seed_org(live_server, "adminother")
    other_admin = sign_in_device(live_server, other.admin_email)
    with device_client(live_server, other_admin) as client:
        foreign = client.post(f"/v1/admin/devices/{receptionist['device_id']}/revoke")
        seen = client.get("/v1/admin/devices").json()
    assert foreign.status_code == 404
    assert [row["id"] for row in seen] == [other_admin["device_id"]]


def test_a_refresh_token_has_an_absolute_lifetime(
    server_database: ServerDatabase, live_server: LiveServer, tmp_path: Path
) -> None:
    org = seed_org(live_server, "lifetime")
    clock = FixedClock(live_server.clock.now())
    config = ServerConfig.load(tmp_path / "data", database_url=None, refresh_token_days=30)
    accounts = Accounts(server_database.engine, config, clock)
    claim = DeviceClaim(uuid.uuid4(), "s" * 43, "desk")
    guard = SignInGuard(config, clock)
    pair = accounts.sign_in(
        email=org.admin_email,
        password=TEST_PASSWORD,
        organization_slug=None,
        device=claim,
        address="192.0.2.1",
        guard=guard,
    )
    for _ in range(29):  # refreshed every day: the session still ends 30 days after sign-in
        clock.advance(timedelta(days=1))
        pair = accounts.refresh(pair.refresh_token)
    clock.advance(timedelta(days=1, seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        accounts.refresh(pair.refresh_token)
    again = accounts.sign_in(
        email=org.admin_email,
        password=TEST_PASSWORD,
        organization_slug=None,
        device=claim,
        address="192.0.2.1",
        guard=guard,
    )
    clock.advance(timedelta(days=1))
    assert accounts.refresh(again.refresh_token).principal.device_id == claim.id
