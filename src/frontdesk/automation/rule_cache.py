"""Enabled rules per organization, parsed once and indexed by trigger.

Parsing a rule (pydantic) costs far more than evaluating it, and every event needs the rules
of its trigger, so the parsed rules are kept in memory. Whether they are still current is
asked once per dispatch batch with one aggregate query: the number of rules, the newest
creation time, and the sum of (row_version − execution_count). Any edit, toggle or tombstone
bumps a row's version; an execution bumps both its version and its count in one flush, so the
engine's own bookkeeping does not throw the cache away on every execution.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.automation.rule_index import RuleIndex
from frontdesk.domain.rules import RuleDefinition
from frontdesk.store.models import AutomationRule

Fingerprint = tuple[Any, ...]


@dataclass(frozen=True)
class LoadedRule:
    """A rule as the engine runs it. `definition` is None when the stored document cannot be
    read any more (then `problem` says why, and every run of it is recorded as a failure)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    trigger_event: str
    version: int
    definition: RuleDefinition | None
    problem: str | None = None


def definition_document(row: AutomationRule) -> dict[str, Any]:
    """The rule document as written (`definition`), or rebuilt from the specification's
    columns for a row that has none."""
    if row.definition:
        return dict(row.definition)
    document: dict[str, Any] = {
        "name": row.name,
        "enabled": row.enabled,
        "trigger_event": row.trigger_event,
        "conditions": row.conditions or {},
        "actions": row.actions,
    }
    if row.description is not None:
        document["description"] = row.description
    if row.trigger_config:
        document["trigger_config"] = row.trigger_config
    return document


def definition_version(row: AutomationRule) -> int:
    """Changes when the rule is edited, not when it runs (see the module docstring)."""
    return row.row_version - row.execution_count


def load_rule(row: AutomationRule) -> LoadedRule:
    try:
        definition: RuleDefinition | None = RuleDefinition.model_validate(definition_document(row))
        problem = None
    except ValidationError as exc:
        definition, problem = None, f"the stored rule cannot be read: {exc}"
    return LoadedRule(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        trigger_event=row.trigger_event,
        version=definition_version(row),
        definition=definition,
        problem=problem,
    )


class RuleCache:
    def __init__(self) -> None:
        self._fingerprints: dict[uuid.UUID, Fingerprint] = {}
        self._by_trigger: dict[uuid.UUID, dict[str, RuleIndex[LoadedRule]]] = {}
        self._by_id: dict[uuid.UUID, LoadedRule] = {}

    def refresh(self, session: Session, organization_id: uuid.UUID) -> None:
        """Reload the organization's rules if any changed since the last look."""
        fingerprint = tuple(
            session.execute(
                select(
                    func.count(),
                    func.max(AutomationRule.created_at),
                    func.sum(AutomationRule.row_version - AutomationRule.execution_count),
                ).where(AutomationRule.organization_id == organization_id)
            ).one()
        )
        if self._fingerprints.get(organization_id) == fingerprint:
            return
        rows = session.scalars(
            select(AutomationRule)
            .where(
                AutomationRule.organization_id == organization_id,
                AutomationRule.enabled.is_(True),
                AutomationRule.deleted_at.is_(None),
            )
            .order_by(AutomationRule.created_at, AutomationRule.id)
        )
        index: dict[str, list[LoadedRule]] = defaultdict(list)
        for row in rows:
            loaded = self.loaded(row)
            index[loaded.trigger_event].append(loaded)
        self._by_trigger[organization_id] = {
            trigger: RuleIndex(rules) for trigger, rules in index.items()
        }
        self._fingerprints[organization_id] = fingerprint

    def rules_for(
        self, organization_id: uuid.UUID, trigger_event: str
    ) -> RuleIndex[LoadedRule] | None:
        """The enabled rules of `trigger_event`, oldest first (call `refresh` before); None
        when there are none."""
        return self._by_trigger.get(organization_id, {}).get(trigger_event)

    def loaded(self, row: AutomationRule) -> LoadedRule:
        """The parsed rule of `row`, parsed again only if it was edited."""
        known = self._by_id.get(row.id)
        if known is not None and known.version == definition_version(row):
            return known
        loaded = load_rule(row)
        self._by_id[row.id] = loaded
        return loaded


_CACHES: WeakKeyDictionary[sessionmaker[Session], RuleCache] = WeakKeyDictionary()


def cache_for(sessions: sessionmaker[Session]) -> RuleCache:
    """The cache of one database (one per session factory, gone with it)."""
    cache = _CACHES.get(sessions)
    if cache is None:
        cache = _CACHES[sessions] = RuleCache()
    return cache
