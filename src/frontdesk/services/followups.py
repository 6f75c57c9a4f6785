"""Finding a specialist's first free slot for a follow-up (a treatment plan review).

Slots follow the working day the clinic books by (`domain.slot_grid`): weekdays from 09:00
to 17:00 in the organization's zone, one slot per service length from 09:00 (09:00, 09:45,
10:30 … for a 45-minute service), skipping every slot that overlaps one of the specialist's
active appointments. A slot must start after `after` and end within the window.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from frontdesk.domain.clock import ensure_utc
from frontdesk.domain.slot_grid import SATURDAY, WORKDAY_END, WORKDAY_START
from frontdesk.services.appointment_records import organization_zone, overlapping_appointments


def first_free_slot(
    session: Session,
    organization_id: uuid.UUID,
    specialist_id: uuid.UUID,
    *,
    duration_minutes: int,
    after: datetime,
    within_days: int,
) -> datetime | None:
    """The UTC start of the specialist's first free slot after `after` that ends within
    `within_days` days of it, or None when every slot of the window is taken."""
    tz = organization_zone(session, organization_id)
    start = ensure_utc(after, field="after")
    window_end = start + timedelta(days=within_days)
    length = timedelta(minutes=duration_minutes)
    busy = [
        (appointment.started_at, appointment.ended_at)
        for appointment in overlapping_appointments(
            session, organization_id, specialist_id, start, window_end
        )
    ]
    first_day = start.astimezone(tz).date()
    for offset in range(within_days + 1):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= SATURDAY:
            continue
        slot = datetime.combine(day, WORKDAY_START, tzinfo=tz)
        closing = datetime.combine(day, WORKDAY_END, tzinfo=tz)
        while slot + length <= closing:
            slot_start, slot_end = ensure_utc(slot), ensure_utc(slot + length)
            if slot_end > window_end:
                return None
            free = all(
                slot_end <= taken_start or slot_start >= taken_end
                for taken_start, taken_end in busy
            )
            if slot_start > start and free:
                return slot_start
            slot += length
    return None
