"""Tables only the server has: password hashes, refresh tokens, known devices, where
accounts signed in from.

They live in their own metadata so the desktop mirror's schema never contains them (a
password hash must not sync to any desk)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from frontdesk.domain.ids import new_id
from frontdesk.store.base import NAMING_CONVENTION, utcnow
from frontdesk.store.models import Organization, User
from frontdesk.store.types import UTCDateTime


class ServerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Credential(ServerBase):
    """A user's argon2 password hash."""

    __tablename__ = "credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(User.__table__.c.id, ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RefreshToken(ServerBase):
    """One refresh token (only its SHA-256 is kept). Using it revokes it and issues the next
    one (rotation); presenting a revoked one revokes its whole family (theft detection)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(Organization.__table__.c.id), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(User.__table__.c.id), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class SignInSource(ServerBase):
    """A place an account signed in from lately (a keyed hash of its address, or of a desk's
    device id and secret): failed sign-ins from elsewhere do not hold it back."""

    __tablename__ = "sign_in_sources"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(User.__table__.c.id, ondelete="CASCADE"), primary_key=True
    )
    source_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime]


class Device(ServerBase):
    """A desktop registered in an organization at sign-in: who, its host name, the SHA-256 of
    the secret only that desk holds (it proves itself with it), and whether an administrator
    revoked it (its tokens stop at once)."""

    __tablename__ = "devices"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(Organization.__table__.c.id), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(User.__table__.c.id))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    label: Mapped[str] = mapped_column(String(100), default="")
    secret_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class AccountDeactivation(ServerBase):
    """A staff account an administrator switched off in one organization: none of its tokens
    there opens anything any more, and it cannot sign in there. (Memberships sync to every
    desk; this stays on the server.)"""

    __tablename__ = "account_deactivations"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(Organization.__table__.c.id), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(User.__table__.c.id), primary_key=True)
    deactivated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OccurrenceClaim(ServerBase):
    """Which node runs an automation occurrence (an execution key). The first claim wins; the
    same node claiming again is granted (it may have crashed before running it)."""

    __tablename__ = "occurrence_claims"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(Organization.__table__.c.id), primary_key=True
    )
    execution_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    node: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
