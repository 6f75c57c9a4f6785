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
from frontdesk.domain.field_names import field_name
from frontdesk.domain.write_rules import WRITE_RULES
from frontdesk.i18n import N_, _
from frontdesk.i18n.text import T_, Text, shown
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
    "appointments": N_("Appointment"),
    "patient_persons": N_("Patient"),
    "form_instances": N_("Form"),
    "automation_rules": N_("Automation rule"),
    "appointment_status_history": N_("Appointment status change"),
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
            raise NotFound(
                T_("This conflict was not found; it may have been resolved at another desk."),
                field="conflict_id",
            )
        _require_resolver(ctx, conflict)
        if conflict.status != "open":
            raise InvalidInput.single(
                "conflict_id", T_("This conflict is resolved already, perhaps at another desk.")
            )
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
        T_(
            "You are not allowed to resolve a conflict another person's change caused: ask "
            "the front desk or an admin to resolve it."
        ),
        field="conflict_id",
    )


def _choices(conflict: SyncConflict, keep: Keep | dict[str, Keep]) -> dict[str, Keep]:
    if isinstance(keep, str):
        if keep not in ("mine", "theirs"):
            raise InvalidInput.single("keep", T_("Choose which values to keep: mine or theirs."))
        return {name: keep for name in conflict.fields}
    unknown = sorted(set(keep) - set(conflict.fields))
    if unknown:
        raise InvalidInput.single(
            "keep",
            T_("These are not part of this conflict: {fields}.", fields=_names(unknown)),
        )
    missing = sorted(set(conflict.fields) - set(keep))
    if missing:
        raise InvalidInput.single(
            "keep", T_("Choose which value to keep for: {fields}.", fields=_names(missing))
        )
    bad = sorted(name for name, side in keep.items() if side not in ("mine", "theirs"))
    if bad:
        raise InvalidInput.single(
            "keep",
            T_("Choose mine or theirs for: {fields}.", fields=_names(bad)),
        )
    if conflict.row_missing and "mine" in keep.values() and "theirs" in keep.values():
        raise InvalidInput.single(
            "keep",
            T_("The other desks never had this record: keep all of your values or none of them."),
        )
    return dict(keep)


def _model(table_name: str) -> type[Any]:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table_name:  # type: ignore[attr-defined]
            return mapper.class_
    raise InvalidInput.single(
        "conflict_id", T_("This kind of record cannot be restored from a conflict.")
    )


def _names(fields: list[str]) -> tuple[Text | str, ...]:
    return tuple(field_name(name) for name in fields)


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
                T_("The record this conflict is about no longer exists; keep theirs."),
                field="conflict_id",
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
    what = WRITE_RULES[row.table_name].what if row.table_name in WRITE_RULES else N_("Record")
    noun = _(_LABELS.get(row.table_name, what))
    # The server stores its reason language-neutral: it reads in this desk's language.
    reason = shown(row.reason)
    return ConflictView(
        id=row.id,
        table=row.table_name,
        row_id=row.row_id,
        label=_("{what}: {reason}").format(what=noun[:1].upper() + noun[1:], reason=reason),
        kind=row.kind,
        reason=reason,
        row_missing=row.row_missing,
        fields=fields,
        created_at=row.created_at,
    )
