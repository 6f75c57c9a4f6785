"""What every request handler reaches through the app: settings, database, clock, limits,
the live update hub."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from frontdesk.domain.clock import Clock
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.limits import RateLimits
from frontdesk.server.live_hub import LiveHub


@dataclass
class ServerState:
    config: ServerConfig
    database: ServerDatabase
    clock: Clock
    login_limits: RateLimits
    booking_limits: RateLimits
    live: LiveHub

    @classmethod
    def build(cls, config: ServerConfig, database: ServerDatabase, clock: Clock) -> ServerState:
        return cls(
            config=config,
            database=database,
            clock=clock,
            login_limits=RateLimits("login", config.login_rate_limit),
            booking_limits=RateLimits("booking", config.booking_rate_limit),
            live=LiveHub(database.engine, per_account=config.live_streams_per_account),
        )


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.frontdesk
    return state
