"""Video rooms for appointments. Room names follow the specification:
restartix-{organization id}-{appointment id}; a room expires when the appointment ends."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx

from frontdesk.domain.errors import DomainError


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


class VideoRoomUnavailable(DomainError):
    """The video provider could not create or remove a room (nothing was saved; try again)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="video_room")


class DailyRooms:
    """Rooms on Daily.co through its REST API. A room expires (`exp`) when the appointment ends
    and everyone is then removed from it; creating a room that exists returns it with the new
    expiry, and deleting one that does not exist is fine — the provider calls are idempotent,
    as services may run them again."""

    API_URL = "https://api.daily.co/v1"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = API_URL,
        client: httpx.Client | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._client = client or httpx.Client(timeout=timeout)

    def create_room(self, name: str, expires_at: datetime) -> VideoRoom:
        properties = {"exp": int(expires_at.timestamp()), "eject_at_room_exp": True}
        created = self._call("POST", "/rooms", {"name": name, "properties": properties})
        if created.status_code == httpx.codes.BAD_REQUEST and "already exists" in created.text:
            # Made by an earlier attempt (or another desk): move its expiry to this one.
            created = self._call("POST", f"/rooms/{name}", {"properties": properties})
        body = self._json(created, f"create room {name}")
        return VideoRoom(name=str(body["name"]), url=str(body["url"]), expires_at=expires_at)

    def delete_room(self, name: str) -> None:
        response = self._call("DELETE", f"/rooms/{name}", None)
        if response.status_code != httpx.codes.NOT_FOUND:
            self._json(response, f"delete room {name}")

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        try:
            return self._client.request(
                method, f"{self._base_url}{path}", json=body, headers=self._headers
            )
        except httpx.HTTPError as error:
            raise VideoRoomUnavailable(f"the video service cannot be reached: {error}") from error

    @staticmethod
    def _json(response: httpx.Response, what: str) -> dict[str, Any]:
        if response.is_success:
            with contextlib.suppress(ValueError):  # a success without JSON is refused below
                body: dict[str, Any] = response.json()
                return body
        raise VideoRoomUnavailable(
            f"the video service refused to {what} (HTTP {response.status_code})"
        )
