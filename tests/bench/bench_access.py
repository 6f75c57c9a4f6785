"""Per-request access check (devices and accounts): what the revocation lookup adds to every
request that carries an access token.

Run: python tests/bench/bench_access.py [--devices N] [--runs N]

Starts an embedded PostgreSQL (or uses FRONTDESK_TEST_DATABASE_URL, an admin URL), migrates a
database and registers N devices (default 2,000) for 200 staff accounts in one organization,
a tenth of them revoked and some accounts deactivated. Then it times `check_access` for a
device token (the lookup, in its own RLS-scoped transaction, as each request makes it), and
the token decoding beside it, and prints the median, the 95th percentile and the maximum.
Target: well under a millisecond of median added latency per request.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

# Run as a script from anywhere: the project root holds the `tests` package reused here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.postgres import (
    LiveServer,
    fresh_database,
    make_template,
    start_test_postgres,
)

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import Role
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from frontdesk.server.devices import (
    DeviceClaim,
    check_access,
    deactivate_member,
    register_device,
    revoke_device,
)
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.tokens import Principal, issue_access_token, read_access_token
from frontdesk.store.models import Membership


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"median {statistics.median(ordered) * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms, "
        f"max {ordered[-1] * 1000:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.system()}, Python {platform.python_version()}")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    root = Path(tempfile.mkdtemp(prefix="frontdesk-bench-access-"))
    admin = sqlalchemy_url(start_test_postgres(root))
    database = ServerDatabase().attach(fresh_database(admin, make_template(admin)))
    config = ServerConfig.load(root / "data", database_url=None)
    live = LiveServer(config=config, database=database, ca_path=root / "unused")
    organization = live.create_org(name="Bench Clinic", slug="bench-access")
    users = [
        live.create_user(organization.id, f"staff{i}@example.com", role=Role.RECEPTIONIST)
        for i in range(200)
    ]
    clock = SystemClock()
    scope = Scope(organization_id=organization.id, role=Role.ADMIN.value)
    devices: list[tuple[uuid.UUID, uuid.UUID]] = []
    with scoped_sessions(database.engine, scope).begin() as session:
        memberships = {m.user_id: m for m in session.query(Membership)}
        for index in range(args.devices):
            user = users[index % len(users)]
            claim = DeviceClaim(uuid.uuid4(), f"secret-{index:040d}", f"desk-{index}")
            register_device(session, memberships[user.id], claim, clock.now())
            devices.append((claim.id, user.id))
        revoked = {device_id for device_id, _user in devices[::10]}
        deactivated = {user.id for user in users[1::20]}
        for device_id in revoked:
            revoke_device(session, organization.id, device_id, clock.now())
        for user_id in deactivated:
            deactivate_member(session, organization.id, user_id, clock.now())
    active = [(d, u) for d, u in devices if d not in revoked and u not in deactivated]
    tokens = [
        issue_access_token(
            Principal(user, organization.id, Role.RECEPTIONIST, device_id=device),
            secret=config.token_secret,
            now=clock.now(),
            seconds=900,
        )
        for device, user in active
    ]
    for token in tokens[:50]:  # warm the pool
        check_access(database.engine, read_access_token(token, secret=config.token_secret))
    decode, lookup, empty = [], [], []
    for _ in range(args.runs):  # for scale: the cheapest transaction there is
        started = time.perf_counter()
        with database.engine.begin() as connection:
            connection.execute(text("SELECT 1"))
        empty.append(time.perf_counter() - started)
    for _ in range(args.runs):
        token = random.choice(tokens)
        started = time.perf_counter()
        principal = read_access_token(token, secret=config.token_secret)
        decoded = time.perf_counter()
        check_access(database.engine, principal)
        decode.append(decoded - started)
        lookup.append(time.perf_counter() - decoded)
    print(f"{args.devices} devices, {len(users)} accounts, {args.runs} checks")
    print(f"token decoding: {_percentiles(decode)}")
    print(f"access lookup:  {_percentiles(lookup)}")
    print(f"BEGIN; SELECT 1; COMMIT: {_percentiles(empty)}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    database.dispose()


if __name__ == "__main__":
    main()
