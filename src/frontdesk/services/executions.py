"""Reading the automation execution history (the specification's `automation_executions`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from frontdesk.domain.clock import ensure_utc
from frontdesk.domain.enums import EXECUTION_STATUSES, STAFF_ROLES
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.field_names import between
from frontdesk.i18n.text import T_
from frontdesk.services.access import ORGANIZATION_WIDE_ROLES
from frontdesk.services.context import ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import AutomationExecution, AutomationRule

MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    id: uuid.UUID
    rule_id: uuid.UUID
    rule_name: str
    trigger_event: str
    trigger_entity_type: str | None
    trigger_entity_id: uuid.UUID | None
    status: str
    actions_executed: list[Any]
    error_message: str | None
    executed_at: datetime
    # The full trace (trigger, every condition check, each action's status, duration, output).
    trace: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "rule_id": str(self.rule_id),
            "rule_name": self.rule_name,
            "trigger_event": self.trigger_event,
            "trigger_entity_type": self.trigger_entity_type,
            "trigger_entity_id": str(self.trigger_entity_id) if self.trigger_entity_id else None,
            "status": self.status,
            "actions_executed": self.actions_executed,
            "error_message": self.error_message,
            "executed_at": self.executed_at.isoformat(),
        }


def list_executions(
    ctx: ServiceContext,
    *,
    rule_id: uuid.UUID | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[ExecutionRecord]:
    """The newest executions first, of one rule and/or one status if asked, run in
    [`since`, `until`) if given (deleted rules' executions included: the history outlives the
    rule)."""
    if ctx.actor.role is not None and ctx.actor.role not in STAFF_ROLES:
        raise PermissionDenied(
            T_("You are not allowed to read the automation history: only clinic staff may."),
            field="actor",
        )
    if status is not None and status not in EXECUTION_STATUSES:
        raise InvalidInput.single(
            "status", T_("Choose a result: {choices}.", choices=", ".join(EXECUTION_STATUSES))
        )
    if since is not None and until is not None and until <= since:
        raise InvalidInput.single("until", T_("The end must be after the start."))
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.single("limit", between("limit", 1, MAX_LIMIT))
    query = (
        select(AutomationExecution, AutomationRule.name)
        .join(AutomationRule, AutomationRule.id == AutomationExecution.automation_rule_id)
        .where(AutomationExecution.organization_id == ctx.organization_id)
    )
    with ctx.sessions() as session:
        if rule_id is not None:
            rule = session.get(AutomationRule, rule_id)
            if rule is None or rule.organization_id != ctx.organization_id:
                raise NotFound(not_found("automation rule"), field="rule_id")
            query = query.where(AutomationExecution.automation_rule_id == rule_id)
        if status is not None:
            query = query.where(AutomationExecution.status == status)
        if since is not None:
            query = query.where(AutomationExecution.executed_at >= ensure_utc(since, field="since"))
        if until is not None:
            query = query.where(AutomationExecution.executed_at < ensure_utc(until, field="until"))
        query = query.order_by(
            AutomationExecution.executed_at.desc(), AutomationExecution.id.desc()
        ).limit(limit)
        # A trace holds the patient data the rule read; a specialist, who sees only their own
        # patients elsewhere, reads the history without it.
        with_trace = ctx.actor.role is None or ctx.actor.role in ORGANIZATION_WIDE_ROLES
        return [
            _record(execution, name, with_trace=with_trace)
            for execution, name in session.execute(query)
        ]


def _record(execution: AutomationExecution, rule_name: str, *, with_trace: bool) -> ExecutionRecord:
    return ExecutionRecord(
        id=execution.id,
        rule_id=execution.automation_rule_id,
        rule_name=rule_name,
        trigger_event=execution.trigger_event,
        trigger_entity_type=execution.trigger_entity_type,
        trigger_entity_id=execution.trigger_entity_id,
        status=execution.status,
        actions_executed=list(execution.actions_executed),
        error_message=execution.error_message,
        executed_at=execution.executed_at,
        trace=dict(execution.trace) if with_trace else {},
    )
