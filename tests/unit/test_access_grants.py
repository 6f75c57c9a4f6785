"""Access grants: features unlocked for a patient, for good or for some days, revocable."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services import access_grants
from frontdesk.store.models import AccessGrant
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.refusals import refused
from tests.support.rows import insert_person


def _has(clinic: Clinic, person_id: uuid.UUID, feature: str) -> bool:
    with clinic.ctx.sessions() as session:
        return access_grants.has_access(
            session, clinic.organization_id, person_id, feature, now=clinic.clock.now()
        )


def _grants(clinic: Clinic) -> list[AccessGrant]:
    with clinic.ctx.sessions() as session:
        return list(session.scalars(select(AccessGrant)))


def test_a_grant_unlocks_one_feature(clinic: Clinic) -> None:
    person = insert_person(clinic)
    grant = access_grants.grant_access(clinic.ctx, person.id, "telerehab").value
    assert grant.expires_at is None
    assert _has(clinic, person.id, "telerehab")
    assert not _has(clinic, person.id, "video")


def test_a_grant_for_some_days_lapses_and_granting_again_lengthens_it(clinic: Clinic) -> None:
    person = insert_person(clinic)
    first = access_grants.grant_access(clinic.ctx, person.id, "video", duration_days=3).value
    assert first.expires_at == clinic.clock.now() + timedelta(days=3)
    clinic.clock.advance(timedelta(days=1))
    longer = access_grants.grant_access(clinic.ctx, person.id, "video", duration_days=5).value
    assert longer.id == first.id
    assert longer.expires_at == clinic.clock.now() + timedelta(days=5)
    # A shorter grant never cuts a longer one short.
    same = access_grants.grant_access(clinic.ctx, person.id, "video", duration_days=1).value
    assert same.expires_at == longer.expires_at
    clinic.clock.advance(timedelta(days=5))
    assert not _has(clinic, person.id, "video")


def test_revoking_locks_the_feature_and_granting_again_restores_the_row(clinic: Clinic) -> None:
    person = insert_person(clinic)
    grant = access_grants.grant_access(clinic.ctx, person.id, "booking").value
    access_grants.revoke_access(clinic.ctx, person.id, "booking")
    assert not _has(clinic, person.id, "booking")
    again = access_grants.grant_access(clinic.ctx, person.id, "booking").value
    assert again.id == grant.id
    assert again.revoked_at is None
    assert _has(clinic, person.id, "booking")
    assert len(_grants(clinic)) == 1


def test_the_same_grant_id_twice_is_one_grant(clinic: Clinic) -> None:
    person = insert_person(clinic)
    grant_id = uuid.uuid4()
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            access_grants.grant_access_in(
                tx, person.id, "exercise_videos", duration_days=7, grant_id=grant_id
            )
    assert [(g.id, g.expires_at) for g in _grants(clinic)] == [
        (grant_id, clinic.clock.now() + timedelta(days=7))
    ]


def test_grant_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    person = insert_person(clinic)
    ctx = clinic.ctx
    refused(
        clinic,
        InvalidInput,
        "feature",
        lambda: access_grants.grant_access(ctx, person.id, "teleport"),
    )
    for days in (0, 3651):
        refused(
            clinic,
            InvalidInput,
            "duration_days",
            lambda days=days: access_grants.grant_access(
                ctx, person.id, "video", duration_days=days
            ),
        )
    refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: access_grants.grant_access(ctx, uuid.uuid4(), "video"),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="someone", person_ids=frozenset({person.id})))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: access_grants.grant_access(patient, person.id, "video"),
    )


def test_revoke_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    person = insert_person(clinic)
    refused(
        clinic,
        NotFound,
        "feature",
        lambda: access_grants.revoke_access(clinic.ctx, person.id, "video"),
    )
    access_grants.grant_access(clinic.ctx, person.id, "video", duration_days=1)
    clinic.clock.advance(timedelta(days=2))
    # A lapsed grant has nothing left to revoke.
    refused(
        clinic,
        NotFound,
        "feature",
        lambda: access_grants.revoke_access(clinic.ctx, person.id, "video"),
    )
    refused(
        clinic,
        InvalidInput,
        "feature",
        lambda: access_grants.revoke_access(clinic.ctx, person.id, "nope"),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="someone"))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: access_grants.revoke_access(patient, person.id, "video"),
    )


def test_has_access_refuses_an_unknown_feature(clinic: Clinic) -> None:
    person = insert_person(clinic)
    refused(clinic, InvalidInput, "feature", lambda: _has(clinic, person.id, "teleport"))
