"""Sign-in, token refresh with rotation, sign-out and login rate limits over HTTPS."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from sqlalchemy import text

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput
from frontdesk.server.config import TOKEN_SECRET_ENV, ServerConfig
from frontdesk.server.limits import RateLimited, RateLimits
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.tokens import Principal, issue_access_token
from tests.server.seed import desk_client, device_login, seed_org, sign_in
from tests.support.postgres import LiveServer


def test_sign_in_gives_tokens_that_open_the_api(live_server: LiveServer) -> None:
    org = seed_org(live_server, "north")
    device = uuid.uuid4()
    response = device_login(live_server, org.admin_email.upper(), device_id=device)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["organization_id"] == str(org.organization_id)
    assert tokens["role"] == "admin"
    assert tokens["device_id"] == str(device)
    assert tokens["expires_in"] == live_server.config.access_token_seconds
    with desk_client(live_server, tokens["access_token"]) as client:
        me = client.get("/v1/me")
    assert me.status_code == 200, me.text
    assert (me.json()["email"], me.json()["organization_slug"]) == (org.admin_email, org.slug)


@pytest.mark.parametrize(
    ("email", "password"),
    [("known", "wrong password!"), ("nobody@example.com", "correct horse battery")],
)
def test_wrong_address_or_password_is_refused_alike(
    live_server: LiveServer, email: str, password: str
) -> None:
    org = seed_org(live_server, "south")
    address = org.admin_email if email == "known" else email
    with desk_client(live_server) as client:
        response = client.post("/v1/auth/login", json={"email": address, "password": password})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong email or password"


def test_refresh_rotates_and_a_reused_token_revokes_the_family(live_server: LiveServer) -> None:
    org = seed_org(live_server, "east")
    first = sign_in(live_server, org.admin_email)
    with desk_client(live_server) as client:
        second = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200, second.text
        assert second.json()["refresh_token"] != first["refresh_token"]
        # The first token was used: presenting it again means it leaked.
        replay = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert replay.status_code == 401
        after_theft = client.post(
            "/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
        )
    assert after_theft.status_code == 401


def test_logout_revokes_the_refresh_token(live_server: LiveServer) -> None:
    org = seed_org(live_server, "west")
    tokens = sign_in(live_server, org.admin_email)
    with desk_client(live_server) as client:
        assert (
            client.post(
                "/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
            ).status_code
            == 204
        )
        again = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


@pytest.mark.parametrize(
    "token",
    [None, "not-a-jwt", "forged", "expired", "unsigned"],
    ids=["missing", "garbage", "other-secret", "expired", "alg-none"],
)
def test_requests_without_a_valid_access_token_get_401(
    live_server: LiveServer, token: str | None
) -> None:
    principal = Principal(uuid.uuid4(), uuid.uuid4(), role=Role.ADMIN)
    now = live_server.clock.now()
    secret = live_server.config.token_secret
    if token == "forged":
        token = issue_access_token(principal, secret="someone else's secret", now=now, seconds=60)
    elif token == "expired":
        token = issue_access_token(
            principal, secret=secret, now=now - timedelta(hours=1), seconds=60
        )
    elif token == "unsigned":
        # The claims of a valid token, with the signature algorithm switched off.
        claims = jwt.decode(
            issue_access_token(principal, secret=secret, now=now, seconds=60),
            options={"verify_signature": False},
        )
        token = jwt.encode(claims, None, algorithm="none")
    with desk_client(live_server, token) as client:
        assert client.get("/v1/me").status_code == 401


def test_login_attempts_are_rate_limited_per_address(live_server: LiveServer) -> None:
    limit = int(live_server.config.login_rate_limit.split("/")[0])
    with desk_client(live_server) as client:
        codes = [
            client.post(
                "/v1/auth/login",
                json={"email": f"guess{i}@example.com", "password": "guessing-again"},
            ).status_code
            for i in range(limit + 1)
        ]
        refused = client.post(
            "/v1/auth/login", json={"email": "late@example.com", "password": "guessing-again"}
        )
    assert codes[:limit] == [401] * limit
    assert codes[limit] == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_desk_with_an_old_schema_is_told_to_update(live_server: LiveServer) -> None:
    with desk_client(live_server) as client:
        old = client.post(
            "/v1/auth/login",
            json={"email": "a@example.com", "password": "whatever123"},
            headers={"X-Frontdesk-Schema": "0"},
        )
        missing = client.post(
            "/v1/auth/login",
            json={"email": "a@example.com", "password": "whatever123"},
            headers={"X-Frontdesk-Schema": ""},
        )
    assert old.status_code == missing.status_code == 426
    assert "please update Front Desk" in old.json()["detail"]
    assert "X-Frontdesk-Server-Time" in old.headers


def test_a_short_token_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_SECRET_ENV, "guessable")
    with pytest.raises(InvalidInput) as refused:
        ServerConfig.load(tmp_path)
    assert [error.field for error in refused.value.errors] == ["token_secret"]
    monkeypatch.delenv(TOKEN_SECRET_ENV)
    made = ServerConfig.load(tmp_path)  # none given: a long one is made and kept
    assert len(made.token_secret) >= 32
    assert ServerConfig.load(tmp_path).token_secret == made.token_secret


def test_a_refresh_ends_when_the_account_is_no_longer_staff(live_server: LiveServer) -> None:
    org = seed_org(live_server, "lapsed")
    tokens = sign_in(live_server, org.admin_email)
    scope = Scope(organization_id=org.organization_id, role="admin")
    with scoped_sessions(live_server.database.engine, scope).begin() as session:
        demoted = session.execute(
            text("UPDATE memberships SET role = 'patient' WHERE user_id = :user"),
            {"user": uuid.UUID(tokens["user_id"])},
        ).rowcount
    assert demoted == 1
    with desk_client(live_server) as client:
        answer = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert answer.status_code == 401
    assert "no longer has access" in answer.json()["detail"]


def test_sign_in_limits_count_the_account_and_the_address_apart() -> None:
    limits = RateLimits("login", "2/minute")
    limits.hit(("email", "ana@example.com"), ("address", "192.0.2.1"))
    limits.hit(("email", "ana@example.com"), ("address", "192.0.2.2"))
    # A third address does not help a guesser who stays on one account...
    with pytest.raises(RateLimited) as refused:
        limits.hit(("email", "ana@example.com"), ("address", "192.0.2.3"))
    assert refused.value.retry_after >= 1
    # ...nor a third account one who stays on one address.
    limits.hit(("email", "bob@example.com"), ("address", "192.0.2.9"))
    limits.hit(("email", "eve@example.com"), ("address", "192.0.2.9"))
    with pytest.raises(RateLimited):
        limits.hit(("email", "dan@example.com"), ("address", "192.0.2.9"))


def test_staff_of_two_clinics_are_asked_which_only_after_the_right_password(
    live_server: LiveServer,
) -> None:
    north, south = seed_org(live_server, "north"), seed_org(live_server, "south")
    live_server.create_user(south.organization_id, north.admin_email, role=Role.RECEPTIONIST)

    wrong = device_login(live_server, north.admin_email, password="wrong password!")
    ask = device_login(live_server, north.admin_email)
    chosen = device_login(live_server, north.admin_email, organization_slug=south.slug)

    assert (wrong.status_code, wrong.json()["detail"]) == (401, "wrong email or password")
    assert ask.status_code == 409, ask.text
    assert ask.json()["detail"]["clinics"] == [
        {"slug": north.slug, "name": "Clinic north"},
        {"slug": south.slug, "name": "Clinic south"},
    ]
    assert chosen.status_code == 200, chosen.text
    assert (chosen.json()["organization_id"], chosen.json()["role"]) == (
        str(south.organization_id),
        "receptionist",
    )
