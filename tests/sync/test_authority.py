"""The server trusts a push no further than the pusher's role: what a staff member's crafted
push tried inside their own clinic, each refused, recorded as a conflict the desk shows, and
the server's row left as it was (and given back to the desk)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import FieldType, FormStatus, FormType, Role
from frontdesk.domain.form_signature import content_hash
from frontdesk.i18n.text import shown
from frontdesk.services import booking, catalog, forms
from frontdesk.services.forms import signed_content
from frontdesk.store.models import Appointment, FormInstance, PatientPerson, SyncConflict
from tests.sync.conftest import NOW, Catalog, Clinic, Desk, DeskFactory, seed_catalog
from tests.sync.snapshots import server_snapshot

SIGNATURE = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0 L10 10"/></svg>'


@dataclass
class Scene:
    front: Desk
    doctor: Desk
    seeded: Catalog
    own: Appointment  # the doctor's
    colleagues: Appointment  # another specialist's
    colleagues_form: FormInstance


@pytest.fixture
def scene(make_desk: DeskFactory, sync_clinic: Clinic) -> Scene:
    front = make_desk("front", Role.ADMIN)
    doctor_user = sync_clinic.server.create_user(
        sync_clinic.organization_id, "dr@example.com", role=Role.SPECIALIST
    )
    front.sync()
    seeded = seed_catalog(front)
    mine = catalog.add_specialist(front.ctx, name="Dr Own", user_id=doctor_user.id).value
    service_id = catalog.add_service(
        front.ctx,
        name="Own consult",
        duration_minutes=30,
        specialist_ids=[mine.id, seeded.other_specialist_id],
    ).value.id
    catalog.add_form_template(
        front.ctx,
        key="history",
        title="Medical history",
        form_type=FormType.SURVEY,
        fields=[{"key": "notes", "label": "Notes", "type": FieldType.TEXT}],
    )
    start = NOW + timedelta(days=1, hours=3)
    own = booking.book_walk_in(
        front.ctx,
        patient_person_id=seeded.patient_ids[0],
        service_id=service_id,
        specialist_id=mine.id,
        start=start,
    ).value.appointment
    colleagues = booking.book_walk_in(
        front.ctx,
        patient_person_id=seeded.patient_ids[1],
        service_id=service_id,
        specialist_id=seeded.other_specialist_id,
        start=start + timedelta(hours=2),
    ).value.appointment
    form = forms.create_form(
        front.ctx,
        template_key="history",
        patient_person_id=seeded.patient_ids[1],
        appointment_id=colleagues.id,
    ).value
    front.sync()
    doctor = make_desk("doctor", Role.SPECIALIST, "dr@example.com", new_user=False)
    return Scene(front, doctor, seeded, own, colleagues, form)


# The last sequence number each device's crafted pushes used.
_crafted: dict[uuid.UUID, int] = {}


def _push(desk: Desk, *changes: tuple[str, Any, str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Push crafted mutations (table, row id, operation, changed) after the desk's own."""
    with desk.mirror.engine.connect() as connection:
        seq = int(
            connection.exec_driver_sql(
                "SELECT coalesce(max(device_seq), 0) FROM sync_outbox"
            ).scalar()
        )
    seq = max(seq, _crafted.get(desk.mirror.device_id, 0))
    mutations = [
        {
            "seq": seq + offset,
            "table": table,
            "row_id": str(row_id),
            "operation": operation,
            "changed": changed,
            "base_version": None if operation == "insert" else 1,
        }
        for offset, (table, row_id, operation, changed) in enumerate(changes, start=1)
    ]
    answer = desk.account.request(
        "POST",
        "/v1/sync/push",
        json={"device_id": str(desk.mirror.device_id), "mutations": mutations},
    )
    assert answer.status_code == 200, answer.text
    _crafted[desk.mirror.device_id] = answer.json()["acknowledged_seq"]
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def _server(clinic: Clinic) -> dict[str, Any]:
    return server_snapshot(clinic.server.database.engine, clinic.organization_id)


def _reasons(clinic: Clinic) -> list[str]:
    return sorted(shown(c["reason"]) for c in _server(clinic)["sync_conflicts"].values())


