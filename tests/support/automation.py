"""Arranging automation tests: the form templates the specification's examples cite (by
reference number), rule rows loaded from the example files, and the engine's context."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from frontdesk.domain.enums import FormType
from frontdesk.domain.rules import validate_rule
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.repository import EXAMPLES_DIR

# reference → (key, title, type)
EXAMPLE_TEMPLATES: dict[int, tuple[str, str, FormType]] = {
    42: ("gdpr_privacy", "Privacy Policy & GDPR Consent", FormType.DISCLAIMER),
    43: ("terms_of_service", "Terms of Service", FormType.DISCLAIMER),
    50: ("video_consent", "Video Recording Consent", FormType.DISCLAIMER),
    51: ("medical_history", "Medical History Questionnaire", FormType.SURVEY),
    60: ("biometric_consent_plan", "Biometric Data Consent", FormType.DISCLAIMER),
    61: ("baseline_assessment", "Baseline Assessment", FormType.SURVEY),
    70: ("biometric_consent", "Biometric Data Consent (camera/pose tracking)", FormType.DISCLAIMER),
    72: ("outcome_assessment", "Post-Treatment Outcome Assessment", FormType.SURVEY),
}


def add_example_templates(clinic: Clinic) -> dict[int, uuid.UUID]:
    """The form templates of the examples, through the catalog service; id by reference."""
    setup = clinic.as_(clinic.admin)
    found: dict[int, uuid.UUID] = {}
    for reference, (key, title, form_type) in EXAMPLE_TEMPLATES.items():
        template = catalog.add_form_template(
            setup,
            key=key,
            title=title,
            form_type=form_type,
            fields=[{"key": "agree", "label": "I agree", "type": "boolean", "required": True}],
            reference=reference,
        ).value
        found[reference] = template.id
    return found


def example_document(number: int) -> dict[str, Any]:
    (path,) = EXAMPLES_DIR.glob(f"{number:02d}_*.json")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def insert_rule(clinic: Clinic, document: dict[str, Any]) -> uuid.UUID:
    """A rule row for `document`, validated as saving would (the rules service is not under
    test here)."""
    rule = validate_rule(copy.deepcopy(document))
    with clinic.ctx.sessions.begin() as session:
        row = AutomationRule(
            organization_id=clinic.organization_id,
            name=rule.name,
            description=rule.description,
            enabled=rule.enabled,
            trigger_event=rule.trigger_event.value,
            trigger_config=document.get("trigger_config", {}),
            conditions=document.get("conditions", {}),
            actions=document["actions"],
            definition=document,
        )
        session.add(row)
        session.flush()
        return row.id


def insert_example(clinic: Clinic, number: int) -> uuid.UUID:
    return insert_rule(clinic, example_document(number))


def engine_ctx(clinic: Clinic) -> ServiceContext:
    """What the engine runs with: the clinic's database and clock."""
    return clinic.ctx.acting_as(Actor.system("automation"))
