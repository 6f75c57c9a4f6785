"""The FastAPI application: routers, error answers and middleware around them."""

from __future__ import annotations

from fastapi import FastAPI

from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.server import admin_api, auth, claims_api, me_api, public_api, sync_api
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.errors import install_error_handlers
from frontdesk.server.middleware import BodyLimit, SchemaVersion, ServerTime
from frontdesk.server.state import ServerState
from frontdesk.sync.protocol import SCHEMA_VERSION


def create_app(
    config: ServerConfig, database: ServerDatabase, *, clock: Clock | None = None
) -> FastAPI:
    app = FastAPI(
        title="Front Desk server",
        version="1",
        description="Sync for Front Desk desktops and the public booking page.",
    )
    app.state.frontdesk = ServerState.build(config, database, clock or SystemClock())
    app.include_router(auth.router)
    app.include_router(me_api.router)
    app.include_router(public_api.router)
    app.include_router(sync_api.router)
    app.include_router(claims_api.router)
    app.include_router(admin_api.router)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    install_error_handlers(app)
    # Outermost last: the time stamp goes on every answer, even a 413 or 426.
    app.add_middleware(SchemaVersion, version=SCHEMA_VERSION)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(ServerTime, clock=app.state.frontdesk.clock)
    return app
