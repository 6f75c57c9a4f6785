"""Carrying a desk's unpushed changes to another desk (or to this desk, signed in to a new
server) in a file, for when its server is gone.

The file is JSON: a format name and version, the organization, the desk it came from, and
the outbox mutations not yet pushed, in the desk's order, as they would be pushed. Importing
queues them in the importing desk's outbox under its own sequence numbers (its next push
sends them, and the server merges them as it merges any desk's changes); the rows appear on
that desk after its next sync. Each (source desk, sequence) is queued once, whatever the
number of imports; a desk's own file queues nothing (its outbox holds them already). A file
of another organization, or of a newer format, is refused whole: nothing is queued."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import insert, select

from frontdesk.i18n.text import T_, Text
from frontdesk.private_files import private_file
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import LocalSetting, OutboxMutation
from frontdesk.store.unit_of_work import DEVICE_SETTING
from frontdesk.sync.protocol import DeviceSeq
from frontdesk.sync.tables import PUSHABLE_TABLES

FORMAT = "frontdesk-pending-changes"
FORMAT_VERSION = 1
# Which (source desk, sequence) pairs this desk has queued from files.
IMPORTED_SETTING = "imported_pending"


class PendingFileError(Exception):
    """A pending-changes file that cannot be written or used; the text says why, in the
    language of whoever reads it (`str()`)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.english())
        self.text = text

    def __str__(self) -> str:
        return str(self.text)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PendingMutation(_Strict):
    seq: DeviceSeq  # on the desk it came from
    table: str
    row_id: uuid.UUID
    operation: str = Field(pattern="^(insert|update)$")
    changed: dict[str, Any]
    base_version: int | None = Field(default=None, ge=0)
    created_at: datetime


class PendingFile(_Strict):
    format: str
    format_version: int
    organization_id: uuid.UUID
    device_id: uuid.UUID
    exported_at: datetime
    mutations: list[PendingMutation]


@dataclass(frozen=True)
class Imported:
    queued: int
    already: int  # queued by an earlier import, or this desk's own


def pending_mutations(mirror: Mirror) -> list[OutboxMutation]:
    """This desk's unpushed mutations of tables that sync, in its order."""
    with mirror.sessions() as session:
        return list(
            session.scalars(
                select(OutboxMutation)
                .where(
                    OutboxMutation.pushed_at.is_(None),
                    OutboxMutation.device_id == mirror.device_id,
                    OutboxMutation.table_name.in_(sorted(PUSHABLE_TABLES)),
                )
                .order_by(OutboxMutation.device_seq)
            )
        )


def export_pending(mirror: Mirror, organization_id: uuid.UUID, out: Path) -> int:
    """Writes this desk's unpushed changes of `organization_id` to `out` (private, and whole
    or not at all); returns how many."""
    rows = [row for row in pending_mutations(mirror) if row.organization_id == organization_id]
    document = PendingFile(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        organization_id=organization_id,
        device_id=mirror.device_id,
        exported_at=datetime.now(UTC),
        mutations=[
            PendingMutation(
                seq=row.device_seq,
                table=row.table_name,
                row_id=row.row_id,
                operation=row.operation,
                changed=row.changed,
                base_version=row.base_version,
                created_at=row.created_at,
            )
            for row in rows
        ],
    )
    _write_atomically(out, document.model_dump_json(indent=1))
    return len(rows)


def _write_atomically(out: Path, content: str) -> None:
    out = out.absolute()
    if not out.parent.is_dir():
        raise PendingFileError(
            T_(
                "The folder {folder} does not exist (--out): create it or choose another.",
                folder=str(out.parent),
            )
        )
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    private_file(partial)  # patient data: this user's alone from the first byte
    try:
        with partial.open("w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_pending(path: Path) -> PendingFile:
    """The file's content, checked whole."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PendingFileError(T_("The file {file} does not exist.", file=str(path))) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PendingFileError(
            T_("{file} is not a pending-changes file (not JSON).", file=str(path))
        ) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise PendingFileError(
            T_(
                "{file} is not a pending-changes file (made by `frontdesk sync export-pending`).",
                file=str(path),
            )
        )
    version = raw.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise PendingFileError(
            T_(
                "{file}: format_version {version} is newer than this Front Desk reads "
                "({readable}); import it with a newer version.",
                file=str(path),
                version=repr(version),
                readable=FORMAT_VERSION,
            )
        )
    try:
        document = PendingFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PendingFileError(
            T_(
                "{file} is damaged at {where}: {problem}",
                file=str(path),
                where=where,
                problem=str(first["msg"]),
            )
        ) from None
    for index, mutation in enumerate(document.mutations):
        if mutation.table not in PUSHABLE_TABLES:
            raise PendingFileError(
                T_(
                    "{file} is damaged at mutations.{index}.table: “{table}” is not a table "
                    "that syncs.",
                    file=str(path),
                    index=index,
                    table=mutation.table,
                )
            )
    return document


def import_pending(mirror: Mirror, organization_id: uuid.UUID, path: Path) -> Imported:
    """Queues the file's changes in this desk's outbox (those not queued before), in one
    transaction."""
    document = read_pending(path)
    if document.organization_id != organization_id:
        raise PendingFileError(
            T_(
                "{file} holds changes of organization {theirs}, and this desk works for "
                "organization {ours}: import it on a desk of that organization.",
                file=str(path),
                theirs=str(document.organization_id),
                ours=str(organization_id),
            )
        )
    if document.device_id == mirror.device_id:
        return Imported(queued=0, already=len(document.mutations))
    source = str(document.device_id)
    with mirror.sessions.begin() as session:
        device = session.execute(
            select(LocalSetting).where(LocalSetting.key == DEVICE_SETTING).with_for_update()
        ).scalar_one()
        record = session.get(LocalSetting, IMPORTED_SETTING)
        imported: dict[str, list[int]] = dict(record.value) if record is not None else {}
        seen = set(imported.get(source, []))
        fresh = [m for m in document.mutations if m.seq not in seen]
        seq = int(device.value["next_seq"])
        if fresh:
            session.execute(
                insert(OutboxMutation),
                [
                    {
                        "device_id": mirror.device_id,
                        "device_seq": seq + offset,
                        "organization_id": organization_id,
                        "table_name": mutation.table,
                        "row_id": mutation.row_id,
                        "operation": mutation.operation,
                        "changed": mutation.changed,
                        "base_version": mutation.base_version,
                        "created_at": mutation.created_at,
                        "pushed_at": None,
                    }
                    for offset, mutation in enumerate(fresh)
                ],
            )
            device.value = {**device.value, "next_seq": seq + len(fresh)}
            imported[source] = sorted(seen | {m.seq for m in fresh})
            if record is None:
                session.add(LocalSetting(key=IMPORTED_SETTING, value=imported))
            else:
                record.value = imported
    return Imported(queued=len(fresh), already=len(document.mutations) - len(fresh))
