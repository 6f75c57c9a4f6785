"""Conflicts: recorded by the server, synced to every desk, resolved through the service."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services import conflicts, lifecycle
from frontdesk.store.models import Appointment, SyncConflict
from frontdesk.store.unit_of_work import Actor
from tests.sync.conftest import NOW, Desk, DeskFactory, seed_catalog, walk_in

TEN = NOW + timedelta(days=1, hours=3)


def _two_desks_and_a_booking(make_desk: DeskFactory) -> tuple[Desk, Desk, Appointment, object]:
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    seeded = seed_catalog(front)
    shared = walk_in(front, seeded, TEN)
    front.sync()
    back.sync()
    return front, back, shared, seeded


def test_keeping_mine_writes_the_lost_values_back_everywhere(make_desk: DeskFactory) -> None:
    front, back, shared, _ = _two_desks_and_a_booking(make_desk)
    lifecycle.reschedule(front.ctx, shared.id, start=TEN + timedelta(hours=1))
    lifecycle.reschedule(back.ctx, shared.id, start=TEN + timedelta(hours=2))
    front.sync()
    back.sync()
    [conflict] = conflicts.list_open(back.ctx)
    assert conflict.row_id == shared.id
    assert {f.name for f in conflict.fields} >= {"started_at", "ended_at"}
    assert "Appointment" in conflict.label

    conflicts.resolve(back.ctx, conflict.id, keep="mine")
    back.sync()
    front.sync()

    for desk in (front, back):
        assert conflicts.list_open(desk.ctx) == []
        with desk.mirror.sessions() as session:
            moved = session.get(Appointment, shared.id)
            assert moved is not None
            assert moved.started_at == TEN + timedelta(hours=2)
            resolved = session.get(SyncConflict, conflict.id)
            assert resolved is not None
            assert resolved.status == "resolved"


def test_a_refused_booking_comes_back_when_its_slot_is_free(make_desk: DeskFactory) -> None:
    front, back, _, seeded = _two_desks_and_a_booking(make_desk)
    slot = TEN + timedelta(hours=4)
    first = walk_in(front, seeded, slot)
    second = walk_in(back, seeded, slot, patient=1)
    front.sync()
    back.sync()
    refused = next(c for c in conflicts.list_open(back.ctx) if c.row_id == second.id)
    assert refused.row_missing
    assert "already has an appointment" in refused.reason
    with back.mirror.sessions() as session:
        assert session.get(Appointment, second.id) is None

    lifecycle.cancel(front.ctx, first.id, reason="moved to another day")
    front.sync()
    back.sync()
    conflicts.resolve(back.ctx, refused.id, keep="mine")
    report = back.sync()
    front.sync()

    assert report.conflicts == []
    with front.mirror.sessions() as session:
        restored = session.get(Appointment, second.id)
        assert restored is not None
        assert restored.patient_person_id == seeded.patient_ids[1]
        assert restored.started_at == slot


def test_resolving_refuses_bad_choices(make_desk: DeskFactory) -> None:
    front, back, shared, _ = _two_desks_and_a_booking(make_desk)
    lifecycle.reschedule(front.ctx, shared.id, start=TEN + timedelta(hours=1))
    lifecycle.reschedule(back.ctx, shared.id, start=TEN + timedelta(hours=2))
    front.sync()
    back.sync()
    [conflict] = conflicts.list_open(back.ctx)
    specialist = back.ctx.acting_as(Actor(Role.SPECIALIST, uuid.uuid4(), "Dr Other"))

    with pytest.raises(InvalidInput, match="not part of this conflict"):
        conflicts.resolve(back.ctx, conflict.id, keep={"no_such_field": "mine"})
    with pytest.raises(InvalidInput, match="Choose which value to keep"):
        conflicts.resolve(back.ctx, conflict.id, keep={"started_at": "mine"})
    with pytest.raises(PermissionDenied):
        conflicts.resolve(specialist, conflict.id, keep="theirs")
    with pytest.raises(NotFound):
        conflicts.resolve(back.ctx, uuid.uuid4(), keep="theirs")
    assert len(conflicts.list_open(back.ctx)) == 1  # nothing was written by the refusals

    choice = {f.name: "theirs" for f in conflict.fields}
    conflicts.resolve(back.ctx, conflict.id, keep=choice)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="resolved already"):
        conflicts.resolve(back.ctx, conflict.id, keep="theirs")
    back.sync()
    with back.mirror.sessions() as session:
        kept = session.get(Appointment, shared.id)
        assert kept is not None
        assert kept.started_at == TEN + timedelta(hours=1)
        assert session.scalars(select(SyncConflict.status)).all() == ["resolved"]
