"""The Daily.co room adapter against a stand-in of its REST API on loopback (this machine
cannot reach Daily.co): the same HTTP calls, the same answers for the cases the adapter meets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from frontdesk.integrations.video import DailyRooms, VideoRoomUnavailable
from frontdesk.services import booking, lifecycle
from tests.support.clinic import Clinic
from tests.support.http_standin import JsonHandler
from tests.support.rows import insert_person

API_KEY = "test-daily-key"
ENDS = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


class FakeDaily(ThreadingHTTPServer):
    """Rooms kept in memory: POST /rooms, POST /rooms/{name}, DELETE /rooms/{name}."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.rooms: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(JsonHandler):
    server: FakeDaily

    def _authorized(self) -> bool:
        self.server.calls.append((self.command, self.path))
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            self.answer(401, {"error": "authentication-error", "info": "bad API key"})
            return False
        return True

    def do_POST(self) -> None:
        if not self._authorized():
            return
        body = self.json_body()
        rooms = self.server.rooms
        if self.path == "/v1/rooms":
            name = body["name"]
            if name in rooms:
                self.answer(
                    400,
                    {
                        "error": "invalid-request-error",
                        "info": f"a room named {name} already exists",
                    },
                )
                return
            rooms[name] = {
                "name": name,
                "url": f"https://clinic.daily.co/{name}",
                "config": dict(body.get("properties", {})),
            }
            self.answer(200, rooms[name])
            return
        name = self.path.removeprefix("/v1/rooms/")
        if name not in rooms:
            self.answer(404, {"error": "not-found"})
            return
        rooms[name]["config"].update(body.get("properties", {}))
        self.answer(200, rooms[name])

    def do_DELETE(self) -> None:
        if not self._authorized():
            return
        name = self.path.removeprefix("/v1/rooms/")
        if self.server.rooms.pop(name, None) is None:
            self.answer(404, {"error": "not-found"})
        else:
            self.answer(200, {"deleted": True, "name": name})


@pytest.fixture
def daily() -> Iterator[FakeDaily]:
    server = FakeDaily()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_room_is_created_with_its_expiry(daily: FakeDaily) -> None:
    room = DailyRooms(API_KEY, base_url=daily.url).create_room("restartix-a-b", ENDS)
    assert room.url == "https://clinic.daily.co/restartix-a-b"
    assert room.expires_at == ENDS
    assert daily.rooms["restartix-a-b"]["config"] == {
        "exp": int(ENDS.timestamp()),
        "eject_at_room_exp": True,
    }


def test_creating_an_existing_room_returns_it_with_the_new_expiry(daily: FakeDaily) -> None:
    rooms = DailyRooms(API_KEY, base_url=daily.url)
    first = rooms.create_room("restartix-a-b", ENDS)
    later = ENDS + timedelta(hours=2)
    again = rooms.create_room("restartix-a-b", later)
    assert again.url == first.url
    assert daily.rooms["restartix-a-b"]["config"]["exp"] == int(later.timestamp())
    assert len(daily.rooms) == 1


def test_deleting_is_idempotent(daily: FakeDaily) -> None:
    rooms = DailyRooms(API_KEY, base_url=daily.url)
    rooms.create_room("restartix-a-b", ENDS)
    rooms.delete_room("restartix-a-b")
    rooms.delete_room("restartix-a-b")
    assert daily.rooms == {}


def test_a_refused_key_is_a_clear_error(daily: FakeDaily) -> None:
    with pytest.raises(VideoRoomUnavailable) as refused:
        DailyRooms("wrong", base_url=daily.url).create_room("restartix-a-b", ENDS)
    assert refused.value.field == "video_room"
    assert "HTTP 401" in refused.value.message
    assert daily.rooms == {}


def test_an_unreachable_service_is_a_clear_error(daily: FakeDaily) -> None:
    url = daily.url
    daily.shutdown()
    daily.server_close()
    with pytest.raises(VideoRoomUnavailable, match="cannot be reached"):
        DailyRooms(API_KEY, base_url=url, timeout=2).delete_room("restartix-a-b")


def test_a_walk_in_opens_a_daily_room_and_cancelling_deletes_it(
    clinic: Clinic, daily: FakeDaily
) -> None:
    ctx = replace(clinic.ctx, video_rooms=DailyRooms(API_KEY, base_url=daily.url))
    appointment = booking.book_walk_in(
        ctx,
        patient_person_id=insert_person(clinic).id,
        service_id=clinic.video_service_id,
        specialist_id=clinic.specialist_id,
        start=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
    ).value.appointment
    assert appointment.video_room_url == f"https://clinic.daily.co/{appointment.video_room_name}"
    assert list(daily.rooms) == [appointment.video_room_name]
    lifecycle.cancel(ctx, appointment.id, reason="patient asked")
    assert daily.rooms == {}
