"""Applying a desk's pushed mutations: each once, merged field by field, conflicts recorded.

A push runs in one transaction of the caller's organization (row-level security applies).
The device's last applied sequence is read under a row lock and moved in the same transaction
as the effects, so a batch sent twice (a lost answer, a server restarted mid-push) changes
nothing the second time. A batch is first applied whole (`sync_batch`); if anything in it
needs care, it is applied again one mutation at a time, each in a savepoint: one the
database refuses (double booking, a broken reference, a value of the wrong type) is undone
alone and recorded as a conflict — acknowledged, never retried forever, never dropped."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Row, Table, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from frontdesk.i18n.text import T_, Text
from frontdesk.server.account_links import link_requested_accounts
from frontdesk.server.sync_batch import AppointmentOwners, NeedsCarefulPath, apply_batch
from frontdesk.server.sync_rules import (
    FIELD_CONFLICT_REASON,
    OutOfScope,
    Pusher,
    Rejected,
    changed_by_others,
    conflict_row,
    decide_update,
    insert_values,
    rejected_fields,
)
from frontdesk.sync.protocol import Mutation, MutationResult, PushRequest, PushResponse
from frontdesk.sync.tables import (
    PUSHABLE_TABLES,
    table,
)


class SequenceJump(Exception):
    """A batch whose numbers do not follow on from the device's last applied one; refused
    whole, before anything is stored (else a later honest push would be skipped)."""

    def __init__(self, message: str, last_seq: int) -> None:
        super().__init__(message)
        self.last_seq = last_seq


def _check_follows_on(request: PushRequest, last_seq: int) -> int:
    """The batch's last fresh sequence number (`last_seq` when nothing in it is fresh)."""
    covered = sorted({m.seq for m in request.mutations} | set(request.local_seqs))
    fresh = [seq for seq in covered if seq > last_seq]
    if fresh and fresh != list(range(last_seq + 1, last_seq + 1 + len(fresh))):
        present = set(fresh)
        missing = next(seq for seq in range(last_seq + 1, fresh[-1] + 1) if seq not in present)
        raise SequenceJump(
            f"seq: the batch does not follow on from {last_seq} (no mutation {missing})",
            last_seq,
        )
    return fresh[-1] if fresh else last_seq


def apply_push(session: Session, pusher: Pusher, request: PushRequest) -> PushResponse:
    connection = session.connection()
    # The change-log trigger records which device changed each field.
    connection.execute(select(func.set_config("app.device_id", str(pusher.device_id), True)))
    last_seq = _lock_device(connection, pusher)
    through_seq = _check_follows_on(request, last_seq)
    ordered = sorted(request.mutations, key=lambda m: m.seq)
    results = [MutationResult(seq=m.seq, outcome="skipped") for m in ordered if m.seq <= last_seq]
    fresh = [m for m in ordered if m.seq > last_seq]
    if fresh:
        outcomes = _apply_all(connection, pusher, fresh)
        results += outcomes
        link_requested_accounts(
            connection, _persons_to_link(connection, fresh, outcomes), pusher.now
        )
    last_seq = through_seq
    connection.execute(
        text(
            "UPDATE sync_device_cursors SET last_seq = :seq, updated_at = now() "
            "WHERE organization_id = :org AND device_id = :device"
        ),
        {"seq": last_seq, "org": pusher.organization_id, "device": pusher.device_id},
    )
    return PushResponse(
        acknowledged_seq=last_seq, results=results, version=current_version(connection, pusher)
    )


def _apply_all(
    connection: Connection, pusher: Pusher, mutations: list[Mutation]
) -> list[MutationResult]:
    """The whole batch at once; when something in it needs care, one by one."""
    try:
        with connection.begin_nested():
            return apply_batch(connection, pusher, mutations)
    except (NeedsCarefulPath, DBAPIError, ValueError, TypeError):
        pass  # rolled back to the savepoint: nothing of the quick attempt remains
    specialist_of = AppointmentOwners(connection, {})
    return [_apply_one(connection, pusher, mutation, specialist_of) for mutation in mutations]


