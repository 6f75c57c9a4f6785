"""Automation rules: saving, enabling, deleting, listing, importing and exporting them.

A rule is checked twice before it is written: its document (`domain.rules.validate_rule`:
structure, templates, the variable catalog) and what it cites in this organization — form
templates, segments and message templates must exist. Every refusal names the JSON path at
fault (`actions[2].email_template`), all at once.

Names are unique among an organization's live rules (case-insensitively), which is what lets
an import recognise a rule it has seen: importing a rule whose name exists updates that rule.

Only admins write rules; a system actor (the legacy migration) may too. Staff may read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import STAFF_ROLES, MessageChannel, Role
from frontdesk.domain.errors import FieldError, NotFound, PermissionDenied
from frontdesk.domain.rules import ActionBase, RuleDefinition, RuleInvalid, validate_rule
from frontdesk.domain.rules.actions import (
    RequireConsent,
    RequireForm,
    ScheduleAction,
    SendEmail,
    SendPush,
    SendSessionReminder,
    SendSms,
    SuggestForm,
    UpdateSegment,
)
from frontdesk.domain.rules.conditions import Match, Operator, iter_field_conditions
from frontdesk.domain.rules.paths import join_path
from frontdesk.domain.rules.schema import load_json
from frontdesk.i18n import N_, _
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.messages import find_template
from frontdesk.services.references import resolve_form_template, resolve_segment, resolve_service
from frontdesk.store.models import AutomationRule
from frontdesk.store.unit_of_work import Actor, UnitOfWork

SERVICE_PATH = "appointment.service_id"


@dataclass(frozen=True)
class ImportedRule:
    rule: AutomationRule
    # "unchanged": the same document was imported before.
    outcome: Literal["created", "updated", "unchanged"]


def save_rule(
    ctx: ServiceContext,
    definition: str | Mapping[str, Any],
    *,
    rule_id: uuid.UUID | None = None,
    enabled: bool | None = None,
) -> Outcome[AutomationRule]:
    """Create a rule, or replace rule `rule_id`'s definition. `enabled` overrides the
    document's own `enabled` (False = save as a draft)."""
    _require_writer(ctx.actor)
    document = load_json(definition) if isinstance(definition, str) else definition
    rule = validate_rule(document)
    with ctx.transaction() as tx:
        _require_references(tx.session, ctx.organization_id, rule, prefix="")
        live = _live_rules(tx.session, ctx.organization_id)
        if rule_id is None:
            _require_free_name(live, rule.name, field="name")
            row = _create(tx, rule, enabled)
        else:
            row = _live_rule(tx.session, ctx.organization_id, rule_id)
            others = [r for r in live if r.id != row.id]
            _require_free_name(others, rule.name, field="name")
            _update(tx, row, rule, enabled)
    return Outcome(row, tx.changes)


def set_enabled(ctx: ServiceContext, rule_id: uuid.UUID, enabled: bool) -> Outcome[AutomationRule]:
    """Switch a rule on or off. Switching on checks its references again: a form template or
    segment may have been retired since the rule was saved."""
    _require_writer(ctx.actor)
    with ctx.transaction() as tx:
        row = _live_rule(tx.session, ctx.organization_id, rule_id)
        if enabled:
            rule = validate_rule(row.definition)
            _require_references(tx.session, ctx.organization_id, rule, prefix="")
        if row.enabled != enabled:
            row.enabled = enabled
            tx.audit(
                "automation_rule.enabled" if enabled else "automation_rule.disabled",
                "automation_rule",
                row.id,
                {"name": row.name},
            )
    return Outcome(row, tx.changes)


