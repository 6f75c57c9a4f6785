"""Desks (profiles with their own mirror) signed in to a live HTTPS server on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import Role
from frontdesk.services import booking, catalog, patients
from frontdesk.services.context import ServiceContext
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.models import Appointment, Organization
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.account import Account, sign_in
from frontdesk.sync.runner import SyncReport, run_round
from tests.server.seed import org_context
from tests.support.postgres import TEST_PASSWORD, LiveServer

# A Monday morning in Bucharest; bookings go to the days after it.
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@dataclass
class Desk:
    name: str
    mirror: Mirror
    account: Account
    clock: FixedClock
    server: LiveServer | None = None

    @property
    def ctx(self) -> ServiceContext:
        role = self.account.role
        return ServiceContext(
            sessions=self.mirror.sessions,
            organization_id=self.account.organization_id,
            actor=Actor(
                role, self.account.user_id, self.name, specialist_id=self.account.specialist_id
            ),
            clock=self.clock,
        )

    def sync(self) -> SyncReport:
        return run_round(self.mirror, self.account)

    def close(self) -> None:
        self.account.close()
        self.mirror.close()


@dataclass
class Clinic:
    server: LiveServer
    organization: Organization

    @property
    def organization_id(self) -> uuid.UUID:
        return self.organization.id


@pytest.fixture
def sync_clinic(live_server: LiveServer) -> Clinic:
    organization = live_server.create_org(name="Riverside Physio", timezone="Europe/Bucharest")
    return Clinic(live_server, organization)


DeskFactory = Callable[..., Desk]


@pytest.fixture
def make_desk(sync_clinic: Clinic, tmp_path: Path) -> Iterator[DeskFactory]:
    opened: list[Desk] = []

    def make(
        name: str,
        role: Role = Role.RECEPTIONIST,
        email: str | None = None,
        *,
        initial_sync: bool = True,
        new_user: bool = True,
    ) -> Desk:
        email = email or f"{name}@example.com"
        if new_user:
            sync_clinic.server.create_user(
                sync_clinic.organization_id, email, role=role, display_name=name.title()
            )
        profile = Profile.resolve(tmp_path / name)
        account = sign_in(
            profile,
            server_url=sync_clinic.server.url,
            email=email,
            password=TEST_PASSWORD,
            verify=str(sync_clinic.server.ca_path),
        )
        desk = Desk(name, open_mirror(profile), account, FixedClock(NOW), sync_clinic.server)
        opened.append(desk)
        if initial_sync:
            desk.sync()  # a new desk starts from the organization as the server has it
        return desk

    yield make
    for desk in opened:
        desk.close()


@dataclass
class Catalog:
    specialist_id: uuid.UUID
    other_specialist_id: uuid.UUID
    service_id: uuid.UUID
    patient_ids: list[uuid.UUID]


def seed_catalog(desk: Desk, patients_count: int = 2) -> Catalog:
    """Specialists, a service and patients, made on one desk through the services. Services
    are an admin's to set up: on another role's desk the clinic's admin makes it on the
    server, after the desk has pushed its specialists, and the desk pulls it."""
    ctx = desk.ctx
    first = catalog.add_specialist(ctx, name="Dr Mihai Popescu", specialty="physio").value
    second = catalog.add_specialist(ctx, name="Dr Elena Ionescu", specialty="physio").value
    service_id = _admins_service(desk, [first.id, second.id])
    people = [
        patients.register_patient(
            ctx,
            first_name=f"Patient{i}",
            last_name="Test",
            email=f"p{i}@example.com",
            request_account=False,
        ).value.id
        for i in range(patients_count)
    ]
    return Catalog(first.id, second.id, service_id, people)


def _admins_service(desk: Desk, specialist_ids: list[uuid.UUID]) -> uuid.UUID:
    def make(ctx: ServiceContext) -> uuid.UUID:
        return catalog.add_service(
            ctx, name="Consult", duration_minutes=45, specialist_ids=specialist_ids
        ).value.id

    if desk.account.role == Role.ADMIN:
        return make(desk.ctx)
    assert desk.server is not None
    desk.sync()
    service_id = make(org_context(desk.server.database.engine, desk.account.organization_id))
    desk.sync()
    return service_id


def walk_in(
    desk: Desk,
    seeded: Catalog,
    start: datetime,
    *,
    patient: int = 0,
    specialist: uuid.UUID | None = None,
) -> Appointment:
    """A walk-in booking of the seeded service made at `desk` through the services (with the
    first specialist unless told otherwise)."""
    return booking.book_walk_in(
        desk.ctx,
        patient_person_id=seeded.patient_ids[patient],
        service_id=seeded.service_id,
        specialist_id=specialist or seeded.specialist_id,
        start=start,
    ).value.appointment
