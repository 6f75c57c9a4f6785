"""When specialists work: weekly hours, dated overrides, closed days and the organization's
slot settings. Only an administrator changes them (the write rules say the same to a push).

Changing a day replaces it whole: the old intervals get a tombstone and the new ones are
added, so a desk offline and the server converge on whichever replacement syncs last plus
nothing half-applied. Reading (`load_hours`) returns what `domain.slots` needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.field_names import field_name, too_long
from frontdesk.domain.slots import (
    MAX_MINIMUM_NOTICE_MINUTES,
    MAX_SLOT_INTERVAL_MINUTES,
    MIN_SLOT_INTERVAL_MINUTES,
    WEEKDAYS,
    SpecialistHours,
    WallInterval,
    format_clock,
    overlapping,
)
from frontdesk.i18n.text import T_
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import ClosedDay, HoursOverride, Organization, Specialist, WorkingHours
from frontdesk.store.unit_of_work import UnitOfWork

NOTE_MAX = 200

# One whole sentence per thing an admin alone changes (each language words it its own way).
_ADMINS_ONLY = {
    "hours": T_("Only an admin can change working hours: ask an admin."),
    "closed days": T_("Only an admin can close or reopen the clinic on a date: ask an admin."),
    "settings": T_("Only an admin can change the booking slot settings: ask an admin."),
}


def _require_admin(ctx: ServiceContext, what: str) -> None:
    if ctx.actor.role not in (None, Role.ADMIN):
        raise PermissionDenied(_ADMINS_ONLY[what], field="actor")


def _checked(intervals: Sequence[WallInterval], field: str) -> list[WallInterval]:
    for index, interval in enumerate(intervals):
        problem = interval.problem()
        if problem is not None:
            raise InvalidInput.single(f"{field}[{index}]", problem)
    clash = overlapping(intervals)
    if clash is not None:
        first, second = clash
        raise InvalidInput.single(
            field,
            T_(
                "The hours {first} and {second} overlap: give each time once.",
                first=_label(first),
                second=_label(second),
            ),
        )
    return sorted(intervals)


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput.single("note", too_long("note", NOTE_MAX))
    return note


def _specialist(tx: UnitOfWork, specialist_id: uuid.UUID) -> Specialist:
    specialist = tx.session.get(Specialist, specialist_id)
    if specialist is None or specialist.organization_id != tx.organization_id:
        raise NotFound(not_found("specialist"), field="specialist_id")
    return specialist


def set_weekly_hours(
    ctx: ServiceContext,
    specialist_id: uuid.UUID,
    weekday: int,
    intervals: Sequence[WallInterval],
) -> Outcome[list[WorkingHours]]:
    """Replace the specialist's hours on `weekday` (0 = Monday); no intervals: not working
    that weekday."""
    _require_admin(ctx, "hours")
    if isinstance(weekday, bool) or weekday not in range(7):
        raise InvalidInput.single("weekday", T_("Choose a day of the week, from Monday to Sunday."))
    wanted = _checked(intervals, "intervals")
    with ctx.transaction() as tx:
        specialist = _specialist(tx, specialist_id)
        for old in tx.session.scalars(
            select(WorkingHours).where(
                WorkingHours.specialist_id == specialist_id,
                WorkingHours.weekday == weekday,
                WorkingHours.deleted_at.is_(None),
            )
        ):
            old.deleted_at = tx.now
        rows = [
            WorkingHours(
                organization_id=tx.organization_id,
                specialist_id=specialist_id,
                weekday=weekday,
                start_minute=interval.start,
                end_minute=interval.end,
            )
            for interval in wanted
        ]
        tx.session.add_all(rows)
        tx.audit(
            "hours.weekly_set",
            "specialist",
            specialist.id,
            {"weekday": WEEKDAYS[weekday], "intervals": [_label(i) for i in wanted]},
        )
    return Outcome(rows, tx.changes)


def set_day_hours(
    ctx: ServiceContext,
    specialist_id: uuid.UUID,
    day: date,
    intervals: Sequence[WallInterval],
    *,
    note: str = "",
) -> Outcome[list[HoursOverride]]:
    """Replace the specialist's hours on one date (whatever its weekday says): extra hours on
    a Saturday, shorter hours, or none at all (time off)."""
    _require_admin(ctx, "hours")
    wanted = _checked(intervals, "intervals")
    text = _note(note)
    with ctx.transaction() as tx:
        specialist = _specialist(tx, specialist_id)
        _drop_overrides(tx, specialist_id, day)
        rows = [
            HoursOverride(
                organization_id=tx.organization_id,
                specialist_id=specialist_id,
                day=day,
                start_minute=interval.start,
                end_minute=interval.end,
                note=text,
            )
            for interval in wanted
        ] or [
            HoursOverride(
                organization_id=tx.organization_id,
                specialist_id=specialist_id,
                day=day,
                note=text,
            )
        ]
        tx.session.add_all(rows)
        tx.audit(
            "hours.day_set",
            "specialist",
            specialist.id,
            {"day": day.isoformat(), "intervals": [_label(i) for i in wanted]},
        )
    return Outcome(rows, tx.changes)


def clear_day_hours(ctx: ServiceContext, specialist_id: uuid.UUID, day: date) -> Outcome[int]:
    """Forget the date's override: the weekly hours apply again. Returns how many rows went."""
    _require_admin(ctx, "hours")
    with ctx.transaction() as tx:
        specialist = _specialist(tx, specialist_id)
        dropped = _drop_overrides(tx, specialist_id, day)
        if not dropped:
            raise NotFound(
                T_(
                    "{name} has no special hours on {day}: the weekly hours apply already.",
                    name=specialist.name,
                    day=day,
                ),
                field="day",
            )
        tx.audit("hours.day_cleared", "specialist", specialist.id, {"day": day.isoformat()})
    return Outcome(dropped, tx.changes)


