"""`GET /v1/me`: who the token belongs to, read under the request's row-level security (the
desktop shows it after sign-in)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from frontdesk.server.deps import CurrentPrincipal, OrgSession
from frontdesk.store.models import Organization, User

router = APIRouter(prefix="/v1/me", tags=["auth"])


class MeOut(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: str
    organization_id: uuid.UUID
    organization_name: str
    organization_slug: str
    timezone: str
    specialist_id: uuid.UUID | None


@router.get("", responses={401: {"description": "No valid access token"}})
def me(principal: CurrentPrincipal, session: OrgSession) -> MeOut:
    user = session.get(User, principal.user_id)
    organization = session.get(Organization, principal.organization_id)
    if user is None or organization is None or not user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="the account no longer exists")
    return MeOut(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=principal.role.value,
        organization_id=organization.id,
        organization_name=organization.name,
        organization_slug=organization.slug,
        timezone=organization.timezone,
        specialist_id=principal.specialist_id,
    )