def _without_conflicts(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {name: rows for name, rows in snapshot.items() if name != "sync_conflicts"}


def test_a_specialist_cannot_edit_cancel_or_take_a_colleagues_appointment(
    scene: Scene, sync_clinic: Clinic
) -> None:
    before = _server(sync_clinic)
    results = _push(
        scene.doctor,
        ("appointments", scene.colleagues.id, "update", {"notes": "mine now"}),
        (
            "appointments",
            scene.colleagues.id,
            "update",
            {"status": "cancelled", "cancellation_reason": "no"},
        ),
        (
            "appointments",
            scene.colleagues.id,
            "update",
            {"specialist_id": str(scene.doctor.account.specialist_id)},
        ),
    )

    assert [r["outcome"] for r in results] == ["conflict"] * 3
    assert _without_conflicts(_server(sync_clinic)) == _without_conflicts(before)
    # The row is not theirs to see: one conflict holds every change they tried, with none
    # of the server's values.
    (conflict,) = _server(sync_clinic)["sync_conflicts"].values()
    assert shown(conflict["reason"]) == (
        "You are not allowed to change this (appointment): a specialist changes only what "
        "belongs to their own appointments; ask the front desk to do it."
    )
    assert conflict["row_missing"] is True
    assert {side["theirs"] for side in conflict["fields"].values()} == {None}
    assert set(conflict["fields"]) == {
        "notes",
        "status",
        "cancellation_reason",
        "specialist_id",
    }
    # What the specialist pulls is unchanged: the colleague's patient's form never arrives.
    scene.doctor.sync()
    with scene.doctor.mirror.sessions() as session:
        assert session.get(Appointment, scene.colleagues.id) is None
        assert session.get(FormInstance, scene.colleagues_form.id) is None
        conflicts = session.scalars(select(SyncConflict)).all()
    assert [c.reason for c in conflicts] == [conflict["reason"]]


def test_a_specialist_cannot_rewrite_contacts_rules_or_the_organization(
    scene: Scene, sync_clinic: Clinic
) -> None:
    server = _server(sync_clinic)
    rule_id = next(iter(server["automation_rules"]), None)
    assert rule_id is None  # the clinic has no rules yet: the specialist tries to make one
    before = server
    results = _push(
        scene.doctor,
        (
            "patient_persons",
            scene.seeded.patient_ids[1],
            "update",
            {"email": "attacker@example.com", "phone": "+40700000000"},
        ),
        ("organizations", sync_clinic.organization_id, "update", {"name": "Renamed"}),
        (
            "automation_rules",
            uuid.uuid4(),
            "insert",
            {"name": "Sneaky", "enabled": True, "trigger_event": "appointment.booked"},
        ),
    )

    assert [r["outcome"] for r in results] == ["conflict"] * 3
    assert _without_conflicts(_server(sync_clinic)) == _without_conflicts(before)
    assert _reasons(sync_clinic) == [
        "You are not allowed to add this (automation rule): ask an admin to add it.",
        "You are not allowed to change this (organization: Name): ask an admin to change it.",
        "You are not allowed to change this (patient's details: E-mail; Phone): ask the front "
        "desk or an admin to change it.",
    ]


def test_the_desk_shows_the_refusal_and_gets_the_servers_row_back(
    scene: Scene, sync_clinic: Clinic
) -> None:
    """A specialist's desk whose services were bypassed (the row changed in its mirror
    directly) pushes the change; the server refuses it, and the desk shows the patient's
    real contact details again, with the conflict to read."""
    patient_id = scene.seeded.patient_ids[1]
    with scene.doctor.mirror.sessions.begin() as session:
        person = session.get_one(PatientPerson, patient_id)
        real_email = person.email
        person.email = "attacker@example.com"
    _push(scene.doctor, ("patient_persons", patient_id, "update", {"email": "x@example.com"}))

    scene.doctor.sync()

    with scene.doctor.mirror.sessions() as session:
        assert session.get_one(PatientPerson, patient_id).email == real_email
        (conflict,) = session.scalars(select(SyncConflict)).all()
    assert conflict.kind == "rejected"
    assert conflict.status == "open"
    assert shown(conflict.reason).startswith(
        "You are not allowed to change this (patient's details: E-mail"
    )
    assert conflict.fields["email"] == {"mine": "x@example.com", "theirs": real_email}


def test_a_receptionist_cannot_import_rules(
    scene: Scene, make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    reception = make_desk("reception", Role.RECEPTIONIST)
    rules = [
        (
            "automation_rules",
            uuid.uuid4(),
            "insert",
            {"name": f"Imported {i}", "enabled": True, "trigger_event": "appointment.booked"},
        )
        for i in range(300)
    ]

    results = _push(reception, *rules)

    assert [r["outcome"] for r in results] == ["conflict"] * 300
    server = _server(sync_clinic)
    assert server["automation_rules"] == {}
    assert len(server["sync_conflicts"]) == 300
    assert _reasons(sync_clinic)[0] == (
        "You are not allowed to add this (automation rule): ask an admin to add it."
    )


def _signed() -> dict[str, Any]:
    """The changes that sign a form as a desk would push them (without the seal)."""
    return {
        "status": FormStatus.SIGNED.value,
        "signer_name": "Patient One",
        "signature_svg": SIGNATURE,
        "signed_at": (NOW + timedelta(hours=1)).isoformat(),
        "values": {"notes": "all well"},
    }


def _seal(form: FormInstance, changes: dict[str, Any]) -> str:
    merged = {c.key: getattr(form, c.key) for c in FormInstance.__table__.columns}
    merged.update(changes)
    merged["signed_at"] = NOW + timedelta(hours=1)
    merged["status"] = FormStatus.SIGNED
    view = type("Form", (), merged)
    return content_hash(signed_content(view))  # type: ignore[arg-type]


def test_a_made_up_seal_is_refused_and_a_true_one_records_its_witness(
    scene: Scene, sync_clinic: Clinic
) -> None:
    form = scene.colleagues_form
    forged = {**_signed(), "content_hash": "0" * 64}
    results = _push(scene.front, ("form_instances", form.id, "update", forged))
    assert [r["outcome"] for r in results] == ["conflict"]
    on_server = _server(sync_clinic)["form_instances"][str(form.id)]
    assert on_server["status"] == FormStatus.CREATED
    assert _reasons(sync_clinic) == [
        "The signature does not match what the form holds; check it and sign it again."
    ]

    sealed = {**_signed(), "witnessed_by_user_id": str(uuid.uuid4())}
    sealed["content_hash"] = _seal(form, sealed)
    results = _push(scene.front, ("form_instances", form.id, "update", sealed))

    assert [r["outcome"] for r in results] == ["applied"]
    on_server = _server(sync_clinic)["form_instances"][str(form.id)]
    assert on_server["status"] == FormStatus.SIGNED
    # Whatever the desk claimed, the witness is the account that pushed the signature.
    assert on_server["witnessed_by_user_id"] == str(scene.front.account.user_id)


def test_a_specialist_cannot_sign_as_someone_else(scene: Scene, sync_clinic: Clinic) -> None:
    own_form = forms.create_form(
        scene.front.ctx,
        template_key="history",
        patient_person_id=scene.seeded.patient_ids[0],
        appointment_id=scene.own.id,
    ).value
    scene.front.sync()
    scene.doctor.sync()
    changes = {**_signed(), "signed_by_user_id": str(scene.front.account.user_id)}
    changes["content_hash"] = _seal(own_form, changes)

    results = _push(scene.doctor, ("form_instances", own_form.id, "update", changes))

    assert [r["outcome"] for r in results] == ["conflict"]
    assert _reasons(sync_clinic) == [
        "A form is signed as the person at the desk, or by the patient; sign it again."
    ]
    assert _server(sync_clinic)["form_instances"][str(own_form.id)]["status"] == "created"


def test_a_specialist_still_works_on_their_own_appointments(
    scene: Scene, sync_clinic: Clinic
) -> None:
    results = _push(
        scene.doctor,
        ("appointments", scene.own.id, "update", {"notes": "knee, left"}),
        ("appointments", scene.own.id, "update", {"status": "confirmed"}),
    )

    assert [r["outcome"] for r in results] == ["applied", "applied"]
    row = _server(sync_clinic)["appointments"][str(scene.own.id)]
    assert (row["notes"], row["status"]) == ("knee, left", "confirmed")
    assert _server(sync_clinic)["sync_conflicts"] == {}


def test_a_colleagues_row_stays_on_every_other_desk(scene: Scene, sync_clinic: Clinic) -> None:
    """The refusal of a specialist's change to a colleague's appointment drops nothing from
    the front desk, which holds that appointment as the server has it."""
    _push(scene.doctor, ("appointments", scene.colleagues.id, "update", {"notes": "x"}))

    scene.front.sync()

    with scene.front.mirror.sessions() as session:
        assert session.get(Appointment, scene.colleagues.id) is not None
        (conflict,) = session.scalars(select(SyncConflict)).all()
    assert conflict.row_missing


def test_a_specialist_resolves_only_their_own_conflicts_and_no_desk_writes_an_account(
    scene: Scene, make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    reception = make_desk("reception", Role.RECEPTIONIST)
    _push(reception, ("organizations", sync_clinic.organization_id, "update", {"name": "X"}))
    (theirs,) = _server(sync_clinic)["sync_conflicts"]
    before = _server(sync_clinic)

    results = _push(
        scene.doctor,
        (
            "sync_conflicts",
            theirs,
            "update",
            {"status": "resolved", "resolved_by_user_id": str(scene.front.account.user_id)},
        ),
        ("users", scene.front.account.user_id, "update", {"display_name": "Renamed"}),
        ("users", scene.doctor.account.user_id, "update", {"display_name": "Dr Own"}),
    )

    assert [r["outcome"] for r in results] == ["conflict", "conflict", "conflict"]
    after = _server(sync_clinic)
    assert after["sync_conflicts"][theirs] == before["sync_conflicts"][theirs]
    new = [c for key, c in after["sync_conflicts"].items() if key != theirs]
    assert sorted(shown(c["reason"]) for c in new) == [
        "A specialist resolves only the conflicts their own changes caused: ask the front desk "
        "or an admin to resolve this one.",
        "This kind of record is not shared between desks.",  # accounts are the server's
        "This kind of record is not shared between desks.",
    ]
