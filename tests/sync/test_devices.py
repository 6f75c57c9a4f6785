"""A desk's device and its sequence numbers: another desk cannot take the device over, a
batch whose numbers jump is refused whole, and the desk keeps its outbox when refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, text

from frontdesk.domain.enums import Role
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import patients
from frontdesk.store.models import LocalSetting, OutboxMutation
from frontdesk.store.unit_of_work import DEVICE_SETTING
from frontdesk.sync.account import sign_in
from frontdesk.sync.protocol import MAX_BIGINT
from frontdesk.sync.push import push_pending
from frontdesk.sync.transport import SyncError
from tests.server.seed import device_login
from tests.support.postgres import TEST_PASSWORD
from tests.sync.conftest import Clinic, Desk, DeskFactory, seed_catalog
from tests.sync.snapshots import server_snapshot


def _cursor(clinic: Clinic, desk: Desk) -> int:
    scope = Scope(organization_id=clinic.organization_id)
    with scoped_sessions(clinic.server.database.engine, scope).begin() as session:
        return int(
            session.scalar(
                text("SELECT last_seq FROM sync_device_cursors WHERE device_id = :device"),
                {"device": desk.mirror.device_id},
            )
        )


def _push(desk: Desk, seq: int, **extra: Any) -> Any:
    mutation = {
        "seq": seq,
        "table": "patient_persons",
        "row_id": str(uuid.uuid4()),
        "operation": "update",
        "changed": {"notes": "x"},
        "base_version": 1,
    }
    body = {"device_id": str(desk.mirror.device_id), "mutations": [mutation], **extra}
    return desk.account.request("POST", "/v1/sync/push", json=body)


def _register(desk: Desk, name: str) -> uuid.UUID:
    return patients.register_patient(
        desk.ctx, first_name=name, last_name="Late", request_account=False
    ).value.id


def _unpushed(desk: Desk) -> int:
    with desk.mirror.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMutation)
                .where(OutboxMutation.pushed_at.is_(None))
            )
            or 0
        )


def test_another_desk_cannot_take_a_device_over_nor_jump_its_sequence(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    victim = make_desk("front", Role.ADMIN)
    seed_catalog(victim)
    victim.sync()
    attacker = make_desk("evil", Role.RECEPTIONIST)
    before = _cursor(sync_clinic, victim)

    # Device ids are visible to every desk; without the victim's secret the id is refused.
    takeover = device_login(
        sync_clinic.server, "evil@example.com", device_id=victim.mirror.device_id
    )
    assert takeover.status_code == 403
    assert "registered to another desk" in takeover.json()["detail"][0]["msg"]
    # The attacker's own session cannot push for the victim's device either.
    foreign = attacker.account.request(
        "POST",
        "/v1/sync/push",
        json={"device_id": str(victim.mirror.device_id), "mutations": []},
    )
    assert foreign.status_code == 403

    # A jump to the largest sequence number is refused whole, even from the device itself.
    jump = _push(victim, MAX_BIGINT)
    assert jump.status_code == 409
    assert jump.json()["detail"] == (
        f"seq: the batch does not follow on from {before} (no mutation {before + 1})"
    )
    assert _cursor(sync_clinic, victim) == before

    # The victim's later changes arrive and are applied, not skipped.
    late = _register(victim, "Ana")
    report = push_pending(victim.mirror, victim.account)
    assert report.pushed >= 1
    assert _cursor(sync_clinic, victim) > before
    snapshot = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert str(late) in snapshot["patient_persons"]


def test_numbers_of_mutations_that_stay_on_the_desk_fill_the_gaps(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    start = _cursor(sync_clinic, desk) + 1
    covered = desk.account.request(
        "POST",
        "/v1/sync/push",
        json={
            "device_id": str(desk.mirror.device_id),
            "mutations": [],
            "local_seqs": [start, start + 1],
        },
    )
    assert covered.status_code == 200, covered.text
    assert covered.json()["acknowledged_seq"] == start + 1
    gap = _push(desk, start + 3, local_seqs=[start + 2, start + 4])
    assert gap.status_code == 200, gap.text  # 2 local, 3 pushed, 4 local: no gap
    missing = _push(desk, start + 7, local_seqs=[start + 5])
    assert missing.status_code == 409
    assert "no mutation" in missing.json()["detail"]
    assert _cursor(sync_clinic, desk) == start + 4


def _server_forgets(clinic: Clinic, desk: Desk) -> None:
    """The server lost track of this desk's pushes (restored from an older backup, say)."""
    scope = Scope(organization_id=clinic.organization_id)
    with scoped_sessions(clinic.server.database.engine, scope).begin() as session:
        session.execute(
            text("UPDATE sync_device_cursors SET last_seq = 0 WHERE device_id = :device"),
            {"device": desk.mirror.device_id},
        )


