"""Who this desk works as: its organization and the signed-in staff member, remembered in the
profile (a `local_settings` row, never synced), and setting up a standalone clinic.

A desk that signs in to a server learns the same facts from its account; a standalone desk
("use this computer only") creates its organization and first admin here, through the
catalog service."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.clock import Clock, SystemClock, zone
from frontdesk.domain.contact import normalize_email
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import FieldError, InvalidInput, NotFound
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import LocalSetting, Membership, Specialist, User
from frontdesk.store.unit_of_work import Actor

IDENTITY_SETTING = "desk.identity"


@dataclass(frozen=True)
class DeskIdentity:
    organization_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    label: str
    specialist_id: uuid.UUID | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.role, self.user_id, self.label, specialist_id=self.specialist_id)


def remembered(sessions: sessionmaker[Session]) -> DeskIdentity | None:
    """The identity this profile last worked as, or None (first run)."""
    with sessions() as session:
        row = session.get(LocalSetting, IDENTITY_SETTING)
    if row is None:
        return None
    value = row.value
    specialist = value.get("specialist_id")
    return DeskIdentity(
        uuid.UUID(value["organization_id"]),
        uuid.UUID(value["user_id"]),
        Role(value["role"]),
        value["label"],
        uuid.UUID(specialist) if specialist else None,
    )


def remember(sessions: sessionmaker[Session], identity: DeskIdentity) -> None:
    value = {
        "organization_id": str(identity.organization_id),
        "user_id": str(identity.user_id),
        "role": str(identity.role),
        "label": identity.label,
        "specialist_id": str(identity.specialist_id) if identity.specialist_id else None,
    }
    with sessions.begin() as session:
        row = session.get(LocalSetting, IDENTITY_SETTING)
        if row is None:
            session.add(LocalSetting(key=IDENTITY_SETTING, value=value))
        else:
            row.value = value


def forget(sessions: sessionmaker[Session]) -> None:
    """Signed out: the next start asks again."""
    with sessions.begin() as session:
        row = session.get(LocalSetting, IDENTITY_SETTING)
        if row is not None:
            session.delete(row)


def identity_for_user(
    sessions: sessionmaker[Session], organization_id: uuid.UUID, user_id: uuid.UUID
) -> DeskIdentity:
    """The user's role in the organization, their name, and their specialist record if any."""
    with sessions() as session:
        found = session.execute(
            select(User.display_name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id, User.id == user_id)
        ).first()
        if found is None:
            raise NotFound(T_("This account is not a member of the clinic."), field="user_id")
        specialist_id = session.scalar(
            select(Specialist.id).where(
                Specialist.organization_id == organization_id, Specialist.user_id == user_id
            )
        )
    return DeskIdentity(
        organization_id, user_id, Role(found.role), found.display_name, specialist_id
    )


def first_member(
    sessions: sessionmaker[Session], organization_id: uuid.UUID, role: Role
) -> DeskIdentity:
    """The organization's first member with this role (the demo signs in as its receptionist)."""
    with sessions() as session:
        user_id = session.scalar(
            select(Membership.user_id)
            .where(Membership.organization_id == organization_id, Membership.role == role)
            .order_by(Membership.id)
            .limit(1)
        )
    if user_id is None:
        raise NotFound(
            T_("The clinic has nobody with this role: {role}.", role=Role(role).text),
            field="role",
        )
    return identity_for_user(sessions, organization_id, user_id)


def setup_standalone(
    sessions: sessionmaker[Session],
    *,
    clinic_name: str,
    timezone: str,
    admin_name: str,
    admin_email: str,
    clock: Clock | None = None,
) -> DeskIdentity:
    """ "Use this computer only": the organization and its first admin, remembered as the
    desk's identity. Every field is checked before anything is written."""
    errors = []
    if not clinic_name.strip():
        errors.append(FieldError("clinic_name", T_("Type the clinic's name.")))
    if not admin_name.strip():
        errors.append(FieldError("admin_name", T_("Type your name.")))
    try:
        normalize_email(admin_email, field="admin_email")
    except InvalidInput as error:
        errors.append(FieldError("admin_email", error.errors[0].text))
    if errors:
        raise InvalidInput(errors)
    # Checked first: the organization and its admin are two service calls.
    zone(timezone)
    organization_id = new_id()
    setup = ServiceContext(
        sessions=sessions,
        organization_id=organization_id,
        actor=Actor.system("first run"),
        clock=clock or SystemClock(),
    )
    slug = f"{_slug(clinic_name)}-{organization_id.hex[-6:]}"
    catalog.create_organization(setup, name=clinic_name.strip(), slug=slug, timezone=timezone)
    admin = catalog.add_staff_user(
        setup, email=admin_email, display_name=admin_name.strip(), role=Role.ADMIN
    ).value
    identity = DeskIdentity(organization_id, admin.id, Role.ADMIN, admin_name.strip())
    remember(sessions, identity)
    return identity


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "clinic"
