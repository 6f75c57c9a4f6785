"""Setting up services: every field, performers and ordered forms, the short number rules
cite, retiring and bringing back; refusals name the field and write nothing; only admins."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import AppointmentType
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.ids import new_id
from frontdesk.i18n.catalogs import activate
from frontdesk.services import booking_choices, demo, public_slots, service_setup
from frontdesk.services.context import ServiceContext
from frontdesk.services.service_setup import ServiceDraft
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import Service, ServiceForm, ServiceSpecialist
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import DEFAULT_NOW, Clinic
from tests.support.refusals import refused


@pytest.fixture
def admin(clinic: Clinic) -> ServiceContext:
    return clinic.as_(clinic.admin)


def _draft(clinic: Clinic, **changes: object) -> ServiceDraft:
    values: dict[str, object] = {
        "name": "Sports massage",
        "description": "Deep tissue work after an injury.",
        "duration_minutes": 50,
        "appointment_type": AppointmentType.IN_CLINIC,
        "price": Decimal("180.50"),
        "currency": "ron",
        "is_public": True,
        "reference": 10,
        "specialist_ids": [clinic.other_specialist_id, clinic.specialist_id],
        "form_keys": ["privacy", "intake"],
    }
    values.update(changes)
    return ServiceDraft(**values)  # type: ignore[arg-type]


def _record(admin: ServiceContext, name: str) -> service_setup.ServiceRecord:
    return next(r for r in service_setup.list_services(admin) if r.name == name)


def test_a_service_keeps_every_field_its_performers_and_forms_in_order(
    clinic: Clinic, admin: ServiceContext
) -> None:
    service = service_setup.create_service(admin, _draft(clinic)).value
    assert (service.reference, service.price_cents, service.currency) == (10, 18050, "RON")
    record = _record(admin, "Sports massage")
    assert record.description == "Deep tissue work after an injury."
    assert record.duration_minutes == 50
    assert record.specialist_ids == (clinic.other_specialist_id, clinic.specialist_id)
    assert record.performer_names == ("Dr Elena Ionescu", "Dr Mihai Popescu")
    assert record.form_keys == ("privacy", "intake")
    assert not record.retired


def test_a_new_service_without_a_number_takes_the_next_free_one(
    clinic: Clinic, admin: ServiceContext
) -> None:
    service_setup.create_service(admin, _draft(clinic, reference=7))
    second = service_setup.create_service(admin, _draft(clinic, name="B", reference=None)).value
    assert second.reference == 8


def test_editing_replaces_performers_and_reorders_forms_keeping_tombstones(
    clinic: Clinic, admin: ServiceContext
) -> None:
    service = service_setup.create_service(admin, _draft(clinic)).value
    edited = _draft(
        clinic,
        name="Sports massage, long",
        duration_minutes=80,
        appointment_type=AppointmentType.VIDEO,
        price=None,
        reference=None,
        is_public=False,
        specialist_ids=[clinic.specialist_id],
        form_keys=["intake", "promo"],
    )
    service_setup.update_service(admin, service.id, edited)
    record = _record(admin, "Sports massage, long")
    assert (record.reference, record.duration_minutes, record.is_public) == (10, 80, False)
    assert (record.price_cents, record.currency) == (None, None)
    assert record.appointment_type is AppointmentType.VIDEO
    assert record.specialist_ids == (clinic.specialist_id,)
    assert record.form_keys == ("intake", "promo")
    with admin.sessions() as session:
        removed = session.scalars(
            select(ServiceSpecialist).where(ServiceSpecialist.deleted_at.is_not(None))
        ).all()
        assert [r.specialist_id for r in removed] == [clinic.other_specialist_id]
        dropped = session.scalars(
            select(ServiceForm.template_key).where(
                ServiceForm.service_id == service.id, ServiceForm.deleted_at.is_not(None)
            )
        ).all()
        assert dropped == ["privacy"]
    # Added back, the old rows are revived rather than doubled.
    service_setup.update_service(admin, service.id, _draft(clinic, name="Again"))
    record = _record(admin, "Again")
    assert record.specialist_ids == (clinic.other_specialist_id, clinic.specialist_id)
    assert record.form_keys == ("privacy", "intake")


def test_removed_performers_and_forms_no_longer_count(
    clinic: Clinic, admin: ServiceContext
) -> None:
    draft = _draft(clinic, specialist_ids=[clinic.specialist_id], form_keys=["promo"])
    service_setup.update_service(admin, clinic.consult_service_id, draft)
    choices = booking_choices.booking_choices(clinic.ctx)
    consult = next(s for s in choices.services if s.id == clinic.consult_service_id)
    assert consult.specialist_ids == (clinic.specialist_id,)
    with admin.sessions() as session:
        performers = public_slots.performers(session, clinic.consult_service_id, None)
    assert performers == [clinic.specialist_id]


def test_retiring_and_bringing_back(clinic: Clinic, admin: ServiceContext) -> None:
    service = service_setup.create_service(admin, _draft(clinic)).value
    service_setup.retire_service(admin, service.id)
    assert _record(admin, "Sports massage").retired
    live = [r.name for r in service_setup.list_services(admin, include_retired=False)]
    assert "Sports massage" not in live
    again = service_setup.retire_service(admin, service.id)
    assert not again.changes.touched("services")  # retiring twice changes nothing
    service_setup.restore_service(admin, service.id)
    record = _record(admin, "Sports massage")
    assert not record.retired
    assert record.form_keys == ("privacy", "intake")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 4001}, "description"),
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"appointment_type": "phone"}, "appointment_type"),
        ({"price": "-1"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "lots"}, "price"),
        ({"currency": ""}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"reference": 0}, "reference"),
        ({"reference": 42}, "reference"),  # another service's number
        ({"specialist_ids": [new_id()]}, "specialist_ids[0]"),
        ({"form_keys": ["intake", "nope"]}, "form_keys[1]"),
        ({"form_keys": ["intake", "intake"]}, "form_keys[1]"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(
    clinic: Clinic, admin: ServiceContext, changes: dict[str, object], field: str
) -> None:
    service_setup.create_service(admin, _draft(clinic, name="Holder", reference=42))
    refused(
        clinic,
        InvalidInput,
        field,
        lambda: service_setup.create_service(admin, _draft(clinic, **changes)),
    )


def test_every_problem_is_listed_at_once(clinic: Clinic, admin: ServiceContext) -> None:
    with pytest.raises(InvalidInput) as exc:
        service_setup.create_service(
            admin, _draft(clinic, name="", duration_minutes=0, price="1", currency="")
        )
    assert [e.field for e in exc.value.errors] == ["name", "duration_minutes", "currency"]


def test_a_retired_service_keeps_its_number(clinic: Clinic, admin: ServiceContext) -> None:
    service = service_setup.create_service(admin, _draft(clinic)).value
    service_setup.retire_service(admin, service.id)
    refused(
        clinic,
        InvalidInput,
        "reference",
        lambda: service_setup.create_service(admin, _draft(clinic, name="Other")),
    )


@pytest.mark.parametrize("who", ["receptionist", "specialist_actor"])
def test_only_admins_set_up_services(clinic: Clinic, who: str) -> None:
    ctx = clinic.as_(getattr(clinic, who))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: service_setup.create_service(ctx, _draft(clinic)),
    )
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: service_setup.retire_service(ctx, clinic.consult_service_id),
    )


def test_an_unknown_service_is_not_found(clinic: Clinic, admin: ServiceContext) -> None:
    refused(
        clinic,
        NotFound,
        "service_id",
        lambda: service_setup.retire_service(admin, new_id()),
    )


def test_the_editor_is_offered_active_specialists_and_current_forms(
    clinic: Clinic, admin: ServiceContext
) -> None:
    choices = service_setup.service_choices(admin)
    assert [c.label for c in choices.specialists] == ["Dr Elena Ionescu", "Dr Mihai Popescu"]
    assert [c.value for c in choices.forms] == ["intake", "privacy", "promo"]


def test_a_service_row_is_queued_for_sync(clinic: Clinic, admin: ServiceContext) -> None:
    outcome = service_setup.create_service(admin, _draft(clinic))
    assert outcome.changes.touched("services")
    assert outcome.changes.touched("service_specialists")
    with admin.sessions() as session:
        assert session.get(Service, outcome.value.id) is not None


def test_the_demo_clinics_services_have_numbers_descriptions_and_prices(mirror: Mirror) -> None:
    built = demo.seed_catalog(mirror.sessions, FixedClock(DEFAULT_NOW))
    ctx = ServiceContext(mirror.sessions, built.organization_id, Actor.system("test"))
    records = service_setup.list_services(ctx)
    assert [(r.reference, r.name) for r in records] == [
        (10, "Physiotherapy consultation"),
        (11, "Video follow-up"),
        (12, "Nutrition session"),
    ]
    assert all(r.description for r in records)
    assert {(r.price_cents, r.currency) for r in records} >= {(25000, "RON")}


def test_refusals_read_romanian_each_naming_its_field(
    clinic: Clinic, admin: ServiceContext
) -> None:
    activate("ro")
    with pytest.raises(InvalidInput) as exc:
        service_setup.create_service(
            admin, _draft(clinic, name="", duration_minutes=0, price="1", currency="")
        )
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("name", "Scrieți numele serviciului."),
        ("duration_minutes", "Durata trebuie să fie între 5 și 480 de minute."),
        ("currency", "Alegeți moneda prețului."),
    ]
    with pytest.raises(PermissionDenied) as refused_setup:
        service_setup.create_service(clinic.as_(clinic.receptionist), _draft(clinic))
    assert refused_setup.value.message == (
        "Doar un administrator poate configura serviciile: rugați un administrator."
    )
