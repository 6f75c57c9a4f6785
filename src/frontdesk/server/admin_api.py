"""`/v1/admin`: an administrator's view of the organization's desks and staff accounts —
list devices, revoke one (its tokens stop at once), deactivate an account."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from frontdesk.domain.enums import Role
from frontdesk.server.deps import CurrentPrincipal, OrgSession
from frontdesk.server.devices import (
    DeviceRow,
    NotFound,
    deactivate_member,
    list_devices,
    revoke_device,
)
from frontdesk.server.errors import refusal_detail
from frontdesk.server.state import ServerState, server_state
from frontdesk.server.tokens import Principal


def admin_only(principal: CurrentPrincipal) -> Principal:
    if principal.role is not Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only an administrator may do this")
    return principal


AdminPrincipal = Annotated[Principal, Depends(admin_only)]
router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    responses={401: {"description": "No valid access token"}, 403: {"description": "Not admin"}},
)


class DeviceOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    label: str
    registered_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: DeviceRow) -> DeviceOut:
        return cls(
            id=row.id,
            user_id=row.user_id,
            email=row.email,
            label=row.label,
            registered_at=row.registered_at,
            last_seen_at=row.last_seen_at,
            revoked_at=row.revoked_at,
        )


@router.get("/devices")
def devices(principal: AdminPrincipal, session: OrgSession) -> list[DeviceOut]:
    return [DeviceOut.of(row) for row in list_devices(session)]


@router.post("/devices/{device_id}/revoke", responses={404: {"description": "No such device"}})
def revoke(
    device_id: uuid.UUID,
    principal: AdminPrincipal,
    session: OrgSession,
    state: Annotated[ServerState, Depends(server_state)],
) -> DeviceOut:
    try:
        row = revoke_device(session, principal.organization_id, device_id, state.clock.now())
    except NotFound as error:
        detail = refusal_detail(error.field, error.text)
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail) from error
    return DeviceOut.of(row)


@router.post(
    "/users/{user_id}/deactivate",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        404: {"description": "No such staff account"},
        422: {"description": "One's own account"},
    },
)
def deactivate(
    user_id: uuid.UUID,
    principal: AdminPrincipal,
    session: OrgSession,
    state: Annotated[ServerState, Depends(server_state)],
) -> None:
    if user_id == principal.user_id:
        # An organization must not lose its last administrator by a slip.
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail="user_id: an administrator cannot deactivate their own account",
        )
    try:
        deactivate_member(session, principal.organization_id, user_id, state.clock.now())
    except NotFound as error:
        detail = refusal_detail(error.field, error.text)
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail) from error
