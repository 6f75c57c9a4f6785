"""Who calls: the Bearer access token read into a `Principal`, and `/v1/auth`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from frontdesk.server.accounts import Accounts, SignInRefused, TokenPair
from frontdesk.server.state import ServerState, server_state
from frontdesk.server.tokens import InvalidToken, Principal, read_access_token

__all__ = ["Principal", "current_principal", "router"]

_bearer = HTTPBearer(auto_error=False)


def current_principal(
    state: Annotated[ServerState, Depends(server_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("an access token is required")
    try:
        return read_access_token(credentials.credentials, secret=state.config.token_secret)
    except InvalidToken as error:
        raise _unauthorized("the access token is invalid or expired") from error


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


router = APIRouter(prefix="/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    organization_slug: str | None = Field(default=None, max_length=80)
    device_id: uuid.UUID | None = None


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


def _accounts(state: ServerState) -> Accounts:
    return Accounts(state.database.engine, state.config, state.clock)


@router.post(
    "/login",
    responses={
        401: {"description": "Wrong address or password"},
        429: {"description": "Slow down"},
    },
)
def login(
    body: LoginRequest, request: Request, state: Annotated[ServerState, Depends(server_state)]
) -> TokenResponse:
    address = request.client.host if request.client else "unknown"
    state.login_limits.hit(("email", body.email.strip().lower()), ("address", address))
    try:
        pair = _accounts(state).sign_in(
            email=body.email,
            password=body.password,
            organization_slug=body.organization_slug,
            device_id=body.device_id,
        )
    except SignInRefused as error:
        raise _unauthorized("wrong email or password") from error
    return _response(pair)


@router.post("/refresh", responses={401: {"description": "Sign in again"}})
def refresh(
    body: RefreshRequest, state: Annotated[ServerState, Depends(server_state)]
) -> TokenResponse:
    try:
        return _response(_accounts(state).refresh(body.refresh_token))
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