def delete_rule(ctx: ServiceContext, rule_id: uuid.UUID) -> Outcome[AutomationRule]:
    """Retire a rule: it is disabled and tombstoned (its executions keep pointing at it, and
    sync carries the tombstone). Its name becomes free for a new rule."""
    _require_writer(ctx.actor)
    with ctx.transaction() as tx:
        row = _live_rule(tx.session, ctx.organization_id, rule_id)
        row.enabled = False
        row.deleted_at = tx.now
        tx.audit("automation_rule.deleted", "automation_rule", row.id, {"name": row.name})
    return Outcome(row, tx.changes)


def get_rule(ctx: ServiceContext, rule_id: uuid.UUID) -> AutomationRule:
    _require_reader(ctx.actor)
    with ctx.sessions() as session:
        return _live_rule(session, ctx.organization_id, rule_id)


def list_rules(ctx: ServiceContext, search: str | None = None) -> list[AutomationRule]:
    """The organization's live rules by name; `search` matches name, description or trigger,
    case-insensitively."""
    _require_reader(ctx.actor)
    with ctx.sessions() as session:
        rules = _live_rules(session, ctx.organization_id)
    needle = (search or "").strip().casefold()
    if needle:
        rules = [
            r
            for r in rules
            if needle in r.name.casefold()
            or needle in (r.description or "").casefold()
            or needle in r.trigger_event.casefold()
        ]
    return sorted(rules, key=lambda r: (r.name.casefold(), r.id))


def export_rules(ctx: ServiceContext) -> list[dict[str, Any]]:
    """Every live rule as a rule document, oldest first: what was imported or saved, with
    `enabled` as it is now."""
    _require_reader(ctx.actor)
    with ctx.sessions() as session:
        return [rule_document(row) for row in _live_rules(session, ctx.organization_id)]


def rule_document(row: AutomationRule) -> dict[str, Any]:
    """The rule as written; `enabled` is added only when the rule's state differs from what
    the document says (switched off since, or saved as a draft)."""
    document = dict(row.definition)
    if document.get("enabled", True) != row.enabled:
        document["enabled"] = row.enabled
    return document


def import_rules(ctx: ServiceContext, documents: object) -> Outcome[list[ImportedRule]]:
    """Import one rule document or a list of them, all or nothing: if any is refused, nothing
    is saved and every error is reported, prefixed by the rule's index in a list
    (`[1].actions[0].type`). A rule whose name exists is updated, so importing the same file
    twice changes nothing the second time."""
    _require_writer(ctx.actor)
    entries = documents if isinstance(documents, list) else [documents]
    prefixes = [f"[{i}]" for i in range(len(entries))] if isinstance(documents, list) else [""]
    if not entries:
        raise RuleInvalid([FieldError("rules", _("the list holds no rule"))])
    valid: list[tuple[str, RuleDefinition]] = []
    errors: list[FieldError] = []
    for prefix, entry in zip(prefixes, entries, strict=True):
        try:
            valid.append((prefix, validate_rule(entry)))
        except RuleInvalid as exc:
            errors.extend(_prefixed(exc.errors, prefix))
    errors.extend(_names_repeated(valid))
    with ctx.transaction() as tx:
        for prefix, rule in valid:
            errors.extend(_reference_errors(tx.session, ctx.organization_id, rule, prefix=prefix))
        if errors:
            raise RuleInvalid(errors)
        by_name = {r.name.casefold(): r for r in _live_rules(tx.session, ctx.organization_id)}
        imported: list[ImportedRule] = []
        for _prefix, rule in valid:
            row = by_name.get(rule.name.casefold())
            if row is None:
                imported.append(ImportedRule(_create(tx, rule, None), "created"))
            else:
                changed = _update(tx, row, rule, None)
                imported.append(ImportedRule(row, "updated" if changed else "unchanged"))
    return Outcome(imported, tx.changes)


# --- writing ---------------------------------------------------------------------------------


def _create(tx: UnitOfWork, rule: RuleDefinition, enabled: bool | None) -> AutomationRule:
    row = AutomationRule(organization_id=tx.organization_id)
    _apply(row, rule, enabled)
    tx.session.add(row)
    tx.session.flush()
    tx.audit("automation_rule.created", "automation_rule", row.id, {"name": rule.name})
    return row