# What a person's account follows: the request, the address, the record's removal.
_LINK_FIELDS = frozenset({"account_requested_at", "email", "deleted_at"})


def _persons_to_link(
    connection: Connection, mutations: list[Mutation], outcomes: list[MutationResult]
) -> set[uuid.UUID]:
    """The persons this push may have asked an account for, or moved off theirs: written
    (applied, merged, or partly, beside a field conflict), not refused."""
    touched = {
        (mutation.row_id, result.conflict_id)
        for mutation, result in zip(mutations, outcomes, strict=True)
        if mutation.table == "patient_persons" and _LINK_FIELDS & set(mutation.changed)
    }
    conflicts = [conflict for _row, conflict in touched if conflict is not None]
    refused = set(
        connection.scalars(
            text("SELECT id FROM sync_conflicts WHERE id = ANY(:ids) AND kind = 'rejected'"),
            {"ids": conflicts},
        )
        if conflicts
        else ()
    )
    return {row for row, conflict in touched if conflict not in refused}


def current_version(connection: Connection, pusher: Pusher) -> int:
    version = connection.scalar(
        text("SELECT version FROM sync_org_versions WHERE organization_id = :org"),
        {"org": pusher.organization_id},
    )
    return int(version or 0)


def _lock_device(connection: Connection, pusher: Pusher) -> int:
    params = {"org": pusher.organization_id, "device": pusher.device_id}
    connection.execute(
        text(
            "INSERT INTO sync_device_cursors (organization_id, device_id, last_seq) "
            "VALUES (:org, :device, 0) ON CONFLICT DO NOTHING"
        ),
        params,
    )
    return int(
        connection.scalar(
            text(
                "SELECT last_seq FROM sync_device_cursors "
                "WHERE organization_id = :org AND device_id = :device FOR UPDATE"
            ),
            params,
        )
    )


def _apply_one(
    connection: Connection, pusher: Pusher, mutation: Mutation, specialist_of: AppointmentOwners
) -> MutationResult:
    if mutation.table not in PUSHABLE_TABLES:
        conflict = _record(
            connection,
            pusher,
            mutation,
            kind="rejected",
            row_missing=True,
            reason=T_("This kind of record is not shared between desks."),
            fields={
                name: {"mine": value, "theirs": None} for name, value in mutation.changed.items()
            },
        )
        return MutationResult(seq=mutation.seq, outcome="conflict", conflict_id=conflict)
    target = table(mutation.table)
    try:
        with connection.begin_nested():
            if mutation.operation == "insert":
                return _insert(connection, pusher, target, mutation, specialist_of)
            return _update(connection, pusher, target, mutation, specialist_of)
    except (Rejected, DBAPIError, ValueError, TypeError) as error:
        reason = _reason(error)
        unseen = isinstance(error, OutOfScope)
    exists = not unseen and _current(connection, target, mutation.row_id, lock=False) is not None
    conflict = _record_missing_or_rejected(connection, pusher, target, mutation, reason, exists)
    return MutationResult(seq=mutation.seq, outcome="conflict", conflict_id=conflict)


def _reason(error: Exception) -> Text:
    if isinstance(error, Rejected):
        return error.words
    if isinstance(error, DBAPIError):
        diag = getattr(error.orig, "diag", None)
        constraint = getattr(diag, "constraint_name", None)
        if constraint == "ex_appointments_no_overlap":
            return T_(
                "The specialist already has an appointment at that time: choose another time, "
                "or another specialist."
            )
        primary = getattr(diag, "message_primary", None)
        return T_(
            "The server could not store this change ({details}).",
            details=str(primary or error.orig),
        )
    # A value of the wrong type or form (ValueError, TypeError): the desk's data, not words.
    return T_("The server could not read this change ({details}).", details=str(error))


