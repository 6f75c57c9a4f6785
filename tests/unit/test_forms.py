"""Filling, completing, signing and reading forms; signed forms never change again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from frontdesk.domain.enums import FormSource, FormStatus, FormType, Role
from frontdesk.domain.errors import (
    AlreadyExists,
    DomainError,
    ImmutableRecord,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.events import EventName
from frontdesk.domain.ids import derived_id
from frontdesk.services import catalog, forms
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import (
    Appointment,
    DomainEvent,
    FormInstance,
    OutboxMutation,
    PatientPerson,
    User,
)
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_appointment, insert_person

START = datetime.fromisoformat("2026-03-03T08:00:00+00:00")
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1 C 5 9, 9 1, 14 8"/></svg>'


@dataclass
class Visit:
    person: PatientPerson
    appointment: Appointment
    forms: dict[str, FormInstance]


def _visit(
    clinic: Clinic, person: PatientPerson | None = None, *, specialist_id: uuid.UUID | None = None
) -> Visit:
    person = person or insert_person(clinic)
    appointment = insert_appointment(
        clinic, start=START, person_id=person.id, specialist_id=specialist_id
    )
    with clinic.ctx.transaction() as tx:
        generated = forms.generate_appointment_forms(tx, appointment, person)
    return Visit(person, appointment, {f.template_key: f for f in generated})


@pytest.fixture
def visit(clinic: Clinic) -> Visit:
    return _visit(clinic)


def _patient_actor(clinic: Clinic, person: PatientPerson, *others: PatientPerson) -> Actor:
    """A patient login for `person` (and the people they manage)."""
    with clinic.ctx.sessions.begin() as session:
        user = User(email=f"{uuid.uuid4().hex[:8]}@patients.example", display_name=person.name)
        session.add(user)
        session.flush()
        session.get_one(PatientPerson, person.id).user_id = user.id
    return Actor(
        Role.PATIENT,
        user.id,
        person.name,
        person_ids=frozenset({person.id, *(o.id for o in others)}),
    )


def _load(clinic: Clinic, form_id: uuid.UUID) -> FormInstance:
    with clinic.ctx.sessions() as session:
        return session.get_one(FormInstance, form_id)


def _refused(
    clinic: Clinic, error: type[DomainError], field: str, call: Callable[[], object]
) -> DomainError:
    """Assert `call` fails with `error` naming `field` and writes nothing at all."""
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(error) as exc:
        call()
    assert exc.value.field == field, exc.value
    assert fingerprint(clinic.ctx.sessions) == before
    return exc.value


def _fill_intake(clinic: Clinic, visit: Visit) -> FormInstance:
    form = visit.forms["intake"]
    forms.save_values(clinic.ctx, form.id, {"pain": 4, "notes": "Lower back, mornings."})
    return forms.complete(clinic.ctx, form.id).value


def _signed_intake(clinic: Clinic, visit: Visit) -> FormInstance:
    form = _fill_intake(clinic, visit)
    return forms.sign(clinic.ctx, form.id, signer_name="Ioana Marin", signature_svg=SVG).value


# --- create_form ---------------------------------------------------------------------------


def test_staff_ask_a_patient_for_a_form(clinic: Clinic) -> None:
    person = insert_person(clinic)

    outcome = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=person.id)

    form = _load(clinic, outcome.value.id)
    assert (form.template_key, form.appointment_id, form.status) == (
        "privacy",
        None,
        FormStatus.CREATED,
    )
    assert (form.source, form.blocking, form.form_type) == (
        FormSource.STAFF,
        True,
        FormType.DISCLAIMER,
    )
    assert outcome.changes.events == [EventName.FORM_CREATED]
    assert outcome.changes.created["form_instances"] == {form.id}


def test_a_created_form_may_override_blocking_and_sit_on_an_appointment(
    clinic: Clinic, visit: Visit
) -> None:
    form = forms.create_form(
        clinic.ctx,
        template_key="promo",
        patient_person_id=visit.person.id,
        appointment_id=visit.appointment.id,
        source=FormSource.AUTOMATION,
        blocking=True,
    ).value

    assert (form.blocking, form.source, form.appointment_id) == (
        True,
        FormSource.AUTOMATION,
        visit.appointment.id,
    )
    assert [f.template_key for f in forms.forms_for_appointment(clinic.ctx, visit.appointment.id)][
        -1
    ] == "promo"


def test_add_form_with_a_derived_id_asks_once(clinic: Clinic) -> None:
    person = insert_person(clinic)
    form_id = derived_id("rule-1:event-9", 0)

    def run() -> FormInstance:
        with clinic.ctx.transaction() as tx:
            return forms.add_form(
                tx,
                template_key="intake",
                patient_person_id=person.id,
                source=FormSource.AUTOMATION,
                form_id=form_id,
            )

    first = run()
    before = fingerprint(clinic.ctx.sessions)
    second = run()

    assert first.id == second.id == form_id
    assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize(
    ("arguments", "error", "field"),
    [
        ({"template_key": "nope"}, NotFound, "template_key"),
        ({"patient_person_id": uuid.uuid4()}, NotFound, "patient_person_id"),
        ({"appointment_id": uuid.uuid4()}, NotFound, "appointment_id"),
        ({"source": "carrier-pigeon"}, InvalidInput, "source"),
        ({"template_key": "intake", "appointment_id": "visit"}, AlreadyExists, "template_key"),
    ],
)
def test_create_form_refusals_name_the_field_and_write_nothing(
    clinic: Clinic,
    visit: Visit,
    arguments: dict[str, Any],
    error: type[DomainError],
    field: str,
) -> None:
    call: dict[str, Any] = {"template_key": "promo", "patient_person_id": visit.person.id}
    call.update(arguments)
    if call.get("appointment_id") == "visit":
        call["appointment_id"] = visit.appointment.id

    _refused(clinic, error, field, lambda: forms.create_form(clinic.ctx, **call))


def test_a_form_cannot_sit_on_another_patients_appointment(clinic: Clinic, visit: Visit) -> None:
    stranger = insert_person(clinic, first_name="Dan", email=None, phone=None)

    error = _refused(
        clinic,
        InvalidInput,
        "appointment_id",
        lambda: forms.create_form(
            clinic.ctx,
            template_key="promo",
            patient_person_id=stranger.id,
            appointment_id=visit.appointment.id,
        ),
    )
    assert "another patient" in str(error)


def test_a_deleted_person_gets_no_forms(clinic: Clinic) -> None:
    person = insert_person(clinic, deleted_at=clinic.clock.now())

    _refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: forms.create_form(clinic.ctx, template_key="promo", patient_person_id=person.id),
    )


def test_a_specialist_asks_for_forms_only_on_their_own_appointments(clinic: Clinic) -> None:
    colleagues = _visit(clinic, specialist_id=clinic.other_specialist_id)
    specialist = clinic.as_(clinic.specialist_actor)

    _refused(
        clinic,
        PermissionDenied,
        "appointment_id",
        lambda: forms.create_form(
            specialist,
            template_key="promo",
            patient_person_id=colleagues.person.id,
            appointment_id=colleagues.appointment.id,
        ),
    )
    own = forms.create_form(
        specialist, template_key="promo", patient_person_id=colleagues.person.id
    ).value
    assert own.appointment_id is None


def test_patients_cannot_create_forms(clinic: Clinic) -> None:
    person = insert_person(clinic)
    patient = clinic.as_(_patient_actor(clinic, person))

    _refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: forms.create_form(patient, template_key="promo", patient_person_id=person.id),
    )


# --- save_values ---------------------------------------------------------------------------


def test_partial_saves_merge_and_clear(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]
    assert form.values == {"email": "ioana.marin@example.com"}

    forms.save_values(clinic.ctx, form.id, {"notes": "  Knee pain  "})
    outcome = forms.save_values(clinic.ctx, form.id, {"pain": "6", "email": None})

    stored = _load(clinic, form.id)
    assert stored.values == {"notes": "Knee pain", "pain": 6}
    assert stored.status == FormStatus.CREATED
    assert outcome.changes.updated["form_instances"] == {form.id}
    assert outcome.changes.events == []


def test_saving_the_same_answers_again_changes_nothing(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]
    forms.save_values(clinic.ctx, form.id, {"pain": 3})
    before = fingerprint(clinic.ctx.sessions)

    outcome = forms.save_values(clinic.ctx, form.id, {"pain": "3"})

    assert not outcome.changes
    assert fingerprint(clinic.ctx.sessions) == before


def test_bad_answers_are_all_named_and_nothing_is_saved(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]

    error = _refused(
        clinic,
        InvalidInput,
        "values.email",
        lambda: forms.save_values(
            clinic.ctx, form.id, {"email": "nope", "pain": 11, "notes": "fine", "extra": 1}
        ),
    )
    assert isinstance(error, InvalidInput)
    assert [e.field for e in error.errors] == ["values.email", "values.pain", "values.extra"]
    assert _load(clinic, form.id).values == {"email": "ioana.marin@example.com"}


def test_values_must_be_an_object(clinic: Clinic, visit: Visit) -> None:
    _refused(
        clinic,
        InvalidInput,
        "values",
        lambda: forms.save_values(clinic.ctx, visit.forms["intake"].id, ["pain", 3]),  # type: ignore[arg-type]
    )


def test_national_phone_numbers_are_read_in_the_clinics_country(clinic: Clinic) -> None:
    catalog.add_form_template(
        clinic.ctx,
        key="contact",
        title="Contact",
        form_type=FormType.SURVEY,
        fields=[{"key": "phone", "label": "Phone", "type": "phone"}],
    )
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="contact", patient_person_id=person.id).value

    forms.save_values(clinic.ctx, form.id, {"phone": "0722 123 456"})

    assert _load(clinic, form.id).values == {"phone": "+40722123456"}


def test_an_unknown_form_is_not_found(clinic: Clinic) -> None:
    form_id = uuid.uuid4()

    for call in (
        lambda: forms.save_values(clinic.ctx, form_id, {"pain": 1}),
        lambda: forms.complete(clinic.ctx, form_id),
        lambda: forms.sign(clinic.ctx, form_id, signer_name="X", signature_svg=SVG),
        lambda: forms.delete_form(clinic.ctx, form_id, reason="typo"),
    ):
        _refused(clinic, NotFound, "form_id", call)


def test_a_completed_form_can_be_corrected_but_must_stay_complete(
    clinic: Clinic, visit: Visit
) -> None:
    form = _fill_intake(clinic, visit)

    forms.save_values(clinic.ctx, form.id, {"pain": 5})
    assert _load(clinic, form.id).values["pain"] == 5
    assert _load(clinic, form.id).status == FormStatus.COMPLETED

    _refused(
        clinic,
        InvalidInput,
        "values.pain",
        lambda: forms.save_values(clinic.ctx, form.id, {"pain": None}),
    )


# --- complete ------------------------------------------------------------------------------


def test_completing_checks_required_answers(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]

    error = _refused(
        clinic, InvalidInput, "values.pain", lambda: forms.complete(clinic.ctx, form.id)
    )
    assert "values.pain: needs an answer" in str(error)


def test_completing_records_when_and_announces_it(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]
    forms.save_values(clinic.ctx, form.id, {"pain": 2})
    clinic.clock.advance(timedelta(minutes=5))

    outcome = forms.complete(clinic.ctx, form.id)

    stored = _load(clinic, form.id)
    assert stored.status == FormStatus.COMPLETED
    assert stored.completed_at == clinic.clock.now()
    assert outcome.changes.events == [EventName.FORM_COMPLETED]
    with clinic.ctx.sessions() as session:
        event = session.scalars(
            select(DomainEvent).where(DomainEvent.name == EventName.FORM_COMPLETED)
        ).one()
    assert event.subject_id == form.id
    assert event.payload["template_key"] == "intake"
    assert event.payload["appointment_id"] == str(visit.appointment.id)


def test_a_disclaimer_must_be_accepted_to_complete(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["privacy"]
    forms.save_values(clinic.ctx, form.id, {"agree": False})

    error = _refused(
        clinic, InvalidInput, "values.agree", lambda: forms.complete(clinic.ctx, form.id)
    )
    assert "must be accepted" in str(error)

    forms.save_values(clinic.ctx, form.id, {"agree": True})
    assert forms.complete(clinic.ctx, form.id).value.status == FormStatus.COMPLETED


def test_completing_twice_is_refused(clinic: Clinic, visit: Visit) -> None:
    form = _fill_intake(clinic, visit)

    _refused(clinic, DomainError, "status", lambda: forms.complete(clinic.ctx, form.id))


def test_a_prefilled_answer_that_is_no_longer_valid_blocks_completion(
    clinic: Clinic, visit: Visit
) -> None:
    form = visit.forms["intake"]
    with clinic.ctx.sessions.begin() as session:
        session.get_one(FormInstance, form.id).values = {"email": "broken@", "pain": 1}

    _refused(clinic, InvalidInput, "values.email", lambda: forms.complete(clinic.ctx, form.id))


# --- sign ----------------------------------------------------------------------------------


def test_signing_seals_the_form(clinic: Clinic, visit: Visit) -> None:
    form = _fill_intake(clinic, visit)
    clinic.clock.advance(timedelta(minutes=1, microseconds=123))

    outcome = forms.sign(clinic.ctx, form.id, signer_name="  Ioana Marin ", signature_svg=SVG)

    stored = _load(clinic, form.id)
    assert stored.status == FormStatus.SIGNED
    assert stored.signed_at == clinic.clock.now()
    assert stored.signer_name == "Ioana Marin"
    assert stored.signature_svg == SVG
    assert stored.content_hash is not None
    assert len(stored.content_hash) == 64
    assert forms.verify_signature(stored)
    assert outcome.changes.events == [EventName.FORM_SIGNED]
    with clinic.ctx.sessions() as session:
        mutation = session.scalars(
            select(OutboxMutation)
            .where(OutboxMutation.row_id == form.id)
            .order_by(OutboxMutation.device_seq.desc())
        ).first()
    assert mutation is not None
    assert mutation.operation == "update"
    assert mutation.changed["status"] == "signed"
    assert mutation.changed["content_hash"] == stored.content_hash


def test_only_a_completed_form_can_be_signed(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]

    _refused(
        clinic,
        DomainError,
        "status",
        lambda: forms.sign(clinic.ctx, form.id, signer_name="Ioana", signature_svg=SVG),
    )


@pytest.mark.parametrize(
    ("signer_name", "signature_svg", "field"),
    [("", SVG, "signer_name"), ("Ioana", "scribble", "signature_svg")],
)
def test_a_signature_needs_a_name_and_a_drawing(
    clinic: Clinic, visit: Visit, signer_name: str, signature_svg: str, field: str
) -> None:
    form = _fill_intake(clinic, visit)

    _refused(
        clinic,
        InvalidInput,
        field,
        lambda: forms.sign(
            clinic.ctx, form.id, signer_name=signer_name, signature_svg=signature_svg
        ),
    )


def test_an_unknown_signing_user_is_refused(clinic: Clinic, visit: Visit) -> None:
    form = _fill_intake(clinic, visit)

    _refused(
        clinic,
        NotFound,
        "signed_by_user_id",
        lambda: forms.sign(
            clinic.ctx,
            form.id,
            signer_name="Ioana",
            signature_svg=SVG,
            signed_by_user_id=uuid.uuid4(),
        ),
    )


def test_staff_cannot_seal_a_user_of_another_organization(clinic: Clinic, visit: Visit) -> None:
    form = _fill_intake(clinic, visit)
    with clinic.ctx.sessions.begin() as session:
        stranger = User(email="stranger@elsewhere.example", display_name="Someone Else")
        session.add(stranger)
        session.flush()
        stranger_id = stranger.id

    for actor in (clinic.ctx, clinic.as_(clinic.admin)):
        _refused(
            clinic,
            PermissionDenied,
            "signed_by_user_id",
            lambda actor=actor: forms.sign(
                actor,
                form.id,
                signer_name="Ioana",
                signature_svg=SVG,
                signed_by_user_id=stranger_id,
            ),
        )
    # A receptionist records only themself; an admin also another member or the patient.
    _refused(
        clinic,
        PermissionDenied,
        "signed_by_user_id",
        lambda: forms.sign(
            clinic.ctx,
            form.id,
            signer_name="Ioana",
            signature_svg=SVG,
            signed_by_user_id=clinic.admin.user_id,
        ),
    )


def test_an_admin_may_record_the_patient_or_a_member_as_signer(
    clinic: Clinic, visit: Visit
) -> None:
    form = _fill_intake(clinic, visit)
    patient = _patient_actor(clinic, visit.person)
    signed = forms.sign(
        clinic.as_(clinic.admin),
        form.id,
        signer_name="Ioana",
        signature_svg=SVG,
        signed_by_user_id=patient.user_id,
    ).value
    assert signed.signed_by_user_id == patient.user_id

    other = _fill_intake(clinic, _visit(clinic))
    by_member = forms.sign(
        clinic.as_(clinic.admin),
        other.id,
        signer_name="Rita",
        signature_svg=SVG,
        signed_by_user_id=clinic.receptionist.user_id,
    ).value
    assert by_member.signed_by_user_id == clinic.receptionist.user_id


@pytest.mark.parametrize(
    "write",
    [
        lambda ctx, form: forms.save_values(ctx, form.id, {"notes": "changed my mind"}),
        lambda ctx, form: forms.save_values(ctx, form.id, {}),
        lambda ctx, form: forms.complete(ctx, form.id),
        lambda ctx, form: forms.sign(ctx, form.id, signer_name="Someone", signature_svg=SVG),
        lambda ctx, form: forms.delete_form(ctx, form.id, reason="asked by mistake"),
    ],
    ids=["save", "save-nothing", "complete", "re-sign", "delete"],
)
def test_a_signed_form_refuses_every_write(
    clinic: Clinic,
    visit: Visit,
    write: Callable[[ServiceContext, FormInstance], object],
) -> None:
    form = _signed_intake(clinic, visit)

    error = _refused(clinic, ImmutableRecord, "form_id", lambda: write(clinic.ctx, form))
    assert "signed" in str(error)
    assert forms.verify_signature(_load(clinic, form.id))


def test_a_signed_form_refuses_the_admin_too(clinic: Clinic, visit: Visit) -> None:
    form = _signed_intake(clinic, visit)

    _refused(
        clinic,
        ImmutableRecord,
        "form_id",
        lambda: forms.save_values(clinic.as_(clinic.admin), form.id, {"pain": 1}),
    )


def test_tampering_breaks_the_seal(clinic: Clinic, visit: Visit) -> None:
    form = _load(clinic, _signed_intake(clinic, visit).id)
    assert forms.verify_signature(form)

    for attribute, value in [
        ("values", {**form.values, "pain": 0}),
        ("signer_name", "Someone Else"),
        ("signed_at", form.signed_at + timedelta(seconds=1) if form.signed_at else None),
        ("fields", [*form.fields, {"key": "x", "label": "X", "type": "text"}]),
        ("patient_person_id", uuid.uuid4()),
        ("signature_svg", SVG.replace("14 8", "14 9")),
    ]:
        tampered = _load(clinic, form.id)
        setattr(tampered, attribute, value)
        assert not forms.verify_signature(tampered), attribute


def test_an_unsigned_form_has_no_valid_signature(clinic: Clinic, visit: Visit) -> None:
    assert not forms.verify_signature(_fill_intake(clinic, visit))


# --- signing on behalf of a dependent ------------------------------------------------------


@pytest.fixture
def family(clinic: Clinic) -> tuple[PatientPerson, PatientPerson]:
    guardian = insert_person(clinic, first_name="Ioana")
    child = insert_person(
        clinic, first_name="Matei", email=None, phone=None, manager_person_id=guardian.id
    )
    return guardian, child


def test_a_guardian_signs_for_their_dependent(
    clinic: Clinic, family: tuple[PatientPerson, PatientPerson]
) -> None:
    guardian, child = family
    visit = _visit(clinic, child)
    form = _fill_intake(clinic, visit)

    signed = forms.sign(
        clinic.ctx,
        form.id,
        signer_name="Ioana Marin (mother)",
        signature_svg=SVG,
        on_behalf_by_person_id=guardian.id,
    ).value

    stored = _load(clinic, signed.id)
    assert stored.signed_on_behalf_by_person_id == guardian.id
    assert forms.verify_signature(stored)


def test_someone_who_does_not_manage_the_patient_cannot_sign_for_them(
    clinic: Clinic, family: tuple[PatientPerson, PatientPerson]
) -> None:
    _guardian, child = family
    stranger = insert_person(clinic, first_name="Dan", email=None, phone=None)
    form = _fill_intake(clinic, _visit(clinic, child))

    error = _refused(
        clinic,
        PermissionDenied,
        "on_behalf_by_person_id",
        lambda: forms.sign(
            clinic.ctx,
            form.id,
            signer_name="Dan",
            signature_svg=SVG,
            on_behalf_by_person_id=stranger.id,
        ),
    )
    assert "does not manage" in str(error)


def test_an_unknown_guardian_is_not_found(
    clinic: Clinic, family: tuple[PatientPerson, PatientPerson]
) -> None:
    form = _fill_intake(clinic, _visit(clinic, family[1]))

    _refused(
        clinic,
        NotFound,
        "on_behalf_by_person_id",
        lambda: forms.sign(
            clinic.ctx,
            form.id,
            signer_name="X",
            signature_svg=SVG,
            on_behalf_by_person_id=uuid.uuid4(),
        ),
    )


def test_a_patient_signing_a_dependents_form_must_say_so(
    clinic: Clinic, family: tuple[PatientPerson, PatientPerson]
) -> None:
    guardian, child = family
    patient = clinic.as_(_patient_actor(clinic, guardian, child))
    form = _fill_intake(clinic, _visit(clinic, child))

    _refused(
        clinic,
        PermissionDenied,
        "on_behalf_by_person_id",
        lambda: forms.sign(patient, form.id, signer_name="Ioana", signature_svg=SVG),
    )
    signed = forms.sign(
        patient,
        form.id,
        signer_name="Ioana",
        signature_svg=SVG,
        on_behalf_by_person_id=guardian.id,
    ).value
    assert signed.status == FormStatus.SIGNED


# --- patients and specialists --------------------------------------------------------------


def test_a_patient_fills_completes_and_signs_their_own_form(clinic: Clinic, visit: Visit) -> None:
    actor = _patient_actor(clinic, visit.person)
    patient = clinic.as_(actor)
    form = visit.forms["privacy"]

    forms.save_values(patient, form.id, {"agree": True})
    forms.complete(patient, form.id)
    forms.sign(
        patient, form.id, signer_name="Ioana", signature_svg=SVG, signed_by_user_id=actor.user_id
    )

    stored = _load(clinic, form.id)
    assert (stored.status, stored.signed_by_user_id) == (FormStatus.SIGNED, actor.user_id)


def test_a_patient_cannot_touch_someone_elses_form(clinic: Clinic, visit: Visit) -> None:
    other = insert_person(clinic, first_name="Dan", email=None, phone=None)
    patient = clinic.as_(_patient_actor(clinic, other))

    _refused(
        clinic,
        PermissionDenied,
        "form_id",
        lambda: forms.save_values(patient, visit.forms["intake"].id, {"pain": 1}),
    )


def test_a_patient_cannot_sign_as_another_user(clinic: Clinic, visit: Visit) -> None:
    patient = clinic.as_(_patient_actor(clinic, visit.person))
    form = visit.forms["privacy"]
    forms.save_values(patient, form.id, {"agree": True})
    forms.complete(patient, form.id)

    _refused(
        clinic,
        PermissionDenied,
        "signed_by_user_id",
        lambda: forms.sign(
            patient,
            form.id,
            signer_name="Ioana",
            signature_svg=SVG,
            signed_by_user_id=clinic.receptionist.user_id,
        ),
    )


@pytest.mark.parametrize("form_type", [FormType.REPORT, FormType.PRESCRIPTION])
def test_a_patient_cannot_write_a_clinical_document(
    clinic: Clinic, visit: Visit, form_type: FormType
) -> None:
    catalog.add_form_template(
        clinic.ctx,
        key=str(form_type),
        title=str(form_type).title(),
        form_type=form_type,
        fields=[{"key": "text", "label": "Text", "type": "textarea"}],
    )
    form = forms.create_form(
        clinic.ctx, template_key=str(form_type), patient_person_id=visit.person.id
    ).value
    patient = clinic.as_(_patient_actor(clinic, visit.person))

    _refused(
        clinic,
        PermissionDenied,
        "form_type",
        lambda: forms.save_values(patient, form.id, {"text": "I prescribe myself a holiday"}),
    )
    specialist = clinic.as_(clinic.specialist_actor)
    forms.save_values(specialist, form.id, {"text": "Ibuprofen 400 mg, twice a day."})
    forms.complete(specialist, form.id)
    forms.sign(specialist, form.id, signer_name="Dr Mihai Popescu", signature_svg=SVG)
    assert _load(clinic, form.id).status == FormStatus.SIGNED


def test_a_specialist_fills_only_forms_of_their_own_appointments(clinic: Clinic) -> None:
    theirs = _visit(clinic)
    colleagues = _visit(
        clinic,
        insert_person(clinic, first_name="Dan", email=None, phone=None),
        specialist_id=clinic.other_specialist_id,
    )
    specialist = clinic.as_(clinic.specialist_actor)

    forms.save_values(specialist, theirs.forms["intake"].id, {"pain": 2})
    _refused(
        clinic,
        PermissionDenied,
        "form_id",
        lambda: forms.save_values(specialist, colleagues.forms["intake"].id, {"pain": 2}),
    )


# --- delete --------------------------------------------------------------------------------


def test_a_form_asked_by_mistake_is_withdrawn_not_erased(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]

    forms.delete_form(clinic.ctx, form.id, reason="wrong patient")

    stored = _load(clinic, form.id)
    assert stored.deleted_at == clinic.clock.now()
    assert [
        f.template_key for f in forms.forms_for_appointment(clinic.ctx, visit.appointment.id)
    ] == ["privacy"]
    _refused(clinic, NotFound, "form_id", lambda: forms.save_values(clinic.ctx, form.id, {}))


def test_withdrawing_needs_a_reason_and_staff(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]
    patient = clinic.as_(_patient_actor(clinic, visit.person))

    _refused(
        clinic, InvalidInput, "reason", lambda: forms.delete_form(clinic.ctx, form.id, reason=" ")
    )
    _refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: forms.delete_form(patient, form.id, reason="I don't like it"),
    )


# --- reading -------------------------------------------------------------------------------


def test_all_forms_of_an_appointment_in_one_place(clinic: Clinic, visit: Visit) -> None:
    later = forms.create_form(
        clinic.ctx,
        template_key="promo",
        patient_person_id=visit.person.id,
        appointment_id=visit.appointment.id,
    ).value
    patient_level = forms.create_form(
        clinic.ctx, template_key="intake", patient_person_id=visit.person.id
    ).value

    listed = forms.forms_for_appointment(clinic.ctx, visit.appointment.id)

    assert [f.template_key for f in listed] == ["intake", "privacy", "promo"]
    assert later.id in {f.id for f in listed}
    assert patient_level.id not in {f.id for f in listed}


def test_who_may_read_an_appointments_forms(clinic: Clinic, visit: Visit) -> None:
    own = clinic.as_(_patient_actor(clinic, visit.person))
    other = clinic.as_(
        _patient_actor(clinic, insert_person(clinic, first_name="Dan", email=None, phone=None))
    )
    colleague = clinic.as_(
        Actor(Role.SPECIALIST, None, "Dr Elena", specialist_id=clinic.other_specialist_id)
    )

    for reader in (own, clinic.ctx, clinic.as_(clinic.admin), clinic.as_(clinic.specialist_actor)):
        assert len(forms.forms_for_appointment(reader, visit.appointment.id)) == 2
    for outsider in (other, colleague):
        with pytest.raises(PermissionDenied) as exc:
            forms.forms_for_appointment(outsider, visit.appointment.id)
        assert exc.value.field == "appointment_id"
    with pytest.raises(NotFound) as missing:
        forms.forms_for_appointment(clinic.ctx, uuid.uuid4())
    assert missing.value.field == "appointment_id"


def test_outstanding_forms_are_the_unsigned_ones(clinic: Clinic, visit: Visit) -> None:
    _signed_intake(clinic, visit)
    extra = forms.create_form(
        clinic.ctx, template_key="promo", patient_person_id=visit.person.id
    ).value

    with clinic.ctx.sessions() as session:
        outstanding = forms.outstanding_forms(session, clinic.organization_id, visit.person.id)
        blocking = forms.outstanding_forms(
            session, clinic.organization_id, visit.person.id, blocking_only=True
        )

    assert [f.id for f in outstanding] == [visit.forms["privacy"].id, extra.id]
    assert [f.id for f in blocking] == [visit.forms["privacy"].id]


# --- the store's own guard -----------------------------------------------------------------


def test_the_store_refuses_to_change_a_signed_form_whatever_the_path(
    clinic: Clinic, visit: Visit
) -> None:
    form = _signed_intake(clinic, visit)
    before = fingerprint(clinic.ctx.sessions)

    with pytest.raises(ImmutableRecord), clinic.ctx.sessions.begin() as session:
        session.get_one(FormInstance, form.id).values = {"pain": 0}
    with pytest.raises(ImmutableRecord), clinic.ctx.sessions.begin() as session:
        session.get_one(FormInstance, form.id).status = FormStatus.COMPLETED
    with pytest.raises(ImmutableRecord), clinic.ctx.sessions.begin() as session:
        session.delete(session.get_one(FormInstance, form.id))
    with pytest.raises(ImmutableRecord), clinic.ctx.sessions.begin() as session:
        session.execute(update(FormInstance).values(title="rewritten"))

    assert fingerprint(clinic.ctx.sessions) == before
    assert forms.verify_signature(_load(clinic, form.id))


def test_the_store_guard_leaves_unsigned_forms_alone(clinic: Clinic, visit: Visit) -> None:
    form = visit.forms["intake"]

    with clinic.ctx.sessions.begin() as session:
        session.get_one(FormInstance, form.id).values = {"pain": 9}

    assert _load(clinic, form.id).values == {"pain": 9}
