"""Desks registered at sign-in, and who may still act: the secret a desk proves itself with,
an administrator's revocation of a device or deactivation of an account, and the one indexed
lookup each request makes to honour them at once."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from frontdesk.domain.enums import STAFF_ROLES
from frontdesk.i18n.text import T_, Text
from frontdesk.server.models import AccountDeactivation, Device, RefreshToken
from frontdesk.server.scope import Scope, apply_scope
from frontdesk.server.tokens import Principal
from frontdesk.services.not_found import not_found
from frontdesk.store.models import Membership, User

MIN_SECRET_LENGTH = 32
MAX_LABEL_LENGTH = 100


class _Refused(Exception):
    """Words translated where read (`text`), about the input `field`; `str()` is the English,
    for logs and for answers that carry plain words."""

    def __init__(self, text: Text, *, field: str | None = None) -> None:
        super().__init__(text.english())
        self.text = text
        self.field = field


class DeviceRefused(_Refused):
    """Sign-in with a device id this desk cannot claim (another desk's, or revoked)."""


class AccessEnded(_Refused):
    """A token whose account or device an administrator switched off."""


class NotFound(_Refused, LookupError):
    """An administrator named a device or account the organization does not have."""


DESK_REVOKED = T_("An admin revoked this desk's access: sign in again.")
ACCESS_ENDED = T_("This account no longer has access to the clinic: ask an admin.")


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class DeviceClaim:
    """What a desk presents at sign-in: its id, its secret, its host name, and the sequence
    number its next push starts at (a new registration's cursor starts just before it)."""

    id: uuid.UUID
    secret: str
    label: str = ""
    next_seq: int = 1


def register_device(
    session: Session, membership: Membership, claim: DeviceClaim, now: datetime
) -> None:
    """Record the desk, or recognise it by its secret. A device id registered with another
    secret is refused: ids are visible to every desk, so one cannot take over another's."""
    digest = secret_digest(claim.secret)
    label = claim.label[:MAX_LABEL_LENGTH]
    # Insert-or-nothing, then read under lock: two sign-ins racing for one new id get one
    # row, and the second is judged by the first one's secret.
    created = session.execute(
        pg_insert(Device)
        .values(
            organization_id=membership.organization_id,
            id=claim.id,
            user_id=membership.user_id,
            first_seen_at=now,
            last_seen_at=now,
            label=label,
            secret_hash=digest,
        )
        .on_conflict_do_nothing()
        .returning(Device.id)
    ).scalar_one_or_none()
    if created is not None:
        _start_cursor(session, membership.organization_id, claim)
        return
    device = session.get(Device, (membership.organization_id, claim.id), with_for_update=True)
    assert device is not None  # it conflicted, and devices are never deleted
    if device.revoked_at is not None:
        raise DeviceRefused(DESK_REVOKED, field="device_id")
    unclaimed_by_same_user = device.secret_hash is None and device.user_id == membership.user_id
    if not unclaimed_by_same_user and not (
        device.secret_hash is not None and hmac.compare_digest(device.secret_hash, digest)
    ):
        raise DeviceRefused(
            T_("This desk's id is registered to another desk: sign in from a new desk."),
            field="device_id",
        )
    device.secret_hash = digest
    device.user_id = membership.user_id
    device.last_seen_at = now
    if label:
        device.label = label


def _start_cursor(session: Session, organization_id: uuid.UUID, claim: DeviceClaim) -> None:
    # A desk that pushed to another server or organization before keeps its numbering.
    session.execute(
        text(
            "INSERT INTO sync_device_cursors (organization_id, device_id, last_seq) "
            "VALUES (:org, :device, :seq) ON CONFLICT DO NOTHING"
        ),
        {"org": organization_id, "device": claim.id, "seq": max(claim.next_seq, 1) - 1},
    )


def see_device(
    session: Session, organization_id: uuid.UUID, device_id: uuid.UUID, now: datetime
) -> None:
    """A token refresh for this device: refused once it is revoked."""
    device = session.get(Device, (organization_id, device_id))
    if device is None or device.revoked_at is not None:
        raise AccessEnded(DESK_REVOKED)
    device.last_seen_at = now


def is_deactivated(session: Session, organization_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return session.get(AccountDeactivation, (organization_id, user_id)) is not None


_ACCESS = text(
    "SELECT u.is_active, m.role, "
    "EXISTS (SELECT 1 FROM account_deactivations a "
    "        WHERE a.organization_id = :org AND a.user_id = u.id) AS deactivated, "
    "d.id IS NOT NULL AS known, d.user_id, d.revoked_at, d.secret_hash "
    "FROM users u "
    "LEFT JOIN memberships m ON m.organization_id = :org AND m.user_id = u.id "
    "LEFT JOIN devices d ON d.organization_id = :org AND d.id = :device "
    "WHERE u.id = :user"
)


@dataclass(frozen=True)
class Access:
    """What one request's token may still do; `key_hash` to check a device proof against."""

    key_hash: str | None


def check_access(engine: Engine, principal: Principal) -> Access:
    """One lookup by primary keys: the account still active with the token's role in the
    organization, and the token's device (if any) still registered to it and not revoked."""
    scope = Scope(
        organization_id=principal.organization_id,
        role=principal.role.value,
        user_id=principal.user_id,
    )
    # Core on one connection, no ORM session: this runs before every request.
    with engine.begin() as connection:
        apply_scope(connection, scope)
        row = connection.execute(
            _ACCESS,
            {
                "org": principal.organization_id,
                "user": principal.user_id,
                "device": principal.device_id,
            },
        ).one_or_none()
    if (
        row is None
        or not row.is_active
        or row.deactivated
        or row.role != principal.role.value
        or row.role not in STAFF_ROLES
    ):
        raise AccessEnded(ACCESS_ENDED)
    if principal.device_id is None:
        return Access(key_hash=None)
    if not row.known or row.revoked_at is not None or row.user_id != principal.user_id:
        raise AccessEnded(DESK_REVOKED)
    return Access(key_hash=row.secret_hash)


def proves(access: Access, key: str | None) -> bool:
    return (
        key is not None
        and access.key_hash is not None
        and hmac.compare_digest(access.key_hash, secret_digest(key))
    )


@dataclass(frozen=True)
class DeviceRow:
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    label: str
    registered_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None


def list_devices(session: Session) -> list[DeviceRow]:
    """The organization's desks (the session's scope), oldest registration first."""
    rows = session.execute(
        select(Device, User.email)
        .join(User, User.id == Device.user_id)
        .order_by(Device.first_seen_at, Device.id)
    ).all()
    return [_row(device, email) for device, email in rows]


def _row(device: Device, email: str) -> DeviceRow:
    return DeviceRow(
        id=device.id,
        user_id=device.user_id,
        email=email,
        label=device.label,
        registered_at=device.first_seen_at,
        last_seen_at=device.last_seen_at,
        revoked_at=device.revoked_at,
    )


def revoke_device(
    session: Session, organization_id: uuid.UUID, device_id: uuid.UUID, now: datetime
) -> DeviceRow:
    """Revoke a desk: its access tokens stop at the next request, its refresh tokens now.
    Revoking twice keeps the first time."""
    device = session.get(Device, (organization_id, device_id), with_for_update=True)
    if device is None:
        raise NotFound(
            T_("This desk was not found in the clinic; it may be another clinic's."),
            field="device_id",
        )
    if device.revoked_at is None:
        device.revoked_at = now
    session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.organization_id == organization_id,
            RefreshToken.device_id == device_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    email = session.scalar(select(User.email).where(User.id == device.user_id))
    return _row(device, email or "")


def member_id_for_email(session: Session, email: str) -> uuid.UUID | None:
    """A staff member of the session's organization, by address (any case)."""
    return session.scalar(
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(func.lower(User.email) == email.strip().lower())
    )


def deactivate_member(
    session: Session, organization_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> None:
    """Switch the account off in this organization: every access token stops at the next
    request, every refresh token now, and sign-in there is refused."""
    member = session.scalar(
        select(Membership.id).where(
            Membership.organization_id == organization_id,
            Membership.user_id == user_id,
            Membership.role.in_(sorted(STAFF_ROLES)),
        )
    )
    if member is None:
        raise NotFound(not_found("user"), field="user_id")
    if not is_deactivated(session, organization_id, user_id):
        session.add(
            AccountDeactivation(
                organization_id=organization_id, user_id=user_id, deactivated_at=now
            )
        )
    session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.organization_id == organization_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
