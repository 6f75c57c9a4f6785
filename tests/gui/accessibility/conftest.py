"""The scene the accessibility walks build their windows over: the test clinic on its Monday
morning, with a booking to onboard, an onboarded appointment with forms, and an alert."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from frontdesk.domain.enums import AlertKind, Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.first_run import setup_desk
from frontdesk.services import alerts, onboarding
from frontdesk.services.context import ServiceContext
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor
from tests.gui.accessibility.scene import Scene
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book

TEN, ELEVEN, TWO_PM = (datetime(2026, 3, 2, hour, 0, tzinfo=UTC) for hour in (8, 9, 12))
"""Later the clinic's Monday (its clock says 09:00 in Bucharest)."""


@pytest.fixture
def scene(clinic: Clinic, desk_as: Callable[[Role], Desk], tmp_path: Path) -> Iterator[Scene]:
    booked = book(clinic.ctx, clinic, start=TEN, name="Ioana Marin")
    arriving = book(
        clinic.ctx, clinic, start=ELEVEN, name="Maria Stan", email="maria.stan@example.com"
    )
    onboarded = onboarding.onboard(clinic.ctx, arriving.appointment.id, keep_separate=True).value
    engine = ServiceContext(
        clinic.ctx.sessions, clinic.organization_id, Actor.system("automation"), clinic.clock
    )
    with engine.transaction() as tx:
        alerts.raise_alert(
            tx,
            kind=AlertKind.DELIVERY_FAILED,
            title="Appointment reminder SMS could not be delivered",
            details={"attempts": 5, "error": "number not reachable"},
        )
    desks: dict[Role, Desk] = {}
    opened: list[Desk] = []
    fresh = []

    def desk_for(role: Role) -> Desk:
        if role not in desks:
            desks[role] = desk_as(role)
            opened.append(desks[role])
        return desks[role]

    def new_desk() -> Desk:
        mirror = open_mirror(Profile.resolve(tmp_path / "new-desk"))
        desk = setup_desk(mirror)
        fresh.append((desk, mirror))
        opened.append(desk)
        return desk

    yield Scene(
        desk_as=desk_for,
        new_desk=new_desk,
        booked_id=booked.appointment.id,
        onboarded_id=onboarded.appointment.id,
        form_id=onboarded.forms[0].id,
        person_id=onboarded.person.id,
        start=TWO_PM,
        specialist_id=clinic.specialist_id,
        opened=opened,
    )
    for desk, mirror in fresh:
        desk.close()
        mirror.close()
