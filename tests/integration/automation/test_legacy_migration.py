"""The legacy onboarding forms (`template_policy_id`, `template_terms_id`) become one enabled
`patient.onboarded` rule, once, with the same id on every desk."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import select

from frontdesk.automation.legacy import (
    LEGACY_RULE_NAME,
    legacy_rule_id,
    migrate_legacy_onboarding,
)
from frontdesk.domain.enums import FormSource
from frontdesk.domain.ids import derived_id
from frontdesk.store.models import AuditEntry, AutomationRule, FormInstance, Organization
from tests.integration.automation.helpers import dispatch_all, public_booking_onboarded, rows
from tests.support.automation import engine_ctx
from tests.support.clinic import Clinic


def _legacy(clinic: Clinic, policy: uuid.UUID | None, terms: uuid.UUID | None) -> None:
    with clinic.ctx.sessions.begin() as session:
        organization = session.get_one(Organization, clinic.organization_id)
        organization.template_policy_id = policy
        organization.template_terms_id = terms


def _rules(clinic: Clinic) -> list[AutomationRule]:
    return rows(clinic, AutomationRule, AutomationRule.organization_id == clinic.organization_id)


def _audit(clinic: Clinic) -> list[AuditEntry]:
    return rows(clinic, AuditEntry, AuditEntry.action == "automation_rule.legacy_migrated")


def test_an_organization_with_legacy_forms_gets_one_equivalent_rule(clinic: Clinic) -> None:
    policy, terms = clinic.template_ids["privacy"], clinic.template_ids["promo"]
    _legacy(clinic, policy, terms)

    created = migrate_legacy_onboarding(engine_ctx(clinic))

    (rule,) = _rules(clinic)
    assert created is not None
    assert rule.id == created.id == derived_id(f"legacy-onboarding:{clinic.organization_id}")
    assert (rule.name, rule.trigger_event, rule.enabled) == (
        LEGACY_RULE_NAME,
        "patient.onboarded",
        True,
    )
    assert [(a["type"], a["form_template_id"], a["blocking"]) for a in rule.actions] == [
        ("require_form", str(policy), True),
        ("require_form", str(terms), True),
    ]
    assert rule.definition["actions"] == rule.actions
    (entry,) = _audit(clinic)
    assert entry.entity_id == rule.id
    assert entry.details["form_template_ids"] == [str(policy), str(terms)]


def test_migrating_again_changes_nothing(clinic: Clinic) -> None:
    _legacy(clinic, clinic.template_ids["privacy"], clinic.template_ids["promo"])
    ctx = engine_ctx(clinic)

    migrate_legacy_onboarding(ctx)
    again = migrate_legacy_onboarding(ctx)

    assert again is None
    assert len(_rules(clinic)) == 1
    assert len(_audit(clinic)) == 1


def test_a_rule_the_admin_deleted_is_not_brought_back(clinic: Clinic) -> None:
    _legacy(clinic, clinic.template_ids["privacy"], None)
    ctx = engine_ctx(clinic)
    created = migrate_legacy_onboarding(ctx)
    assert created is not None
    with clinic.ctx.sessions.begin() as session:
        rule = session.get_one(AutomationRule, created.id)
        rule.enabled, rule.deleted_at = False, clinic.clock.now()

    assert migrate_legacy_onboarding(ctx) is None
    assert [r.deleted_at is not None for r in _rules(clinic)] == [True]


def test_an_organization_without_legacy_forms_gets_no_rule(clinic: Clinic) -> None:
    assert migrate_legacy_onboarding(engine_ctx(clinic)) is None
    assert _rules(clinic) == []
    assert _audit(clinic) == []


def test_a_legacy_form_that_no_longer_exists_is_left_out(clinic: Clinic) -> None:
    gone = uuid.uuid4()
    _legacy(clinic, gone, clinic.template_ids["promo"])

    created = migrate_legacy_onboarding(engine_ctx(clinic))

    assert created is not None
    assert [a["form_template_id"] for a in created.actions] == [str(clinic.template_ids["promo"])]
    (entry,) = _audit(clinic)
    assert entry.details["missing_columns"] == ["template_policy_id"]


def test_no_rule_when_no_legacy_form_exists(
    clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    _legacy(clinic, uuid.uuid4(), None)

    with caplog.at_level(logging.WARNING, logger="frontdesk.automation.legacy"):
        assert migrate_legacy_onboarding(engine_ctx(clinic)) is None

    assert _rules(clinic) == []
    assert "template_policy_id do not exist" in caplog.text


def test_every_desk_derives_the_same_rule_id(clinic: Clinic) -> None:
    other_org = uuid.uuid4()
    assert legacy_rule_id(clinic.organization_id) == legacy_rule_id(clinic.organization_id)
    assert legacy_rule_id(other_org) != legacy_rule_id(clinic.organization_id)


def test_the_migrated_rule_requires_the_legacy_forms_at_onboarding(clinic: Clinic) -> None:
    _legacy(clinic, clinic.template_ids["privacy"], clinic.template_ids["promo"])
    migrate_legacy_onboarding(engine_ctx(clinic))

    person_id = public_booking_onboarded(clinic)
    dispatch_all(clinic)

    with clinic.ctx.sessions() as session:
        required = session.scalars(
            select(FormInstance).where(
                FormInstance.patient_person_id == person_id,
                FormInstance.source == FormSource.AUTOMATION,
            )
        ).all()
    assert sorted((f.template_key, f.blocking) for f in required) == [
        ("privacy", True),
        ("promo", True),
    ]
