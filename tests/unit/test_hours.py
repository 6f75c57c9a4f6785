"""Working hours through the services: who may change them, what is refused, and what the
public page, public booking, the desk's suggestion and follow-ups make of them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.slots import WallInterval
from frontdesk.i18n.catalogs import activate
from frontdesk.services import booking, catalog, hours, public_slots
from frontdesk.services.followups import first_free_slot
from frontdesk.services.slots import next_free_start
from frontdesk.store.models import HoursOverride, Organization, OutboxMutation, WorkingHours
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint

TUESDAY = date(2026, 3, 3)  # the clinic's clock: Monday 2 March, 09:00 in Bucharest
SATURDAY = date(2026, 3, 7)
PAGE = Actor.system("public booking page")


def admin(clinic: Clinic):  # type: ignore[no-untyped-def]
    return clinic.as_(clinic.admin)


def offered(clinic: Clinic, day: date, *, calendar: bool = False) -> list[str]:
    with clinic.ctx.sessions() as session:
        slots = public_slots.free_slots(
            session,
            clinic.organization_id,
            service_id=clinic.video_service_id,  # 30 minutes, Dr Mihai only
            day=day,
            calendar_id=clinic.public_calendar_id if calendar else None,
            now=clinic.clock.now(),
        )
    return [f"{s.start.astimezone(UTC):%H:%M}" for s in slots]


def test_receptionists_and_specialists_may_not_change_hours(clinic: Clinic) -> None:
    before = fingerprint(clinic.ctx.sessions)
    for actor in (clinic.receptionist, clinic.specialist_actor):
        ctx = clinic.as_(actor)
        with pytest.raises(PermissionDenied, match="Only an admin can change working hours"):
            hours.set_weekly_hours(ctx, clinic.specialist_id, 0, [WallInterval(600, 660)])
        with pytest.raises(PermissionDenied):
            hours.set_day_hours(ctx, clinic.specialist_id, TUESDAY, [])
        with pytest.raises(PermissionDenied):
            hours.close_day(ctx, TUESDAY)
        with pytest.raises(PermissionDenied):
            hours.set_slot_settings(ctx, slot_interval_minutes=30)
    assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize(
    ("intervals", "field", "message"),
    [
        (
            [WallInterval(600, 540)],
            "intervals[0]",
            "The hours 10:00-09:00 must end after they start.",
        ),
        (
            [WallInterval(540, 1500)],
            "intervals[0]",
            "The hours 09:00-25:00 must be between 00:00 and 24:00.",
        ),
        (
            [WallInterval(540, 780), WallInterval(720, 900)],
            "intervals",
            "The hours 09:00-13:00 and 12:00-15:00 overlap: give each time once.",
        ),
    ],
)
def test_bad_hours_are_refused_naming_the_field(
    clinic: Clinic, intervals: list[WallInterval], field: str, message: str
) -> None:
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(InvalidInput) as refused:
        hours.set_weekly_hours(admin(clinic), clinic.specialist_id, 1, intervals)
    assert [(e.field, e.message) for e in refused.value.errors] == [(field, message)]
    with pytest.raises(InvalidInput):
        hours.set_day_hours(admin(clinic), clinic.specialist_id, TUESDAY, intervals)
    assert fingerprint(clinic.ctx.sessions) == before


def test_bad_weekdays_specialists_settings_and_notes(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput, match="day of the week"):
        hours.set_weekly_hours(admin(clinic), clinic.specialist_id, 7, [])
    with pytest.raises(NotFound):
        hours.set_weekly_hours(admin(clinic), clinic.organization_id, 1, [])
    with pytest.raises(InvalidInput, match="“A slot starts every” must be from 5 to 240 minutes"):
        hours.set_slot_settings(admin(clinic), slot_interval_minutes=2)
    with pytest.raises(
        InvalidInput, match="“Minimum notice for online bookings” must be a whole number"
    ):
        hours.set_slot_settings(admin(clinic), minimum_notice_minutes=True)
    with pytest.raises(InvalidInput, match="“Note” is longer than 200 characters"):
        hours.close_day(admin(clinic), TUESDAY, note="x" * 201)
    with pytest.raises(NotFound, match="The clinic is not closed on"):
        hours.reopen_day(admin(clinic), TUESDAY)
    with pytest.raises(NotFound, match="no special hours"):
        hours.clear_day_hours(admin(clinic), clinic.specialist_id, TUESDAY)


def test_replacing_a_weekday_tombstones_the_old_intervals_and_syncs(clinic: Clinic) -> None:
    split = [WallInterval(540, 780), WallInterval(840, 1080)]
    hours.set_weekly_hours(admin(clinic), clinic.specialist_id, 1, split)
    with clinic.ctx.sessions() as session:
        live = session.scalars(
            select(WorkingHours).where(
                WorkingHours.specialist_id == clinic.specialist_id,
                WorkingHours.weekday == 1,
                WorkingHours.deleted_at.is_(None),
            )
        ).all()
        gone = session.scalars(
            select(WorkingHours).where(
                WorkingHours.specialist_id == clinic.specialist_id,
                WorkingHours.weekday == 1,
                WorkingHours.deleted_at.is_not(None),
            )
        ).all()
        queued = set(session.scalars(select(OutboxMutation.table_name)))
    assert sorted((r.start_minute, r.end_minute) for r in live) == [(540, 780), (840, 1080)]
    assert len(gone) == 1  # the 09:00-17:00 the test clinic started with
    assert "working_hours" in queued
    view = hours.hours_view(clinic.ctx, clinic.specialist_id)
    assert view.weekly[1] == split
    assert view.weekly[0] == [WallInterval(540, 1020)]


def test_the_public_page_follows_hours_overrides_and_closed_days(clinic: Clinic) -> None:
    # Tuesday 09:00-17:00 (07:00-15:00 UTC), every 15 minutes, 30-minute service.
    tuesday = offered(clinic, TUESDAY)
    assert (tuesday[0], tuesday[-1], len(tuesday)) == ("07:00", "14:30", 31)
    assert offered(clinic, SATURDAY) == []

    hours.set_day_hours(admin(clinic), clinic.specialist_id, SATURDAY, [WallInterval(600, 690)])
    assert offered(clinic, SATURDAY) == ["08:00", "08:15", "08:30", "08:45", "09:00"]

    hours.set_day_hours(admin(clinic), clinic.specialist_id, TUESDAY, [], note="conference")
    assert offered(clinic, TUESDAY) == []
    hours.clear_day_hours(admin(clinic), clinic.specialist_id, TUESDAY)
    assert len(offered(clinic, TUESDAY)) == 31

    hours.close_day(admin(clinic), TUESDAY, note="public holiday")
    hours.close_day(admin(clinic), TUESDAY, note="national day")  # one row, new note
    assert offered(clinic, TUESDAY) == []
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).closed_days == [TUESDAY]
    hours.reopen_day(admin(clinic), TUESDAY)
    assert len(offered(clinic, TUESDAY)) == 31

    hours.set_slot_settings(admin(clinic), slot_interval_minutes=60)
    assert offered(clinic, TUESDAY) == [f"{h:02d}:00" for h in range(7, 15)]


def test_notice_and_appointments_on_the_public_page(clinic: Clinic) -> None:
    today = clinic.clock.now().date()
    # Now is 09:00 local; two hours' notice: 11:00 local (09:00 UTC) first.
    assert offered(clinic, today)[0] == "09:00"
    hours.set_slot_settings(admin(clinic), minimum_notice_minutes=0)
    assert offered(clinic, today)[0] == "07:00"
    with clinic.ctx.sessions() as session:
        org = session.get_one(Organization, clinic.organization_id)
        assert (org.slot_interval_minutes, org.minimum_notice_minutes) == (15, 0)
    start = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    booking.book_public(
        clinic.ctx.acting_as(PAGE),
        service_id=clinic.video_service_id,
        start=start,
        name="Ioana Marin",
        email="ioana@example.com",
        phone="0721000111",
        client_id="browser",
        idempotency_key="one",
    )
    tuesday = offered(clinic, TUESDAY)
    assert {"07:30", "08:30"} <= set(tuesday)
    assert not {"07:45", "08:00", "08:15"} & set(tuesday)


def test_public_booking_goes_to_a_performer_who_works_then(clinic: Clinic) -> None:
    # The consult is given by Dr Mihai, then Dr Elena; Dr Mihai is off on Tuesday.
    hours.set_day_hours(admin(clinic), clinic.specialist_id, TUESDAY, [])
    booked = booking.book_public(
        clinic.ctx.acting_as(PAGE),
        service_id=clinic.consult_service_id,
        start=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
        name="Ioana Marin",
        email="ioana@example.com",
        phone="0721000111",
        client_id="browser",
        idempotency_key="one",
    ).value
    assert booked.appointment.specialist_id == clinic.other_specialist_id
    # Nobody gives the video follow-up that day: the page may not book it.
    with pytest.raises(InvalidInput, match="not offered"):
        booking.book_public(
            clinic.ctx.acting_as(PAGE),
            service_id=clinic.video_service_id,
            start=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
            name="Ana Pop",
            email="ana@example.com",
            phone="0721000112",
            client_id="browser",
            idempotency_key="two",
        )


def test_the_desk_is_offered_the_next_free_start_without_notice(clinic: Clinic) -> None:
    ctx = clinic.ctx
    assert next_free_start(
        ctx, service_id=clinic.video_service_id, specialist_id=clinic.specialist_id
    ) == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    for weekday in range(7):
        hours.set_weekly_hours(admin(clinic), clinic.specialist_id, weekday, [])
    assert (
        next_free_start(ctx, service_id=clinic.video_service_id, specialist_id=clinic.specialist_id)
        is None
    )
    with pytest.raises(PermissionDenied):
        next_free_start(
            clinic.ctx.acting_as(Actor(Role.PATIENT, uuid.uuid4(), "Patient")),
            service_id=clinic.video_service_id,
            specialist_id=clinic.specialist_id,
        )


def test_a_followup_takes_the_first_free_start_after_notice(clinic: Clinic) -> None:
    with clinic.ctx.sessions() as session:
        start = first_free_slot(
            session,
            clinic.organization_id,
            clinic.specialist_id,
            duration_minutes=30,
            after=clinic.clock.now(),
            within_days=7,
        )
    assert start == clinic.clock.now() + timedelta(hours=2)


def test_overrides_are_kept_per_date_and_replaced_whole(clinic: Clinic) -> None:
    ctx = admin(clinic)
    hours.set_day_hours(ctx, clinic.specialist_id, SATURDAY, [WallInterval(600, 720)])
    hours.set_day_hours(
        ctx, clinic.specialist_id, SATURDAY, [WallInterval(540, 600), WallInterval(660, 720)]
    )
    with clinic.ctx.sessions() as session:
        live = session.scalars(
            select(HoursOverride).where(HoursOverride.deleted_at.is_(None))
        ).all()
    assert sorted((r.start_minute, r.end_minute) for r in live) == [(540, 600), (660, 720)]
    view = hours.hours_view(clinic.ctx, clinic.specialist_id, since=TUESDAY)
    assert view.overrides == {SATURDAY: [WallInterval(540, 600), WallInterval(660, 720)]}
    assert (
        hours.hours_view(clinic.ctx, clinic.specialist_id, since=date(2026, 3, 8)).overrides == {}
    )


def test_settings_out_of_range_in_a_row_are_read_within_range(clinic: Clinic) -> None:
    # The services refuse them; a row could still hold them (a raw push, an old database).
    with clinic.ctx.sessions.begin() as session:
        org = session.get_one(Organization, clinic.organization_id)
        org.slot_interval_minutes, org.minimum_notice_minutes = 0, -5
    tuesday = offered(clinic, TUESDAY)
    assert tuesday[:3] == ["07:00", "07:05", "07:10"]  # every 5 minutes, the least allowed


def test_hours_in_a_row_that_cannot_be_hours_are_ignored(clinic: Clinic) -> None:
    # A raw push or an old database could hold them: an interval running for years would
    # have the public page step through it on every request.
    with clinic.ctx.sessions.begin() as session:
        for row in session.scalars(
            select(WorkingHours).where(WorkingHours.specialist_id == clinic.specialist_id)
        ):
            if row.weekday == TUESDAY.weekday():
                row.end_minute = 2**31 - 1
    assert offered(clinic, TUESDAY) == []
    hours.set_day_hours(admin(clinic), clinic.specialist_id, SATURDAY, [WallInterval(600, 690)])
    with clinic.ctx.sessions.begin() as session:
        override = session.scalars(select(HoursOverride).where(HoursOverride.day == SATURDAY)).one()
        override.start_minute, override.end_minute = 700, 600  # backwards
    assert offered(clinic, SATURDAY) == []  # the day's hours stay replaced: nothing offered


def test_a_calendar_naming_a_specialist_offers_only_their_slots(clinic: Clinic) -> None:
    # The consult is given by both; Dr Elena works only 14:00-15:00 on Tuesday.
    hours.set_weekly_hours(admin(clinic), clinic.other_specialist_id, 1, [WallInterval(840, 900)])
    elena = catalog.add_calendar(
        admin(clinic), name="Dr Elena's page", specialist_id=clinic.other_specialist_id
    ).value
    with clinic.ctx.sessions() as session:

        def starts(calendar_id: uuid.UUID | None) -> list[str]:
            slots = public_slots.free_slots(
                session,
                clinic.organization_id,
                service_id=clinic.consult_service_id,  # 45 minutes
                day=TUESDAY,
                calendar_id=calendar_id,
                now=clinic.clock.now(),
            )
            return [f"{s.start.astimezone(UTC):%H:%M}" for s in slots]

        assert starts(elena.id) == ["12:00", "12:15"]  # 14:00 and 14:15 local: 45 minutes fit
        assert len(starts(None)) == 30  # Dr Mihai's 09:00-17:00, every 15 minutes


def test_hours_refusals_read_romanian_and_name_the_hours_or_field(clinic: Clinic) -> None:
    activate("ro")
    with pytest.raises(InvalidInput) as backwards:
        hours.set_weekly_hours(admin(clinic), clinic.specialist_id, 1, [WallInterval(600, 540)])
    assert backwards.value.message == "Intervalul 10:00-09:00 trebuie să se termine după ce începe."
    with pytest.raises(InvalidInput) as too_often:
        hours.set_slot_settings(admin(clinic), slot_interval_minutes=2)
    assert too_often.value.message == (
        "Câmpul „Un interval începe la fiecare” trebuie să fie între 5 și 240 minute."
    )
    with pytest.raises(PermissionDenied) as refused:
        hours.close_day(clinic.as_(clinic.receptionist), TUESDAY)
    assert refused.value.message == (
        "Doar un administrator poate închide sau redeschide clinica într-o zi: "
        "rugați un administrator."
    )
    with pytest.raises(NotFound) as open_already:
        hours.reopen_day(admin(clinic), TUESDAY)
    assert open_already.value.message == (
        "Clinica nu este închisă pe 03 mar. 2026: nu este nimic de redeschis."
    )
