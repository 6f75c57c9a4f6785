"""Accounts are the server's: a desk asks for a patient's login, the server makes it or links
the one the address has, and no clinic can tell which, nor keep another from the address."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from sqlalchemy import select, text

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import Role
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import patients
from frontdesk.store.mirror import open_mirror
from frontdesk.store.models import OutboxMutation, PatientPerson, SyncConflict, User
from frontdesk.store.profile import Profile
from frontdesk.sync.account import sign_in
from frontdesk.sync.apply import read_cursor
from tests.support.postgres import TEST_PASSWORD
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory

_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_INSTANT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_CURSOR_SEQ = re.compile(r'("cursor":")([^"]*)(")')


def _clinic_desk(sync_clinic: Clinic, tmp_path: Path, slug: str) -> Desk:
    """An admin's desk of a clinic of its own on the same server."""
    organization = sync_clinic.server.create_org(name="Hillside", slug=slug)
    email = f"admin@{slug}.example.com"
    sync_clinic.server.create_user(organization.id, email, role=Role.ADMIN, display_name="Admin")
    profile = Profile.resolve(tmp_path / slug)
    account = sign_in(
        profile,
        server_url=sync_clinic.server.url,
        email=email,
        password=TEST_PASSWORD,
        verify=str(sync_clinic.server.ca_path),
    )
    desk = Desk(slug, open_mirror(profile), account, FixedClock(NOW))
    desk.sync()
    return desk


def _register(desk: Desk, email: str, first_name: str = "Ana") -> uuid.UUID:
    return patients.register_patient(
        desk.ctx, first_name=first_name, last_name="Pop", email=email
    ).value.id


def _accounts_of(sync_clinic: Clinic, email: str) -> list[uuid.UUID]:
    """The accounts with this address (seen as while signing it in)."""
    sessions = scoped_sessions(sync_clinic.server.database.engine, Scope(login_email=email))
    with sessions() as session:
        return list(
            session.scalars(
                text("SELECT id FROM users WHERE lower(email) = lower(:e)"), {"e": email}
            )
        )


def _login_of(sync_clinic: Clinic, desk: Desk, person_id: uuid.UUID) -> uuid.UUID | None:
    """The account the server linked to a clinic's record of a person."""
    scope = Scope(organization_id=desk.account.organization_id, role="admin")
    with scoped_sessions(sync_clinic.server.database.engine, scope)() as session:
        return session.scalar(
            text("SELECT user_id FROM patient_persons WHERE id = :id"), {"id": person_id}
        )


def _what_the_desk_is_told(desk: Desk, email: str) -> str:
    """Every answer the server gives a desk that registers a patient with `email`: its
    push, then its pull, as they came over the wire."""
    cursor = read_cursor(desk.mirror.engine).cursor
    _register(desk, email)
    with desk.mirror.sessions() as session:
        pending = session.scalars(
            select(OutboxMutation)
            .where(OutboxMutation.pushed_at.is_(None))
            .order_by(OutboxMutation.device_seq)
        ).all()
    mutations = [
        {
            "seq": row.device_seq,
            "table": row.table_name,
            "row_id": str(row.row_id),
            "operation": row.operation,
            "changed": row.changed,
        }
        for row in pending
    ]
    pushed = desk.account.request(
        "POST",
        "/v1/sync/push",
        json={"device_id": str(desk.mirror.device_id), "mutations": mutations},
    )
    pulled = desk.account.request("GET", "/v1/sync/pull", params={"cursor": cursor, "limit": 500})
    assert (pushed.status_code, pulled.status_code) == (200, 200), pushed.text + pulled.text
    return pushed.text + "\n" + pulled.text


def _apart_from_the_request(told: str, desk: Desk, email: str) -> str:
    """`told` with what is made for the request (its ids, its time, the address it asked
    for) and what is the clinic's own (its ids, its admin) put in their order of appearance,
    and the cursor's server-wide position left out."""
    told = _CURSOR_SEQ.sub(r"\1<cursor>\3", told)
    told = told.replace(f"admin@{desk.name}.example.com", "<admin>").replace(email, "<asked>")
    told = _INSTANT.sub("<time>", told)
    names: dict[str, str] = {}
    return _UUID.sub(lambda m: names.setdefault(m[0].replace("-", ""), f"<id{len(names)}>"), told)


