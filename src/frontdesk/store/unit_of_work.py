"""One service call = one transaction: rows, their domain events, the sync outbox and the
audit log commit together or not at all (transactional outbox)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from types import TracebackType
from typing import Any, cast

from sqlalchemy import Insert, Table, event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from frontdesk.domain.clock import Clock
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import PermissionDenied
from frontdesk.domain.ids import new_id
from frontdesk.domain.write_rules import write_refusal
from frontdesk.store.base import Entity
from frontdesk.store.changes import ChangeSet
from frontdesk.store.models import AuditEntry, DomainEvent, LocalSetting, OutboxMutation

DEVICE_SETTING = "device"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member, a patient, or the system (automation, sync, public page)."""

    role: Role | None
    user_id: uuid.UUID | None = None
    label: str = ""
    specialist_id: uuid.UUID | None = None
    # For a patient: the people they may act for (themselves and their dependents).
    person_ids: frozenset[uuid.UUID] = frozenset()

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(role=None, label=label)


@dataclass
class _RowChange:
    table: str
    operation: str
    base_version: int | None
    organization_id: uuid.UUID | None
    changed: dict[str, Any]


_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_json_value(value: Any) -> Any:
    """A column value as JSON (for the outbox and event payloads)."""
    if type(value) in _PLAIN:  # most values: checked first, as the outbox converts thousands
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    return value


@cache
def insert_statement(table: Table) -> Insert:
    """`insert(table)`, built once: a statement object kept keeps its compiled-cache key, and
    the engine's bookkeeping inserts into the same few tables thousands of times."""
    return insert(table)


def _column_values(row: object, table: Table) -> dict[str, Any]:
    """Every column of a new row, with the column defaults the ORM would have filled in
    (one set of keys per table, so its rows make one multi-row INSERT)."""
    given = vars(row)
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.key in given:
            values[column.key] = given[column.key]
        elif isinstance(default, CallableColumnDefault):
            # The models' defaults take no execution context (new_id, utcnow, dict).
            values[column.key] = default.arg(None)  # type: ignore[arg-type]
        elif isinstance(default, ScalarElementColumnDefault):
            values[column.key] = default.arg
        else:
            values[column.key] = None
    return values


def _table_of(row: object) -> Table:
    return cast(Table, type(row).__table__)  # type: ignore[attr-defined]  # a mapped class


def _version_before(state: Any) -> int:
    """The row version this transaction started from (the base of a sync mutation). Read
    after a flush: the version counter has already moved on by one for that flush."""
    history = state.attrs.row_version.history
    return int(history.deleted[0]) if history.deleted else int(state.obj().row_version) - 1