def _insert(
    connection: Connection,
    pusher: Pusher,
    target: Table,
    mutation: Mutation,
    specialist_of: AppointmentOwners,
) -> MutationResult:
    if _current(connection, target, mutation.row_id, lock=False) is not None:
        # Born twice under one derived id (two desks ran the same automation occurrence):
        # the same fact, and the first to arrive stands.
        return MutationResult(seq=mutation.seq, outcome="merged")
    values = insert_values(target, mutation, pusher, specialist_of)
    connection.execute(insert(target).values(**values))
    return MutationResult(seq=mutation.seq, outcome="applied")


def _update(
    connection: Connection,
    pusher: Pusher,
    target: Table,
    mutation: Mutation,
    specialist_of: AppointmentOwners,
) -> MutationResult:
    current = _current(connection, target, mutation.row_id, lock=True)
    if current is None:
        raise Rejected(
            T_("This record is not on the server; it may have been removed at another desk.")
        )
    versions = connection.scalar(
        text(
            "SELECT field_versions FROM sync_changes "
            "WHERE organization_id = :org AND table_name = :table AND row_id = :row"
        ),
        {"org": pusher.organization_id, "table": target.name, "row": mutation.row_id},
    )
    others = changed_by_others(versions, mutation.base_version, pusher.device_id)
    to_write, lost = decide_update(
        target, current._mapping, mutation, others, pusher, specialist_of
    )
    if to_write:
        connection.execute(
            update(target)
            .where(target.c.id == mutation.row_id)
            .values(**to_write, row_version=target.c.row_version + 1, updated_at=pusher.now)
        )
    if lost:
        conflict = _record(
            connection, pusher, mutation, kind="field", fields=lost, reason=FIELD_CONFLICT_REASON
        )
        return MutationResult(seq=mutation.seq, outcome="conflict", conflict_id=conflict)
    clean = (mutation.base_version or 0) == current.row_version
    return MutationResult(seq=mutation.seq, outcome="applied" if clean else "merged")


def _current(
    connection: Connection, target: Table, row_id: uuid.UUID, *, lock: bool
) -> Row[Any] | None:
    query = select(target).where(target.c.id == row_id)
    return connection.execute(query.with_for_update() if lock else query).one_or_none()


def _record_missing_or_rejected(
    connection: Connection,
    pusher: Pusher,
    target: Table,
    mutation: Mutation,
    reason: Text,
    exists: bool,
) -> uuid.UUID:
    if not exists:
        # Later changes by the same desk to a row the server refused join the conflict
        # that holds it.
        open_one = connection.execute(
            text(
                "SELECT id, fields FROM sync_conflicts WHERE organization_id = :org "
                "AND table_name = :table AND row_id = :row AND row_missing "
                "AND device_id = :device AND status = 'open' "
                "ORDER BY created_at DESC LIMIT 1 FOR UPDATE"
            ),
            {
                "org": pusher.organization_id,
                "table": target.name,
                "row": mutation.row_id,
                "device": pusher.device_id,
            },
        ).one_or_none()
        if open_one is not None:
            fields = dict(open_one.fields)
            for name, value in mutation.changed.items():
                fields[name] = {"mine": value, "theirs": None}
            conflicts = table("sync_conflicts")
            connection.execute(
                update(conflicts)
                .where(conflicts.c.id == open_one.id)
                .values(
                    fields=fields, row_version=conflicts.c.row_version + 1, updated_at=pusher.now
                )
            )
            return uuid.UUID(str(open_one.id))
    current = _current(connection, target, mutation.row_id, lock=False) if exists else None
    fields = rejected_fields(target, mutation, None if current is None else current._mapping)
    return _record(
        connection,
        pusher,
        mutation,
        kind="rejected",
        fields=fields,
        reason=reason,
        row_missing=not exists,
    )


def _record(
    connection: Connection,
    pusher: Pusher,
    mutation: Mutation,
    *,
    kind: str,
    fields: dict[str, Any],
    reason: Text,
    row_missing: bool = False,
) -> uuid.UUID:

    row = conflict_row(
        pusher, mutation, kind=kind, fields=fields, reason=reason, row_missing=row_missing
    )
    connection.execute(insert(table("sync_conflicts")).values(**row))
    return uuid.UUID(str(row["id"]))