def test_a_clinic_cannot_tell_a_patient_of_another_from_an_unknown_address(
    make_desk: DeskFactory, sync_clinic: Clinic, tmp_path: Path
) -> None:
    clinic_a = make_desk("front", Role.RECEPTIONIST)
    # Its own name and spelling of the address: neither may reach another clinic.
    _register(clinic_a, "Ana.Pop@example.com", first_name="Anastasia")
    clinic_a.sync()
    assert len(_accounts_of(sync_clinic, "ana.pop@example.com")) == 1
    # Two clinics in the same state; one asks for A's patient, the other for a stranger.
    asks_for_a_patient = _clinic_desk(sync_clinic, tmp_path, "hillside")
    asks_for_a_stranger = _clinic_desk(sync_clinic, tmp_path, "lakeside")

    known = _what_the_desk_is_told(asks_for_a_patient, "ana.pop@example.com")
    unknown = _what_the_desk_is_told(asks_for_a_stranger, "nobody.here@example.com")

    (login,) = _accounts_of(sync_clinic, "ana.pop@example.com")
    assert login.hex not in known.replace("-", "")  # the account itself is never named
    known = _apart_from_the_request(known, asks_for_a_patient, "ana.pop@example.com")
    unknown = _apart_from_the_request(unknown, asks_for_a_stranger, "nobody.here@example.com")
    assert known == unknown
    assert '"conflict"' not in known  # a real answer: applied, and the rows come back
    assert '"patient_persons"' in known
    # And the server did link both: one account for A's patient, a new one for the stranger.
    assert len(_accounts_of(sync_clinic, "ana.pop@example.com")) == 1
    assert len(_accounts_of(sync_clinic, "nobody.here@example.com")) == 1


def test_claiming_an_address_first_does_not_stop_another_clinic_and_one_login_sees_both(
    make_desk: DeskFactory, sync_clinic: Clinic, tmp_path: Path
) -> None:
    clinic_b = _clinic_desk(sync_clinic, tmp_path, "hillside")
    claimed = _register(clinic_b, "ana.pop@example.com", first_name="Someone")
    clinic_b.sync()

    clinic_a = make_desk("front", Role.RECEPTIONIST)
    ours = _register(clinic_a, "Ana.Pop@example.com")  # the same address, cased otherwise
    report = clinic_a.sync()

    assert report.conflicts == []
    with clinic_a.mirror.sessions() as session:
        assert session.scalars(select(SyncConflict)).all() == []
        person = session.get_one(PatientPerson, ours)
        # The desk knows a login was asked for, never which account it is.
        assert (person.account_requested_at, person.user_id) == (NOW, None)
        assert session.scalars(select(User).where(User.email.ilike("ana.pop%"))).all() == []
    (login,) = _accounts_of(sync_clinic, "ana.pop@example.com")
    assert (
        _login_of(sync_clinic, clinic_a, ours) == _login_of(sync_clinic, clinic_b, claimed) == login
    )


def test_a_login_asked_for_offline_is_made_when_the_desk_reaches_the_server(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.RECEPTIONIST)
    person = _register(desk, "offline@example.com")
    assert _accounts_of(sync_clinic, "offline@example.com") == []  # queued, not yet sent

    desk.sync()

    (login,) = _accounts_of(sync_clinic, "offline@example.com")
    assert _login_of(sync_clinic, desk, person) == login
    assert uuid.UUID(str(login)).version == 4  # its id says nothing of when it was made


