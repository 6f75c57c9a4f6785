"""Finding a specialist's first free slot for a follow-up (a treatment plan review).

The one slot function decides (`services.slots`, `domain.slots`): the specialist's working
hours, every `slot_interval_minutes` from each interval's start, skipping what their active
appointments take, at least the organization's minimum notice after now. The slot must end
within the window.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from frontdesk.services.slots import booking_policy, first_free_start


def first_free_slot(
    session: Session,
    organization_id: uuid.UUID,
    specialist_id: uuid.UUID,
    *,
    duration_minutes: int,
    after: datetime,
    within_days: int,
) -> datetime | None:
    """The UTC start of the specialist's first free slot after `after` (plus the minimum
    notice) that ends within `within_days` days of it, or None when nothing is free."""
    return first_free_start(
        session,
        organization_id,
        specialist_id,
        length=timedelta(minutes=duration_minutes),
        policy=booking_policy(session, organization_id, after),
        within_days=within_days,
    )