def test_a_refused_batch_stays_in_the_outbox(make_desk: DeskFactory, sync_clinic: Clinic) -> None:
    desk = make_desk("front", Role.ADMIN)
    seed_catalog(desk)
    desk.sync()
    _register(desk, "Ioana")
    pending = _unpushed(desk)
    assert pending >= 1
    _server_forgets(sync_clinic, desk)
    with desk.mirror.sessions.begin() as session:  # and the desk no longer keeps them
        session.execute(
            OutboxMutation.__table__.delete().where(OutboxMutation.pushed_at.is_not(None))
        )
    with pytest.raises(SyncError, match="does not follow on from 0"):
        push_pending(desk.mirror, desk.account)
    assert _unpushed(desk) == pending


def test_a_desk_sends_again_what_the_server_lost(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    seed_catalog(desk)
    desk.sync()
    pushed = _cursor(sync_clinic, desk)
    _register(desk, "Ioana")
    pending = _unpushed(desk)
    _server_forgets(sync_clinic, desk)
    summary = push_pending(desk.mirror, desk.account)
    assert summary.conflict_ids == []
    assert summary.pushed == pushed + pending  # the kept outbox, then what waited
    assert _unpushed(desk) == 0
    assert _cursor(sync_clinic, desk) == pushed + pending


def test_a_desk_signs_in_again_with_its_own_secret(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    device = desk.mirror.device_id
    wrong_password = device_login(
        sync_clinic.server, "front@example.com", device_id=device, password="wrong one!"
    )
    assert wrong_password.status_code == 401  # the device is never named before the password
    again = sign_in(
        desk.account.profile,
        server_url=sync_clinic.server.url,
        email="front@example.com",
        password=TEST_PASSWORD,
        verify=str(sync_clinic.server.ca_path),
    )
    assert again.device_id == device
    again.close()


def _timer_mutation(desk: Desk, organization_id: uuid.UUID) -> int:
    """A local-only mutation (a timer) takes the desk's next outbox number, as the unit of
    work gives it; returns that number."""
    with desk.mirror.sessions.begin() as session:
        device = session.scalar(select(LocalSetting).where(LocalSetting.key == DEVICE_SETTING))
        assert device is not None
        seq = int(device.value["next_seq"])
        device.value = {**device.value, "next_seq": seq + 1}
        session.add(
            OutboxMutation(
                device_id=desk.mirror.device_id,
                device_seq=seq,
                organization_id=organization_id,
                table_name="timers",
                row_id=uuid.uuid4(),
                operation="insert",
                changed={"kind": "reminder"},
            )
        )
    return seq


def test_the_desk_names_the_numbers_of_mutations_that_stay_local(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    _register(desk, "Before")
    first_timer = _timer_mutation(desk, sync_clinic.organization_id)
    _register(desk, "Between")
    last_timer = _timer_mutation(desk, sync_clinic.organization_id)  # the batch ends local

    report = push_pending(desk.mirror, desk.account)

    assert report.pushed >= 2
    assert _unpushed(desk) == 0
    assert _cursor(sync_clinic, desk) == last_timer > first_timer
    # A batch of local mutations alone is sent too: the server's numbering keeps up.
    only_local = _timer_mutation(desk, sync_clinic.organization_id)
    push_pending(desk.mirror, desk.account)
    assert _cursor(sync_clinic, desk) == only_local
    _register(desk, "After")
    assert push_pending(desk.mirror, desk.account).pushed >= 1


def test_another_organizations_pushed_changes_are_never_sent_again_here(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    seed_catalog(desk)
    desk.sync()
    _register(desk, "Ioana")
    pending = _unpushed(desk)
    _server_forgets(sync_clinic, desk)
    with desk.mirror.engine.connect() as connection:  # pushed while it worked for another clinic
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")  # that clinic's rows are gone
        connection.execute(
            OutboxMutation.__table__.update()
            .where(OutboxMutation.pushed_at.is_not(None))
            .values(organization_id=uuid.uuid4())
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
    with pytest.raises(SyncError, match="does not follow on from 0"):
        push_pending(desk.mirror, desk.account)
    assert _unpushed(desk) == pending
