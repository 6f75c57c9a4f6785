"""Live updates benchmark (issue item 7): 2,000 open streams on one server process.

Run: python tests/bench/bench_live.py [--streams N] [--orgs N] [--pulls N] [--hops N]

Starts an embedded PostgreSQL (or uses FRONTDESK_TEST_DATABASE_URL, an admin URL), migrates
a database and runs `frontdesk-server run` in its own process with HTTPS on loopback (a
trustme CA), as bench_sync.py does. Then, printing each figure:

1. Baseline: another organization's pulls timed N times each with no live stream open: from
   the start (its catalog and 300 patients, one page) and caught up (nothing new, a desk's
   usual round).
2. A second process opens N live streams (`GET /v1/sync/live`, raw asyncio over TLS) spread
   over `--orgs` organizations and N / 5 accounts (5 streams each, the server's default
   bound) and keeps them open (a stream that ends after its two minutes is opened again).
   The server's CPU with every stream idle is read from /proc, and its memory.
3. The same pulls with the streams open and idle.
4. Desk-to-desk: a desk in one of the busy organizations adds a specialist and pushes; the
   time until another desk's live listener (the desk's own client) hears the new version.
5. The pulls again while the busy organizations' versions move 5 times a second (each move
   wakes that organization's streams).
Targets: the other organization's pull p95 < 100 ms with the streams open; desk-to-desk
p95 < 1 s.

The stream accounts are access tokens signed with the server's secret (no sign-in per
account: the live endpoint reads only the token); the desks and the pulling user are real
accounts that sign in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
from sqlalchemy import text

# Run as a script from anywhere: the project root holds the `tests` package reused here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_sync import Desk, machine, start_server
from tests.support.postgres import (
    LiveServer,
    fresh_database,
    make_template,
    start_test_postgres,
    tls_files,
)

from frontdesk.domain.enums import Role
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.tokens import Principal, issue_access_token
from frontdesk.services import catalog
from frontdesk.sync.live import LiveListener
from frontdesk.sync.protocol import CURSOR_HEADER, SCHEMA_HEADER, SCHEMA_VERSION
from frontdesk.sync.push import push_pending
from frontdesk.sync.runner import run_round

STREAMS_PER_ACCOUNT = 5
PATIENTS = 300
# Handshakes in flight while the streams open (TLS costs the server CPU).
OPENING_AT_ONCE = 50
CHURN_PER_SECOND = 5.0


def raise_open_files(needed: int) -> None:
    """Every stream is a socket on both sides: lift the soft limit toward the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < needed:
        raise SystemExit(f"the open-files limit ({hard}) is below the {needed} needed")


# The stream holder (a process of its own: its sockets and event loop stay off the timing)


async def hold_one(
    port: int, context: ssl.SSLContext, token: str, counts: dict[str, int], until: float
) -> None:
    request = (
        f"GET /v1/sync/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n{SCHEMA_HEADER}: {SCHEMA_VERSION}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    while time.monotonic() < until:
        writer = None
        try:
            async with OPENING:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", port, ssl=context, server_hostname="127.0.0.1"
                )
                writer.write(request)
                status = await reader.readline()
                while (await reader.readline()) not in (b"\r\n", b""):
                    continue
            if b" 200 " not in status:
                counts["refused"] += 1
                await asyncio.sleep(1)
                continue
            counts["open"] += 1
            counts["opened"] += 1
            try:
                while line := await reader.readline():
                    if line.startswith(b"event: version"):
                        counts["events"] += 1
            finally:
                counts["open"] -= 1
        except OSError:
            counts["errors"] += 1
            await asyncio.sleep(1)
        finally:
            if writer is not None:
                writer.close()


OPENING: asyncio.Semaphore


async def hold_streams(port: int, ca_path: str, tokens: list[str], seconds: float) -> None:
    global OPENING
    OPENING = asyncio.Semaphore(OPENING_AT_ONCE)
    context = ssl.create_default_context(cafile=ca_path)
    counts = {"open": 0, "opened": 0, "refused": 0, "errors": 0, "events": 0}
    until = time.monotonic() + seconds
    tasks = [asyncio.create_task(hold_one(port, context, t, counts, until)) for t in tokens]
    while time.monotonic() < until:
        print(json.dumps(counts), flush=True)
        await asyncio.sleep(1)
    for task in tasks:
        task.cancel()


def holder_main(arguments: list[str]) -> int:
    port, ca_path, tokens_path, seconds = arguments
    tokens = json.loads(Path(tokens_path).read_text())
    asyncio.run(hold_streams(int(port), ca_path, tokens, float(seconds)))
    return 0


