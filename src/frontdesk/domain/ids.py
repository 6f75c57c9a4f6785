"""Identifiers: UUIDv7 made where the row is born, offline too."""

from __future__ import annotations

import uuid

import uuid6

# A fixed namespace so ids derived from an execution key are the same on every machine.
DERIVED_NAMESPACE = uuid.UUID("6f1b7c52-3f0e-4c1a-9a57-2f9d0c6c1e10")


def new_id() -> uuid.UUID:
    """A new time-ordered UUIDv7 as a standard-library UUID."""
    return uuid.UUID(int=uuid6.uuid7().int)


def derived_id(key: str, index: int | str = 0) -> uuid.UUID:
    """A stable id for a row created by a deterministic process (e.g. an automation action)."""
    return uuid.uuid5(DERIVED_NAMESPACE, f"{key}#{index}")
