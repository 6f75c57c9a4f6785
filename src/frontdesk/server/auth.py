"""Who calls: the Bearer access token read into a `Principal` (its account and device still
allowed, and the device's key checked when one is sent), and `/v1/auth`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from frontdesk.server.accounts import Accounts, ChooseClinic, SignInRefused, TokenPair
from frontdesk.server.devices import (
    MIN_SECRET_LENGTH,
    AccessEnded,
    DeviceClaim,
    DeviceRefused,
    check_access,
    proves,
)
from frontdesk.server.errors import refusal_detail
from frontdesk.server.state import ServerState, server_state
from frontdesk.server.tokens import InvalidToken, Principal, read_access_token
from frontdesk.sync.protocol import DEVICE_KEY_HEADER, MAX_BIGINT

__all__ = ["Principal", "current_principal", "proven_device", "router"]

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Caller:
    principal: Principal
    device_proven: bool


def current_caller(
    state: Annotated[ServerState, Depends(server_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    device_key: Annotated[
        str | None, Header(alias=DEVICE_KEY_HEADER, include_in_schema=False)
    ] = None,
) -> Caller:
    """The token's principal if its account (and device) may still act: one indexed lookup
    per request, so a revocation or deactivation holds from the next request on."""
    if credentials is None:
        raise _unauthorized("an access token is required")
    try:
        principal = read_access_token(credentials.credentials, secret=state.config.token_secret)
    except InvalidToken as error:
        raise _unauthorized("the access token is invalid or expired") from error
    try:
        access = check_access(state.database.engine, principal)
    except AccessEnded as error:
        raise _unauthorized(refusal_detail(error.field, error.text)) from error
    proven = proves(access, device_key)
    if device_key is not None and not proven:
        raise _device_refused("the device key does not belong to this session's device")
    return Caller(principal, proven)


def current_principal(caller: Annotated[Caller, Depends(current_caller)]) -> Principal:
    return caller.principal


def proven_device(caller: Annotated[Caller, Depends(current_caller)]) -> Principal:
    """For push and pull: the session's device proved itself with its key."""
    if caller.principal.device_id is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="device_id: this session was not signed in on a device",
        )
    if not caller.device_proven:
        raise _device_refused("the device key is missing: sign in again on this desk")
    return caller.principal


def _device_refused(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=f"{DEVICE_KEY_HEADER}: {detail}")


def _unauthorized(detail: str | list[dict[str, object]]) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


router = APIRouter(prefix="/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    organization_slug: str | None = Field(default=None, max_length=80)
    device_id: uuid.UUID | None = None
    # Required with device_id: the secret only this desk holds (the server keeps a hash).
    device_secret: str | None = Field(default=None, min_length=MIN_SECRET_LENGTH, max_length=200)
    device_label: str = Field(default="", max_length=100)
    next_seq: int = Field(default=1, ge=1, le=MAX_BIGINT)

    def device(self) -> DeviceClaim | None:
        if self.device_id is None:
            return None
        if self.device_secret is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail="device_secret: required with device_id",
            )
        return DeviceClaim(self.device_id, self.device_secret, self.device_label, self.next_seq)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: str
    specialist_id: uuid.UUID | None
    device_id: uuid.UUID | None


def _response(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user_id=pair.principal.user_id,
        organization_id=pair.principal.organization_id,
        role=pair.principal.role.value,
        specialist_id=pair.principal.specialist_id,
        device_id=pair.principal.device_id,
    )


def caller_address(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    """The socket's peer; behind a reverse proxy named in `trusted_proxies`, the address that
    proxy put last in X-Forwarded-For (anyone else's header is ignored: it could say anything)."""
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
    return forwarded or peer


def _accounts(state: ServerState) -> Accounts:
    return Accounts(state.database.engine, state.config, state.clock)


@router.post(
    "/login",
    responses={
        401: {"description": "Wrong address or password"},
        403: {"description": "The device belongs to another desk or was revoked"},
        409: {"description": "The account works for several clinics: name one"},
        429: {"description": "Slow down"},
    },
)
def login(
    body: LoginRequest, request: Request, state: Annotated[ServerState, Depends(server_state)]
) -> TokenResponse:
    try:
        pair = _accounts(state).sign_in(
            email=body.email,
            password=body.password,
            organization_slug=body.organization_slug,
            device=body.device(),
            address=caller_address(request, state.config.trusted_proxies),
            guard=state.sign_in_guard,
        )
    except SignInRefused as error:
        raise _unauthorized("wrong email or password") from error
    except ChooseClinic as error:
        clinics = [{"slug": slug, "name": name} for slug, name in error.clinics]
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail={"message": str(error), "clinics": clinics}
        ) from error
    except DeviceRefused as error:
        detail = refusal_detail(error.field, error.text)
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=detail) from error
    return _response(pair)


@router.post("/refresh", responses={401: {"description": "Sign in again"}})
def refresh(
    body: RefreshRequest,
    state: Annotated[ServerState, Depends(server_state)],
    device_key: Annotated[
        str | None, Header(alias=DEVICE_KEY_HEADER, include_in_schema=False)
    ] = None,
) -> TokenResponse:
    """A new pair. The desk sends its device key: a token its desk presents again within
    the grace window (the answer was lost) gets the same new refresh token."""
    try:
        return _response(_accounts(state).refresh(body.refresh_token, device_key))
    except InvalidToken as error:
        raise _unauthorized(str(error)) from error


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, responses={401: {"description": "Unknown"}}
)
def logout(body: RefreshRequest, state: Annotated[ServerState, Depends(server_state)]) -> None:
    try:
        _accounts(state).sign_out(body.refresh_token)
    except InvalidToken as error:
        raise _unauthorized(str(error)) from error
