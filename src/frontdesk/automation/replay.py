"""Replaying the failed actions of an execution, after an admin fixed what made them fail
(a missing template, a patient without an e-mail address).

Only the actions recorded as failed run again, with the rule as it is now (the fix may be in
the rule) and a context built afresh. They keep their paths, so the ids of the rows they create
are the ones the first run would have made: replaying twice, or on two desks, creates them once.
"""

from __future__ import annotations

import uuid

from frontdesk.automation.context import build_context
from frontdesk.automation.engine import ExecutionRun, engine_context, open_transaction
from frontdesk.automation.rule_cache import cache_for
from frontdesk.automation.timer_rows import trigger_from_json
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.rules import ActionBase, RuleDefinition, ScheduleAction
from frontdesk.i18n.text import T_, Text
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationExecution, AutomationRule, Organization


def replay_failed_actions(ctx: ServiceContext, execution_id: uuid.UUID) -> AutomationExecution:
    """Run the execution's failed actions again and record the new results in it."""
    if ctx.actor.role not in (None, Role.ADMIN):
        raise PermissionDenied(
            T_("Only an admin can replay an automation's actions: ask an admin."), field="actor"
        )
    with ctx.sessions() as session:
        found = session.get(AutomationExecution, execution_id)
        if found is None or found.organization_id != ctx.organization_id:
            raise NotFound(
                T_("This automation run was not found; it may be another clinic's."),
                field="execution_id",
            )
        trigger = trigger_from_json(found.trace["trigger"])
    engine = engine_context(ctx, ctx.organization_id)
    with open_transaction(engine, trigger) as tx:
        execution = tx.session.get(AutomationExecution, execution_id)
        assert execution is not None  # read above; executions are never deleted
        failed = [e["path"] for e in execution.actions_executed if e["status"] == "failed"]
        if not failed:
            raise InvalidInput.single(
                "execution_id", T_("Nothing to replay: no action of this run failed.")
            )
        row = tx.session.get(AutomationRule, execution.automation_rule_id)
        if row is None or row.deleted_at is not None:
            raise NotFound(
                T_("Nothing to replay: the execution's rule was deleted."), field="execution_id"
            )
        loaded = cache_for(ctx.sessions).loaded(row)
        if loaded.definition is None:
            raise InvalidInput.single(
                "execution_id",
                T_(
                    "The rule can no longer be read, so nothing was replayed: {problem}",
                    problem=loaded.problem or "",
                ),
            )
        organization = tx.session.get(Organization, row.organization_id)
        assert organization is not None  # the rule's foreign key guarantees it
        context = build_context(tx.session, organization, trigger)
        run = ExecutionRun(engine, tx, row, loaded, trigger, execution.execution_key, context)
        entries, traces = [], []
        for path in failed:
            entry, trace = run.perform(
                path, _action_at(loaded.definition, path), delayed=True, check_conditions=False
            )
            entries.append(entry)
            traces.append(trace)
        run.record(execution, entries, traces)
        tx.audit(
            "automation.replayed",
            "automation_execution",
            execution.id,
            {"actions": failed, "status": execution.status},
        )
    return execution


def _action_at(definition: RuleDefinition, path: str) -> ActionBase:
    """The action at `path` ("2", "1.action") in the rule as it is now."""
    first, *nested = path.split(".")
    if int(first) >= len(definition.actions):
        raise InvalidInput.single("execution_id", _action_gone(path))
    action: ActionBase = definition.actions[int(first)]
    for _ in nested:
        if not isinstance(action, ScheduleAction):
            raise InvalidInput.single("execution_id", _action_gone(path))
        action = action.action
    return action


def _action_gone(path: str) -> Text:
    return T_(
        "The rule no longer has action {path}: nothing was replayed; run the rule again.",
        path=path,
    )
