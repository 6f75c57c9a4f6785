"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed, rotated)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from frontdesk.domain.enums import Role

ALGORITHM = "HS256"
ACCESS = "access"


class InvalidToken(Exception):
    """A token that is malformed, expired, revoked or signed by someone else."""


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, read from its access token."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: Role
    specialist_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None


def issue_access_token(principal: Principal, *, secret: str, now: datetime, seconds: int) -> str:
    claims = {
        "typ": ACCESS,
        "sub": str(principal.user_id),
        "org": str(principal.organization_id),
        "role": principal.role.value,
        "spec": str(principal.specialist_id) if principal.specialist_id else None,
        "dev": str(principal.device_id) if principal.device_id else None,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=seconds)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(token: str, *, secret: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "org"]}
        )
        if claims.get("typ") != ACCESS:
            raise InvalidToken("not an access token")
        return Principal(
            user_id=uuid.UUID(claims["sub"]),
            organization_id=uuid.UUID(claims["org"]),
            role=Role(claims["role"]),
            specialist_id=uuid.UUID(claims["spec"]) if claims.get("spec") else None,
            device_id=uuid.UUID(claims["dev"]) if claims.get("dev") else None,
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error


@dataclass(frozen=True)
class RefreshSecret:
    """A refresh token as the client holds it: `<organization id>.<random>`. The organization
    part lets the server scope the lookup (row-level security) before it knows who calls."""

    organization_id: uuid.UUID
    token: str

    @classmethod
    def new(cls, organization_id: uuid.UUID) -> RefreshSecret:
        return cls(organization_id, f"{organization_id}.{secrets.token_urlsafe(32)}")

    @classmethod
    def successor(
        cls, organization_id: uuid.UUID, key: str, predecessor_id: uuid.UUID
    ) -> RefreshSecret:
        """The token that replaces `predecessor_id` at rotation: derived from the server's
        secret, so a desk that lost the answer can be given the same one again."""
        mac = hmac.new(key.encode(), b"refresh-successor\0" + predecessor_id.bytes, "sha256")
        random_part = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
        return cls(organization_id, f"{organization_id}.{random_part}")

    @classmethod
    def parse(cls, token: str) -> RefreshSecret:
        organization, _, random_part = token.partition(".")
        try:
            organization_id = uuid.UUID(organization)
        except ValueError as error:
            raise InvalidToken("malformed refresh token") from error
        if len(random_part) < 32 or len(token) > 200:
            raise InvalidToken("malformed refresh token")
        return cls(organization_id, token)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.token.encode()).hexdigest()
