"""Booking blocks: booking is refused while one stands; staff lift it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services import booking_blocks
from frontdesk.services.blocking import outstanding_items
from frontdesk.store.models import BookingBlock
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.refusals import refused
from tests.support.rows import insert_person


def _outstanding(clinic: Clinic, person_id: uuid.UUID) -> list[str]:
    with clinic.ctx.sessions() as session:
        return outstanding_items(session, clinic.organization_id, person_id)


def test_a_block_stands_until_lifted(clinic: Clinic) -> None:
    person = insert_person(clinic)
    block = booking_blocks.block_booking(clinic.ctx, person.id, "  unpaid invoice ").value
    assert _outstanding(clinic, person.id) == ["booking block to be lifted: unpaid invoice"]
    lifted = booking_blocks.lift_block(clinic.ctx, block.id).value
    assert lifted.lifted_at == clinic.clock.now()
    assert _outstanding(clinic, person.id) == []


def test_the_same_block_id_twice_is_one_block(clinic: Clinic) -> None:
    person = insert_person(clinic)
    block_id = uuid.uuid4()
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            booking_blocks.block_booking_in(tx, person.id, "see reception", block_id=block_id)
    with clinic.ctx.sessions() as session:
        assert list(session.scalars(select(BookingBlock.id))) == [block_id]


def test_block_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    person = insert_person(clinic)
    ctx = clinic.ctx
    refused(
        clinic, InvalidInput, "reason", lambda: booking_blocks.block_booking(ctx, person.id, " ")
    )
    refused(
        clinic,
        InvalidInput,
        "reason",
        lambda: booking_blocks.block_booking(ctx, person.id, "x" * 2001),
    )
    refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: booking_blocks.block_booking(ctx, uuid.uuid4(), "why"),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="someone", person_ids=frozenset({person.id})))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: booking_blocks.block_booking(patient, person.id, "why"),
    )


def test_lift_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    person = insert_person(clinic)
    block = booking_blocks.block_booking(clinic.ctx, person.id, "why").value
    patient = clinic.as_(Actor(Role.PATIENT, label="someone", person_ids=frozenset({person.id})))
    refused(clinic, PermissionDenied, "actor", lambda: booking_blocks.lift_block(patient, block.id))
    refused(
        clinic, NotFound, "block_id", lambda: booking_blocks.lift_block(clinic.ctx, uuid.uuid4())
    )
    booking_blocks.lift_block(clinic.ctx, block.id)
    refused(
        clinic, InvalidInput, "block_id", lambda: booking_blocks.lift_block(clinic.ctx, block.id)
    )
