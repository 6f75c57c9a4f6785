"""Calendar queries: counts per day for a month, appointment details for a week or a day.

Read-only, and over the visible range only: every query is bounded by the UTC instants where
the organization's local days start and end (DST-aware), so it walks the
(organization_id, started_at) index for that range and nothing else. Every query applies the
caller's role scope (services.access). An appointment belongs to the local day it starts on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from frontdesk.domain.clock import ensure_utc, local_day_bounds
from frontdesk.domain.enums import AppointmentStatus, AppointmentType, FormStatus
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.field_names import between, field_name
from frontdesk.i18n.text import T_, Text
from frontdesk.services.access import appointment_scope
from frontdesk.services.appointment_records import organization_zone
from frontdesk.services.context import ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import (
    Appointment,
    FormInstance,
    PatientPerson,
    Service,
    Specialist,
)

MAX_RANGE_DAYS = 400
"""The longest range one query may cover: a year's view with margins, not a table dump."""

MIN_YEAR, MAX_YEAR = 1900, 2999


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One appointment as a calendar shows it. Times are given both in UTC and local time."""

    id: uuid.UUID
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime
    status: AppointmentStatus
    type: AppointmentType
    specialist_id: uuid.UUID
    specialist_name: str
    service_id: uuid.UUID
    service_name: str
    patient_person_id: uuid.UUID
    patient_name: str
    outstanding_forms: int
    video_url: str | None
    checked_in_at: datetime | None


@dataclass(frozen=True)
class _Filters:
    statuses: tuple[AppointmentStatus, ...] | None
    specialist_ids: tuple[uuid.UUID, ...] | None


def month_counts(
    ctx: ServiceContext,
    year: int,
    month: int,
    *,
    specialist_ids: Iterable[uuid.UUID | str] | None = None,
    statuses: Iterable[AppointmentStatus | str] | None = None,
) -> dict[date, int]:
    """Appointments per local day of a month; every day of the month is present (0 if none)."""
    days = _month_days(year, month)
    filters = _parse_filters(specialist_ids, statuses)
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
        _require_specialists(session, ctx.organization_id, filters.specialist_ids)
        # bounds[i] is where local day i starts; bounds[-1] is where the month ends.
        bounds = [local_day_bounds(local_day, tz)[0] for local_day in days]
        bounds.append(local_day_bounds(days[-1], tz)[1])
        # The day index is computed in SQL from the per-day UTC bounds, so the grouping is
        # exact on DST days (23 or 25 hours) where a fixed UTC offset would misplace an hour.
        day_index = case(
            *[(Appointment.started_at < bound, index) for index, bound in enumerate(bounds[1:-1])],
            else_=len(days) - 1,
        ).label("day_index")
        query = (
            select(day_index, func.count())
            .where(_range_clause(ctx, bounds[0], bounds[-1], filters))
            .group_by(day_index)
        )
        found = {index: count for index, count in session.execute(query)}
    return {local_day: found.get(index, 0) for index, local_day in enumerate(days)}


def week(
    ctx: ServiceContext,
    week_start: date,
    *,
    specialist_ids: Iterable[uuid.UUID | str] | None = None,
    statuses: Iterable[AppointmentStatus | str] | None = None,
) -> list[CalendarEntry]:
    """The appointments of seven local days from `week_start` (any weekday), ordered by start."""
    first = _require_date(week_start, "week_start")
    return date_range(
        ctx, first, first + timedelta(days=6), specialist_ids=specialist_ids, statuses=statuses
    )


def day(
    ctx: ServiceContext,
    day: date,
    *,
    specialist_ids: Iterable[uuid.UUID | str] | None = None,
    statuses: Iterable[AppointmentStatus | str] | None = None,
) -> list[CalendarEntry]:
    """The appointments of one local day, ordered by start."""
    only = _require_date(day, "day")
    return date_range(ctx, only, only, specialist_ids=specialist_ids, statuses=statuses)


def date_range(
    ctx: ServiceContext,
    first: date,
    last: date,
    *,
    specialist_ids: Iterable[uuid.UUID | str] | None = None,
    statuses: Iterable[AppointmentStatus | str] | None = None,
) -> list[CalendarEntry]:
    """The appointments of the local days `first` to `last` inclusive, ordered by start."""
    first = _require_date(first, "first")
    last = _require_date(last, "last")
    if last < first:
        raise InvalidInput.single("last", T_("The last day is before the first day."))
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput.single("last", _too_many_days())
    filters = _parse_filters(specialist_ids, statuses)
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
        start, end = local_day_bounds(first, tz)[0], local_day_bounds(last, tz)[1]
        return _entries(ctx, session, tz, start, end, filters)


def appointments_between(
    ctx: ServiceContext,
    start_utc: datetime,
    end_utc: datetime,
    *,
    statuses: Iterable[AppointmentStatus | str] | None = None,
    specialist_ids: Iterable[uuid.UUID | str] | None = None,
) -> list[CalendarEntry]:
    """Appointments starting in [start_utc, end_utc), ordered by start."""
    start = ensure_utc(start_utc, field="start_utc")
    end = ensure_utc(end_utc, field="end_utc")
    if end < start:
        raise InvalidInput.single("end_utc", T_("The end time is before the start time."))
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput.single("end_utc", _too_many_days())
    filters = _parse_filters(specialist_ids, statuses)
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
        return _entries(ctx, session, tz, start, end, filters)


def _entries(
    ctx: ServiceContext,
    session: Session,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    filters: _Filters,
) -> list[CalendarEntry]:
    _require_specialists(session, ctx.organization_id, filters.specialist_ids)
    # Plain column rows through the session's connection: nothing here is an ORM object, so
    # the ORM's loading layer would only add time (about a sixth of a busy week's load).
    rows = session.connection().execute(_entries_query(ctx, start, end, filters))
    return [
        CalendarEntry(
            id=row.id,
            start_utc=row.started_at,
            end_utc=row.ended_at,
            start_local=row.started_at.astimezone(tz),
            end_local=row.ended_at.astimezone(tz),
            status=AppointmentStatus(row.status),
            type=AppointmentType(row.type),
            specialist_id=row.specialist_id,
            specialist_name=row.specialist_name,
            service_id=row.service_id,
            service_name=row.service_name,
            patient_person_id=row.patient_person_id,
            patient_name=f"{row.first_name} {row.last_name}".strip(),
            outstanding_forms=row.outstanding_forms,
            video_url=row.video_room_url,
            checked_in_at=row.checked_in_at,
        )
        for row in rows
    ]


def _entries_query(
    ctx: ServiceContext, start: datetime, end: datetime, filters: _Filters
) -> Select[Any]:
    # A correlated count is one probe of ix_form_instances_appointment per appointment in
    # range (never a form row); aggregating all forms first would read the whole table.
    outstanding = (
        select(func.count())
        .where(
            FormInstance.appointment_id == Appointment.id,
            FormInstance.status != FormStatus.SIGNED,
            FormInstance.deleted_at.is_(None),
        )
        .correlate(Appointment)
        .scalar_subquery()
        .label("outstanding_forms")
    )
    return (
        select(
            Appointment.id,
            Appointment.started_at,
            Appointment.ended_at,
            Appointment.status,
            Appointment.type,
            Appointment.specialist_id,
            Specialist.name.label("specialist_name"),
            Appointment.service_id,
            Service.name.label("service_name"),
            Appointment.patient_person_id,
            PatientPerson.first_name,
            PatientPerson.last_name,
            outstanding,
            Appointment.video_room_url,
            Appointment.checked_in_at,
        )
        .join(Specialist, Specialist.id == Appointment.specialist_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(PatientPerson, PatientPerson.id == Appointment.patient_person_id)
        .where(_range_clause(ctx, start, end, filters))
        .order_by(Appointment.started_at, Appointment.id)
    )


def _range_clause(
    ctx: ServiceContext, start: datetime, end: datetime, filters: _Filters
) -> ColumnElement[bool]:
    clauses = [
        appointment_scope(ctx.actor, ctx.organization_id),
        Appointment.started_at >= start,
        Appointment.started_at < end,
    ]
    if filters.statuses is not None:
        clauses.append(Appointment.status.in_([str(s) for s in filters.statuses]))
    if filters.specialist_ids is not None:
        clauses.append(Appointment.specialist_id.in_(filters.specialist_ids))
    return and_(*clauses)


def _parse_filters(
    specialist_ids: Iterable[uuid.UUID | str] | None,
    statuses: Iterable[AppointmentStatus | str] | None,
) -> _Filters:
    """None means "no filter"; an empty collection matches nothing (every box unticked)."""
    parsed_statuses = None
    if statuses is not None:
        parsed_statuses = tuple(_status(value, index) for index, value in enumerate(statuses))
    parsed_ids = None
    if specialist_ids is not None:
        parsed_ids = tuple(_uuid(value, index) for index, value in enumerate(specialist_ids))
    return _Filters(parsed_statuses, parsed_ids)


def _status(value: AppointmentStatus | str, index: int) -> AppointmentStatus:
    try:
        return AppointmentStatus(value)
    except ValueError:
        raise InvalidInput.single(
            f"statuses[{index}]",
            T_("“{value}” is not an appointment status.", value=str(value)),
        ) from None


def _uuid(value: uuid.UUID | str, index: int) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput.single(
            f"specialist_ids[{index}]", T_("Choose a specialist from the list.")
        ) from None


def _require_specialists(
    session: Session, organization_id: uuid.UUID, specialist_ids: tuple[uuid.UUID, ...] | None
) -> None:
    """A filter naming an unknown specialist is a mistake worth reporting, not an empty view."""
    if not specialist_ids:
        return
    found = set(
        session.scalars(
            select(Specialist.id).where(
                Specialist.organization_id == organization_id, Specialist.id.in_(specialist_ids)
            )
        )
    )
    for index, specialist_id in enumerate(specialist_ids):
        if specialist_id not in found:
            raise NotFound(not_found("specialist"), field=f"specialist_ids[{index}]")


def _month_days(year: int, month: int) -> list[date]:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput.single("year", between("year", MIN_YEAR, MAX_YEAR))
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise InvalidInput.single("month", between("month", 1, 12))
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def _require_date(value: object, field: str) -> date:
    # A datetime is a date subclass, but passing one means the caller confused instants and days.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput.single(
            field,
            T_("“{field}” must be a date (e.g. 2026-03-02).", field=field_name(field)),
        )
    return value


def _too_many_days() -> Text:
    return T_("Choose at most {days} days at once.", days=MAX_RANGE_DAYS)
