"""Segments: named groups of patients ("New Patients", "Birthday This Month") that rules add
patients to and remove them from, and that conditions test (`patient.segment_ids`).

A person is in a segment at most once: one membership row per (segment, person), whose
`removed_at` says they left. Adding someone already in is a no-op, adding someone who left
brings the same row back, removing someone who is not in changes nothing — so an automation
that runs twice leaves the same membership as one that ran once.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.field_names import POSITIVE_NUMBER, number_taken, too_long
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.services.patients import load_person
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import Segment, SegmentMember
from frontdesk.store.unit_of_work import UnitOfWork

NAME_MAX = 200


def create_segment(
    ctx: ServiceContext, name: str, reference: int | None = None, description: str = ""
) -> Outcome[Segment]:
    """A new segment. `reference` is the short number rules may cite (`"segment_id": 15`);
    names are unique too, since a rule may cite a segment by name."""
    require_staff(ctx.actor, field="actor")
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput.single("name", T_("Give the patient group a name."))
    if len(clean) > NAME_MAX:
        raise InvalidInput.single("name", too_long("name", NAME_MAX))
    if reference is not None and (isinstance(reference, bool) or reference < 1):
        raise InvalidInput.single("reference", POSITIVE_NUMBER)
    with ctx.transaction() as tx:
        _require_free(tx, clean, reference)
        segment = Segment(
            id=new_id(),
            organization_id=ctx.organization_id,
            name=clean,
            reference=reference,
            description=description.strip(),
        )
        tx.session.add(segment)
        tx.audit("segment.created", "segment", segment.id, {"name": clean, "reference": reference})
    return Outcome(segment, tx.changes)


def _require_free(tx: UnitOfWork, name: str, reference: int | None) -> None:
    live = select(Segment).where(
        Segment.organization_id == tx.organization_id, Segment.deleted_at.is_(None)
    )
    if tx.session.scalars(live.where(Segment.name == name)).first() is not None:
        raise InvalidInput.single(
            "name", T_("A patient group named “{name}” exists already.", name=name)
        )
    if reference is not None:
        # Tombstoned segments keep their number: the unique constraint covers them too.
        holder = tx.session.scalar(
            select(Segment.name).where(
                Segment.organization_id == tx.organization_id, Segment.reference == reference
            )
        )
        if holder is not None:
            raise InvalidInput.single("reference", number_taken(reference, holder))


def add_member(
    ctx: ServiceContext, segment_id: uuid.UUID, patient_person_id: uuid.UUID
) -> Outcome[SegmentMember]:
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        member, _changed = add_member_in(tx, load_segment(tx, segment_id), patient_person_id)
    return Outcome(member, tx.changes)


def add_member_in(
    tx: UnitOfWork,
    segment: Segment,
    patient_person_id: uuid.UUID,
    *,
    member_id: uuid.UUID | None = None,
) -> tuple[SegmentMember, bool]:
    """Put the person in the segment inside the caller's transaction (see the module
    docstring); (membership, whether it changed). `member_id` is the id a new membership row
    gets."""
    person = load_person(tx, patient_person_id, field="patient_person_id")
    member = _membership(tx, segment.id, person.id)
    if member is not None and member.id == member_id:
        return member, False  # made already: the same occurrence ran again
    if member is None:
        member = SegmentMember(
            id=member_id or new_id(),
            organization_id=tx.organization_id,
            segment_id=segment.id,
            patient_person_id=person.id,
            added_at=tx.now,
        )
        tx.session.add(member)
    elif member.removed_at is not None:
        member.removed_at = None
        member.added_at = tx.now
    else:
        return member, False
    tx.audit("segment.member_added", "segment", segment.id, {"patient_person_id": person.id})
    return member, True


def remove_member(
    ctx: ServiceContext, segment_id: uuid.UUID, patient_person_id: uuid.UUID
) -> Outcome[SegmentMember | None]:
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        member = remove_member_in(tx, load_segment(tx, segment_id), patient_person_id)
    return Outcome(member, tx.changes)


def remove_member_in(
    tx: UnitOfWork, segment: Segment, patient_person_id: uuid.UUID
) -> SegmentMember | None:
    """Take the person out of the segment; the membership that ended, or None when they
    were not in it (nothing to do)."""
    person = load_person(tx, patient_person_id, field="patient_person_id")
    member = _membership(tx, segment.id, person.id)
    if member is None or member.removed_at is not None:
        return None
    member.removed_at = tx.now
    tx.audit("segment.member_removed", "segment", segment.id, {"patient_person_id": person.id})
    return member


def load_segment(tx: UnitOfWork, segment_id: uuid.UUID) -> Segment:
    segment = tx.session.get(Segment, segment_id)
    if (
        segment is None
        or segment.organization_id != tx.organization_id
        or segment.deleted_at is not None
    ):
        raise NotFound(not_found("segment"), field="segment_id")
    return segment


def _membership(
    tx: UnitOfWork, segment_id: uuid.UUID, person_id: uuid.UUID
) -> SegmentMember | None:
    return tx.session.scalar(
        select(SegmentMember).where(
            SegmentMember.segment_id == segment_id,
            SegmentMember.patient_person_id == person_id,
        )
    )