def test_accounts_a_clinic_does_not_employ_reach_it_as_blank_stand_ins(
    make_desk: DeskFactory, sync_clinic: Clinic, tmp_path: Path
) -> None:
    other = _clinic_desk(sync_clinic, tmp_path, "hillside")
    _register(other, "ana.pop@example.com")
    other.sync()
    (login,) = _accounts_of(sync_clinic, "ana.pop@example.com")
    desk = make_desk("front", Role.ADMIN)
    person = _register(desk, "ana.pop@example.com")
    desk.sync()
    # The patient acts in the portal (a row of this clinic names their account).
    scope = Scope(organization_id=desk.account.organization_id, role="admin")
    with scoped_sessions(sync_clinic.server.database.engine, scope).begin() as session:
        changed = session.execute(
            text("UPDATE patients SET onboarded_by_user_id = :u WHERE patient_person_id = :p"),
            {"u": login, "p": person},
        )
        assert changed.rowcount == 1

    desk.sync()

    with desk.mirror.sessions() as session:
        stand_in = session.get_one(User, login)
        staff = session.get_one(User, desk.account.user_id)
    assert (stand_in.email, stand_in.display_name) == (f"{login.hex}@account.invalid", "")
    assert stand_in.created_at.year == 1970
    assert (staff.email, staff.display_name) == ("front@example.com", "Front")


def test_a_desk_cannot_point_a_record_at_an_account(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    person = _register(desk, "ana.pop@example.com")
    desk.sync()
    (login,) = _accounts_of(sync_clinic, "ana.pop@example.com")

    answer = desk.account.request(
        "POST",
        "/v1/sync/push",
        json={
            "device_id": str(desk.mirror.device_id),
            "mutations": [
                {
                    "seq": _next_seq(desk),
                    "table": "patient_persons",
                    "row_id": str(person),
                    "operation": "update",
                    "changed": {"user_id": str(desk.account.user_id)},
                    "base_version": 1,
                }
            ],
        },
    )

    assert answer.status_code == 200, answer.text
    assert _login_of(sync_clinic, desk, person) == login  # what a desk says of it is ignored


def _next_seq(desk: Desk) -> int:
    with desk.mirror.engine.connect() as connection:
        last = connection.exec_driver_sql(
            "SELECT coalesce(max(device_seq), 0) FROM sync_outbox"
        ).scalar()
    return int(last) + 1


def _change_email(desk: Desk, person_id: uuid.UUID, email: str | None, seq: int) -> None:
    """The desk pushes a new address for the person (as the profiles service's edit would),
    as its change number `seq`."""
    with desk.mirror.sessions() as session:
        base = session.get_one(PatientPerson, person_id).row_version
    answer = desk.account.request(
        "POST",
        "/v1/sync/push",
        json={
            "device_id": str(desk.mirror.device_id),
            "mutations": [
                {
                    "seq": seq,
                    "table": "patient_persons",
                    "row_id": str(person_id),
                    "operation": "update",
                    "changed": {"email": email},
                    "base_version": base,
                }
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["outcome"] in ("applied", "merged"), answer.text
    desk.sync()


def test_a_corrected_address_moves_the_record_to_that_addresss_account(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.ADMIN)
    person = _register(desk, "ana.ppo@example.com")  # a typo
    desk.sync()
    (typo,) = _accounts_of(sync_clinic, "ana.ppo@example.com")

    seq = _next_seq(desk)
    _change_email(desk, person, "ana.pop@example.com", seq)
    (right,) = _accounts_of(sync_clinic, "ana.pop@example.com")
    assert _login_of(sync_clinic, desk, person) == right != typo

    _change_email(desk, person, None, seq + 1)  # no address: no login
    assert _login_of(sync_clinic, desk, person) is None


def test_a_staff_account_for_a_patients_address_is_the_same_account(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    desk = make_desk("front", Role.RECEPTIONIST)
    _register(desk, "ana.pop@example.com")
    desk.sync()
    (login,) = _accounts_of(sync_clinic, "ana.pop@example.com")

    staff = sync_clinic.server.create_user(
        sync_clinic.organization_id, "ANA.POP@example.com", role=Role.SPECIALIST, display_name="Ana"
    )

    assert staff.id == login
    assert _accounts_of(sync_clinic, "ana.pop@example.com") == [login]
