from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from frontdesk.domain.enums import AppointmentStatus, AppointmentType, FormStatus, FormType, Role
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.services import calendar
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import Appointment, FormInstance
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic, build_clinic
from tests.support.rows import insert_appointment, insert_person

BUCHAREST = ZoneInfo("Europe/Bucharest")


def local(*parts: int) -> datetime:
    """A wall-clock time at the clinic (Europe/Bucharest)."""
    return datetime(*parts, tzinfo=BUCHAREST)  # type: ignore[misc]


@pytest.fixture
def person_id(clinic: Clinic) -> uuid.UUID:
    return insert_person(clinic).id


def book(
    clinic: Clinic,
    person_id: uuid.UUID,
    start: datetime,
    *,
    status: AppointmentStatus = AppointmentStatus.UPCOMING,
    specialist_id: uuid.UUID | None = None,
) -> uuid.UUID:
    return insert_appointment(
        clinic, start=start, person_id=person_id, status=status, specialist_id=specialist_id
    ).id


def add_form(
    clinic: Clinic,
    appointment_id: uuid.UUID,
    person_id: uuid.UUID,
    status: FormStatus,
    *,
    deleted: bool = False,
) -> None:
    with clinic.ctx.sessions.begin() as session:
        session.add(
            FormInstance(
                organization_id=clinic.organization_id,
                template_id=clinic.template_ids["intake"],
                template_key="intake",
                template_version=1,
                appointment_id=appointment_id,
                patient_person_id=person_id,
                form_type=FormType.SURVEY,
                title="Intake questionnaire",
                status=status,
                deleted_at=clinic.clock.now() if deleted else None,
            )
        )


def soft_delete(clinic: Clinic, appointment_id: uuid.UUID) -> None:
    with clinic.ctx.sessions.begin() as session:
        session.get_one(Appointment, appointment_id).deleted_at = clinic.clock.now()


# Month counts ---------------------------------------------------------------------------------


def test_month_counts_every_local_day_and_late_evenings_stay_on_their_day(
    clinic: Clinic, person_id: uuid.UUID
) -> None:
    book(clinic, person_id, local(2026, 3, 2, 9, 0))
    book(clinic, person_id, local(2026, 3, 2, 23, 30))  # 21:30 UTC, still the 2nd locally
    book(clinic, person_id, local(2026, 3, 3, 0, 15))  # 22:15 UTC on the 2nd, the 3rd locally
    counts = calendar.month_counts(clinic.ctx, 2026, 3)
    assert list(counts) == [date(2026, 3, d) for d in range(1, 32)]
    assert counts[date(2026, 3, 2)] == 2
    assert counts[date(2026, 3, 3)] == 1
    assert sum(counts.values()) == 3


def test_month_edges_follow_local_midnight(clinic: Clinic, person_id: uuid.UUID) -> None:
    book(clinic, person_id, local(2026, 2, 28, 23, 45))  # February locally
    book(clinic, person_id, local(2026, 3, 1, 0, 30))  # 22:30 UTC on 28 February
    book(clinic, person_id, local(2026, 3, 31, 23, 30))  # 20:30 UTC (summer time)
    book(clinic, person_id, local(2026, 4, 1, 0, 30))  # 21:30 UTC on 31 March
    march = calendar.month_counts(clinic.ctx, 2026, 3)
    assert march[date(2026, 3, 1)] == 1
    assert march[date(2026, 3, 31)] == 1
    assert sum(march.values()) == 2
    assert calendar.month_counts(clinic.ctx, 2026, 2)[date(2026, 2, 28)] == 1
    assert calendar.month_counts(clinic.ctx, 2026, 4)[date(2026, 4, 1)] == 1


def test_spring_forward_day_has_23_hours(clinic: Clinic, person_id: uuid.UUID) -> None:
    # 29 March 2026: clocks go from 03:00 to 04:00 (UTC+2 → UTC+3).
    book(clinic, person_id, local(2026, 3, 28, 23, 30))  # 21:30 UTC, the 28th
    book(clinic, person_id, local(2026, 3, 29, 0, 30))  # 22:30 UTC on the 28th
    book(clinic, person_id, local(2026, 3, 29, 4, 30))  # just after the jump
    book(clinic, person_id, local(2026, 3, 29, 23, 30))  # 20:30 UTC
    book(clinic, person_id, local(2026, 3, 30, 0, 30))  # 21:30 UTC on the 29th: a +2 shift errs
    counts = calendar.month_counts(clinic.ctx, 2026, 3)
    assert counts[date(2026, 3, 28)] == 1
    assert counts[date(2026, 3, 29)] == 3
    assert counts[date(2026, 3, 30)] == 1


