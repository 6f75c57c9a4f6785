"""Sending the outbox: pending mutations in device order, in batches, until none is left.

A batch is marked pushed only after the server acknowledged it (its transaction committed);
if the answer is lost the batch is sent again and the server skips what it already applied.
Mutations of local-only tables (timers) never leave the machine: a batch names only their
sequence numbers, so the numbers the server sees follow on without a gap (it refuses a batch
that jumps, and then nothing here is marked).

A server restored from a backup may hold fewer of this desk's mutations than the desk pushed
(those it acknowledged after the backup was taken): it refuses the next batch and names the
last one it holds, and the desk queues the later ones again (the outbox keeps pushed
mutations for a while) and sends them once more."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select, update

from frontdesk.i18n.text import T_
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import OutboxMutation
from frontdesk.sync.account import Account
from frontdesk.sync.protocol import LAST_SEQ_HEADER, MAX_PUSH_MUTATIONS, PushResponse
from frontdesk.sync.tables import PUSHABLE_TABLES
from frontdesk.sync.transport import raise_for_answer

# Well under the server's request size limit (5 MiB by default), whatever the rows hold.
MAX_PUSH_BYTES = 2_000_000


@dataclass
class PushSummary:
    pushed: int = 0
    conflict_ids: list[uuid.UUID] = field(default_factory=list)
    version: int | None = None


def push_pending(
    mirror: Mirror, account: Account, *, batch: int = MAX_PUSH_MUTATIONS
) -> PushSummary:
    summary = PushSummary()
    # Rows changed several times before they reach the server: every mutation names the
    # version the first one started from, the last state of the row this desk had from the
    # server, so the server's merge sees what others changed since (and not this desk's own).
    first_base: dict[tuple[str, uuid.UUID], int | None] = {}
    resent = False
    while True:
        pending = _next_batch(mirror, batch)
        if not pending:
            return summary
        mutations: list[dict[str, Any]] = []
        local_seqs: list[int] = []
        size = 0
        for index, row in enumerate(pending):
            if size > MAX_PUSH_BYTES:  # the rest goes in the next request
                pending = pending[:index]
                break
            if row.table_name not in PUSHABLE_TABLES:
                local_seqs.append(row.device_seq)
                continue
            size += len(json.dumps(row.changed))
            key = (row.table_name, row.row_id)
            base = first_base.setdefault(key, row.base_version)
            mutations.append(
                {
                    "seq": row.device_seq,
                    "table": row.table_name,
                    "row_id": str(row.row_id),
                    "operation": row.operation,
                    "changed": row.changed,
                    "base_version": base if row.operation == "update" else None,
                }
            )
        response = account.request(
            "POST",
            "/v1/sync/push",
            json={
                "device_id": str(mirror.device_id),
                "mutations": mutations,
                "local_seqs": local_seqs,
            },
        )
        if not resent and _queue_again_after_restore(mirror, account, response):
            resent = True
            first_base.clear()  # the queued-again mutations come first now
            continue
        raise_for_answer(response, T_("Sending changes"))
        answer = PushResponse.model_validate(response.json())
        summary.version = answer.version
        summary.pushed += sum(1 for r in answer.results if r.outcome != "skipped")
        summary.conflict_ids += [r.conflict_id for r in answer.results if r.conflict_id]
        _mark_pushed(mirror, min(pending[-1].device_seq, answer.acknowledged_seq))


def _queue_again_after_restore(mirror: Mirror, account: Account, response: httpx.Response) -> bool:
    """When the server holds fewer of this desk's mutations than were acknowledged, marks
    the later ones of the account's organization unpushed (another organization's never go
    to this one); True when there were any (else the refusal stands)."""
    named = response.headers.get(LAST_SEQ_HEADER) if response.status_code == 409 else None
    if named is None or not named.isdigit():
        return False
    with mirror.sessions.begin() as session:
        queued = session.execute(
            update(OutboxMutation)
            .where(
                OutboxMutation.pushed_at.is_not(None),
                OutboxMutation.device_id == mirror.device_id,
                OutboxMutation.device_seq > int(named),
                OutboxMutation.organization_id == account.organization_id,
            )
            .values(pushed_at=None)
        )
    return bool(queued.rowcount)  # type: ignore[attr-defined]


def _next_batch(mirror: Mirror, batch: int) -> list[OutboxMutation]:
    with mirror.sessions() as session:
        return list(
            session.scalars(
                select(OutboxMutation)
                .where(
                    OutboxMutation.pushed_at.is_(None),
                    OutboxMutation.device_id == mirror.device_id,
                )
                .order_by(OutboxMutation.device_seq)
                .limit(batch)
            )
        )


def _mark_pushed(mirror: Mirror, up_to_seq: int) -> None:
    with mirror.sessions.begin() as session:
        session.execute(
            update(OutboxMutation)
            .where(
                OutboxMutation.pushed_at.is_(None),
                OutboxMutation.device_id == mirror.device_id,
                OutboxMutation.device_seq <= up_to_seq,
            )
            .values(pushed_at=datetime.now(UTC))
        )
