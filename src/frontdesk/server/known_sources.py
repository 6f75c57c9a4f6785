"""Where an account signed in from lately: keyed hashes of the caller's address and of the
desk's device id with its secret (so only that desk, proving its secret, is recognised).
Kept for `login_known_days`; read before the password is checked (`sign_in_guard`)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from frontdesk.server.devices import DeviceClaim
from frontdesk.server.models import SignInSource


def source_hashes(secret: str, address: str, device: DeviceClaim | None) -> list[str]:
    """The desk's proven device first (it follows a laptop across addresses), then the
    address. Keyed with the server's secret: the table says nothing about addresses."""
    sources = [f"address\0{address}"]
    if device is not None:
        sources.insert(0, f"device\0{device.id}\0{device.secret}")
    return [hmac.new(secret.encode(), s.encode(), hashlib.sha256).hexdigest() for s in sources]


def recognised(
    session: Session, user_id: uuid.UUID, hashes: list[str], since: datetime
) -> str | None:
    """The first of `hashes` that signed in to the account since `since`."""
    found = set(
        session.scalars(
            select(SignInSource.source_hash).where(
                SignInSource.user_id == user_id,
                SignInSource.source_hash.in_(hashes),
                SignInSource.last_success_at >= since,
            )
        )
    )
    return next((h for h in hashes if h in found), None)


def remember(
    session: Session, user_id: uuid.UUID, hashes: list[str], now: datetime, since: datetime
) -> None:
    """A successful sign-in from these sources; the account's stale ones are dropped."""
    session.execute(
        delete(SignInSource).where(
            SignInSource.user_id == user_id, SignInSource.last_success_at < since
        )
    )
    for source_hash in hashes:
        session.execute(
            pg_insert(SignInSource)
            .values(user_id=user_id, source_hash=source_hash, last_success_at=now)
            .on_conflict_do_update(
                index_elements=[SignInSource.user_id, SignInSource.source_hash],
                set_={"last_success_at": now},
            )
        )
