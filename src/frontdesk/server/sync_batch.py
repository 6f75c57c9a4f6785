"""The quick way through a push: a whole batch decided in memory, written in a few statements.

The rows a batch touches are read (and locked) with one query per table, their field
versions with one more; every mutation is then decided as the careful path would, and the
writes go out as one multi-row INSERT per table and one executemany UPDATE per set of
columns. When anything needs the careful path (a row the server does not have, a table that
does not sync, a business rule or the database refusing a write) the caller rolls the batch
back and applies it one mutation at a time, each in its own savepoint."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from frontdesk.server.sync_rules import (
    FIELD_CONFLICT_REASON,
    Pusher,
    changed_by_others,
    check_writable,
    conflict_row,
    decide_update,
    insert_values,
)
from frontdesk.sync.protocol import Mutation, MutationResult
from frontdesk.sync.tables import PUSHABLE_TABLES, SYNCED_TABLES, USERS_TABLE, table

# Parents before children, so a row and the rows that name it can arrive in one batch.
_INSERT_ORDER = (USERS_TABLE, *SYNCED_TABLES)


class NeedsCarefulPath(Exception):
    """The batch holds a mutation only the one-by-one path handles."""


def apply_batch(
    connection: Connection, pusher: Pusher, mutations: list[Mutation]
) -> list[MutationResult]:
    if any(m.table not in PUSHABLE_TABLES for m in mutations):
        raise NeedsCarefulPath
    current = _lock_rows(connection, mutations)
    versions = _field_versions(connection, pusher, mutations)
    inserts: dict[str, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)
    updates: dict[tuple[str, uuid.UUID], dict[str, Any]] = defaultdict(dict)
    conflicts: list[dict[str, Any]] = []
    results: list[MutationResult] = []
    for mutation in mutations:
        target = table(mutation.table)
        row = current[mutation.table].get(mutation.row_id)
        if mutation.operation == "insert":
            if row is not None:  # born twice under one derived id: the first stands
                results.append(MutationResult(seq=mutation.seq, outcome="merged"))
                continue
            values = insert_values(target, mutation, pusher)
            inserts[mutation.table][mutation.row_id] = values
            current[mutation.table][mutation.row_id] = values
            results.append(MutationResult(seq=mutation.seq, outcome="applied"))
            continue
        if row is None:
            raise NeedsCarefulPath
        check_writable(target, pusher)
        others = changed_by_others(
            versions.get((mutation.table, mutation.row_id)),
            mutation.base_version,
            pusher.device_id,
        )
        to_write, lost = decide_update(target, row, mutation, others)
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
            results.append(
                MutationResult(seq=mutation.seq, outcome="conflict", conflict_id=conflict["id"])
            )
        else:
            results.append(
                MutationResult(seq=mutation.seq, outcome="applied" if clean else "merged")
            )
    _write_inserts(connection, inserts)
    _write_updates(connection, pusher, updates)
    if conflicts:
        connection.execute(insert(table("sync_conflicts")), conflicts)
    return results


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
    for name in _INSERT_ORDER:
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