class Holder:
    """The stream-holding process and its latest counts (it prints them each second)."""

    def __init__(self, live: LiveServer, tokens: list[str], root: Path, seconds: float) -> None:
        path = root / "tokens.json"
        path.write_text(json.dumps(tokens))
        port = live.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--hold", port, str(live.ca_path), str(path), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.counts: dict[str, int] = {"open": 0}
        self.lowest_open: int | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.counts = json.loads(line)
            if self.lowest_open is not None:
                self.lowest_open = min(self.lowest_open, self.counts["open"])

    def wait_open(self, streams: int, seconds: float) -> float:
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        while self.counts["open"] < streams:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"only {self.counts} streams opened")
            time.sleep(0.2)
        self.lowest_open = self.counts["open"]
        return time.perf_counter() - started

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# The measuring side


def seed_patients(live: LiveServer, organization_id: uuid.UUID) -> None:
    sessions = scoped_sessions(
        live.database.engine, Scope(organization_id=organization_id, role="admin")
    )
    with sessions.begin() as session:
        session.execute(
            text(
                "INSERT INTO patient_persons (id, organization_id, first_name, last_name, email, "
                "profile, created_at, updated_at, row_version) "
                "SELECT uuidv7(), :org, 'Patient' || i, 'Bench', 'p' || i || '@example.com', "
                "'{}'::jsonb, now(), now(), 1 FROM generate_series(1, :patients) AS i"
            ),
            {"org": organization_id, "patients": PATIENTS},
        )


def move(live: LiveServer, organization_id: uuid.UUID) -> None:
    """A change on the server that moves the organization's version (the trigger notifies)."""
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=organization_id))
    with sessions.begin() as session:
        session.execute(
            text("UPDATE organizations SET name = :name WHERE id = :org"),
            {"org": organization_id, "name": f"Busy {uuid.uuid4().hex[:6]}"},
        )


