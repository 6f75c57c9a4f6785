"""Booking blocks: "this patient may not book until …" with a reason someone can read. A block
stays until staff lift it; while it stands, booking is refused (`services.blocking`)."""

from __future__ import annotations

import uuid

from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.field_names import too_long
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.services.patients import load_person
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import BookingBlock
from frontdesk.store.unit_of_work import UnitOfWork

REASON_MAX = 2000


def block_booking(
    ctx: ServiceContext, patient_person_id: uuid.UUID, reason: str
) -> Outcome[BookingBlock]:
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        block = block_booking_in(tx, patient_person_id, reason)
    return Outcome(block, tx.changes)


def block_booking_in(
    tx: UnitOfWork,
    patient_person_id: uuid.UUID,
    reason: str,
    *,
    block_id: uuid.UUID | None = None,
    automation_execution_id: uuid.UUID | None = None,
) -> BookingBlock:
    """Block the person's bookings inside the caller's transaction. A block whose `block_id`
    exists already is returned as it is (the same occurrence ran again)."""
    text = reason.strip()
    if not text:
        raise InvalidInput.single("reason", T_("Say why booking is blocked."))
    if len(text) > REASON_MAX:
        raise InvalidInput.single("reason", too_long("reason", REASON_MAX))
    person = load_person(tx, patient_person_id, field="patient_person_id")
    if block_id is not None:
        existing = tx.session.get(BookingBlock, block_id)
        if existing is not None and existing.organization_id == tx.organization_id:
            return existing
    block = BookingBlock(
        id=block_id or new_id(),
        organization_id=tx.organization_id,
        patient_person_id=person.id,
        reason=text,
        automation_execution_id=automation_execution_id,
    )
    tx.session.add(block)
    tx.audit("booking.blocked", "booking_block", block.id, {"patient_person_id": person.id})
    return block


def lift_block(ctx: ServiceContext, block_id: uuid.UUID) -> Outcome[BookingBlock]:
    """Staff lift a block; the person may book again unless something else still blocks."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        block = tx.session.get(BookingBlock, block_id)
        if block is None or block.organization_id != ctx.organization_id:
            raise NotFound(not_found("booking block"), field="block_id")
        if block.lifted_at is not None:
            raise InvalidInput.single(
                "block_id",
                T_(
                    "This block was lifted already, on {when} UTC.",
                    when=f"{block.lifted_at:%Y-%m-%d %H:%M}",
                ),
            )
        block.lifted_at = tx.now
        tx.audit(
            "booking.block_lifted",
            "booking_block",
            block.id,
            {"patient_person_id": block.patient_person_id, "by": ctx.actor.label},
        )
    return Outcome(block, tx.changes)