def _drop_overrides(tx: UnitOfWork, specialist_id: uuid.UUID, day: date) -> int:
    rows = list(
        tx.session.scalars(
            select(HoursOverride).where(
                HoursOverride.specialist_id == specialist_id,
                HoursOverride.day == day,
                HoursOverride.deleted_at.is_(None),
            )
        )
    )
    for row in rows:
        row.deleted_at = tx.now
    return len(rows)


def close_day(ctx: ServiceContext, day: date, *, note: str = "") -> Outcome[ClosedDay]:
    """The whole organization is closed on `day` (a second call changes only the note)."""
    _require_admin(ctx, "closed days")
    text = _note(note)
    with ctx.transaction() as tx:
        closed = tx.session.scalar(
            select(ClosedDay).where(
                ClosedDay.organization_id == tx.organization_id,
                ClosedDay.day == day,
                ClosedDay.deleted_at.is_(None),
            )
        )
        if closed is None:
            closed = ClosedDay(organization_id=tx.organization_id, day=day, note=text)
            tx.session.add(closed)
        elif closed.note != text:
            closed.note = text
        tx.audit("hours.closed_day_added", "organization", tx.organization_id, {"day": str(day)})
    return Outcome(closed, tx.changes)


def reopen_day(ctx: ServiceContext, day: date) -> Outcome[int]:
    _require_admin(ctx, "closed days")
    with ctx.transaction() as tx:
        rows = list(
            tx.session.scalars(
                select(ClosedDay).where(
                    ClosedDay.organization_id == tx.organization_id,
                    ClosedDay.day == day,
                    ClosedDay.deleted_at.is_(None),
                )
            )
        )
        if not rows:
            raise NotFound(
                T_("The clinic is not closed on {day}: there is nothing to reopen.", day=day),
                field="day",
            )
        for row in rows:
            row.deleted_at = tx.now
        tx.audit("hours.closed_day_removed", "organization", tx.organization_id, {"day": str(day)})
    return Outcome(len(rows), tx.changes)


def set_slot_settings(
    ctx: ServiceContext,
    *,
    slot_interval_minutes: int | None = None,
    minimum_notice_minutes: int | None = None,
) -> Outcome[Organization]:
    """How often slots start and how soon before one the public may still book it."""
    _require_admin(ctx, "settings")
    if slot_interval_minutes is not None:
        _whole(
            "slot_interval_minutes",
            slot_interval_minutes,
            MIN_SLOT_INTERVAL_MINUTES,
            MAX_SLOT_INTERVAL_MINUTES,
        )
    if minimum_notice_minutes is not None:
        _whole("minimum_notice_minutes", minimum_notice_minutes, 0, MAX_MINIMUM_NOTICE_MINUTES)
    with ctx.transaction() as tx:
        org = tx.session.get(Organization, ctx.organization_id)
        if org is None:
            raise NotFound(not_found("organization"), field="organization_id")
        before = {
            "slot_interval_minutes": org.slot_interval_minutes,
            "minimum_notice_minutes": org.minimum_notice_minutes,
        }
        if slot_interval_minutes is not None:
            org.slot_interval_minutes = slot_interval_minutes
        if minimum_notice_minutes is not None:
            org.minimum_notice_minutes = minimum_notice_minutes
        tx.audit(
            "organization.slot_settings_changed",
            "organization",
            org.id,
            {
                "from": before,
                "to": {
                    "slot_interval_minutes": org.slot_interval_minutes,
                    "minimum_notice_minutes": org.minimum_notice_minutes,
                },
            },
        )
    return Outcome(org, tx.changes)


