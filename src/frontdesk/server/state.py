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
from frontdesk.server.sign_in_guard import SignInGuard


@dataclass
class ServerState:
    config: ServerConfig
    database: ServerDatabase
    clock: Clock
    sign_in_guard: SignInGuard
    booking_limits: RateLimits
    live: LiveHub

    @classmethod
    def build(cls, config: ServerConfig, database: ServerDatabase, clock: Clock) -> ServerState:
        return cls(
            config=config,
            database=database,
            clock=clock,
            sign_in_guard=SignInGuard(config, clock),
            booking_limits=RateLimits("booking", config.booking_rate_limit),
            live=LiveHub(database.engine, per_account=config.live_streams_per_account),
        )


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.frontdesk
    return state
