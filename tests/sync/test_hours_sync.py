"""Working hours set at an admin's desk, offline, reach the other desks, which offer the same
slots from their own mirror."""

from __future__ import annotations

from datetime import date, timedelta

from frontdesk.domain.enums import Role
from frontdesk.domain.slots import WallInterval
from frontdesk.services import hours
from frontdesk.services.slots import booking_policy, union_slots
from tests.sync.conftest import NOW, Desk, DeskFactory, seed_catalog

TUESDAY = date(2026, 3, 3)
SATURDAY = date(2026, 3, 7)


def _starts(desk: Desk, specialists: list, day: date) -> list[str]:  # type: ignore[type-arg]
    with desk.mirror.sessions() as session:
        policy = booking_policy(session, desk.account.organization_id, NOW)
        slots = union_slots(
            session,
            desk.account.organization_id,
            specialists,
            timedelta(minutes=45),
            day,
            policy,
        )
    return [f"{s.start:%H:%M}" for s in slots]


def test_hours_made_offline_at_an_admins_desk_reach_the_front_desk(
    make_desk: DeskFactory,
) -> None:
    admin = make_desk("admin", Role.ADMIN)
    front = make_desk("front")
    seeded = seed_catalog(admin)
    both = [seeded.specialist_id, seeded.other_specialist_id]
    hours.set_weekly_hours(admin.ctx, seeded.specialist_id, 1, [WallInterval(540, 660)])
    hours.set_weekly_hours(admin.ctx, seeded.other_specialist_id, 1, [WallInterval(600, 720)])
    hours.set_day_hours(admin.ctx, seeded.specialist_id, SATURDAY, [WallInterval(600, 645)])
    hours.close_day(admin.ctx, date(2026, 3, 10), note="holiday")
    hours.set_slot_settings(admin.ctx, slot_interval_minutes=30)
    expected = _starts(admin, both, TUESDAY)
    assert expected == ["07:00", "07:30", "08:00", "08:30", "09:00"]

    sent = admin.sync()
    assert sent.conflicts == []
    front.sync()

    assert _starts(front, both, TUESDAY) == expected
    assert _starts(front, both, SATURDAY) == ["08:00"]
    assert _starts(front, both, date(2026, 3, 10)) == []