def _whole(field: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput.single(
            field, T_("“{field}” must be a whole number of minutes.", field=field_name(field))
        )
    if not low <= value <= high:
        raise InvalidInput.single(
            field,
            T_(
                "“{field}” must be from {low} to {high} minutes.",
                field=field_name(field),
                low=low,
                high=high,
            ),
        )


def _label(interval: WallInterval) -> str:
    return f"{format_clock(interval.start)}-{format_clock(interval.end)}"


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timetable:
    """What the slot function needs for some specialists over some dates."""

    hours: dict[uuid.UUID, SpecialistHours]
    closed_days: frozenset[date]

    def on(self, specialist_id: uuid.UUID, day: date) -> list[WallInterval]:
        rules = self.hours.get(specialist_id, SpecialistHours())
        return rules.on(day, self.closed_days)


def load_timetable(
    session: Session,
    organization_id: uuid.UUID,
    specialist_ids: Iterable[uuid.UUID],
    first_day: date,
    last_day: date,
) -> Timetable:
    """The specialists' weekly hours, their overrides and the closed days in
    [first_day, last_day]."""
    wanted = list(specialist_ids)
    weekly: dict[uuid.UUID, dict[int, list[WallInterval]]] = {s: {} for s in wanted}
    overrides: dict[uuid.UUID, dict[date, list[WallInterval]]] = {s: {} for s in wanted}
    for row in session.scalars(
        select(WorkingHours).where(
            WorkingHours.organization_id == organization_id,
            WorkingHours.specialist_id.in_(wanted),
            WorkingHours.deleted_at.is_(None),
        )
    ):
        interval = _usable(row.start_minute, row.end_minute)
        if interval is not None:
            weekly[row.specialist_id].setdefault(row.weekday, []).append(interval)
    for row in session.scalars(
        select(HoursOverride).where(
            HoursOverride.organization_id == organization_id,
            HoursOverride.specialist_id.in_(wanted),
            HoursOverride.day.between(first_day, last_day),
            HoursOverride.deleted_at.is_(None),
        )
    ):
        day = overrides[row.specialist_id].setdefault(row.day, [])
        interval = _usable(row.start_minute, row.end_minute)
        if interval is not None:
            day.append(interval)
    closed = frozenset(
        session.scalars(
            select(ClosedDay.day).where(
                ClosedDay.organization_id == organization_id,
                ClosedDay.day.between(first_day, last_day),
                ClosedDay.deleted_at.is_(None),
            )
        )
    )
    return Timetable(
        {s: SpecialistHours(weekly[s], overrides[s]) for s in wanted},
        closed,
    )


@dataclass(frozen=True)
class HoursView:
    """One specialist's hours as an admin reads them."""

    specialist_id: uuid.UUID
    name: str
    weekly: dict[int, list[WallInterval]]
    overrides: dict[date, list[WallInterval]]  # an empty list: time off
    closed_days: list[date]


def hours_view(
    ctx: ServiceContext, specialist_id: uuid.UUID, *, since: date | None = None
) -> HoursView:
    """The specialist's weekly hours, their overrides from `since` on (all when None), and
    the organization's closed days from then."""
    with ctx.sessions() as session:
        specialist = session.get(Specialist, specialist_id)
        if specialist is None or specialist.organization_id != ctx.organization_id:
            raise NotFound(not_found("specialist"), field="specialist_id")
        first = since or date.min
        table = load_timetable(session, ctx.organization_id, [specialist_id], first, date.max)
        rules = table.hours[specialist_id]
        return HoursView(
            specialist_id,
            specialist.name,
            {day: sorted(v) for day, v in sorted(rules.weekly.items())},
            {day: sorted(v) for day, v in sorted(rules.overrides.items())},
            sorted(table.closed_days),
        )


@dataclass(frozen=True)
class SlotSettings:
    timezone: str
    slot_interval_minutes: int
    minimum_notice_minutes: int
    booking_horizon_days: int


def slot_settings(ctx: ServiceContext) -> SlotSettings:
    """The organization's zone and slot settings, as the hours screen shows them."""
    with ctx.sessions() as session:
        org = session.get(Organization, ctx.organization_id)
        if org is None:
            raise NotFound(not_found("organization"), field="organization_id")
        return SlotSettings(
            org.timezone,
            org.slot_interval_minutes,
            org.minimum_notice_minutes,
            org.booking_horizon_days,
        )


def _usable(start: int | None, end: int | None) -> WallInterval | None:
    """The stored interval, or None when it is none (time off) or cannot be hours: rows a
    desk pushed are not re-checked on the server, and an interval running for years would
    have the public page step through it on every request."""
    if start is None or end is None:
        return None
    interval = WallInterval(start, end)
    return interval if interval.problem() is None else None
