"""Random sequences of booking, onboarding and lifecycle operations never break the
appointment invariants, and a refused operation never changes anything."""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from sqlalchemy import Engine, func, select

from frontdesk.domain.appointment_states import ACTIVE_STATUSES
from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.domain.errors import DomainError
from frontdesk.domain.events import EventName
from frontdesk.services import booking, lifecycle, onboarding
from frontdesk.services.appointment_records import status_history
from frontdesk.store.engine import memory_engine, session_factory
from frontdesk.store.mirror import prepare_database
from frontdesk.store.models import Appointment, DomainEvent, PatientPerson
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import DEFAULT_NOW, Clinic, build_clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import RecordingRooms, with_rooms

S = AppointmentStatus
# A few names and contacts, so that public bookings sometimes look like the same person.
VISITORS = [
    ("Ioana Marin", "ioana@example.com", "0721 000 111"),
    ("Ioana Marin", "ioana.m@example.com", "0721 000 222"),
    ("Dan Luca", "dan@example.com", "0721 000 111"),
    ("Maria Pop", "maria@example.com", "0721 000 333"),
]
slots = st.integers(min_value=1, max_value=6)  # half-hours from now: crowded on purpose
overrides = st.sampled_from([None, "squeezed in"])


@functools.cache
def _template() -> tuple[Engine, Clinic, list[uuid.UUID]]:
    """A migrated, seeded in-memory database, built once and copied for every example."""
    engine = memory_engine()
    prepare_database(engine)
    clinic = build_clinic(session_factory(engine))
    patients = [
        insert_person(clinic, first_name=name, email=None, phone=None).id
        for name in ("Ana", "Bogdan", "Cristina")
    ]
    return engine, clinic, patients


def _fresh_clinic() -> tuple[Engine, Clinic, list[uuid.UUID]]:
    template, clinic, patients = _template()
    engine = memory_engine()
    with template.connect() as source, engine.connect() as target:
        source.connection.driver_connection.backup(target.connection.driver_connection)  # type: ignore[union-attr]
    clock = FixedClock(DEFAULT_NOW)
    ctx = replace(clinic.ctx, sessions=session_factory(engine), clock=clock)
    return engine, replace(clinic, ctx=ctx, clock=clock), patients


