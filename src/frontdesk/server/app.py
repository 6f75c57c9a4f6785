"""The FastAPI application: routers, error answers and middleware around them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.server import (
    admin_api,
    auth,
    claims_api,
    me_api,
    operations_api,
    public_api,
    public_services_api,
    sync_api,
)
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.errors import install_error_handlers
from frontdesk.server.middleware import BodyLimit, SchemaVersion, SecurityHeaders, ServerTime
from frontdesk.server.state import ServerState
from frontdesk.sync.protocol import SCHEMA_VERSION


class FrontDeskAPI(FastAPI):
    """FastAPI with the security headers outside everything, Starlette's own 500 answer
    (which sits outside the added middleware) included."""

    def __init__(self, *, tls: bool, **settings: Any) -> None:
        super().__init__(**settings)
        self.tls = tls

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), tls=self.tls)


def create_app(
    config: ServerConfig,
    database: ServerDatabase,
    *,
    clock: Clock | None = None,
    debug: bool = False,
) -> FastAPI:
    """The API; `debug` also serves its description and explorer (`/openapi.json`, `/docs`,
    `/redoc`), which a production server keeps to itself."""
    state = ServerState.build(config, database, clock or SystemClock())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # The hub's listening connection starts with the first live stream.
        state.live.close()

    app = FrontDeskAPI(
        tls=config.uses_tls,
        title="Front Desk server",
        version="1",
        description="Sync for Front Desk desktops and the public booking page.",
        openapi_url="/openapi.json" if debug else None,
        lifespan=lifespan,
    )
    app.state.frontdesk = state
    app.include_router(auth.router)
    app.include_router(me_api.router)
    app.include_router(public_api.router)
    app.include_router(public_services_api.router)
    app.include_router(sync_api.router)
    app.include_router(claims_api.router)
    app.include_router(operations_api.router)
    app.include_router(admin_api.router)

    install_error_handlers(app)
    # Outermost last: the time stamp goes on every answer, even a 413 or 426.
    app.add_middleware(SchemaVersion, version=SCHEMA_VERSION)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(ServerTime, clock=app.state.frontdesk.clock)
    return app
