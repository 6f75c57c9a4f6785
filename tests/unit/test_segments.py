"""Segments: creation with a unique name and short number, and memberships that an
automation can repeat without changing the outcome."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services import segments
from frontdesk.store.models import SegmentMember
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.refusals import refused
from tests.support.rows import insert_person


def _members(clinic: Clinic, segment_id: uuid.UUID) -> list[SegmentMember]:
    with clinic.ctx.sessions() as session:
        return list(
            session.scalars(select(SegmentMember).where(SegmentMember.segment_id == segment_id))
        )


def test_a_segment_has_a_name_and_a_short_number(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "  Birthday   This Month ", reference=15).value
    assert (segment.name, segment.reference) == ("Birthday This Month", 15)


def test_segment_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    segments.create_segment(clinic.ctx, "New Patients", reference=15)
    refused(clinic, InvalidInput, "name", lambda: segments.create_segment(clinic.ctx, "  "))
    refused(clinic, InvalidInput, "name", lambda: segments.create_segment(clinic.ctx, "x" * 201))
    refused(
        clinic, InvalidInput, "name", lambda: segments.create_segment(clinic.ctx, "New Patients")
    )
    refused(
        clinic,
        InvalidInput,
        "reference",
        lambda: segments.create_segment(clinic.ctx, "Other", reference=15),
    )
    refused(
        clinic,
        InvalidInput,
        "reference",
        lambda: segments.create_segment(clinic.ctx, "Other", reference=0),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="someone"))
    refused(clinic, PermissionDenied, "actor", lambda: segments.create_segment(patient, "Mine"))


def test_adding_twice_keeps_one_membership_and_removing_ends_it(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "New Patients").value
    person = insert_person(clinic)
    first = segments.add_member(clinic.ctx, segment.id, person.id).value
    again = segments.add_member(clinic.ctx, segment.id, person.id).value
    assert again.id == first.id
    assert len(_members(clinic, segment.id)) == 1

    removed = segments.remove_member(clinic.ctx, segment.id, person.id).value
    assert removed is not None
    assert removed.removed_at == clinic.clock.now()
    back = segments.add_member(clinic.ctx, segment.id, person.id).value
    assert back.id == first.id
    assert back.removed_at is None
    assert len(_members(clinic, segment.id)) == 1


def test_removing_someone_not_in_the_segment_changes_nothing(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "New Patients").value
    person = insert_person(clinic)
    before = fingerprint(clinic.ctx.sessions)
    assert segments.remove_member(clinic.ctx, segment.id, person.id).value is None
    assert fingerprint(clinic.ctx.sessions) == before


def test_the_same_membership_id_twice_is_one_row(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "New Patients").value
    person = insert_person(clinic)
    member_id = uuid.uuid4()
    results = []
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            loaded = segments.load_segment(tx, segment.id)
            results.append(segments.add_member_in(tx, loaded, person.id, member_id=member_id))
    assert [changed for _, changed in results] == [True, False]
    assert [m.id for m in _members(clinic, segment.id)] == [member_id]


def test_membership_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    segment = segments.create_segment(clinic.ctx, "New Patients").value
    person = insert_person(clinic)
    refused(
        clinic,
        NotFound,
        "segment_id",
        lambda: segments.add_member(clinic.ctx, uuid.uuid4(), person.id),
    )
    refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: segments.add_member(clinic.ctx, segment.id, uuid.uuid4()),
    )
    refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: segments.remove_member(clinic.ctx, segment.id, uuid.uuid4()),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="someone"))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: segments.remove_member(patient, segment.id, person.id),
    )
