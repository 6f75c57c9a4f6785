"""Free slots from the database: loads the organization's settings, the specialists' hours
and their active appointments, and asks `domain.slots` (the one slot function). The public
page, public booking's check, the desk's booking dialog and follow-up booking all come here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.appointment_states import ACTIVE_STATUSES
from frontdesk.domain.clock import ensure_utc, zone
from frontdesk.domain.errors import NotFound
from frontdesk.domain.slots import (
    MAX_BOOKING_HORIZON_DAYS,
    MAX_MINIMUM_NOTICE_MINUTES,
    MAX_SLOT_INTERVAL_MINUTES,
    MIN_SLOT_INTERVAL_MINUTES,
    Policy,
    Slot,
    WallInterval,
    service_slots,
    specialist_slots,
)
from frontdesk.services.context import ServiceContext
from frontdesk.services.hours import load_timetable
from frontdesk.services.not_found import not_found
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import Appointment, Organization, Service


def booking_policy(
    session: Session, organization_id: uuid.UUID, now: datetime, *, with_notice: bool = True
) -> Policy:
    """The organization's zone and slot settings at `now`. Without notice: staff booking at
    the desk, who may take a walk-in for the next free start."""
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(not_found("organization"), field="organization_id")
    # The services refuse values out of range; a row that holds one anyway (a raw push, an
    # old database) is read within range rather than looping on a step of zero.
    step = min(max(org.slot_interval_minutes, MIN_SLOT_INTERVAL_MINUTES), MAX_SLOT_INTERVAL_MINUTES)
    notice = min(max(org.minimum_notice_minutes, 0), MAX_MINIMUM_NOTICE_MINUTES)
    return Policy(
        tz=zone(org.timezone),
        now=ensure_utc(now, field="now"),
        step=timedelta(minutes=step),
        notice=timedelta(minutes=notice if with_notice else 0),
        horizon_days=min(max(org.booking_horizon_days, 0), MAX_BOOKING_HORIZON_DAYS),
    )


def busy_spans(
    session: Session,
    organization_id: uuid.UUID,
    specialist_ids: Iterable[uuid.UUID],
    opening: datetime,
    closing: datetime,
) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
    """Each specialist's active appointments overlapping [opening, closing)."""
    busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {s: [] for s in specialist_ids}
    rows = session.execute(
        select(Appointment.specialist_id, Appointment.started_at, Appointment.ended_at).where(
            Appointment.organization_id == organization_id,
            Appointment.specialist_id.in_(list(busy)),
            Appointment.status.in_(sorted(ACTIVE_STATUSES)),
            Appointment.deleted_at.is_(None),
            Appointment.started_at < closing,
            Appointment.ended_at > opening,
        )
    )
    for specialist_id, started_at, ended_at in rows:
        busy[specialist_id].append((started_at, ended_at))
    return busy


def day_inputs(
    session: Session,
    organization_id: uuid.UUID,
    specialist_ids: Sequence[uuid.UUID],
    day: date,
    policy: Policy,
    *,
    ignore_appointments: bool = False,
) -> dict[uuid.UUID, tuple[list[WallInterval], list[tuple[datetime, datetime]]]]:
    """Each specialist's hours on the local `day` and the spans they are busy then."""
    table = load_timetable(session, organization_id, specialist_ids, day, day)
    # A local day lasts at most 25 hours; its slots lie within the day after its midnight.
    opening = datetime.combine(day, time(0), tzinfo=policy.tz)
    busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = (
        {s: [] for s in specialist_ids}
        if ignore_appointments
        else busy_spans(
            session, organization_id, specialist_ids, opening, opening + timedelta(hours=26)
        )
    )
    return {s: (table.on(s, day), busy[s]) for s in specialist_ids}


def slots_by_specialist(
    session: Session,
    organization_id: uuid.UUID,
    specialist_ids: Sequence[uuid.UUID],
    length: timedelta,
    day: date,
    policy: Policy,
    *,
    ignore_appointments: bool = False,
) -> dict[uuid.UUID, list[Slot]]:
    """Each specialist's free slots on the local `day`."""
    if not policy.day_open(day):
        return {s: [] for s in specialist_ids}
    inputs = day_inputs(
        session,
        organization_id,
        specialist_ids,
        day,
        policy,
        ignore_appointments=ignore_appointments,
    )
    return {
        s: specialist_slots(day, hours, busy, length, policy) for s, (hours, busy) in inputs.items()
    }


def union_slots(
    session: Session,
    organization_id: uuid.UUID,
    specialist_ids: Sequence[uuid.UUID],
    length: timedelta,
    day: date,
    policy: Policy,
    *,
    ignore_appointments: bool = False,
) -> list[Slot]:
    """The slots at least one of the specialists is free for (a service's performers)."""
    if not policy.day_open(day) or not specialist_ids:
        return []
    inputs = day_inputs(
        session,
        organization_id,
        specialist_ids,
        day,
        policy,
        ignore_appointments=ignore_appointments,
    )
    return service_slots(day, dict(inputs), length, policy)


def first_free_start(
    session: Session,
    organization_id: uuid.UUID,
    specialist_id: uuid.UUID,
    *,
    length: timedelta,
    policy: Policy,
    within_days: int,
) -> datetime | None:
    """The specialist's first free start from now whose slot ends within `within_days` days
    of now (None: nothing free in that window)."""
    today = policy.now.astimezone(policy.tz).date()
    window_end = policy.now + timedelta(days=within_days)
    for offset in range(within_days + 1):
        day = today + timedelta(days=offset)
        found = slots_by_specialist(session, organization_id, [specialist_id], length, day, policy)
        if found[specialist_id]:
            first = found[specialist_id][0]
            return first.start if first.end <= window_end else None
    return None


def next_free_start(
    ctx: ServiceContext,
    *,
    service_id: uuid.UUID,
    specialist_id: uuid.UUID,
    within_days: int = 14,
) -> datetime | None:
    """For the desk's booking dialog: the specialist's next free start for the service
    (no minimum notice: the desk books walk-ins), or None in the next `within_days` days."""
    require_staff(ctx.actor, field="actor")
    with ctx.sessions() as session:
        service = session.get(Service, service_id)
        if service is None or service.organization_id != ctx.organization_id:
            raise NotFound(not_found("service"), field="service_id")
        policy = booking_policy(session, ctx.organization_id, ctx.clock.now(), with_notice=False)
        return first_free_start(
            session,
            ctx.organization_id,
            specialist_id,
            length=timedelta(minutes=service.duration_minutes),
            policy=policy,
            within_days=within_days,
        )
