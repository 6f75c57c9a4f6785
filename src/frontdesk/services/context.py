"""What every service call needs: where the data is, who acts, what time it is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.integrations.video import JitsiRooms, VideoRoomProvider
from frontdesk.store.changes import ChangeSet
from frontdesk.store.unit_of_work import Actor, UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A service's result and the ChangeSet of its transaction."""

    value: T
    changes: ChangeSet


@dataclass(frozen=True)
class ServiceContext:
    sessions: sessionmaker[Session]
    organization_id: uuid.UUID
    actor: Actor
    clock: Clock = field(default_factory=SystemClock)
    video_rooms: VideoRoomProvider = field(default_factory=JitsiRooms)
    # The desktop mirror records every change for sync; the server does not.
    record_outbox: bool = True

    def transaction(self) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            clock=self.clock,
            actor=self.actor,
            organization_id=self.organization_id,
            record_outbox=self.record_outbox,
        )

    def acting_as(self, actor: Actor) -> ServiceContext:
        return replace(self, actor=actor)