def stream_tokens(live: LiveServer, organizations: list[uuid.UUID], streams: int) -> list[str]:
    accounts = -(-streams // STREAMS_PER_ACCOUNT)
    now = datetime.now(UTC)
    tokens = []
    for number in range(accounts):
        organization_id = organizations[number % len(organizations)]
        # A real account: every request checks that its account still works here.
        user = live.create_user(
            organization_id, f"stream-{number}@example.com", role=Role.RECEPTIONIST
        )
        principal = Principal(
            user_id=user.id, organization_id=organization_id, role=Role.RECEPTIONIST
        )
        token = issue_access_token(
            principal, secret=live.config.token_secret, now=now, seconds=3600
        )
        tokens.extend([token] * STREAMS_PER_ACCOUNT)
    return tokens[:streams]


class Pulls:
    """Two kinds of pull by the other organization's desk, taking turns: from the start (its
    catalog and 300 patients, one page) and caught up (nothing new: a desk's usual round)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        first = client.get("/v1/sync/pull", params={"cursor": ""})
        first.raise_for_status()
        self.page_bytes = len(first.content)
        self.current = first.headers[CURSOR_HEADER]

    def measure(self, pulls: int) -> tuple[list[float], list[float]]:
        full, caught_up = [], []
        for number in range(pulls * 2):
            cursor = "" if number % 2 == 0 else self.current
            started = time.perf_counter()
            self.client.get("/v1/sync/pull", params={"cursor": cursor}).raise_for_status()
            (full if number % 2 == 0 else caught_up).append(time.perf_counter() - started)
            time.sleep(0.01)  # a desk's pulls are spaced; this is not a load test of pulls
        return full, caught_up

    def report(self, label: str, pulls: int) -> None:
        full, caught_up = self.measure(pulls)
        print(f"\n{label}")
        print(f"   pull from the start ({self.page_bytes:,} bytes): {summary(full)}")
        print(f"   caught-up pull: {summary(caught_up)}")


def summary(spent: list[float]) -> str:
    ordered = sorted(spent)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms"
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(pid: int, seconds: float = 10.0) -> float:
    before, started = cpu_seconds(pid), time.perf_counter()
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.perf_counter() - started)


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def propagation(writer: Desk, reader: Desk, hops: int) -> list[float]:
    heard: list[int] = []
    moved = threading.Condition()

    def on_version(version: int) -> None:
        with moved:
            heard.append(version)
            moved.notify_all()

    listener = LiveListener(reader.account, on_version)
    listener.start()
    delays = []
    try:
        if not listener.connected.wait(20):
            raise RuntimeError("the reading desk's live listener did not connect")
        for hop in range(hops):
            with moved:
                moved.wait_for(lambda: bool(heard), timeout=10)
                before = heard[-1]
            catalog.add_specialist(writer.ctx, name=f"Dr Live {hop:03d}")
            started = time.perf_counter()
            push_pending(writer.mirror, writer.account)
            with moved:
                if not moved.wait_for(lambda b=before: heard[-1] > b, timeout=10):
                    raise RuntimeError(f"push {hop} was not heard within 10 s")
            delays.append(time.perf_counter() - started)
            time.sleep(0.05)
    finally:
        listener.stop()
    return delays


def churn(live: LiveServer, organizations: list[uuid.UUID], stop: threading.Event) -> None:
    while not stop.wait(1 / CHURN_PER_SECOND):
        move(live, random.choice(organizations))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--orgs", type=int, default=20, help="organizations holding streams")
    parser.add_argument("--pulls", type=int, default=200)
    parser.add_argument("--hops", type=int, default=40)
    args = parser.parse_args()
    raise_open_files(args.streams * 2 + 1024)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    machine()
    root = Path(tempfile.mkdtemp(prefix="frontdesk-bench-live-"))
    admin = sqlalchemy_url(start_test_postgres(root))
    app_url = fresh_database(admin, make_template(admin))
    database = ServerDatabase().attach(app_url)
    ca_path, cert_path, key_path = tls_files(root)
    config = ServerConfig.load(root / "server", certfile=cert_path, keyfile=key_path)
    live = LiveServer(config=config, database=database, ca_path=ca_path)
    server = start_server(live, app_url.render_as_string(hide_password=False), root)
    holder = None
    try:
        busy = [live.create_org(name=f"Busy {i}").id for i in range(args.orgs)]
        other = live.create_org(name="Elsewhere Clinic")
        live.create_user(busy[0], "writer@example.com")
        live.create_user(busy[0], "reader@example.com")
        live.create_user(other.id, "puller@example.com")
        writer = Desk("writer", root, live, "writer@example.com")
        reader = Desk("reader", root, live, "reader@example.com")
        puller = Desk("puller", root, live, "puller@example.com")
        for desk in (writer, reader, puller):
            run_round(desk.mirror, desk.account)  # the organization's row first
        catalog.add_specialist(puller.ctx, name="Dr Elsewhere")
        run_round(puller.mirror, puller.account)
        seed_patients(live, other.id)

        pull_client = httpx.Client(
            base_url=live.url,
            verify=ssl.create_default_context(cafile=str(ca_path)),
            headers={
                SCHEMA_HEADER: str(SCHEMA_VERSION),
                "Authorization": f"Bearer {puller.account.access_token()}",
                **puller.account.device_headers(),
            },
            timeout=30,
        )
        pulls = Pulls(pull_client)
        pulls.measure(10)  # warm up
        pulls.report("1. the other organization's pulls, no stream open:", args.pulls)
        pid = server.pid
        print(
            f"   server idle: {idle_cpu(pid) * 100:.1f} % of a core, "
            f"{resident_mb(pid):.0f} MB resident"
        )

        tokens = stream_tokens(live, busy, args.streams)
        holder = Holder(live, tokens, root, seconds=900)
        opened_in = holder.wait_open(args.streams, seconds=600)
        time.sleep(2)
        print(
            f"\n2. {args.streams:,} streams ({len(set(tokens)):,} accounts, {args.orgs} "
            f"organizations) open in {opened_in:.1f} s; server with all of them idle: "
            f"{idle_cpu(pid) * 100:.1f} % of a core, {resident_mb(pid):.0f} MB resident"
        )

        pulls.report(
            f"3. the other organization's pulls, {holder.counts['open']:,} streams open:",
            args.pulls,
        )

        delays = propagation(writer, reader, args.hops)
        print(
            f"\n4. desk-to-desk over {len(delays)} pushes, beside {args.streams:,} streams: "
            f"{summary(delays)}"
        )

        stop = threading.Event()
        mover = threading.Thread(target=churn, args=(live, busy, stop), daemon=True)
        events_before = holder.counts["events"]
        mover.start()
        churned_started = time.perf_counter()
        try:
            pulls.report(
                f"5. the other organization's pulls while busy organizations move "
                f"{CHURN_PER_SECOND:.0f} times a second:",
                args.pulls,
            )
        finally:
            stop.set()
            mover.join()
        time.sleep(1.5)
        delivered = holder.counts["events"] - events_before
        print(
            f"   {delivered:,} version events reached the streams in "
            f"{time.perf_counter() - churned_started:.0f} s"
        )
        print(
            f"\nstreams open at the lowest during 3-5: {holder.lowest_open:,}; "
            f"refused: {holder.counts['refused']}, errors: {holder.counts['errors']}, "
            f"opened in all: {holder.counts['opened']:,}"
        )
        pull_client.close()
        for desk in (writer, reader, puller):
            desk.close()
    finally:
        if holder is not None:
            holder.stop()
        server.terminate()
        server.wait(timeout=60)
        database.dispose()
    print("\nload average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--hold":
        sys.exit(holder_main(sys.argv[2:]))
    sys.exit(main())
