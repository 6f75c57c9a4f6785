"""Refusals benchmark (issue 10, item 8): a push whose every change the server refuses.

Run: python tests/bench/bench_refusals.py [--changes N] [--probes N]

Starts an embedded PostgreSQL (or uses FRONTDESK_TEST_DATABASE_URL), serves the real app over
HTTPS on loopback in its own process, signs in a receptionist's desk and an admin's desk, then
prints:

1. Baseline: N changes the server applies (new patients) in one push.
2. N changes the server refuses (a receptionist's desk importing automation rules), in one
   push: each answered as a conflict. Target: < 5 s for 5,000.
3. While (2) runs again, another desk of the same organization pushes one small change at a
   time: its latency shows how long the organization's write lock is held by the refusals.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sync import Desk, machine, start_server
from tests.support.postgres import LiveServer, fresh_database, make_template, start_test_postgres
from tests.support.postgres import tls_files as make_tls_files

from frontdesk.domain.enums import Role
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from frontdesk.services import patients
from frontdesk.sync.push import push_pending
from frontdesk.sync.runner import run_round


class Crafted:
    """Pushes hand-made mutations from a desk's device, numbering them after its own."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.seq = 0

    def push(self, changes: list[tuple[str, uuid.UUID, str, dict[str, Any]]]) -> dict[str, Any]:
        mutations = []
        for table, row_id, operation, changed in changes:
            self.seq += 1
            mutations.append(
                {
                    "seq": self.seq,
                    "table": table,
                    "row_id": str(row_id),
                    "operation": operation,
                    "changed": changed,
                }
            )
        answer = self.desk.account.request(
            "POST",
            "/v1/sync/push",
            json={"device_id": str(self.desk.mirror.device_id), "mutations": mutations},
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result


def rule_imports(count: int) -> list[tuple[str, uuid.UUID, str, dict[str, Any]]]:
    return [
        (
            "automation_rules",
            uuid.uuid4(),
            "insert",
            {"name": f"Imported {i}", "enabled": True, "trigger_event": "appointment.booked"},
        )
        for i in range(count)
    ]


def applied_push(desk: Desk, count: int) -> float:
    """`count` new patients made offline at the admin's desk, pushed in one go."""
    for i in range(count):
        patients.register_patient(
            desk.ctx,
            first_name=f"Bench{i}",
            last_name="Patient",
            email=f"bench{i}@example.com",
            request_account=False,
        )
    started = time.perf_counter()
    summary = push_pending(desk.mirror, desk.account)
    elapsed = time.perf_counter() - started
    assert summary.pushed >= count, summary.pushed
    return elapsed


def refused_push(crafted: Crafted, count: int) -> float:
    started = time.perf_counter()
    answer = crafted.push(rule_imports(count))
    elapsed = time.perf_counter() - started
    outcomes = {r["outcome"] for r in answer["results"]}
    assert outcomes == {"conflict"}, outcomes
    return elapsed


def probe_while(
    crafted: Crafted, other: Desk, count: int, probes: int
) -> tuple[float, list[float]]:
    """Refuse `count` changes while `other` pushes one new patient at a time."""
    latencies: list[float] = []
    done = threading.Event()

    def probe() -> None:
        for i in range(probes):
            if done.is_set():
                break
            patients.register_patient(
                other.ctx, first_name=f"Probe{i}", last_name="Patient", request_account=False
            )
            started = time.perf_counter()
            push_pending(other.mirror, other.account)
            latencies.append(time.perf_counter() - started)

    thread = threading.Thread(target=probe)
    thread.start()
    refused = refused_push(crafted, count)
    done.set()
    thread.join()
    return refused, latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--probes", type=int, default=200)
    args = parser.parse_args()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    machine()
    root = Path(tempfile.mkdtemp(prefix="frontdesk-bench-refusals-"))
    admin = sqlalchemy_url(start_test_postgres(root))
    app_url = fresh_database(admin, make_template(admin))
    database = ServerDatabase().attach(app_url)
    ca_path, cert_path, key_path = make_tls_files(root)
    config = ServerConfig.load(root / "server", certfile=cert_path, keyfile=key_path)
    live = LiveServer(config=config, database=database, ca_path=ca_path)
    server = start_server(live, app_url.render_as_string(hide_password=False), root)
    try:
        organization = live.create_org(timezone="Europe/Bucharest")
        live.create_user(organization.id, "front@example.com", role=Role.ADMIN)
        live.create_user(organization.id, "probe@example.com", role=Role.ADMIN)
        live.create_user(organization.id, "reception@example.com", role=Role.RECEPTIONIST)
        front = Desk("front", root, live, "front@example.com")
        probe = Desk("probe", root, live, "probe@example.com")
        reception = Desk("reception", root, live, "reception@example.com")
        for desk in (front, probe, reception):
            run_round(desk.mirror, desk.account)  # each desk starts from the server's state
        crafted = Crafted(reception)

        baseline = applied_push(front, args.changes)
        print(f"\n1. {args.changes:,} applied changes (new patients) in one push: {baseline:.2f} s")
        refused = refused_push(crafted, args.changes)
        print(
            f"2. {args.changes:,} refused changes (rules imported by a receptionist) in one "
            f"push: {refused:.2f} s, each answered as a conflict"
        )
        push_pending(probe.mirror, probe.account)
        quiet = []
        for i in range(20):
            patients.register_patient(
                probe.ctx, first_name=f"Quiet{i}", last_name="Patient", request_account=False
            )
            started = time.perf_counter()
            push_pending(probe.mirror, probe.account)
            quiet.append(time.perf_counter() - started)
        again, latencies = probe_while(crafted, probe, args.changes, args.probes)
        latencies.sort()
        print(
            f"3. another desk's one-change push: alone median "
            f"{statistics.median(quiet) * 1000:.0f} ms; during a {args.changes:,}-refusal push "
            f"({again:.2f} s) {len(latencies)} pushes, median "
            f"{statistics.median(latencies) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
        for desk in (front, probe, reception):
            desk.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        database.dispose()
    machine()
    return 0


if __name__ == "__main__":
    sys.exit(main())
