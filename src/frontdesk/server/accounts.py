"""Organizations, staff accounts and sign-in on the server: the admin bootstrap
(`create-org`, `create-user`) and the token exchange behind `/v1/auth`."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.domain.contact import normalize_email
from frontdesk.domain.enums import STAFF_ROLES, Role
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.ids import new_id
from frontdesk.server.config import ServerConfig
from frontdesk.server.devices import (
    AccessEnded,
    DeviceClaim,
    is_deactivated,
    register_device,
    secret_digest,
    see_device,
)
from frontdesk.server.known_sources import recognised, remember, source_hashes
from frontdesk.server.models import Credential, Device, RefreshToken
from frontdesk.server.passwords import hash_password, needs_rehash, verify_password
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.sign_in_guard import Attempt, SignInGuard
from frontdesk.server.tokens import (
    InvalidToken,
    Principal,
    RefreshSecret,
    issue_access_token,
)
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import Membership, Organization, Specialist, User
from frontdesk.store.unit_of_work import Actor

# Stands for an unknown account in the lookup of known sources (which then finds none).
_NO_USER = uuid.UUID(int=0)


class SignInRefused(Exception):
    """Wrong address or password, no membership, or an inactive account (one message for
    all, so a caller learns nothing about which accounts exist). A deactivated membership
    reads the same."""


class ChooseClinic(Exception):
    """The password is right and the account works for several clinics: the caller names
    one. Told only after the password is checked, so it says nothing to a stranger."""

    def __init__(self, clinics: list[tuple[str, str]]) -> None:
        super().__init__("this account works for several clinics: choose one")
        self.clinics = clinics  # (slug, name), by name


def create_organization(
    engine: Engine,
    *,
    name: str,
    slug: str,
    timezone: str,
    country: str | None = None,
    clock: Clock | None = None,
) -> Organization:
    org_id = new_id()
    ctx = ServiceContext(
        sessions=scoped_sessions(engine, Scope(organization_id=org_id, public_slug=slug)),
        organization_id=org_id,
        actor=Actor.system("frontdesk-server create-org"),
        clock=clock or SystemClock(),
        record_outbox=False,
    )
    return catalog.create_organization(
        ctx, name=name, slug=slug, timezone=timezone, country=country
    ).value


def organization_id_for_slug(engine: Engine, slug: str) -> uuid.UUID | None:
    with scoped_sessions(engine, Scope(public_slug=slug))() as session:
        return session.scalar(select(Organization.id).where(Organization.slug == slug))


def create_user(
    engine: Engine,
    *,
    organization_id: uuid.UUID,
    email: str,
    password: str,
    role: Role,
    display_name: str,
    clock: Clock | None = None,
) -> User:
    """A staff account in the organization (an existing account of the address gains the
    membership) with this password."""
    password_hash = hash_password(password)
    address = normalize_email(email)
    scope = Scope(organization_id=organization_id, role=Role.ADMIN, login_email=address)
    ctx = ServiceContext(
        sessions=scoped_sessions(engine, scope),
        organization_id=organization_id,
        actor=Actor.system("frontdesk-server create-user"),
        clock=clock or SystemClock(),
        record_outbox=False,
    )
    user = catalog.add_staff_user(ctx, email=address, display_name=display_name, role=role).value
    owner = ServiceContext(
        sessions=scoped_sessions(engine, Scope(organization_id=organization_id, user_id=user.id)),
        organization_id=organization_id,
        actor=ctx.actor,
        clock=ctx.clock,
        record_outbox=False,
    )
    with owner.transaction() as tx:
        _store_hash(tx.session, user.id, password_hash)
        tx.audit("credential.set", "user", user.id)
    return user


def _store_hash(session: Session, user_id: uuid.UUID, password_hash: str) -> None:
    credential = session.get(Credential, user_id)
    if credential is None:
        session.add(Credential(user_id=user_id, password_hash=password_hash))
    else:
        credential.password_hash = password_hash


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    principal: Principal


class Accounts:
    """Sign-in, refresh and sign-out against the server database."""

    def __init__(self, engine: Engine, config: ServerConfig, clock: Clock) -> None:
        self._engine = engine
        self._config = config
        self._clock = clock

    def sign_in(
        self,
        *,
        email: str,
        password: str,
        organization_slug: str | None,
        device: DeviceClaim | None,
        address: str,
        guard: SignInGuard,
    ) -> TokenPair:
        """Tokens for the account; with `device`, bound to that desk (registered now, or
        recognised by its secret: `DeviceRefused` otherwise). `guard` may refuse the attempt
        before the password is checked (`RateLimited`), judging `address` and the desk by
        whether they signed in to this account lately."""
        try:
            login_email: str | None = normalize_email(email)
        except InvalidInput:
            login_email = None
        user = self._user_by_email(login_email) if login_email else None
        user_id = user.id if user is not None else None
        now = self._clock.now()
        known_since = now - timedelta(days=self._config.login_known_days)
        sources = source_hashes(self._config.token_secret, address, device)
        # Looked up for unknown accounts too (none match): the same work either way.
        with scoped_sessions(self._engine, Scope(login_user_id=user_id))() as session:
            known = recognised(session, user_id or _NO_USER, sources, known_since)
        attempt = Attempt((login_email or email.strip()).lower(), address, known)
        guard.admit(attempt)
        try:
            membership = self._check_password(user, password, organization_slug)
        except ChooseClinic:
            guard.succeeded(attempt)  # the right password: asking for the clinic is no failure
            raise
        guard.succeeded(attempt)
        principal = self._principal(membership, device, None)
        with scoped_sessions(self._engine, Scope(login_user_id=principal.user_id)).begin() as s:
            remember(s, principal.user_id, sources, now, known_since)
        # The session's absolute end: refreshing never moves it.
        ends_at = now + timedelta(days=self._config.refresh_token_days)
        return self._issue(
            principal,
            family_id=new_id(),
            expires_at=ends_at,
            secret=RefreshSecret.new(principal.organization_id),
        )

    def _user_by_email(self, address: str) -> User | None:
        with scoped_sessions(self._engine, Scope(login_email=address))() as session:
            # Addresses are compared without case, as people type them.
            return session.scalar(select(User).where(func.lower(User.email) == address.lower()))

    def _check_password(
        self, user: User | None, password: str, organization_slug: str | None
    ) -> Membership:
        user_id = user.id if user is not None else None
        scope = Scope(login_user_id=user_id, public_slug=organization_slug)
        with scoped_sessions(self._engine, scope).begin() as session:
            credential = session.get(Credential, user_id) if user_id else None
            stored = credential.password_hash if credential else None
            if not verify_password(stored, password) or user is None or not user.is_active:
                raise SignInRefused
            if credential is not None and needs_rehash(credential.password_hash):
                credential.password_hash = hash_password(password)
            return self._membership(session, user.id, organization_slug)

    def _membership(self, session: Session, user_id: uuid.UUID, slug: str | None) -> Membership:
        query = (
            select(Membership)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(Membership.user_id == user_id, Membership.role.in_(sorted(STAFF_ROLES)))
        )
        if slug:
            query = query.where(Organization.slug == slug)
        memberships = list(session.scalars(query))
        if len(memberships) > 1:
            raise ChooseClinic(self._clinics(session, memberships))
        if not memberships:
            raise SignInRefused
        return memberships[0]

    @staticmethod
    def _clinics(session: Session, memberships: list[Membership]) -> list[tuple[str, str]]:
        found = session.execute(
            select(Organization.slug, Organization.name)
            .where(Organization.id.in_([m.organization_id for m in memberships]))
            .order_by(Organization.name, Organization.slug)
        ).all()
        return [(slug, name) for slug, name in found]

    def _principal(
        self,
        membership: Membership,
        claim: DeviceClaim | None,
        refreshed_device: uuid.UUID | None,
    ) -> Principal:
        """The token's subject, checked in the organization: not deactivated there, and its
        device registered (`claim`, at sign-in) or still allowed (`refreshed_device`)."""
        scope = Scope(
            organization_id=membership.organization_id,
            role=membership.role,
            user_id=membership.user_id,
        )
        with scoped_sessions(self._engine, scope).begin() as session:
            specialist_id = session.scalar(
                select(Specialist.id).where(
                    Specialist.user_id == membership.user_id, Specialist.is_active.is_(True)
                )
            )
            if is_deactivated(session, membership.organization_id, membership.user_id):
                raise SignInRefused
            now = self._clock.now()
            if claim is not None:
                register_device(session, membership, claim, now)
            elif refreshed_device is not None:
                see_device(session, membership.organization_id, refreshed_device, now)
        device_id = claim.id if claim is not None else refreshed_device
        return Principal(
            user_id=membership.user_id,
            organization_id=membership.organization_id,
            role=Role(membership.role),
            specialist_id=specialist_id,
            device_id=device_id,
        )

    def _issue(
        self,
        principal: Principal,
        *,
        family_id: uuid.UUID,
        expires_at: datetime,
        secret: RefreshSecret,
    ) -> TokenPair:
        with scoped_sessions(self._engine, self._scope(principal)).begin() as session:
            session.add(
                RefreshToken(
                    organization_id=principal.organization_id,
                    user_id=principal.user_id,
                    family_id=family_id,
                    device_id=principal.device_id,
                    token_hash=secret.digest,
                    issued_at=self._clock.now(),
                    expires_at=expires_at,
                )
            )
        return self._pair(principal, secret)

    def _pair(self, principal: Principal, secret: RefreshSecret) -> TokenPair:
        access = issue_access_token(
            principal,
            secret=self._config.token_secret,
            now=self._clock.now(),
            seconds=self._config.access_token_seconds,
        )
        return TokenPair(access, secret.token, self._config.access_token_seconds, principal)

    @staticmethod
    def _scope(principal: Principal) -> Scope:
        return Scope(
            organization_id=principal.organization_id,
            role=principal.role,
            user_id=principal.user_id,
        )

    def refresh(self, token: str, device_key: str | None = None) -> TokenPair:
        """Exchange a refresh token for a new pair; the old one is revoked. A token used a
        second time means it leaked: its whole family is revoked — unless its own desk
        (proving `device_key`) presents it again within the grace window, having lost the
        answer: then it gets the same new refresh token again."""
        secret = RefreshSecret.parse(token)
        now = self._clock.now()
        scope = Scope(organization_id=secret.organization_id)
        with scoped_sessions(self._engine, scope).begin() as session:
            row = session.scalar(
                select(RefreshToken)
                .where(RefreshToken.token_hash == secret.digest)
                .with_for_update()
            )
            if row is None or row.expires_at <= now:
                raise InvalidToken("unknown or expired refresh token")
            successor = RefreshSecret.successor(
                secret.organization_id, self._config.token_secret, row.id
            )
            replayed = reused = False
            if row.revoked_at is None:
                row.revoked_at = now
            elif self._lost_answer(session, row, successor, device_key, now):
                replayed = True
            else:
                self._revoke_family(session, row.family_id, now)
                reused = True
            family_id, user_id, device_id = row.family_id, row.user_id, row.device_id
            ends_at = row.expires_at
            # The same rule as at sign-in: a staff membership (a role taken away ends it).
            membership = session.scalar(
                select(Membership).where(
                    Membership.organization_id == secret.organization_id,
                    Membership.user_id == user_id,
                    Membership.role.in_(sorted(STAFF_ROLES)),
                )
            )
            user = session.get(User, user_id)
            # An administrator's revocation also revokes the refresh tokens: say so rather
            # than call the token reused.
            deactivated = is_deactivated(session, secret.organization_id, user_id)
            device = session.get(Device, (secret.organization_id, device_id)) if device_id else None
            device_revoked = device_id is not None and (
                device is None or device.revoked_at is not None
            )
        if membership is None or user is None or not user.is_active or deactivated:
            raise InvalidToken("the account no longer has access")
        if device_revoked:
            raise InvalidToken("this desk was revoked by an administrator; sign in again")
        if reused:
            raise InvalidToken("refresh token was already used; sign in again")
        try:
            principal = self._principal(membership, None, device_id)
        except SignInRefused as error:
            raise InvalidToken("the account no longer has access") from error
        except AccessEnded as error:
            raise InvalidToken(str(error)) from error
        if replayed:
            return self._pair(principal, successor)
        return self._issue(principal, family_id=family_id, expires_at=ends_at, secret=successor)

    def _lost_answer(
        self,
        session: Session,
        row: RefreshToken,
        successor: RefreshSecret,
        device_key: str | None,
        now: datetime,
    ) -> bool:
        """`row` was rotated moments ago, its own desk proves itself, and the token it was
        rotated into is still unused: the desk never got the answer."""
        assert row.revoked_at is not None
        if row.device_id is None or device_key is None:
            return False
        if now - row.revoked_at > timedelta(seconds=self._config.refresh_grace_seconds):
            return False
        device = session.get(Device, (row.organization_id, row.device_id))
        if device is None or device.secret_hash is None:
            return False
        if not hmac.compare_digest(device.secret_hash, secret_digest(device_key)):
            return False
        following = session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == successor.digest)
        )
        return (
            following is not None
            and following.family_id == row.family_id
            and following.revoked_at is None
        )

    def sign_out(self, token: str) -> None:
        secret = RefreshSecret.parse(token)
        scope = Scope(organization_id=secret.organization_id)
        with scoped_sessions(self._engine, scope).begin() as session:
            row = session.scalar(
                select(RefreshToken).where(RefreshToken.token_hash == secret.digest)
            )
            if row is None:
                raise InvalidToken("unknown refresh token")
            self._revoke_family(session, row.family_id, self._clock.now())

    @staticmethod
    def _revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> None:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
