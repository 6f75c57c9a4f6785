"""Sync conflicts: what the server could not take as written, until someone decides.

A conflict keeps, per field, the value this desk (or another) wrote ("mine") and the value
the server kept ("theirs"). Resolving it writes the chosen "mine" values back through the
normal write path, so they sync like any edit and the server checks its rules again; a row
the server refused to create is created again from the values kept in the conflict."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.base import Base
from frontdesk.store.models import SyncConflict
from frontdesk.store.unit_of_work import UnitOfWork
from frontdesk.store.wire import column_kinds, from_json

Keep = Literal["mine", "theirs"]
RESOLVERS = frozenset({Role.ADMIN, Role.RECEPTIONIST})
# Set by the server or by the row's birth; never taken from a conflict.
_PROTECTED = frozenset({"id", "organization_id", "row_version", "created_at", "updated_at"})

_LABELS = {
    "appointments": "Appointment",
    "patient_persons": "Patient",
    "form_instances": "Form",
    "automation_rules": "Automation rule",
    "appointment_status_history": "Appointment status change",
}


@dataclass(frozen=True)
class ConflictField:
    name: str
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class ConflictView:
    id: uuid.UUID
    table: str
    row_id: uuid.UUID
    label: str
    kind: str
    reason: str
    row_missing: bool
    fields: tuple[ConflictField, ...]
    created_at: datetime


def list_open(ctx: ServiceContext) -> list[ConflictView]:
    """Open conflicts of the organization, oldest first (a specialist: their own)."""
    with ctx.sessions() as session:
        query = select(SyncConflict).where(
            SyncConflict.organization_id == ctx.organization_id, SyncConflict.status == "open"
        )
        if ctx.actor.role not in RESOLVERS:
            query = query.where(SyncConflict.author_user_id == ctx.actor.user_id)
        rows = session.scalars(query.order_by(SyncConflict.created_at)).all()
        return [_view(row) for row in rows]


def resolve(
    ctx: ServiceContext, conflict_id: uuid.UUID, *, keep: Keep | dict[str, Keep]
) -> Outcome[SyncConflict]:
    """Keep the server's values ("theirs"), this side's ("mine"), or choose per field."""
    with ctx.transaction() as tx:
        conflict = tx.session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.organization_id != ctx.organization_id:
            raise NotFound(f"no conflict {conflict_id}", field="conflict_id")
        _require_resolver(ctx, conflict)
        if conflict.status != "open":
            raise InvalidInput.single("conflict_id", "this conflict is already resolved")
        choices = _choices(conflict, keep)
        mine = {
            name: conflict.fields[name]["mine"] for name, side in choices.items() if side == "mine"
        }
        if mine:
            _write_back(tx, conflict, mine)
        conflict.status = "resolved"
        conflict.resolution = {"fields": choices}
        conflict.resolved_at = tx.now
        conflict.resolved_by_user_id = ctx.actor.user_id
        tx.audit("sync.conflict_resolved", "sync_conflict", conflict.id, {"fields": choices})
    return Outcome(conflict, tx.changes)


def _require_resolver(ctx: ServiceContext, conflict: SyncConflict) -> None:
    if ctx.actor.role in RESOLVERS:
        return
    if ctx.actor.user_id is not None and conflict.author_user_id == ctx.actor.user_id:
        return
    raise PermissionDenied(
        "only the front desk, an admin or the author resolves a conflict", field="conflict_id"
    )


def _choices(conflict: SyncConflict, keep: Keep | dict[str, Keep]) -> dict[str, Keep]:
    if isinstance(keep, str):
        if keep not in ("mine", "theirs"):
            raise InvalidInput.single("keep", 'use "mine" or "theirs"')
        return {name: keep for name in conflict.fields}
    unknown = sorted(set(keep) - set(conflict.fields))
    if unknown:
        raise InvalidInput.single("keep", f"not a field of this conflict: {', '.join(unknown)}")
    missing = sorted(set(conflict.fields) - set(keep))
    if missing:
        raise InvalidInput.single("keep", f"choose a side for: {', '.join(missing)}")
    bad = sorted(name for name, side in keep.items() if side not in ("mine", "theirs"))
    if bad:
        raise InvalidInput.single("keep", f'use "mine" or "theirs" for: {", ".join(bad)}')
    if conflict.row_missing and "mine" in keep.values() and "theirs" in keep.values():
        raise InvalidInput.single(
            "keep", "the server never had this row: keep all of it or none of it"
        )
    return dict(keep)


def _model(table_name: str) -> type[Any]:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table_name:  # type: ignore[attr-defined]
            return mapper.class_
    raise InvalidInput.single("conflict_id", f"{table_name} rows cannot be restored here")


def _write_back(tx: UnitOfWork, conflict: SyncConflict, mine: dict[str, Any]) -> None:
    model = _model(conflict.table_name)
    kinds = column_kinds(model.__table__)
    values = {
        name: from_json(kinds[name], value)
        for name, value in mine.items()
        if name in kinds and name not in _PROTECTED
    }
    row = tx.session.get(model, conflict.row_id)
    if row is None:
        if not conflict.row_missing:
            raise NotFound(
                f"{conflict.table_name} {conflict.row_id} no longer exists", field="conflict_id"
            )
        row = model(id=conflict.row_id, **values)
        if "organization_id" in kinds:
            row.organization_id = tx.organization_id
        tx.session.add(row)
        return
    for name, value in values.items():
        setattr(row, name, value)


def _view(row: SyncConflict) -> ConflictView:
    fields = tuple(
        ConflictField(name, sides.get("mine"), sides.get("theirs"))
        for name, sides in sorted(row.fields.items())
    )
    noun = _LABELS.get(row.table_name, row.table_name.replace("_", " ").capitalize())
    return ConflictView(
        id=row.id,
        table=row.table_name,
        row_id=row.row_id,
        label=f"{noun} {str(row.row_id)[-8:]}: {row.reason}",
        kind=row.kind,
        reason=row.reason,
        row_missing=row.row_missing,
        fields=fields,
        created_at=row.created_at,
    )
