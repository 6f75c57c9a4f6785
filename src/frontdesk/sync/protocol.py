"""The wire format shared by the desktop and the server (`/v1/sync/...`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2
"""Bumped whenever the synced schema or this protocol changes incompatibly. 2: working
hours and service tombstones a desk must honour to offer the right slots, and refusals sent
as language-neutral texts (a desk of version 1 would drop the first and show the second as
JSON)."""

SCHEMA_HEADER = "X-Frontdesk-Schema"
SERVER_TIME_HEADER = "X-Frontdesk-Server-Time"
# A pull page's next cursor, whether more follow, and the scope it was computed for.
CURSOR_HEADER = "X-Frontdesk-Cursor"
MORE_HEADER = "X-Frontdesk-More"
SCOPE_HEADER = "X-Frontdesk-Scope"
# The device secret a desk registered at sign-in: every push and pull proves the device.
DEVICE_KEY_HEADER = "X-Frontdesk-Device-Key"
# On a push refused for a gap in its numbers: the device's last sequence the server holds (a
# server restored from a backup may hold fewer than the desk pushed; the desk sends them again).
LAST_SEQ_HEADER = "X-Frontdesk-Last-Seq"
MAX_PUSH_MUTATIONS = 5000
PULL_PAGE_ROWS = 5000
CLOCK_SKEW_WARNING_SECONDS = 300.0
MAX_BIGINT = 2**63 - 1  # device sequences are BIGINT, row versions INTEGER
MAX_INTEGER = 2**31 - 1


DeviceSeq = Annotated[int, Field(ge=1, le=MAX_BIGINT)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mutation(_Strict):
    """One row's change from one local transaction, in the device's order."""

    seq: DeviceSeq
    table: str = Field(min_length=1, max_length=60)
    row_id: uuid.UUID
    operation: Literal["insert", "update"]
    changed: dict[str, Any]
    base_version: int | None = Field(default=None, ge=0, le=MAX_INTEGER)


class PushRequest(_Strict):
    """`local_seqs`: sequence numbers inside this batch's span whose mutations stay on the
    desk (tables that never sync); with them the batch's numbers follow on without a gap."""

    device_id: uuid.UUID
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_MUTATIONS)
    local_seqs: list[DeviceSeq] = Field(default=[], max_length=MAX_PUSH_MUTATIONS)


Outcome = Literal["applied", "merged", "conflict", "skipped"]


class MutationResult(_Strict):
    seq: int
    outcome: Outcome
    conflict_id: uuid.UUID | None = None


class PushResponse(_Strict):
    """`acknowledged_seq`: every mutation up to it is applied or recorded as a conflict; the
    device may forget them. Mutations already applied before (a resent batch) are skipped."""

    acknowledged_seq: int
    results: list[MutationResult]
    version: int


class TableRows(_Strict):
    """Rows of one table: the column names once, then each row's values in that order, in
    the mirror's storage form (UUIDs as 32 hex digits, instants as "YYYY-MM-DD
    HH:MM:SS.ffffff" UTC, JSON columns as JSON text, booleans as 0/1), so a desk writes them
    as they come."""

    columns: list[str]
    values: list[list[Any]]


class PullPage(_Strict):
    """The newest state of the rows changed after the cursor, grouped by table.

    `removed`: ids (hex) of rows that left this device's scope (an appointment reassigned to
    another specialist...): the desk forgets them. `users`: the accounts the rows name (no
    password data). `reset`: the device's scope changed since its cursor was issued, so this
    page starts again from the beginning."""

    cursor: str
    more: bool
    version: int
    scope: str
    reset: bool = False
    rows: dict[str, TableRows] = Field(default_factory=dict)
    removed: dict[str, list[str]] = Field(default_factory=dict)
    users: TableRows


class SyncState(_Strict):
    version: int


def encode_cursor(version: int, seq: int) -> str:
    return f"{version}.{seq}"


CURSOR_PATTERN = r"^(\d{1,18}(\.\d{1,18})?)?$"


def decode_cursor(text: str) -> tuple[int, int]:
    """`"0"` or `""` is the start; otherwise `version.seq` as the server issued it."""
    if text in ("", "0"):
        return 0, 0
    version, _, seq = text.partition(".")
    try:
        parsed = int(version), int(seq or 0)
    except ValueError:
        raise ValueError(f"not a sync cursor: {text!r}") from None
    if not (0 <= parsed[0] <= MAX_BIGINT and 0 <= parsed[1] <= MAX_BIGINT):
        raise ValueError(f"not a sync cursor: {text!r}")
    return parsed