class AppointmentLife(RuleBasedStateMachine):
    appointments = Bundle("appointments")

    def __init__(self) -> None:
        super().__init__()
        self.engine, self.clinic, self.patients = _fresh_clinic()
        self.sessions = self.clinic.ctx.sessions
        self.ctx = with_rooms(self.clinic, RecordingRooms())

    @initialize(target=appointments)
    def first_booking(self) -> uuid.UUID:
        return booking.book_public(
            self.ctx,
            service_id=self.clinic.consult_service_id,
            start=self._start(2),
            name="First Visitor",
            email="first@example.com",
            phone="0722 000 000",
            client_id="browser",
            idempotency_key="first",
        ).value.appointment.id

    def teardown(self) -> None:
        self.engine.dispose()

    # ---- helpers --------------------------------------------------------------------------

    def _start(self, half_hours: int) -> datetime:
        return self.clinic.clock.now() + timedelta(minutes=30 * half_hours)

    def _attempt(self, name: str, operation: Callable[[], Any]) -> Any | None:
        """Run an operation; if it is refused, prove it wrote nothing."""
        before = fingerprint(self.sessions)
        try:
            outcome = operation()
        except DomainError as refusal:
            assert fingerprint(self.sessions) == before
            # Shown by --hypothesis-show-statistics: which refusals the runs reached.
            event(f"{name} refused: {type(refusal).__name__}")
            return None
        event(f"{name} done")
        return outcome

    def _service(self, video: bool) -> uuid.UUID:
        # The consult's privacy form is blocking; the video follow-up has none.
        return self.clinic.video_service_id if video else self.clinic.consult_service_id

    def _appointment(self, appointment_id: uuid.UUID) -> Appointment:
        with self.sessions() as session:
            return session.get_one(Appointment, appointment_id)

    # ---- operations -----------------------------------------------------------------------

    @rule(target=appointments, visitor=st.sampled_from(VISITORS), slot=slots, video=st.booleans())
    def book_public(self, visitor: tuple[str, str, str], slot: int, video: bool) -> Any:
        name, email, phone = visitor
        result = self._attempt(
            "book_public",
            lambda: booking.book_public(
                self.ctx,
                service_id=self._service(video),
                start=self._start(slot),
                name=name,
                email=email,
                phone=phone,
                client_id="browser",
                idempotency_key=str(uuid.uuid4()),
            ),
        )
        return result.value.appointment.id if result else multiple()

    @rule(
        target=appointments,
        patient=st.integers(min_value=0, max_value=2),
        slot=slots,
        video=st.booleans(),
        other_specialist=st.booleans(),
        override=overrides,
    )
    def book_walk_in(
        self, patient: int, slot: int, video: bool, other_specialist: bool, override: str | None
    ) -> Any:
        specialist_id = self.clinic.specialist_id
        if other_specialist and not video:  # only Dr Mihai gives video follow-ups
            specialist_id = self.clinic.other_specialist_id
        result = self._attempt(
            "book_walk_in",
            lambda: booking.book_walk_in(
                self.ctx,
                patient_person_id=self.patients[patient],
                service_id=self._service(video),
                specialist_id=specialist_id,
                start=self._start(slot),
                override_reason=override,
            ),
        )
        return result.value.appointment.id if result else multiple()

    @rule(appointment_id=appointments, keep_separate=st.booleans())
    def onboard(self, appointment_id: uuid.UUID, keep_separate: bool) -> None:
        self._attempt(
            "onboard",
            lambda: onboarding.onboard(self.ctx, appointment_id, keep_separate=keep_separate),
        )

    @rule(appointment_id=appointments, by_patient=st.booleans())
    def confirm(self, appointment_id: uuid.UUID, by_patient: bool) -> None:
        ctx = self.ctx
        if by_patient:
            person_id = self._appointment(appointment_id).patient_person_id
            ctx = ctx.acting_as(
                Actor(Role.PATIENT, None, "patient", person_ids=frozenset({person_id}))
            )
        self._attempt("confirm", lambda: lifecycle.confirm(ctx, appointment_id))

    @rule(appointment_id=appointments)
    def check_in(self, appointment_id: uuid.UUID) -> None:
        self._attempt("check_in", lambda: lifecycle.check_in(self.ctx, appointment_id))

    @rule(appointment_id=appointments)
    def start_session(self, appointment_id: uuid.UUID) -> None:
        self._attempt("start_session", lambda: lifecycle.start_session(self.ctx, appointment_id))

    @rule(appointment_id=appointments)
    def complete(self, appointment_id: uuid.UUID) -> None:
        self._attempt("complete", lambda: lifecycle.complete(self.ctx, appointment_id))

    @rule(appointment_id=appointments, reason=st.sampled_from(["", "ill", "travel"]))
    def cancel(self, appointment_id: uuid.UUID, reason: str) -> None:
        self._attempt("cancel", lambda: lifecycle.cancel(self.ctx, appointment_id, reason=reason))

    @rule(appointment_id=appointments)
    def mark_no_show(self, appointment_id: uuid.UUID) -> None:
        self._attempt("mark_no_show", lambda: lifecycle.mark_no_show(self.ctx, appointment_id))

    @rule(appointment_id=appointments, override=overrides)
    def reinstate(self, appointment_id: uuid.UUID, override: str | None) -> None:
        self._attempt(
            "reinstate",
            lambda: lifecycle.reinstate(self.ctx, appointment_id, override_reason=override),
        )

    @rule(appointment_id=appointments, slot=slots, override=overrides)
    def reschedule(self, appointment_id: uuid.UUID, slot: int, override: str | None) -> None:
        self._attempt(
            "reschedule",
            lambda: lifecycle.reschedule(
                self.ctx, appointment_id, start=self._start(slot), override_reason=override
            ),
        )

    @rule(appointment_id=appointments)
    def progress(self, appointment_id: uuid.UUID) -> None:
        """The happy path's next step: random rules alone seldom reach the later statuses."""
        status = self._appointment(appointment_id).status
        steps: dict[S, Callable[[], Any]] = {
            S.BOOKED: lambda: onboarding.onboard(self.ctx, appointment_id, keep_separate=True),
            S.UPCOMING: lambda: lifecycle.confirm(self.ctx, appointment_id),
            S.CONFIRMED: lambda: lifecycle.start_session(self.ctx, appointment_id),
            S.INPROGRESS: lambda: lifecycle.complete(self.ctx, appointment_id),
        }
        if status in steps:
            self._attempt(f"progress from {status}", steps[status])

    @rule(minutes=st.sampled_from([30, 90, 240, 24 * 60]))
    def time_passes(self, minutes: int) -> None:
        self.clinic.clock.advance(timedelta(minutes=minutes))

    # ---- invariants -----------------------------------------------------------------------

    @invariant()
    def appointments_are_consistent(self) -> None:
        with self.sessions() as session:
            appointments = list(session.scalars(select(Appointment)))
            for appointment in appointments:
                _check_record(appointment)
                _check_history(
                    appointment,
                    [
                        (change.from_status, change.to_status)
                        for change in status_history(session, appointment.id)
                    ],
                )
            booked_events = session.scalar(
                select(func.count())
                .select_from(DomainEvent)
                .where(DomainEvent.name == EventName.APPOINTMENT_BOOKED)
            )
            retired = set(
                session.scalars(
                    select(PatientPerson.id).where(PatientPerson.deleted_at.is_not(None))
                )
            )
        assert booked_events == len(appointments)
        assert not any(a.patient_person_id in retired for a in appointments)
        _check_no_unexplained_overlap(appointments)


