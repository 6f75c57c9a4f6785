"""Today's flow board: the day's appointments, each with when it entered its current status
(the board shows "time in status"). Read-only; the day is the organization's local day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from frontdesk.domain.clock import local_day_bounds
from frontdesk.domain.enums import AppointmentStatus
from frontdesk.services import calendar
from frontdesk.services.access import appointment_scope
from frontdesk.services.appointment_records import organization_zone
from frontdesk.services.calendar import CalendarEntry
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import Appointment, AppointmentStatusChange


@dataclass(frozen=True, slots=True)
class BoardCard:
    entry: CalendarEntry
    status_since: datetime


@dataclass(frozen=True)
class FlowBoard:
    day: date
    timezone: str
    cards: list[BoardCard]
    # Public bookings on the days ahead that still wait to be onboarded (the board shows a
    # hint: reception onboards them ahead of the day).
    to_onboard_later: int = 0


ONBOARDING_LOOKAHEAD_DAYS = 30


def local_today(ctx: ServiceContext) -> date:
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
    return ctx.clock.now().astimezone(tz).date()


def flow_board(ctx: ServiceContext, day: date | None = None) -> FlowBoard:
    """The appointments of `day` (default: today where the clinic is), in start order."""
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
    shown = day or ctx.clock.now().astimezone(tz).date()
    entries = calendar.day(ctx, shown)
    since = _status_since(ctx, [entry.id for entry in entries])
    cards = [BoardCard(entry, since.get(entry.id, entry.start_utc)) for entry in entries]
    return FlowBoard(shown, tz.key, cards, _to_onboard_later(ctx, shown, tz))


def _to_onboard_later(ctx: ServiceContext, today: date, tz: ZoneInfo) -> int:
    start = local_day_bounds(today, tz)[1]
    end = local_day_bounds(today + timedelta(days=ONBOARDING_LOOKAHEAD_DAYS), tz)[1]
    with ctx.sessions() as session:
        found = session.scalar(
            select(func.count()).where(
                appointment_scope(ctx.actor, ctx.organization_id),
                Appointment.started_at >= start,
                Appointment.started_at < end,
                Appointment.status == AppointmentStatus.BOOKED,
            )
        )
    return int(found or 0)


def _status_since(ctx: ServiceContext, ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """The latest status change of each appointment, else when it was created."""
    if not ids:
        return {}
    with ctx.sessions() as session:
        changed = {
            appointment_id: at
            for appointment_id, at in session.execute(
                select(
                    AppointmentStatusChange.appointment_id,
                    func.max(AppointmentStatusChange.changed_at),
                )
                .where(
                    AppointmentStatusChange.organization_id == ctx.organization_id,
                    AppointmentStatusChange.appointment_id.in_(ids),
                )
                .group_by(AppointmentStatusChange.appointment_id)
            )
        }
        created = {
            appointment_id: at
            for appointment_id, at in session.execute(
                select(Appointment.id, Appointment.created_at).where(Appointment.id.in_(ids))
            )
        }
    return {i: changed.get(i) or created[i] for i in ids if i in changed or i in created}
