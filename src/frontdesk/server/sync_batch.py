"""The quick way through a push: a whole batch decided in memory, written in a few statements.

The rows a batch touches are read (and locked) with one query per table, their field
versions with one more; every mutation is then decided as the careful path would, and the
writes go out as one multi-row INSERT per table and one executemany UPDATE per set of
columns. A change the pusher may not make, or a business rule refuses, becomes a conflict
in memory (one INSERT for all of them): refusals cost no savepoint and no round trip each.
When anything needs the careful path (a row the server does not have, a table that does not
sync, the database refusing a write) the caller rolls the batch back and applies it one
mutation at a time, each in its own savepoint."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

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
from frontdesk.sync.protocol import Mutation, MutationResult
from frontdesk.sync.tables import PUSHABLE_TABLES, SYNCED_TABLES, table

# Parents before children, so a row and the rows that name it can arrive in one batch.


class NeedsCarefulPath(Exception):
    """The batch holds a mutation only the one-by-one path handles."""


def apply_batch(
    connection: Connection, pusher: Pusher, mutations: list[Mutation]
) -> list[MutationResult]:
    if any(m.table not in PUSHABLE_TABLES for m in mutations):
        raise NeedsCarefulPath
    current = _lock_rows(connection, mutations)
    versions = _field_versions(connection, pusher, mutations)
    specialist_of = AppointmentOwners(connection, current["appointments"])
    inserts: dict[str, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)
    updates: dict[tuple[str, uuid.UUID], dict[str, Any]] = defaultdict(dict)
    conflicts: list[dict[str, Any]] = []
    # Refused inserts by row: later changes of that row join the conflict holding it.
    refused_rows: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    results: list[MutationResult] = []
    for mutation in mutations:
        target = table(mutation.table)
        row = current[mutation.table].get(mutation.row_id)
        refused = refused_rows.get((mutation.table, mutation.row_id))
        if refused is not None:
            for name, value in mutation.changed.items():
                refused["fields"][name] = {"mine": value, "theirs": None}
            results.append(_conflict_result(mutation, refused))
            continue
        try:
            if mutation.operation == "insert":
                if row is not None:  # born twice under one derived id: the first stands
                    results.append(MutationResult(seq=mutation.seq, outcome="merged"))
                    continue
                values = insert_values(target, mutation, pusher, specialist_of)
            else:
                if row is None:
                    raise NeedsCarefulPath
                others = changed_by_others(
                    versions.get((mutation.table, mutation.row_id)),
                    mutation.base_version,
                    pusher.device_id,
                )
                to_write, lost = decide_update(target, row, mutation, others, pusher, specialist_of)
        except Rejected as error:
            unseen = row is None or isinstance(error, OutOfScope)
            conflict = conflict_row(
                pusher,
                mutation,
                kind="rejected",
                fields=rejected_fields(target, mutation, None if unseen else row),
                reason=error.words,
                row_missing=unseen,
            )
            conflicts.append(conflict)
            if unseen:
                refused_rows[(mutation.table, mutation.row_id)] = conflict
            results.append(_conflict_result(mutation, conflict))
            continue
        if mutation.operation == "insert":
            inserts[mutation.table][mutation.row_id] = values
            current[mutation.table][mutation.row_id] = values
            results.append(MutationResult(seq=mutation.seq, outcome="applied"))
            continue
        clean = (mutation.base_version or 0) == row["row_version"]
        if to_write:
            born_here = inserts[mutation.table].get(mutation.row_id)
            # A row created in this batch is inserted with its later values at once.
            (
                born_here if born_here is not None else updates[(mutation.table, mutation.row_id)]
            ).update(to_write)
            row.update(to_write)
        if lost:
            conflict = conflict_row(
                pusher, mutation, kind="field", fields=lost, reason=FIELD_CONFLICT_REASON
            )
            conflicts.append(conflict)
            results.append(_conflict_result(mutation, conflict))
        else:
            results.append(
                MutationResult(seq=mutation.seq, outcome="applied" if clean else "merged")
            )
    _write_inserts(connection, inserts)
    _write_updates(connection, pusher, updates)
    if conflicts:
        connection.execute(insert(table("sync_conflicts")), conflicts)
    return results


def _conflict_result(mutation: Mutation, conflict: dict[str, Any]) -> MutationResult:
    return MutationResult(seq=mutation.seq, outcome="conflict", conflict_id=conflict["id"])


class AppointmentOwners:
    """The specialist each appointment is assigned to on the server (what a specialist's
    pushed row is checked against): from the rows at hand, else read once per push."""

    def __init__(self, connection: Connection, known: dict[uuid.UUID, dict[str, Any]]) -> None:
        self._connection = connection
        self._known = known
        self._read: dict[uuid.UUID, uuid.UUID | None] = {}

    def __call__(self, appointment_id: uuid.UUID) -> uuid.UUID | None:
        row = self._known.get(appointment_id)
        if row is not None:
            return row.get("specialist_id")
        if appointment_id not in self._read:
            self._read[appointment_id] = self._connection.scalar(
                text("SELECT specialist_id FROM appointments WHERE id = :id"),
                {"id": appointment_id},
            )
        return self._read[appointment_id]


def _lock_rows(
    connection: Connection, mutations: list[Mutation]
) -> dict[str, dict[uuid.UUID, dict[str, Any]]]:
    ids: dict[str, set[uuid.UUID]] = defaultdict(set)
    for mutation in mutations:
        ids[mutation.table].add(mutation.row_id)
    current: dict[str, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)
    for name, wanted in ids.items():
        target = table(name)
        rows = connection.execute(
            select(target).where(target.c.id.in_(sorted(wanted))).with_for_update()
        )
        current[name] = {row.id: dict(row._mapping) for row in rows}
    return current


def _field_versions(
    connection: Connection, pusher: Pusher, mutations: list[Mutation]
) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    updated = sorted({m.row_id for m in mutations if m.operation == "update"})
    if not updated:
        return {}
    rows = connection.execute(
        text(
            "SELECT table_name, row_id, field_versions FROM sync_changes "
            "WHERE organization_id = :org AND row_id = ANY(:ids)"
        ),
        {"org": pusher.organization_id, "ids": updated},
    )
    return {(row.table_name, row.row_id): row.field_versions for row in rows}


def _write_inserts(
    connection: Connection, inserts: dict[str, dict[uuid.UUID, dict[str, Any]]]
) -> None:
    for name in SYNCED_TABLES:
        rows = list(inserts.get(name, {}).values())
        if not rows:
            continue
        target = table(name)
        # One column set for the whole statement: what a row leaves out is NULL.
        columns = sorted({column for row in rows for column in row})
        connection.execute(
            insert(target), [{column: row.get(column) for column in columns} for row in rows]
        )


def _write_updates(
    connection: Connection,
    pusher: Pusher,
    updates: dict[tuple[str, uuid.UUID], dict[str, Any]],
) -> None:
    groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for (name, row_id), values in updates.items():
        groups[(name, tuple(sorted(values)))].append({"_id": row_id, **values})
    for (name, columns), params in groups.items():
        target = table(name)
        statement = (
            update(target)
            .where(target.c.id == bindparam("_id"))
            .values(
                {
                    **{column: bindparam(column) for column in columns},
                    "row_version": target.c.row_version + 1,
                    "updated_at": pusher.now,
                }
            )
        )
        connection.execute(statement, params)