def _check_record(appointment: Appointment) -> None:
    status = appointment.status
    assert status in set(S)
    assert (appointment.completed_at is not None) == (status == S.DONE)
    assert (appointment.cancelled_at is not None) == (status == S.CANCELLED)
    assert (appointment.cancellation_reason is not None) == (status == S.CANCELLED)
    assert (appointment.session_started_at is not None) == (status in (S.INPROGRESS, S.DONE))
    if status in (S.UPCOMING, S.CONFIRMED, S.INPROGRESS, S.DONE):
        assert appointment.onboarded_at is not None
    if status in (S.UPCOMING, S.CONFIRMED):
        assert appointment.video_room_name is not None
        assert appointment.video_room_expires_at == appointment.ended_at
    if status in (S.BOOKED, S.CANCELLED, S.NOSHOW):
        assert appointment.video_room_name is None
    if appointment.checked_in_at is not None:
        assert status not in (S.BOOKED,)
    assert appointment.ended_at > appointment.started_at


def _check_history(appointment: Appointment, changes: list[tuple[S | None, S]]) -> None:
    assert changes, "every appointment has its creation in the history"
    assert changes[0] == (None, S.BOOKED)
    for (_, previous_to), (following_from, _) in itertools.pairwise(changes):
        assert following_from == previous_to
    assert changes[-1][1] == appointment.status


def _check_no_unexplained_overlap(appointments: list[Appointment]) -> None:
    active = [a for a in appointments if a.status in ACTIVE_STATUSES and a.deleted_at is None]
    for index, first in enumerate(active):
        for second in active[index + 1 :]:
            overlap = (
                first.specialist_id == second.specialist_id
                and first.started_at < second.ended_at
                and second.started_at < first.ended_at
            )
            if overlap:
                assert (
                    first.double_booking_override_reason or second.double_booking_override_reason
                ), f"{first.id} and {second.id} overlap without an override"


AppointmentLife.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestAppointmentLife = AppointmentLife.TestCase
