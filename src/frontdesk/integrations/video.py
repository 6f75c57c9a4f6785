"""Video rooms for appointments. Room names follow the specification:
restartix-{organization id}-{appointment id}; a room expires when the appointment ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class VideoRoom:
    name: str
    url: str
    expires_at: datetime


def room_name(organization_id: uuid.UUID, appointment_id: uuid.UUID) -> str:
    return f"restartix-{organization_id}-{appointment_id}"


class VideoRoomProvider(Protocol):
    def create_room(self, name: str, expires_at: datetime) -> VideoRoom:
        """Create (or return the existing) room called `name`."""
        ...

    def delete_room(self, name: str) -> None:
        """Delete the room; deleting a room that does not exist is not an error."""
        ...


class JitsiRooms:
    """Rooms on a Jitsi Meet server: a room exists as soon as its URL is opened, so nothing
    is created remotely and no account is needed."""

    def __init__(self, base_url: str = "https://meet.jit.si") -> None:
        self._base_url = base_url.rstrip("/")

    def create_room(self, name: str, expires_at: datetime) -> VideoRoom:
        return VideoRoom(name=name, url=f"{self._base_url}/{name}", expires_at=expires_at)

    def delete_room(self, name: str) -> None:
        """Jitsi rooms vanish when empty; the appointment forgets the URL instead."""
