"""Sync records that travel with the organization's data: conflicts the server decided."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.store.base import Base, OrgOwned


class SyncConflict(OrgOwned, Base):
    """A write the server could not take as it was: the values that lost (`fields`: name →
    {"mine": the device's value, "theirs": the server's value}), kept until someone resolves
    it. It syncs to every desk of the organization like any other row."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_open", "organization_id", "status"),)

    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[uuid.UUID]
    # field: both sides changed a field; rejected: a business rule refused the write
    # (the row may then not exist on the server at all: `row_missing`).
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    row_missing: Mapped[bool] = mapped_column(default=False)
    device_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    device_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    resolution: Mapped[dict[str, Any]] = mapped_column(default=dict)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
