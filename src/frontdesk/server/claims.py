"""Occurrence claims: before a node (the server's engine or a desk) runs a time-based
automation occurrence, it claims the occurrence's execution key here; only the first claimant
runs it, so across the server and any number of desks each occurrence fires once."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from frontdesk.domain.clock import Clock
from frontdesk.server.models import OccurrenceClaim

SERVER_NODE = "server"


def claim(
    session: Session,
    organization_id: uuid.UUID,
    keys: Collection[str],
    *,
    node: str,
    clock: Clock,
) -> set[str]:
    """The keys of `keys` this node may run: newly claimed, or claimed by it before."""
    if not keys:
        return set()
    now = clock.now()
    session.execute(
        insert(OccurrenceClaim)
        .values(
            [
                {
                    "organization_id": organization_id,
                    "execution_key": key,
                    "node": node,
                    "claimed_at": now,
                }
                for key in sorted(set(keys))
            ]
        )
        .on_conflict_do_nothing()
    )
    owners = session.execute(
        select(OccurrenceClaim.execution_key, OccurrenceClaim.node).where(
            OccurrenceClaim.organization_id == organization_id,
            OccurrenceClaim.execution_key.in_(keys),
        )
    )
    return {key for key, owner in owners if owner == node}
