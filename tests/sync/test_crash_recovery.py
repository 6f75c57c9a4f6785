"""Crashes in the middle of a pull or a push lose nothing and apply nothing twice."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from frontdesk.domain.enums import Role
from frontdesk.server import sync_batch
from frontdesk.sync import apply
from frontdesk.sync.apply import drop_secondary_indexes, read_cursor
from frontdesk.sync.pull import pull_all
from frontdesk.sync.push import push_pending
from frontdesk.sync.transport import SyncError
from tests.sync.conftest import Clinic, DeskFactory, seed_catalog
from tests.sync.snapshots import differences, mirror_snapshot, server_snapshot


class Crash(RuntimeError):
    """The desk's process dying, as far as its database can tell."""


def test_a_pull_killed_mid_page_resumes_with_no_gap_and_no_duplicate(
    make_desk: DeskFactory, sync_clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = make_desk("front", Role.ADMIN)
    seed_catalog(front, patients_count=30)
    front.sync()
    fresh = make_desk("fresh", initial_sync=False)
    real_write, real_store = apply.write_rows, apply._store_cursor
    pages_done: list[object] = []

    def counting_store(cursor: Any, page: Any) -> None:
        real_store(cursor, page)
        pages_done.append(page)

    def dying_write(cursor: Any, table_name: str, rows: Any) -> None:
        real_write(cursor, table_name, rows)  # rows of the third page are written...
        if len(pages_done) == 2:
            raise Crash("killed while applying a page")  # ...then the process dies

    monkeypatch.setattr(apply, "_store_cursor", counting_store)
    monkeypatch.setattr(apply, "write_rows", dying_write)
    with pytest.raises(Crash):
        pull_all(fresh.mirror, fresh.account, limit=10)
    stopped_at = read_cursor(fresh.mirror.engine)
    assert _index_names(fresh) >= {"ix_appointments_org_start", "ix_form_instances_appointment"}
    partial = mirror_snapshot(fresh.mirror.sessions)
    monkeypatch.setattr(apply, "write_rows", real_write)

    resumed = pull_all(fresh.mirror, fresh.account, limit=10)

    server = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    # The dead page left nothing: only whole pages before it are there, with their cursor.
    assert stopped_at.cursor not in ("", "0")
    kept = sum(len(rows) for rows in partial.values())
    total = sum(len(rows) for rows in server.values())
    assert 0 < kept < total
    assert resumed.pulled == total - kept
    assert differences(mirror_snapshot(fresh.mirror.sessions), server) == []


def test_a_first_sync_killed_outright_gets_its_indexes_back(make_desk: DeskFactory) -> None:
    desk = make_desk("fresh", initial_sync=False)
    drop_secondary_indexes(desk.mirror.engine)  # what a first sync killed mid-way leaves
    assert "ix_appointments_org_start" not in _index_names(desk)
    desk.sync()
    assert "ix_appointments_org_start" in _index_names(desk)


def _index_names(desk: Any) -> set[str]:
    with desk.mirror.engine.connect() as connection:
        return set(
            connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
            .scalars()
            .all()
        )


def test_a_push_interrupted_at_the_server_applies_each_mutation_once(
    make_desk: DeskFactory, sync_clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = make_desk("front", Role.ADMIN)
    seed_catalog(front, patients_count=5)
    real_updates = sync_batch._write_updates

    def dying_updates(*args: Any) -> None:
        raise Crash("server stopped in the middle of the batch")  # after its inserts

    # 1. The server dies half-way through the batch: its transaction never commits.
    monkeypatch.setattr(sync_batch, "_write_updates", dying_updates)
    with pytest.raises((SyncError, httpx.HTTPError)):
        push_pending(front.mirror, front.account)
    monkeypatch.setattr(sync_batch, "_write_updates", real_updates)
    engine = sync_clinic.server.database.engine
    assert server_snapshot(engine, sync_clinic.organization_id)["patient_persons"] == {}

    # 2. Back up: the batch is applied, but its answer is lost on the way to the desk...
    batch = _pending_batch(front)
    lost = front.account.request("POST", "/v1/sync/push", json=batch)
    assert lost.status_code == 200
    assert {r["outcome"] for r in lost.json()["results"]} == {"applied"}
    after_first = server_snapshot(engine, sync_clinic.organization_id)

    # 3. ...so the desk sends the same batch again: nothing changes the second time.
    again = push_pending(front.mirror, front.account)
    assert again.pushed == 0
    assert again.conflict_ids == []
    assert differences(server_snapshot(engine, sync_clinic.organization_id), after_first) == []
    front.sync()
    assert differences(mirror_snapshot(front.mirror.sessions), after_first) == []


def _pending_batch(desk: Any) -> dict[str, Any]:
    with desk.mirror.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT device_seq, table_name, row_id, operation, changed, base_version "
            "FROM sync_outbox WHERE pushed_at IS NULL ORDER BY device_seq"
        ).all()
    return {
        "device_id": str(desk.mirror.device_id),
        "mutations": [
            {
                "seq": seq,
                "table": table,
                "row_id": str(uuid.UUID(hex=row_id)),
                "operation": operation,
                "changed": json.loads(changed),
                "base_version": base,
            }
            for seq, table, row_id, operation, changed, base in rows
            if table != "timers"
        ],
        "local_seqs": [seq for seq, table, *_ in rows if table == "timers"],
    }
