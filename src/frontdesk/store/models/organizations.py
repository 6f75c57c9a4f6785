"""Organizations, user accounts, staff memberships and specialists."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.domain.enums import Role
from frontdesk.domain.slots import (
    DEFAULT_BOOKING_HORIZON_DAYS,
    DEFAULT_MINIMUM_NOTICE_MINUTES,
    DEFAULT_SLOT_INTERVAL_MINUTES,
)
from frontdesk.store.base import Base, Entity, OrgOwned


class Organization(Entity, Base):
    __tablename__ = "organizations"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    # How many days ahead the public booking page offers slots (today plus this many).
    booking_horizon_days: Mapped[int] = mapped_column(
        default=DEFAULT_BOOKING_HORIZON_DAYS, server_default=str(DEFAULT_BOOKING_HORIZON_DAYS)
    )
    # Candidate starts every this many minutes from each working interval's start.
    slot_interval_minutes: Mapped[int] = mapped_column(
        default=DEFAULT_SLOT_INTERVAL_MINUTES, server_default=str(DEFAULT_SLOT_INTERVAL_MINUTES)
    )
    # The public page offers no start sooner than this after now.
    minimum_notice_minutes: Mapped[int] = mapped_column(
        default=DEFAULT_MINIMUM_NOTICE_MINUTES, server_default=str(DEFAULT_MINIMUM_NOTICE_MINUTES)
    )
    # Legacy hard-coded onboarding forms; replaced by one automation rule on first start.
    template_policy_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    template_terms_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class User(Entity, Base):
    """A login account (staff or patient). Staff roles come from memberships."""

    __tablename__ = "users"
    # One account per address, whatever its case: the server links requests by it.
    __table_args__ = (Index("uq_users_email_lower", text("lower(email)"), unique=True),)

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)


class Membership(OrgOwned, Base):
    """A user's role in one organization."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(String(20))


class Specialist(OrgOwned, Base):
    __tablename__ = "specialists"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