def _update(
    tx: UnitOfWork, row: AutomationRule, rule: RuleDefinition, enabled: bool | None
) -> bool:
    """Write `rule` over `row`; False when it is what the row already holds (no new version,
    nothing to sync)."""
    state_before = (row.definition, row.enabled)
    _apply(row, rule, enabled)
    if (row.definition, row.enabled) == state_before:
        return False
    tx.audit("automation_rule.updated", "automation_rule", row.id, {"name": rule.name})
    return True


def _apply(row: AutomationRule, rule: RuleDefinition, enabled: bool | None) -> None:
    document = rule.to_json_dict()
    # JSON columns are compared by value on flush only when reassigned, so assign new objects.
    row.definition = document
    row.name = rule.name
    row.description = rule.description
    row.enabled = rule.enabled if enabled is None else enabled
    row.trigger_event = rule.trigger_event.value
    row.trigger_config = dict(document.get("trigger_config", {}))
    row.conditions = dict(document.get("conditions", {}))
    row.actions = list(document["actions"])


# --- checks ----------------------------------------------------------------------------------


def _require_writer(actor: Actor) -> None:
    if actor.role is not None and actor.role != Role.ADMIN:
        raise PermissionDenied("only an admin may change automation rules", field="actor")


def _require_reader(actor: Actor) -> None:
    if actor.role is not None and actor.role not in STAFF_ROLES:
        raise PermissionDenied("only clinic staff may read automation rules", field="actor")


def _live_rules(session: Session, organization_id: uuid.UUID) -> list[AutomationRule]:
    return list(
        session.scalars(
            select(AutomationRule)
            .where(
                AutomationRule.organization_id == organization_id,
                AutomationRule.deleted_at.is_(None),
            )
            .order_by(AutomationRule.id)  # UUIDv7: creation order
        )
    )


def _live_rule(session: Session, organization_id: uuid.UUID, rule_id: uuid.UUID) -> AutomationRule:
    row = session.get(AutomationRule, rule_id)
    if row is None or row.organization_id != organization_id or row.deleted_at is not None:
        raise NotFound(f"no automation rule {rule_id}", field="rule_id")
    return row


def _require_free_name(live: Sequence[AutomationRule], name: str, *, field: str) -> None:
    if any(r.name.casefold() == name.casefold() for r in live):
        raise RuleInvalid(
            [FieldError(field, _("a rule named “{name}” exists already").format(name=name))]
        )


def _names_repeated(rules: Sequence[tuple[str, RuleDefinition]]) -> list[FieldError]:
    first_seen: dict[str, str] = {}
    errors: list[FieldError] = []
    for prefix, rule in rules:
        key = rule.name.casefold()
        if key in first_seen:
            message = _("“{name}” is also the name of rule {number} in the file").format(
                name=rule.name, number=int(first_seen[key].strip("[]")) + 1
            )
            errors.append(FieldError(f"{prefix}.name", message))
        else:
            first_seen[key] = prefix
    return errors


def _require_references(
    session: Session, organization_id: uuid.UUID, rule: RuleDefinition, *, prefix: str
) -> None:
    errors = _reference_errors(session, organization_id, rule, prefix=prefix)
    if errors:
        raise RuleInvalid(errors)


