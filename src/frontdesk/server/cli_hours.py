"""`frontdesk-server hours`: an organization's working hours from the command line (parsed in
server/cli.py, whose help shows the usage below). Every change goes through `services.hours`,
as an admin's desk does:

    hours show --org SLUG --specialist WHO [--from DATE]
    hours weekly --org SLUG --specialist WHO --weekday monday [09:00-13:00 14:00-17:00 ...]
    hours day --org SLUG --specialist WHO --date 2027-04-03 [10:00-12:00 ...] [--note] [--clear]
    hours closed --org SLUG --date 2027-01-01 [--note TEXT] [--reopen]
    hours settings --org SLUG [--interval MINUTES] [--notice MINUTES]

No interval after `weekly`: not working that weekday; after `day`: time off that date.
WHO is a specialist's id, e-mail address or exact name.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import func, or_, select

from frontdesk.domain.slots import WEEKDAYS, WallInterval, format_clock, parse_clock
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_date, weekday_name
from frontdesk.services import hours
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import Organization, Specialist


class HoursCommandError(Exception):
    """A bad option, named."""


def run(args: argparse.Namespace, ctx: ServiceContext) -> int:
    action: Callable[[argparse.Namespace, ServiceContext], str] = _ACTIONS[args.hours_action]
    print(action(args, ctx))
    return 0


def _show(args: argparse.Namespace, ctx: ServiceContext) -> str:
    since = _date(args.since, "--from") if args.since else None
    view = hours.hours_view(ctx, _specialist(ctx, args.specialist), since=since)
    lines = [f"{view.name}:"]
    for weekday in range(len(WEEKDAYS)):
        lines.append(f"  {weekday_name(weekday):<10} {_intervals(view.weekly.get(weekday, []))}")
    for day, intervals in view.overrides.items():
        lines.append(f"  {_day_text(day)} {_intervals(intervals, empty=_('time off'))}")
    for day in view.closed_days:
        lines.append("  " + _("{date} closed (the whole organization)").format(date=_day_text(day)))
    with ctx.sessions() as session:
        org = session.get_one(Organization, ctx.organization_id)
        lines.append(
            _("Times in {zone}; {slots}, {notice}, {horizon}.").format(
                zone=org.timezone,
                slots=_every(org.slot_interval_minutes),
                notice=_notice(org.minimum_notice_minutes),
                horizon=ngettext(
                    "{count} day ahead", "{count} days ahead", org.booking_horizon_days
                ).format(count=org.booking_horizon_days),
            )
        )
    return "\n".join(lines)


def _weekly(args: argparse.Namespace, ctx: ServiceContext) -> str:
    intervals = _parse_intervals(args.intervals)
    weekday = WEEKDAYS.index(args.weekday)
    hours.set_weekly_hours(ctx, _specialist(ctx, args.specialist), weekday, intervals)
    return f"{weekday_name(weekday)}: {_intervals(intervals)}"


def _day(args: argparse.Namespace, ctx: ServiceContext) -> str:
    day = _date(args.date, "--date")
    specialist_id = _specialist(ctx, args.specialist)
    if args.clear:
        if args.intervals:
            raise HoursCommandError(_("--clear: give no intervals with it"))
        hours.clear_day_hours(ctx, specialist_id, day)
        return _("{date}: the weekly hours apply again").format(date=_day_text(day))
    intervals = _parse_intervals(args.intervals)
    hours.set_day_hours(ctx, specialist_id, day, intervals, note=args.note)
    return f"{_day_text(day)}: {_intervals(intervals, empty=_('time off'))}"


def _closed(args: argparse.Namespace, ctx: ServiceContext) -> str:
    day = _date(args.date, "--date")
    if args.reopen:
        hours.reopen_day(ctx, day)
        return _("{date}: open again").format(date=_day_text(day))
    hours.close_day(ctx, day, note=args.note)
    return _("{date}: closed").format(date=_day_text(day))


def _settings(args: argparse.Namespace, ctx: ServiceContext) -> str:
    if args.interval is None and args.notice is None:
        raise HoursCommandError(_("settings: give --interval, --notice or both"))
    org = hours.set_slot_settings(
        ctx, slot_interval_minutes=args.interval, minimum_notice_minutes=args.notice
    ).value
    return _("{slots}, {notice} before a public booking").format(
        slots=_every(org.slot_interval_minutes), notice=_notice(org.minimum_notice_minutes)
    )


_ACTIONS: dict[str, Callable[[argparse.Namespace, ServiceContext], str]] = {
    "show": _show,
    "weekly": _weekly,
    "day": _day,
    "closed": _closed,
    "settings": _settings,
}


def _parse_intervals(texts: Sequence[str]) -> list[WallInterval]:
    found = []
    for text in texts:
        start, sep, end = text.partition("-")
        try:
            if not sep:
                raise ValueError(
                    _("{text} is not an interval like 09:00-13:00").format(text=repr(text))
                )
            found.append(WallInterval(parse_clock(start), parse_clock(end)))
        except ValueError as error:
            raise HoursCommandError(f"HH:MM-HH:MM: {error}") from error
    return found


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise HoursCommandError(
            _("{option}: {text} is not a date like 2027-04-03").format(
                option=option, text=repr(text)
            )
        ) from error


def _specialist(ctx: ServiceContext, who: str) -> uuid.UUID:
    try:
        wanted: uuid.UUID | None = uuid.UUID(who)
    except ValueError:
        wanted = None
    with ctx.sessions() as session:
        query = select(Specialist.id).where(Specialist.organization_id == ctx.organization_id)
        if wanted is not None:
            query = query.where(Specialist.id == wanted)
        else:
            query = query.where(
                or_(func.lower(Specialist.email) == who.strip().lower(), Specialist.name == who)
            )
        found = list(session.scalars(query))
    if not found:
        raise HoursCommandError(_("--specialist: no specialist {who}").format(who=repr(who)))
    if len(found) > 1:
        raise HoursCommandError(
            _("--specialist: {who} names several; give the id").format(who=repr(who))
        )
    return found[0]


def _intervals(intervals: Sequence[WallInterval], *, empty: str | None = None) -> str:
    if not intervals:
        return empty if empty is not None else _("not working")
    return ", ".join(f"{format_clock(i.start)}-{format_clock(i.end)}" for i in intervals)


def _day_text(day: date) -> str:
    return format_date(day, "EEE d MMM yyyy")


def _every(minutes: int) -> str:
    return ngettext("a slot every {count} minute", "a slot every {count} minutes", minutes).format(
        count=minutes
    )


def _notice(minutes: int) -> str:
    return ngettext("{count} minute's notice", "{count} minutes' notice", minutes).format(
        count=minutes
    )
