"""Working hours for test clinics: the weekday 09:00-17:00 the tests were written against."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from frontdesk.domain.slots import WallInterval
from frontdesk.services import hours
from frontdesk.services.context import ServiceContext

NINE_TO_FIVE = WallInterval(9 * 60, 17 * 60)


def weekday_hours(ctx: ServiceContext, specialist_ids: Iterable[uuid.UUID]) -> None:
    """Monday to Friday, 09:00-17:00 in the organization's zone, for each specialist."""
    for specialist_id in specialist_ids:
        for weekday in range(5):
            hours.set_weekly_hours(ctx, specialist_id, weekday, [NINE_TO_FIVE])
