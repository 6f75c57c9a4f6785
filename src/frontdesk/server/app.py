"""The FastAPI application: routers, error answers and middleware around them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.server import auth, claims_api, me_api, public_api, sync_api
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.errors import install_error_handlers
from frontdesk.server.middleware import BodyLimit, SchemaVersion, ServerTime
from frontdesk.server.state import ServerState
from frontdesk.sync.protocol import SCHEMA_VERSION


def create_app(
    config: ServerConfig, database: ServerDatabase, *, clock: Clock | None = None
) -> FastAPI:
    state = ServerState.build(config, database, clock or SystemClock())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # The hub's listening connection starts with the first live stream.
        state.live.close()

    app = FastAPI(
        title="Front Desk server",
        version="1",
        description="Sync for Front Desk desktops and the public booking page.",
        lifespan=lifespan,
    )
    app.state.frontdesk = state
    app.include_router(auth.router)
    app.include_router(me_api.router)
    app.include_router(public_api.router)
    app.include_router(sync_api.router)
    app.include_router(claims_api.router)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    install_error_handlers(app)
    # Outermost last: the time stamp goes on every answer, even a 413 or 426.
    app.add_middleware(SchemaVersion, version=SCHEMA_VERSION)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(ServerTime, clock=app.state.frontdesk.clock)
    return app
