"""A template that goes over its limits while rendering (a list or text too big to build, an
output too long, a render too slow) is the rule's fault rather than the data's, and every
later firing — one per public booking, say — fails the same way. So besides the failed action,
the admins get a `template_limit` alert: one per rule until they acknowledge it."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.automation.keys import action_field
from frontdesk.domain.enums import AlertKind
from frontdesk.domain.rules import TemplateOverLimit
from frontdesk.i18n.text import T_
from frontdesk.services.alerts import raise_alert
from frontdesk.store.models import Alert, AutomationRule
from frontdesk.store.unit_of_work import UnitOfWork


def alert_template_over_limit(
    tx: UnitOfWork, rule: AutomationRule, action_path: str, error: TemplateOverLimit
) -> None:
    """Raise the rule's `template_limit` alert, unless one is still open. `action_path` is
    the engine's ("0", "1.action"), worded as in the rule (`actions[0]`)."""
    action = action_field(action_path)
    still_open = tx.session.scalar(
        select(Alert.id)
        .where(Alert.organization_id == tx.organization_id)
        .where(Alert.kind == AlertKind.TEMPLATE_LIMIT)
        .where(Alert.subject_id == rule.id)
        .where(Alert.acknowledged_at.is_(None))
        .limit(1)
    )
    if still_open is not None:
        return
    raise_alert(
        tx,
        kind=AlertKind.TEMPLATE_LIMIT,
        title=T_("Automation template over its limits: {rule}", rule=rule.name),
        body=T_(
            "The action {action} of the automation {rule} failed: {error}. Every run of the "
            "automation fails the same way until the template is changed.",
            action=action,
            rule=rule.name,
            error=str(error),
        ),
        subject_type="automation_rule",
        subject_id=rule.id,
        details={"rule": rule.name, "action": action, "error": str(error)},
    )
