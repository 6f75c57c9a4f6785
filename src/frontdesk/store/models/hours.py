"""When specialists work: weekly hours, dated overrides, and days the organization is closed.

Times are local wall-clock minutes after midnight in the organization's zone (540 = 09:00,
1440 = the next midnight); `domain.slots` turns them into bookable instants."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class WorkingHours(OrgOwned, SoftDeletable, Base):
    """One interval of a specialist's week: on `weekday` (0 = Monday) from `start_minute` to
    `end_minute`. A day may have several; replacing a day's hours tombstones the old ones."""

    __tablename__ = "working_hours"

    specialist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("specialists.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class HoursOverride(OrgOwned, SoftDeletable, Base):
    """A specialist's hours on one date, replacing the weekly hours of that day. A date's
    live overrides are the day's hours; one without times (both null) is time off."""

    __tablename__ = "hours_overrides"

    specialist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("specialists.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    start_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    end_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(String(200), default="")


class ClosedDay(OrgOwned, SoftDeletable, Base):
    """A date the whole organization is closed (a public holiday): nobody has hours."""

    __tablename__ = "closed_days"

    day: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