class UnitOfWork:
    """Use as a context manager; `commit` happens on a clean exit, rollback on an exception."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Clock,
        actor: Actor,
        organization_id: uuid.UUID,
        record_outbox: bool,
        parent_event_id: uuid.UUID | None = None,
        depth: int = 0,
    ) -> None:
        self._sessions = sessions
        self.clock = clock
        self.actor = actor
        self.organization_id = organization_id
        self._record_outbox = record_outbox
        self._parent_event_id = parent_event_id
        self._depth = depth
        self._row_changes: dict[tuple[str, uuid.UUID], _RowChange] = {}
        # One frame per open savepoint: each row change as it was before the savepoint first
        # touched it (None: the savepoint created it). Undoing replays the frame, so a
        # savepoint costs what it touches, not what the whole transaction has collected.
        self._undo: list[dict[tuple[str, uuid.UUID], _RowChange | None]] = []
        # Journal rows are added after the final flush, so they follow the rows they name.
        self._pending_events: list[DomainEvent] = []
        # Audit entries as the rows to insert (nothing reads them back as objects).
        self._pending_audit: list[dict[str, Any]] = []
        # New synced rows inserted at commit with one INSERT per table (`add_later`).
        self._later: list[Entity] = []
        # Flushes and SQL writes so far: an in-memory savepoint that fails checks that none
        # happened inside it but the rows inserted with `insert_now`, which it can delete.
        self._writes = 0
        self._inserted_now: list[tuple[Table, Any]] = []
        # The driver's transaction is open (it stays open until the commit).
        self._begun = False
        # Why the commit must be refused (an in-memory savepoint that could not be undone).
        self._refusal: str | None = None
        self.changes = ChangeSet()
        # Read-only look-ups worth keeping for the transaction (the automation handlers'
        # message and form templates: a dispatch batch reads each once).
        self.memo: dict[Any, Any] = {}
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        event.listen(self.session, "after_flush", self._collect)
        event.listen(self.session, "do_orm_execute", self._count_write)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._commit()
            else:
                self.session.rollback()
        finally:
            event.remove(self.session, "after_flush", self._collect)
            event.remove(self.session, "do_orm_execute", self._count_write)
            self.session.close()

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def savepoint(self, *, in_memory: bool = False) -> Iterator[None]:
        """Undo the block's rows, events and audit entries if it raises, keeping the rest of
        the transaction: one failed automation action must not leave half of its writes.

        `in_memory`: the block writes to the database at most new rows with `insert_now`
        (its other rows go through `add_later`, its events and audit entries wait for the
        commit anyway; nested savepoints undo their own writes), so undoing it is forgetting
        what it queued and deleting the rows it inserted, and no SQL SAVEPOINT is needed.
        Taken only when the session has nothing unflushed. If the block does fail after any
        other write inside it (a flush, another statement), the exception goes on as raised,
        and the commit is refused: the whole transaction rolls back rather than keeping half
        of the block."""
        journal = len(self._pending_events), len(self._pending_audit)
        event_names = len(self.changes.events)
        later = len(self._later)
        writes = self._writes
        inserted = len(self._inserted_now)
        nested = None
        if not (in_memory and self._nothing_to_flush()):
            self._ensure_begun()
            nested = self.session.begin_nested()
        self._undo.append({})
        try:
            yield
            if nested is not None:
                nested.commit()  # flushes: the frame must still be open to collect that flush
        except BaseException as exc:
            if nested is not None:
                nested.rollback()
            elif not self._undo_inserted(writes, inserted):
                # Whoever catches `exc` must not commit the half: the commit is refused.
                self._refusal = (
                    f"a block run as an in-memory savepoint wrote to the database and then "
                    f"failed ({type(exc).__name__}: {exc}), so it cannot be undone alone"
                )
            del self._inserted_now[inserted:]
            del self._pending_events[journal[0] :]
            del self._pending_audit[journal[1] :]
            del self.changes.events[event_names:]
            del self._later[later:]
            self._restore(self._undo.pop())
            raise
        frame = self._undo.pop()
        if self._undo:
            # The enclosing savepoint may still roll back: it keeps the oldest snapshot.
            parent = self._undo[-1]
            for key, before in frame.items():
                parent.setdefault(key, before)

    def _undo_inserted(self, writes: int, inserted: int) -> bool:
        """Undo what an in-memory savepoint wrote, if all it wrote is rows inserted with
        `insert_now` (nothing else was written after them, so deleting them restores the
        database as it was); False when it wrote anything else."""
        rows = self._inserted_now[inserted:]
        if self._writes - writes != len(rows) or not self._nothing_to_flush():
            return False
        connection = self.session.connection()
        for table, row_id in reversed(rows):
            connection.execute(table.delete().where(table.c.id == row_id))
        self._writes = writes
        return True

    @contextmanager
    def caused_by(self, parent_event_id: uuid.UUID | None, depth: int) -> Iterator[None]:
        """Events emitted in the block carry this parent and depth (the loop guard reads
        them): one transaction can hold the work of several triggers, each in a savepoint."""
        saved = self._parent_event_id, self._depth
        self._parent_event_id, self._depth = parent_event_id, depth
        try:
            yield
        finally:
            self._parent_event_id, self._depth = saved

    def _restore(self, frame: dict[tuple[str, uuid.UUID], _RowChange | None]) -> None:
        for key, before in frame.items():
            if before is not None:
                self._row_changes[key] = before
                continue
            change = self._row_changes.pop(key, None)
            if change is not None:
                bucket = (
                    self.changes.created if change.operation == "insert" else self.changes.updated
                )
                bucket[key[0]].discard(key[1])
                if not bucket[key[0]]:
                    del bucket[key[0]]

    def emit(
        self,
        name: str,
        subject_type: str,
        subject_id: uuid.UUID,
        payload: dict[str, Any] | None = None,
    ) -> DomainEvent:
        """Append a domain event; it commits with the rows it describes."""
        domain_event = DomainEvent(
            # Made now: journal rows are inserted with Core at commit, not flushed by the ORM.
            id=new_id(),
            organization_id=self.organization_id,
            name=str(name),
            subject_type=subject_type,
            subject_id=subject_id,
            payload={k: to_json_value(v) for k, v in (payload or {}).items()},
            occurred_at=self.now,
            actor_user_id=self.actor.user_id,
            parent_event_id=self._parent_event_id,
            depth=self._depth,
        )
        self._pending_events.append(domain_event)
        self.changes.events.append(str(name))
        return domain_event

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: uuid.UUID | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self._pending_audit.append(
            {
                "id": new_id(),
                "organization_id": self.organization_id,
                "at": self.now,
                "actor_user_id": self.actor.user_id,
                "actor_label": self.actor.label,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "details": {k: to_json_value(v) for k, v in (details or {}).items()},
            }
        )

    def add_later(self, row: Entity) -> None:
        """Insert a new synced row at commit, with the other rows of its table in one
        multi-row INSERT, instead of an ORM flush now (the automation engine's notifications
        and messages: a batch holds hundreds). Until then the session does not see it, so
        use it only for a row nothing in the transaction looks for. Its sync mutation and
        change set entry are recorded when it is written; a savepoint that rolls back
        forgets it."""
        self._later.append(row)

    def insert_now(self, row: Entity) -> None:
        """Insert a new synced row at once with a Core statement instead of an ORM flush (a
        savepoint holding one new row costs far less so). Later queries in the transaction
        see it; the session does not hold it. Its sync mutation and change set entry are
        recorded as a flush would, and undone with the savepoint around it.

        An in-memory savepoint around it undoes it by deleting the row. A statement that
        fails leaves nothing (SQLite undoes it alone), so only one that went through counts."""
        table = _table_of(row)
        values = _column_values(row, table)
        self.session.connection().execute(insert_statement(table), values)
        self._writes += 1
        self._inserted_now.append((table, values["id"]))
        self._record_inserted(table, values)

    def lock_for_writing(self) -> None:
        """Take SQLite's write lock now (BEGIN IMMEDIATE) instead of at the first write: what
        the transaction reads from here on cannot be changed by another writer before it
        commits (the dispatcher's "ran already?" checks rely on it). Call it first."""
        connection = self.session.connection()
        driver = connection.connection.driver_connection
        if not getattr(driver, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        self._begun = True

    def record_written(
        self,
        table: str,
        row_id: uuid.UUID,
        operation: str,
        changed: dict[str, Any],
        *,
        base_version: int | None = None,
        organization_id: uuid.UUID | None = None,
    ) -> None:
        """A synced row written with a Core statement (not seen by the ORM flush): record its
        sync mutation and change set entry as `_collect` would have. `changed`: JSON values."""
        key = (table, row_id)
        if self._undo and key not in self._undo[-1]:
            before = self._row_changes.get(key)
            self._undo[-1][key] = (
                None if before is None else replace(before, changed=dict(before.changed))
            )
        if key in self._row_changes:
            self._row_changes[key].changed.update(changed)
            return
        bucket = self.changes.created if operation == "insert" else self.changes.updated
        bucket[table].add(row_id)
        self._row_changes[key] = _RowChange(
            table, operation, base_version, organization_id or self.organization_id, changed
        )

    def _nothing_to_flush(self) -> bool:
        session = self.session
        return not (session.new or session.dirty or session.deleted)

    def _ensure_begun(self) -> None:
        # Python's sqlite driver sends BEGIN only before its first write; a SAVEPOINT sent
        # before that would open a transaction of its own, which its RELEASE would commit.
        if self._begun:
            return
        connection = self.session.connection()
        driver = connection.connection.driver_connection
        if not getattr(driver, "in_transaction", True):
            connection.exec_driver_sql("BEGIN")
        self._begun = True

    def _count_write(self, execute_state: ORMExecuteState) -> None:
        if not execute_state.is_select:
            self._writes += 1

    def _collect(self, session: Session, _flush_context: Any) -> None:
        self._writes += 1
        for obj, operation in [(o, "insert") for o in session.new] + [
            (o, "update") for o in session.dirty
        ]:
            if not isinstance(obj, Entity):
                continue
            state = inspect(obj)
            table = obj.__table__.name  # type: ignore[attr-defined]
            changed: dict[str, Any] = {}
            for attr in state.mapper.column_attrs:
                history = state.attrs[attr.key].history
                if operation == "insert" or history.added:
                    changed[attr.key] = to_json_value(getattr(obj, attr.key))
            if operation == "update" and set(changed) <= {"row_version", "updated_at"}:
                continue
            key = (table, obj.id)
            if self._undo and key not in self._undo[-1]:
                before = self._row_changes.get(key)
                self._undo[-1][key] = (
                    None if before is None else replace(before, changed=dict(before.changed))
                )
            if key in self._row_changes:
                self._row_changes[key].changed.update(changed)
                continue
            bucket = self.changes.created if operation == "insert" else self.changes.updated
            bucket[table].add(obj.id)
            self._row_changes[key] = _RowChange(
                table,
                operation,
                None if operation == "insert" else _version_before(state),
                getattr(obj, "organization_id", None),
                changed,
            )

    def _commit(self) -> None:
        if self._refusal is not None:
            raise RuntimeError(self._refusal)
        self.session.flush()
        self._insert_later()
        self._check_write_rules()
        # Journal rows name the rows above; one multi-row INSERT per table, no ORM flush.
        self._insert_rows(self._pending_events)
        if self._pending_audit:
            self.session.execute(insert_statement(AuditEntry.__table__), self._pending_audit)
        if self._record_outbox and self._row_changes:
            self._append_outbox()
        self.session.commit()

    def _check_write_rules(self) -> None:
        """A person's writes obey the rules the server applies to the same writes pushed
        from a desk (`domain.write_rules`): refused here, they are never queued to be refused
        there. The system actors (engine, sync, public page) are trusted callers."""
        role = self.actor.role
        if role is None:
            return
        for (table, _row_id), change in self._row_changes.items():
            refusal = write_refusal(role, table, change.operation, change.changed)
            if refusal is not None:
                raise PermissionDenied(refusal, field="actor")

    def _insert_later(self) -> None:
        for table, rows in self._insert_rows(self._later).items():
            for values in rows:
                self._record_inserted(table, values)
        self._later.clear()

    def _record_inserted(self, table: Table, values: dict[str, Any]) -> None:
        self.record_written(
            table.name,
            values["id"],
            "insert",
            {name: to_json_value(value) for name, value in values.items()},
            organization_id=values.get("organization_id"),
        )

    def _insert_rows(self, objects: Sequence[object]) -> dict[Table, list[dict[str, Any]]]:
        """INSERT new (transient) mapped objects with Core, one statement per table; the
        rows as written, by table."""
        by_table: dict[Table, list[dict[str, Any]]] = {}
        for obj in objects:
            table = _table_of(obj)
            by_table.setdefault(table, []).append(_column_values(obj, table))
        for table, rows in by_table.items():
            self.session.execute(insert_statement(table), rows)
        return by_table

    def _append_outbox(self) -> None:
        device = self.session.execute(
            select(LocalSetting).where(LocalSetting.key == DEVICE_SETTING).with_for_update()
        ).scalar_one()
        seq = int(device.value["next_seq"])
        device_id = uuid.UUID(device.value["device_id"])
        # One multi-row INSERT rather than one per changed row: a Core statement on the
        # table, every row with the same keys (None included), so the rows are not split
        # into a new INSERT each time the set of non-null columns changes.
        mutations = [
            {
                "device_id": device_id,
                "device_seq": seq + offset,
                "organization_id": change.organization_id or self.organization_id,
                "table_name": table,
                "row_id": row_id,
                "operation": change.operation,
                "changed": change.changed,
                "base_version": change.base_version,
                "created_at": self.now,
                "pushed_at": None,
            }
            for offset, ((table, row_id), change) in enumerate(self._row_changes.items())
        ]
        self.session.execute(insert_statement(OutboxMutation.__table__), mutations)
        seq += len(mutations)
        device.value = {**device.value, "next_seq": seq}
