"""Probes for the service manager and the load balancer: `/health` (the process answers) and
`/ready` (it can serve: the database answers)."""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from frontdesk.server.state import server_state

READY_TIMEOUT_SECONDS = 2.0

router = APIRouter(tags=["operations"])
_log = logging.getLogger(__name__)


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness only: never touches the database, so a database outage does not get the
    process restarted (that would not bring the database back)."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "the database does not answer"}})
async def ready(request: Request) -> JSONResponse:
    """Readiness: `SELECT 1` answered within READY_TIMEOUT_SECONDS, else 503 with the reason."""
    engine = server_state(request).database.engine
    reason = f"the database did not answer within {READY_TIMEOUT_SECONDS:g} seconds"
    with anyio.move_on_after(READY_TIMEOUT_SECONDS):
        # Abandoned on timeout: a connection attempt to a silent host ends at its own timeout.
        reason = await anyio.to_thread.run_sync(_database_problem, engine, abandon_on_cancel=True)
    if reason:
        return JSONResponse({"status": "unavailable", "detail": reason}, status_code=503)
    return JSONResponse({"status": "ready"})


def _database_problem(engine: Engine) -> str:
    """'' when the database answers; else why not, in plain words (details go to the log)."""
    timeout_ms = int(READY_TIMEOUT_SECONDS * 1000)
    try:
        with engine.connect() as connection:
            connection.execute(text(f"SET LOCAL statement_timeout = {timeout_ms}"))
            connection.scalar(text("SELECT 1"))
    except SQLAlchemyError as error:
        _log.warning("readiness check: the database does not answer: %s", error)
        return "the database cannot be reached"
    return ""
