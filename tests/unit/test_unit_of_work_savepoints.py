"""UnitOfWork savepoints (the automation dispatcher's batches rely on them): a rolled-back
savepoint leaves none of its rows, events, audit entries or outbox mutations, the rest of the
transaction commits; savepoints nest; `caused_by` sets the parent and depth of events. Rows
queued with `add_later` are written at commit, rows given to `insert_now` at once, both with
their outbox mutations; an in-memory
savepoint sends no SQL, forgets what it queued and deletes what it inserted now when it fails,
and a failure it cannot undo (it wrote to the database otherwise) refuses the whole commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from sqlalchemy import event, func, select

from frontdesk.store.base import Base
from frontdesk.store.models import AuditEntry, DomainEvent, Notification, OutboxMutation
from frontdesk.store.unit_of_work import UnitOfWork
from tests.support.clinic import Clinic


class Boom(Exception):
    """The failure these tests provoke."""


def _count(clinic: Clinic, model: type[Base], *where: object) -> int:
    with clinic.ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _note(tx: UnitOfWork, label: str) -> uuid.UUID:
    """A synced row, its event and its audit entry, all tagged with `label`."""
    note = Notification(organization_id=tx.organization_id, target="staff", message=label)
    tx.session.add(note)
    tx.session.flush()
    tx.emit("test.noted", "notification", note.id, {"label": label})
    tx.audit("test.noted", "notification", note.id, {"label": label})
    tx.session.flush()
    return note.id


def _note_then_fail(tx: UnitOfWork, label: str, ids: dict[str, uuid.UUID]) -> None:
    """A savepoint that writes a note, then raises."""
    with tx.savepoint():
        ids[label] = _note(tx, label)
        raise Boom


def _change_then_fail(tx: UnitOfWork, note: Notification) -> None:
    with tx.savepoint():
        note.message = "changed in the savepoint"
        tx.session.flush()
        raise Boom


def _nested_then_fail(tx: UnitOfWork, ids: dict[str, uuid.UUID]) -> None:
    """An outer savepoint whose inner savepoint succeeded, then the outer one fails."""
    with tx.savepoint():
        with tx.savepoint():
            ids["inner"] = _note(tx, "inner")
        ids["outer"] = _note(tx, "outer")
        raise Boom


def _transaction_then_fail(clinic: Clinic, ids: dict[str, uuid.UUID]) -> None:
    with clinic.ctx.transaction() as tx:
        with tx.savepoint():
            ids["saved"] = _note(tx, "saved")
        raise Boom


def _outbox_rows(clinic: Clinic, row_id: uuid.UUID) -> int:
    return _count(clinic, OutboxMutation, OutboxMutation.row_id == row_id)


def _trace(clinic: Clinic, row_id: uuid.UUID) -> tuple[int, int, int, int]:
    """Rows, events, audit entries and outbox mutations left for the note."""
    return (
        _count(clinic, Notification, Notification.id == row_id),
        _count(clinic, DomainEvent, DomainEvent.subject_id == row_id),
        _count(clinic, AuditEntry, AuditEntry.entity_id == row_id),
        _outbox_rows(clinic, row_id),
    )


def test_a_rolled_back_savepoint_leaves_nothing_and_the_rest_commits(clinic: Clinic) -> None:
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx:
        ids["before"] = _note(tx, "before")
        with pytest.raises(Boom):
            _note_then_fail(tx, "failed", ids)
        with tx.savepoint():
            ids["kept"] = _note(tx, "kept")
        ids["after"] = _note(tx, "after")
        assert tx.changes.events == ["test.noted"] * 3

    assert _trace(clinic, ids["failed"]) == (0, 0, 0, 0)
    for label in ("before", "kept", "after"):
        assert _trace(clinic, ids[label]) == (1, 1, 1, 1), label


def test_an_update_undone_by_a_savepoint_keeps_the_earlier_change_in_the_outbox(
    clinic: Clinic,
) -> None:
    with clinic.ctx.transaction() as tx:
        note_id = _note(tx, "first")
        note = tx.session.get(Notification, note_id)
        assert note is not None
        with pytest.raises(Boom):
            _change_then_fail(tx, note)

    with clinic.ctx.sessions() as session:
        (mutation,) = session.scalars(
            select(OutboxMutation).where(OutboxMutation.row_id == note_id)
        ).all()
        assert mutation.operation == "insert"
        assert mutation.changed["message"] == "first"
        stored = session.get(Notification, note_id)
        assert stored is not None
        assert stored.message == "first"


def test_nested_savepoints_inner_rollback_keeps_the_outer(clinic: Clinic) -> None:
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx, tx.savepoint():
        ids["outer"] = _note(tx, "outer")
        with pytest.raises(Boom):
            _note_then_fail(tx, "inner", ids)
        with tx.savepoint():
            ids["inner kept"] = _note(tx, "inner kept")

    assert _trace(clinic, ids["inner"]) == (0, 0, 0, 0)
    assert _trace(clinic, ids["outer"]) == (1, 1, 1, 1)
    assert _trace(clinic, ids["inner kept"]) == (1, 1, 1, 1)


def test_an_outer_rollback_undoes_the_inner_savepoints_that_succeeded(clinic: Clinic) -> None:
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx:
        ids["kept"] = _note(tx, "kept")
        with pytest.raises(Boom):
            _nested_then_fail(tx, ids)

    assert _trace(clinic, ids["inner"]) == (0, 0, 0, 0)
    assert _trace(clinic, ids["outer"]) == (0, 0, 0, 0)
    assert _trace(clinic, ids["kept"]) == (1, 1, 1, 1)


def test_an_exception_escaping_the_transaction_writes_nothing(clinic: Clinic) -> None:
    ids: dict[str, uuid.UUID] = {}
    with pytest.raises(Boom):
        _transaction_then_fail(clinic, ids)

    assert _trace(clinic, ids["saved"]) == (0, 0, 0, 0)


def test_caused_by_sets_parent_and_depth_of_events_inside_it(clinic: Clinic) -> None:
    parent_a, parent_b = uuid.uuid4(), uuid.uuid4()
    with clinic.ctx.transaction() as tx:
        outside = tx.emit("test.outside", "notification", uuid.uuid4())
        with tx.caused_by(parent_a, 3):
            inside_a = tx.emit("test.a", "notification", uuid.uuid4())
            with tx.caused_by(parent_b, 4), tx.savepoint():
                inside_b = tx.emit("test.b", "notification", uuid.uuid4())
            back_in_a = tx.emit("test.a2", "notification", uuid.uuid4())
        after = tx.emit("test.after", "notification", uuid.uuid4())

    assert (outside.parent_event_id, outside.depth) == (None, 0)
    assert (inside_a.parent_event_id, inside_a.depth) == (parent_a, 3)
    assert (inside_b.parent_event_id, inside_b.depth) == (parent_b, 4)
    assert (back_in_a.parent_event_id, back_in_a.depth) == (parent_a, 3)
    assert (after.parent_event_id, after.depth) == (None, 0)
    with clinic.ctx.sessions() as session:
        stored = session.get(DomainEvent, inside_b.id)
        assert stored is not None
        assert (stored.parent_event_id, stored.depth) == (parent_b, 4)


def test_caused_by_restores_the_parent_when_its_block_raises(clinic: Clinic) -> None:
    with clinic.ctx.transaction() as tx:
        with pytest.raises(Boom), tx.caused_by(uuid.uuid4(), 2):
            raise Boom
        event = tx.emit("test.after", "notification", uuid.uuid4())
    assert (event.parent_event_id, event.depth) == (None, 0)


# --- rows written at commit, in-memory savepoints ----------------------------------------------


def _queue_note(tx: UnitOfWork, label: str) -> uuid.UUID:
    """A synced row queued for the commit, with its event and audit entry."""
    note = Notification(
        id=uuid.uuid4(), organization_id=tx.organization_id, target="staff", message=label
    )
    tx.add_later(note)
    tx.emit("test.noted", "notification", note.id, {"label": label})
    tx.audit("test.noted", "notification", note.id, {"label": label})
    return note.id


def _read(tx: UnitOfWork) -> None:
    tx.session.scalar(select(func.count()).select_from(Notification))


def _queue_then_fail(
    tx: UnitOfWork, label: str, ids: dict[str, uuid.UUID], *, in_memory: bool = True
) -> None:
    with tx.savepoint(in_memory=in_memory):
        _read(tx)
        ids[label] = _queue_note(tx, label)
        raise Boom


def _write_in_memory_and_fail_quietly(clinic: Clinic) -> None:
    with clinic.ctx.transaction() as tx:
        _note(tx, "earlier")
        try:
            with tx.savepoint(in_memory=True):
                _note(tx, "flushed inside")
                raise Boom
        except Boom:
            pass  # as a handler's caller records a failed action and goes on


def _savepoints(statements: list[str]) -> list[str]:
    return [s.split()[0] for s in statements if s.startswith(("SAVEPOINT", "RELEASE"))]


@contextmanager
def _statements(clinic: Clinic) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []
    engine = clinic.ctx.sessions.kw["bind"]

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_row_added_later_is_written_at_commit_with_its_outbox_mutation(clinic: Clinic) -> None:
    with clinic.ctx.transaction() as tx:
        note_id = _queue_note(tx, "later")
        assert tx.session.get(Notification, note_id) is None  # not before the commit
    assert _trace(clinic, note_id) == (1, 1, 1, 1)
    assert note_id in tx.changes.created["notifications"]
    with clinic.ctx.sessions() as session:
        stored = session.get_one(Notification, note_id)
        # The column defaults the ORM would have filled in.
        assert (stored.priority, stored.row_version) == ("normal", 1)
        (mutation,) = session.scalars(
            select(OutboxMutation).where(OutboxMutation.row_id == note_id)
        ).all()
        assert (mutation.operation, mutation.changed["message"]) == ("insert", "later")


def test_an_in_memory_savepoint_sends_no_savepoint_and_forgets_what_it_queued(
    clinic: Clinic,
) -> None:
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx:
        ids["before"] = _note(tx, "before")
        with _statements(clinic) as sent:
            with pytest.raises(Boom):
                _queue_then_fail(tx, "failed", ids)
            with tx.savepoint(in_memory=True):
                _read(tx)
                ids["kept"] = _queue_note(tx, "kept")
        assert _savepoints(sent) == []
        assert len(sent) == 2  # the two reads

    assert _trace(clinic, ids["failed"]) == (0, 0, 0, 0)
    assert _trace(clinic, ids["kept"]) == (1, 1, 1, 1)
    assert _trace(clinic, ids["before"]) == (1, 1, 1, 1)
    assert tx.changes.events == ["test.noted", "test.noted"]


def test_a_savepoint_that_rolls_back_forgets_rows_queued_inside_it(clinic: Clinic) -> None:
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx:
        with pytest.raises(Boom):
            _queue_then_fail(tx, "failed", ids, in_memory=False)
        ids["kept"] = _queue_note(tx, "kept")

    assert _trace(clinic, ids["failed"]) == (0, 0, 0, 0)
    assert _trace(clinic, ids["kept"]) == (1, 1, 1, 1)


def test_an_in_memory_savepoint_with_unflushed_rows_around_it_is_a_real_one(
    clinic: Clinic,
) -> None:
    with clinic.ctx.transaction() as tx:
        pending = Notification(organization_id=tx.organization_id, target="staff", message="p")
        tx.session.add(pending)
        with _statements(clinic) as sent, tx.savepoint(in_memory=True):
            _read(tx)
            _queue_note(tx, "inside")
        assert _savepoints(sent) == ["SAVEPOINT", "RELEASE"]
    assert _count(clinic, Notification) == 2


def test_an_in_memory_savepoint_that_wrote_and_failed_refuses_the_commit(
    clinic: Clinic,
) -> None:
    """Its flushed row cannot be undone alone: whoever catches the failure, the transaction
    rolls back as a whole."""
    before = _count(clinic, OutboxMutation)
    with pytest.raises(RuntimeError, match="in-memory savepoint"):
        _write_in_memory_and_fail_quietly(clinic)
    assert _count(clinic, Notification) == 0
    assert _count(clinic, OutboxMutation) == before


def _insert_now_then_fail(tx: UnitOfWork, ids: dict[str, uuid.UUID]) -> None:
    with tx.savepoint():
        note = Notification(
            id=uuid.uuid4(), organization_id=tx.organization_id, target="staff", message="gone"
        )
        tx.insert_now(note)
        ids["failed"] = note.id
        raise Boom


def test_a_row_inserted_now_is_seen_at_once_and_undone_with_its_savepoint(
    clinic: Clinic,
) -> None:
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx:
        with pytest.raises(Boom):
            _insert_now_then_fail(tx, ids)
        with tx.savepoint():
            note = Notification(
                id=uuid.uuid4(), organization_id=tx.organization_id, target="staff", message="n"
            )
            tx.insert_now(note)
        seen = tx.session.scalar(select(Notification.message).where(Notification.id == note.id))
        assert seen == "n"

    assert _trace(clinic, ids["failed"]) == (0, 0, 0, 0)
    assert (_count(clinic, Notification), _outbox_rows(clinic, note.id)) == (1, 1)
    assert tx.changes.ids("notifications") == {note.id}


def _insert_now_in_memory_then_fail(
    tx: UnitOfWork, ids: dict[str, uuid.UUID], *, then_flush: bool = False
) -> None:
    with tx.savepoint(in_memory=True):
        note = Notification(
            id=uuid.uuid4(), organization_id=tx.organization_id, target="staff", message="gone"
        )
        with tx.savepoint(in_memory=True):
            tx.insert_now(note)
        ids["inserted"] = note.id
        tx.emit("test.noted", "notification", note.id)
        if then_flush:
            ids["flushed"] = _note(tx, "flushed")
        raise Boom


def test_an_in_memory_savepoint_deletes_the_rows_it_inserted_now_when_it_fails(
    clinic: Clinic,
) -> None:
    """Rows inserted with `insert_now` (here in a nested block that succeeded) are all such a
    savepoint wrote: it undoes them without SQL SAVEPOINT, and the rest commits."""
    ids: dict[str, uuid.UUID] = {}
    with clinic.ctx.transaction() as tx:
        with _statements(clinic) as sent, pytest.raises(Boom):
            _insert_now_in_memory_then_fail(tx, ids)
        assert _savepoints(sent) == []
        kept = _note(tx, "kept")

    assert _trace(clinic, ids["inserted"]) == (0, 0, 0, 0)
    assert _trace(clinic, kept) == (1, 1, 1, 1)
    assert tx.changes.ids("notifications") == {kept}


def _insert_now_and_flush_then_fail_quietly(clinic: Clinic, ids: dict[str, uuid.UUID]) -> None:
    # As a handler's caller records a failed action and goes on.
    with clinic.ctx.transaction() as tx, suppress(Boom):
        _insert_now_in_memory_then_fail(tx, ids, then_flush=True)


def test_an_in_memory_savepoint_that_inserted_now_and_flushed_refuses_the_commit(
    clinic: Clinic,
) -> None:
    before = _count(clinic, OutboxMutation)
    ids: dict[str, uuid.UUID] = {}
    with pytest.raises(RuntimeError, match="in-memory savepoint"):
        _insert_now_and_flush_then_fail_quietly(clinic, ids)
    assert _count(clinic, Notification) == 0
    assert _count(clinic, OutboxMutation) == before