def test_fall_back_day_has_25_hours(clinic: Clinic, person_id: uuid.UUID) -> None:
    # 25 October 2026: clocks go from 04:00 back to 03:00 (UTC+3 → UTC+2).
    book(clinic, person_id, local(2026, 10, 24, 23, 30))  # 20:30 UTC, the 24th
    book(clinic, person_id, local(2026, 10, 25, 0, 30))  # 21:30 UTC on the 24th
    book(clinic, person_id, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 03:30 the first time
    book(clinic, person_id, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 03:30 the second time
    book(clinic, person_id, local(2026, 10, 25, 23, 30))  # 21:30 UTC
    book(clinic, person_id, local(2026, 10, 26, 0, 30))  # 22:30 UTC on the 25th
    counts = calendar.month_counts(clinic.ctx, 2026, 10)
    assert counts[date(2026, 10, 24)] == 1
    assert counts[date(2026, 10, 25)] == 4
    assert counts[date(2026, 10, 26)] == 1


def test_month_counts_filter_by_status_and_specialist(clinic: Clinic, person_id: uuid.UUID) -> None:
    day = date(2026, 3, 4)
    book(clinic, person_id, local(2026, 3, 4, 9, 0))
    book(clinic, person_id, local(2026, 3, 4, 10, 0), status=AppointmentStatus.CANCELLED)
    book(clinic, person_id, local(2026, 3, 4, 11, 0), specialist_id=clinic.other_specialist_id)
    ctx = clinic.ctx
    assert calendar.month_counts(ctx, 2026, 3)[day] == 3
    assert calendar.month_counts(ctx, 2026, 3, statuses=["cancelled"])[day] == 1
    active = [AppointmentStatus.UPCOMING, AppointmentStatus.CONFIRMED]
    assert calendar.month_counts(ctx, 2026, 3, statuses=active)[day] == 2
    only_other = calendar.month_counts(ctx, 2026, 3, specialist_ids=[clinic.other_specialist_id])
    assert only_other[day] == 1
    assert calendar.month_counts(ctx, 2026, 3, statuses=[])[day] == 0


def test_month_counts_leave_out_deleted_and_foreign_rows(
    clinic: Clinic, mirror: Mirror, person_id: uuid.UUID
) -> None:
    kept = book(clinic, person_id, local(2026, 3, 4, 9, 0))
    soft_delete(clinic, book(clinic, person_id, local(2026, 3, 4, 10, 0)))
    other = build_clinic(mirror.sessions)
    insert_appointment(other, start=local(2026, 3, 4, 9, 0), person_id=insert_person(other).id)
    assert calendar.month_counts(clinic.ctx, 2026, 3)[date(2026, 3, 4)] == 1
    assert [e.id for e in calendar.day(clinic.ctx, date(2026, 3, 4))] == [kept]


@pytest.mark.parametrize(
    ("year", "month", "field"),
    [(2026, 13, "month"), (2026, 0, "month"), (1, 3, "year"), (10_000, 1, "year")],
)
def test_month_counts_refuse_an_impossible_month(
    clinic: Clinic, year: int, month: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        calendar.month_counts(clinic.ctx, year, month)
    assert refused.value.field == field


# Week and day details -------------------------------------------------------------------------


def test_week_gives_details_in_start_order(clinic: Clinic, person_id: uuid.UUID) -> None:
    later = book(clinic, person_id, local(2026, 3, 4, 14, 0))
    first = book(clinic, person_id, local(2026, 3, 3, 10, 0))
    add_form(clinic, first, person_id, FormStatus.CREATED)
    add_form(clinic, first, person_id, FormStatus.COMPLETED)
    add_form(clinic, first, person_id, FormStatus.SIGNED)
    add_form(clinic, first, person_id, FormStatus.CREATED, deleted=True)
    with clinic.ctx.sessions.begin() as session:
        row = session.get_one(Appointment, first)
        row.type = AppointmentType.VIDEO
        row.video_room_url = "https://meet.jit.si/restartix-test"
        row.checked_in_at = local(2026, 3, 3, 9, 55)

    entries = calendar.week(clinic.ctx, date(2026, 3, 2))

    assert [e.id for e in entries] == [first, later]
    entry = entries[0]
    assert entry.start_utc == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert entry.start_local == local(2026, 3, 3, 10, 0)
    assert entry.start_local.utcoffset() == timedelta(hours=2)
    assert entry.end_local == local(2026, 3, 3, 10, 45)
    assert entry.status is AppointmentStatus.UPCOMING
    assert entry.type is AppointmentType.VIDEO
    assert entry.specialist_id == clinic.specialist_id
    assert entry.specialist_name == "Dr Mihai Popescu"
    assert entry.service_name == "Physiotherapy consult"
    assert entry.patient_person_id == person_id
    assert entry.patient_name == "Ioana Marin"
    assert entry.outstanding_forms == 2  # created and completed; signed and deleted do not count
    assert entry.video_url == "https://meet.jit.si/restartix-test"
    assert entry.checked_in_at == local(2026, 3, 3, 9, 55)
    assert entries[1].outstanding_forms == 0


def test_week_covers_seven_local_days_exactly(clinic: Clinic, person_id: uuid.UUID) -> None:
    book(clinic, person_id, local(2026, 3, 1, 23, 30))  # the Sunday before
    inside = [
        book(clinic, person_id, local(2026, 3, 2, 0, 0)),
        book(clinic, person_id, local(2026, 3, 8, 23, 30)),
    ]
    book(clinic, person_id, local(2026, 3, 9, 0, 0))  # the Monday after
    assert [e.id for e in calendar.week(clinic.ctx, date(2026, 3, 2))] == inside


def test_week_across_the_spring_change(clinic: Clinic, person_id: uuid.UUID) -> None:
    before = book(clinic, person_id, local(2026, 3, 28, 10, 0))
    after = book(clinic, person_id, local(2026, 3, 29, 10, 0))
    entries = calendar.week(clinic.ctx, date(2026, 3, 23))
    assert [e.id for e in entries] == [before, after]
    assert [e.start_local.utcoffset() for e in entries] == [timedelta(hours=2), timedelta(hours=3)]
    assert [e.start_local.hour for e in entries] == [10, 10]


def test_week_filters(clinic: Clinic, person_id: uuid.UUID) -> None:
    mine = book(clinic, person_id, local(2026, 3, 3, 9, 0))
    cancelled = book(
        clinic, person_id, local(2026, 3, 3, 10, 0), status=AppointmentStatus.CANCELLED
    )
    others = book(
        clinic, person_id, local(2026, 3, 3, 11, 0), specialist_id=clinic.other_specialist_id
    )
    monday = date(2026, 3, 2)

    def ids(**filters: object) -> list[uuid.UUID]:
        return [e.id for e in calendar.week(clinic.ctx, monday, **filters)]  # type: ignore[arg-type]

    assert ids() == [mine, cancelled, others]
    assert ids(statuses=["upcoming"]) == [mine, others]
    assert ids(specialist_ids=[str(clinic.specialist_id)]) == [mine, cancelled]
    assert ids(statuses=["cancelled"], specialist_ids=[clinic.specialist_id]) == [cancelled]


def test_day_and_generic_range(clinic: Clinic, person_id: uuid.UUID) -> None:
    morning = book(clinic, person_id, local(2026, 3, 3, 9, 0))
    evening = book(clinic, person_id, local(2026, 3, 3, 23, 30))
    next_day = book(clinic, person_id, local(2026, 3, 4, 0, 30))
    assert [e.id for e in calendar.day(clinic.ctx, date(2026, 3, 3))] == [morning, evening]
    between = calendar.appointments_between(
        clinic.ctx, local(2026, 3, 3, 12, 0), local(2026, 3, 4, 12, 0)
    )
    assert [e.id for e in between] == [evening, next_day]
    assert calendar.date_range(clinic.ctx, date(2026, 3, 1), date(2026, 3, 31))[-1].id == next_day


def test_week_is_one_query_however_many_appointments(
    clinic: Clinic, mirror: Mirror, person_id: uuid.UUID
) -> None:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    def count_for_week() -> int:
        statements.clear()
        event.listen(mirror.engine, "before_cursor_execute", record)
        try:
            calendar.week(clinic.ctx, date(2026, 3, 2))
        finally:
            event.remove(mirror.engine, "before_cursor_execute", record)
        return sum(1 for s in statements if "FROM appointments" in s)

    book(clinic, person_id, local(2026, 3, 3, 9, 0))
    one = count_for_week()
    for hour in range(10, 18):
        appointment = book(clinic, insert_person(clinic).id, local(2026, 3, 4, hour, 0))
        add_form(clinic, appointment, person_id, FormStatus.CREATED)
    assert one == count_for_week() == 1


# Scope ----------------------------------------------------------------------------------------


@pytest.fixture
def family(clinic: Clinic) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    guardian = insert_person(clinic, first_name="Ioana")
    child = insert_person(clinic, first_name="Matei", manager_person_id=guardian.id)
    stranger = insert_person(clinic, first_name="Radu", email="radu@example.com")
    return guardian.id, child.id, stranger.id


def test_a_patient_sees_own_and_dependents_appointments_only(
    clinic: Clinic, family: tuple[uuid.UUID, uuid.UUID, uuid.UUID]
) -> None:
    guardian, child, stranger = family
    own = book(clinic, guardian, local(2026, 3, 3, 9, 0))
    childs = book(clinic, child, local(2026, 3, 3, 10, 0), specialist_id=clinic.other_specialist_id)
    book(clinic, stranger, local(2026, 3, 3, 11, 0))
    patient = clinic.as_(
        Actor(Role.PATIENT, label="Ioana", person_ids=frozenset({guardian, child}))
    )
    assert [e.id for e in calendar.week(patient, date(2026, 3, 2))] == [own, childs]
    assert calendar.month_counts(patient, 2026, 3)[date(2026, 3, 3)] == 2


def test_a_specialist_sees_only_assigned_appointments(
    clinic: Clinic, family: tuple[uuid.UUID, uuid.UUID, uuid.UUID]
) -> None:
    guardian, child, _ = family
    assigned = book(clinic, guardian, local(2026, 3, 3, 9, 0))
    book(clinic, child, local(2026, 3, 3, 10, 0), specialist_id=clinic.other_specialist_id)
    specialist = clinic.as_(clinic.specialist_actor)
    assert [e.id for e in calendar.week(specialist, date(2026, 3, 2))] == [assigned]
    assert calendar.month_counts(specialist, 2026, 3)[date(2026, 3, 3)] == 1
    # Filtering on a colleague narrows further; it never widens the scope.
    colleague = calendar.week(
        specialist, date(2026, 3, 2), specialist_ids=[clinic.other_specialist_id]
    )
    assert colleague == []


def test_admins_see_the_organization_and_the_system_sees_nothing(
    clinic: Clinic, person_id: uuid.UUID
) -> None:
    book(clinic, person_id, local(2026, 3, 3, 9, 0))
    book(clinic, person_id, local(2026, 3, 3, 10, 0), specialist_id=clinic.other_specialist_id)
    assert len(calendar.week(clinic.as_(clinic.admin), date(2026, 3, 2))) == 2
    system = clinic.as_(Actor.system("public booking page"))
    assert calendar.week(system, date(2026, 3, 2)) == []
    assert sum(calendar.month_counts(system, 2026, 3).values()) == 0


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ctx: calendar.week(ctx, date(2026, 3, 2), statuses=["postponed"]), "statuses[0]"),
        (
            lambda ctx: calendar.month_counts(ctx, 2026, 3, statuses=["done", "nope"]),
            "statuses[1]",
        ),
        (
            lambda ctx: calendar.week(ctx, date(2026, 3, 2), specialist_ids=["dr-who"]),
            "specialist_ids[0]",
        ),
        (lambda ctx: calendar.week(ctx, datetime(2026, 3, 2, tzinfo=UTC)), "week_start"),
        (lambda ctx: calendar.day(ctx, "2026-03-02"), "day"),
        (lambda ctx: calendar.date_range(ctx, date(2026, 3, 2), date(2026, 3, 1)), "last"),
        (lambda ctx: calendar.date_range(ctx, date(2026, 1, 1), date(2027, 2, 5)), "last"),
        (
            lambda ctx: calendar.appointments_between(
                ctx, datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 3, tzinfo=UTC)
            ),
            "start_utc",
        ),
        (
            lambda ctx: calendar.appointments_between(
                ctx, datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
            ),
            "end_utc",
        ),
        (
            lambda ctx: calendar.appointments_between(
                ctx, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 2, 6, tzinfo=UTC)
            ),
            "end_utc",
        ),
    ],
)
def test_bad_input_names_the_field(clinic: Clinic, call: object, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        call(clinic.ctx)  # type: ignore[operator]
    assert refused.value.field == field


def test_a_filter_on_an_unknown_specialist_is_reported(clinic: Clinic, mirror: Mirror) -> None:
    foreign = build_clinic(mirror.sessions).specialist_id
    with pytest.raises(NotFound) as refused:
        calendar.week(clinic.ctx, date(2026, 3, 2), specialist_ids=[clinic.specialist_id, foreign])
    assert refused.value.field == "specialist_ids[1]"


def test_the_longest_allowed_range_is_accepted(clinic: Clinic) -> None:
    first = date(2026, 1, 1)
    last = first + timedelta(days=calendar.MAX_RANGE_DAYS - 1)
    assert calendar.date_range(clinic.ctx, first, last) == []
