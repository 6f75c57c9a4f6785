"""The legacy onboarding forms become an automation rule, once.

Before automations, an organization's `template_policy_id` and `template_terms_id` named two
form templates that onboarding always created. On first start, such an organization gets one
equivalent enabled `patient.onboarded` rule, "Legacy onboarding forms", requiring each (blocking).
The columns stay as they are (the specification keeps them for a deprecation period).

Exactly once, everywhere: the rule's id is derived from the organization's id, so two desks
migrating offline create the very same row (sync merges them), and a restart finds the row and
does nothing — even if an admin has since disabled or deleted it (a tombstone is a row too).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from frontdesk.domain.errors import NotFound
from frontdesk.domain.events import EventName
from frontdesk.domain.ids import derived_id
from frontdesk.domain.rules import validate_rule
from frontdesk.services.context import ServiceContext
from frontdesk.services.references import resolve_form_template
from frontdesk.store.models import AutomationRule, Organization

log = logging.getLogger(__name__)

LEGACY_RULE_NAME = "Legacy onboarding forms"
LEGACY_COLUMNS = ("template_policy_id", "template_terms_id")


def legacy_rule_id(organization_id: uuid.UUID) -> uuid.UUID:
    """The id of an organization's legacy onboarding rule: the same on every desk."""
    return derived_id(f"legacy-onboarding:{organization_id}")


def migrate_legacy_onboarding(ctx: ServiceContext) -> AutomationRule | None:
    """Create the organization's legacy onboarding rule if it has legacy forms and the rule
    was never created; the new rule, or None when there was nothing to do. A legacy column
    naming a template that no longer exists is left out (and named in the audit entry):
    requiring it would fail every onboarding."""
    rule_id = legacy_rule_id(ctx.organization_id)
    with ctx.transaction() as tx:
        organization = tx.session.get_one(Organization, ctx.organization_id)
        legacy = [
            (column, value)
            for column in LEGACY_COLUMNS
            if (value := getattr(organization, column)) is not None
        ]
        if not legacy or tx.session.get(AutomationRule, rule_id) is not None:
            return None
        actions: list[dict[str, Any]] = []
        missing: list[str] = []
        for column, template_id in legacy:
            try:
                template = resolve_form_template(
                    tx.session, ctx.organization_id, template_id, field=column
                )
            except NotFound:
                missing.append(column)
                continue
            actions.append(
                {
                    "type": "require_form",
                    "form_template_id": str(template_id),
                    "blocking": True,
                    "description": template.title,
                }
            )
        if not actions:
            log.warning(
                "organization %s: legacy onboarding forms %s do not exist; no rule created",
                ctx.organization_id,
                ", ".join(missing),
            )
            return None
        document = validate_rule(
            {
                "name": LEGACY_RULE_NAME,
                "description": (
                    "Created from the organization's former fixed onboarding forms "
                    f"({', '.join(column for column, _ in legacy)})."
                ),
                "trigger_event": EventName.PATIENT_ONBOARDED.value,
                "actions": actions,
            }
        ).to_json_dict()
        rule = AutomationRule(
            id=rule_id,
            organization_id=ctx.organization_id,
            name=LEGACY_RULE_NAME,
            description=document["description"],
            enabled=True,
            trigger_event=document["trigger_event"],
            trigger_config={},
            conditions={},
            actions=list(document["actions"]),
            definition=document,
        )
        tx.session.add(rule)
        tx.audit(
            "automation_rule.legacy_migrated",
            "automation_rule",
            rule_id,
            {
                "name": LEGACY_RULE_NAME,
                "form_template_ids": [a["form_template_id"] for a in actions],
                "missing_columns": missing,
            },
        )
    return rule
