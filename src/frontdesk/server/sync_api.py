"""`/v1/sync`: push a device's outbox, pull changes after a cursor, hear when data moves."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

from frontdesk.server.deps import (
    CurrentPrincipal,
    DevicePrincipal,
    OrgSession,
    principal_scope,
)
from frontdesk.server.live_hub import Subscription, TooManyStreams
from frontdesk.server.scope import scoped_sessions
from frontdesk.server.state import ServerState, server_state
from frontdesk.server.sync_apply import SequenceJump, apply_push
from frontdesk.server.sync_pull import Reader, build_page
from frontdesk.server.sync_rules import Pusher
from frontdesk.server.tokens import Principal
from frontdesk.sync.protocol import (
    CURSOR_HEADER,
    CURSOR_PATTERN,
    LAST_SEQ_HEADER,
    MORE_HEADER,
    PULL_PAGE_ROWS,
    SCOPE_HEADER,
    PullPage,
    PushRequest,
    PushResponse,
    SyncState,
)

router = APIRouter(prefix="/v1/sync", tags=["sync"])

LIVE_KEEPALIVE_SECONDS = 15.0
LIVE_RETRY_AFTER_SECONDS = 30
# A live stream ends after this long and the desk reconnects, so no stream outlives a
# shutdown or a revoked session by much.
LIVE_STREAM_SECONDS = 120.0


@router.post(
    "/push",
    responses={
        403: {"description": "Another device's session, or no device key"},
        409: {"description": "The batch does not follow on from the device's last one"},
    },
)
def push(
    body: PushRequest,
    principal: DevicePrincipal,
    session: OrgSession,
    state: Annotated[ServerState, Depends(server_state)],
) -> PushResponse:
    """Apply the device's mutations after its last applied sequence, in one transaction."""
    # A session without a device (signed in by a script) must not advance any desk's
    # sequence: mutations that desk sends later would be skipped as already applied.
    if principal.device_id != body.device_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="device_id: this session was not signed in on that device",
        )
    pusher = Pusher(
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        device_id=body.device_id,
        now=state.clock.now(),
        role=principal.role,
        specialist_id=principal.specialist_id,
    )
    try:
        return apply_push(session, pusher, body)
    except SequenceJump as error:
        # Nothing of the batch was written; the session's transaction rolls back.
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=str(error),
            headers={LAST_SEQ_HEADER: str(error.last_seq)},
        ) from error


@router.get("/pull", response_model=PullPage, responses={403: {"description": "No device key"}})
def pull(
    principal: DevicePrincipal,
    session: OrgSession,
    cursor: Annotated[str, Query(max_length=40, pattern=CURSOR_PATTERN)] = "",
    scope: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=PULL_PAGE_ROWS)] = PULL_PAGE_ROWS,
) -> Response:
    """Rows changed after `cursor` (empty: from the start), at most `limit` change entries.
    The next cursor is also in headers, so a desk can ask for the next page before reading
    this one."""
    page = build_page(session, _reader(principal), cursor, scope, limit)
    return Response(
        content=page.body,
        media_type="application/json",
        headers={
            CURSOR_HEADER: page.cursor,
            MORE_HEADER: "1" if page.more else "0",
            SCOPE_HEADER: page.scope,
        },
    )


@router.get("/state")
def sync_state(principal: CurrentPrincipal, session: OrgSession) -> SyncState:
    """The organization's current version (a desk compares it with its cursor)."""
    return SyncState(version=_version(session, principal))


@router.get(
    "/live",
    response_class=StreamingResponse,
    responses={429: {"description": "The account holds as many live streams as allowed"}},
)
async def live(
    principal: CurrentPrincipal,
    state: Annotated[ServerState, Depends(server_state)],
) -> StreamingResponse:
    """Server-sent events: `version` when the organization's version moves (and once on
    connecting), a comment line every 15 s in between (so a desk notices a dead connection).
    Waits on the process's one `LISTEN` connection: no query per stream but the first."""
    try:
        subscription = state.live.subscribe(principal.organization_id, principal.user_id)
    except TooManyStreams as error:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=str(error),
            headers={"Retry-After": str(LIVE_RETRY_AFTER_SECONDS)},
        ) from error
    try:
        # After subscribing: a version that moves during this read is not missed.
        seen = await run_in_threadpool(_read_version, state, principal)
    except BaseException:
        subscription.close()
        raise
    return _LiveResponse(_events(subscription, seen), subscription)


async def _events(subscription: Subscription, seen: int) -> AsyncIterator[str]:
    try:
        yield f"event: version\ndata: {seen}\n\n"
        ends = time.monotonic() + LIVE_STREAM_SECONDS
        while not subscription.closed:
            left = ends - time.monotonic()
            if left <= 0:
                return
            version = await subscription.wait(seen, min(LIVE_KEEPALIVE_SECONDS, left))
            if version is not None:
                seen = version
                yield f"event: version\ndata: {version}\n\n"
            elif not subscription.closed:
                yield ": keep-alive\n\n"
    finally:
        subscription.close()


class _LiveResponse(StreamingResponse):
    """Frees the stream's place even when the client leaves before the first event (the
    generator's own `finally` never runs if it never started)."""

    def __init__(self, events: AsyncIterator[str], subscription: Subscription) -> None:
        super().__init__(events, media_type="text/event-stream")
        self._subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._subscription.close()


def _read_version(state: ServerState, principal: Principal) -> int:
    sessions = scoped_sessions(state.database.engine, principal_scope(principal))
    with sessions.begin() as session:
        return _version(session, principal)


def _reader(principal: Principal) -> Reader:
    return Reader(
        principal.organization_id, principal.role, principal.specialist_id, principal.user_id
    )


def _version(session: Session, principal: Principal) -> int:
    version = session.scalar(
        text("SELECT version FROM sync_org_versions WHERE organization_id = :org"),
        {"org": principal.organization_id},
    )
    return int(version or 0)