def _reference_errors(
    session: Session, organization_id: uuid.UUID, rule: RuleDefinition, *, prefix: str
) -> list[FieldError]:
    """What `rule` cites that this organization does not have, by JSON path."""
    errors: list[FieldError] = _service_citation_errors(
        session, organization_id, rule.conditions, join_path(prefix, "conditions")
    )
    for path, action in _actions_with_paths(rule.actions, prefix):
        errors += _service_citation_errors(
            session, organization_id, action.conditions, f"{path}.conditions"
        )
        for field, reference in _form_references(action):
            try:
                resolve_form_template(session, organization_id, reference, field=f"{path}.{field}")
            except NotFound as exc:
                errors.append(FieldError(exc.field or path, exc.message))
        if isinstance(action, UpdateSegment):
            try:
                resolve_segment(
                    session, organization_id, action.segment_id, field=f"{path}.segment_id"
                )
            except NotFound as exc:
                errors.append(FieldError(exc.field or path, exc.message))
        for field, key, channel in _message_keys(action):
            try:
                find_template(session, organization_id, key, channel)
            except NotFound:
                message = _("there is no {channel} template “{key}” in this organization").format(
                    channel=_(_CHANNEL_WORDS[channel]), key=key
                )
                errors.append(FieldError(f"{path}.{field}", message))
    return errors


def _service_citation_errors(
    session: Session, organization_id: uuid.UUID, conditions: Match, field: str
) -> list[FieldError]:
    """A condition on `appointment.service_id` must cite a service of this organization,
    by its short number (what the context holds for a numbered service) or, for a service
    without one, its id; anything else could never match."""
    errors: list[FieldError] = []
    for path, condition in iter_field_conditions(conditions, field=field):
        if condition.path != SERVICE_PATH:
            continue
        for test in condition.tests:
            if test.op is Operator.EXISTS:
                continue
            values = test.expected if isinstance(test.expected, tuple) else (test.expected,)
            for value in values:
                problem = _service_citation_problem(session, organization_id, value)
                if problem:
                    errors.append(FieldError(path, problem))
    return errors


def _service_citation_problem(
    session: Session, organization_id: uuid.UUID, value: object
) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None  # the type check has refused it already
    try:
        service = resolve_service(session, organization_id, value, field=SERVICE_PATH)
    except NotFound as exc:
        return exc.message
    if isinstance(value, str) and service.reference is not None:
        return f"cite the service {service.name!r} by its number, {service.reference}"
    if isinstance(value, str) and str(service.id) != value:
        return f"cite the service {service.name!r} by its id, {service.id}"
    return None


def _actions_with_paths(
    actions: Sequence[ActionBase], prefix: str
) -> Iterator[tuple[str, ActionBase]]:
    """Each action with its JSON path, the actions nested in `schedule_action` included."""
    for index, action in enumerate(actions):
        path = join_path(prefix, "actions", index)
        yield path, action
        while isinstance(action, ScheduleAction):
            path, action = f"{path}.action", action.action
            yield path, action


def _form_references(action: ActionBase) -> list[tuple[str, int | str]]:
    if isinstance(action, RequireForm | SuggestForm):
        return [("form_template_id", action.form_template_id)]
    if isinstance(action, RequireConsent) and action.form_template_id is not None:
        return [("form_template_id", action.form_template_id)]
    return []


def _message_keys(action: ActionBase) -> list[tuple[str, str, MessageChannel]]:
    """(field, template key, channel) of every message template the action sends."""
    if isinstance(action, SendEmail):
        return [("email_template", action.email_template, MessageChannel.EMAIL)]
    if isinstance(action, SendSms) and action.template is not None:
        return [("template", action.template, MessageChannel.SMS)]
    if isinstance(action, SendPush) and action.template is not None:
        return [("template", action.template, MessageChannel.PUSH)]
    if isinstance(action, SendSessionReminder):
        if action.email_template is not None:
            return [("email_template", action.email_template, MessageChannel.EMAIL)]
        if action.template is not None:
            return [("template", action.template, MessageChannel(action.channel))]
    return []


_CHANNEL_WORDS = {
    MessageChannel.EMAIL: N_("e-mail"),
    MessageChannel.SMS: N_("SMS"),
    MessageChannel.PUSH: N_("push notification"),
}


def _prefixed(errors: Sequence[FieldError], prefix: str) -> list[FieldError]:
    if not prefix:
        return list(errors)
    return [FieldError(join_path(prefix, e.field), e.message) for e in errors]
