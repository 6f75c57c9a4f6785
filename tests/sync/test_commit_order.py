"""A pull never misses a change that a slower transaction commits late."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import text

from frontdesk.domain.enums import Role
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.store.models import PatientPerson
from tests.sync.conftest import Clinic, DeskFactory, seed_catalog

RENAME = text(
    "UPDATE patient_persons SET first_name = :name, row_version = row_version + 1 WHERE id = :id"
)


def test_a_change_committed_late_is_not_skipped(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    seeded = seed_catalog(front, patients_count=2)
    front.sync()
    reader = make_desk("reader")
    slow_id, quick_id = seeded.patient_ids
    sessions = scoped_sessions(
        sync_clinic.server.database.engine,
        Scope(organization_id=sync_clinic.organization_id, role="admin"),
    )

    slow = sessions()
    slow.begin()
    slow.execute(RENAME, {"name": "Slow", "id": slow_id})  # takes the next version, holds it
    quick_done = threading.Event()

    def quick_writer() -> None:
        with sessions.begin() as quick:
            quick.execute(RENAME, {"name": "Quick", "id": quick_id})
        quick_done.set()

    writer = threading.Thread(target=quick_writer)
    writer.start()
    # The quick writer cannot take a version while the slow one holds its organization's
    # counter: a version is only handed out in commit order.
    assert not quick_done.wait(0.5)
    early = reader.sync()
    assert early.pulled == 0

    slow.commit()
    slow.close()
    writer.join(timeout=10)
    assert quick_done.is_set()
    late = reader.sync()

    assert late.pulled == 2
    assert _first_name(reader, slow_id) == "Slow"
    assert _first_name(reader, quick_id) == "Quick"
    with sessions.begin() as session:
        versions = dict(
            session.execute(
                text("SELECT row_id, version FROM sync_changes WHERE row_id IN (:a, :b)"),
                {"a": slow_id, "b": quick_id},
            ).all()
        )
    assert versions[slow_id] < versions[quick_id]


def _first_name(desk: object, person_id: uuid.UUID) -> str:
    with desk.mirror.sessions() as session:  # type: ignore[attr-defined]
        person = session.get(PatientPerson, person_id)
        assert person is not None
        return person.first_name
