"""The contract between the dispatcher and the action handlers.

A handler gets everything through `ActionRun` and works only through the services, inside
the execution's transaction (`run.tx`). Handlers are idempotent: every row they create takes
its id from `run.row_id(...)`, derived from the execution key, so running an occurrence twice
(two desks offline, a crash and restart) creates nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from frontdesk.automation.trigger import TriggerInstance
from frontdesk.domain.ids import derived_id
from frontdesk.domain.rules import ActionBase
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule
from frontdesk.store.unit_of_work import UnitOfWork

ActionStatus = Literal["success", "failed", "skipped", "scheduled"]


class TemporaryFailure(Exception):
    """A failure worth retrying later (a network error, a busy server): retried with backoff."""


class PermanentFailure(Exception):
    """A failure that retrying will not cure (a missing template, an invalid address)."""


@dataclass
class ActionRun:
    ctx: ServiceContext
    tx: UnitOfWork
    rule: AutomationRule
    trigger: TriggerInstance
    execution_key: str
    # "2" for the third action; "1.action" for the action nested in a schedule_action.
    action_path: str
    action: ActionBase
    # The evaluation context (patient, appointment, plan, form, time, organization, …).
    context: Mapping[str, Any]
    # The first run of a fresh execution (its key was checked under the batch's write lock):
    # rows derived from the key cannot exist yet, so handlers skip their idempotency reads.
    fresh: bool = False

    def row_id(self, suffix: str = "") -> uuid.UUID:
        """A stable id for a row this action creates (same on every desk, every retry)."""
        return derived_id(self.execution_key, f"{self.action_path}{suffix}")

    @property
    def idempotency_key(self) -> str:
        return f"{self.execution_key}#{self.action_path}"


@dataclass
class ActionResult:
    status: ActionStatus
    # Ids of what was created or changed, e.g. {"form_id": "…"}; shown in the history.
    details: dict[str, Any] = field(default_factory=dict)
    # The action's fields with templates filled, patient data redacted (for the trace).
    rendered: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


Handler = Callable[[ActionRun], ActionResult]

HANDLERS: dict[str, Handler] = {}
# Action types whose handler, on a fresh run, only reads and queues its rows for the commit
# (`UnitOfWork.add_later`): the engine runs them in an in-memory savepoint, not an SQL one.
WRITES_AT_COMMIT: set[str] = set()
# Action types whose handler, on a fresh run, writes to the database nothing but new rows
# inserted at once (`UnitOfWork.insert_now`: the next rule of the batch must see them): an
# in-memory savepoint undoes them by deleting them.
INSERTS_NOW: set[str] = set()


def handles(
    action_type: str, *, writes_at_commit: bool = False, inserts_now: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler for an action type (one handler per type). `writes_at_commit`,
    `inserts_now`: see WRITES_AT_COMMIT and INSERTS_NOW (a handler that breaks its promise
    and then fails makes the whole transaction roll back, so the promise is checked by its
    tests)."""

    def register(handler: Handler) -> Handler:
        if action_type in HANDLERS:
            raise RuntimeError(f"two handlers for {action_type}")
        HANDLERS[action_type] = handler
        if writes_at_commit:
            WRITES_AT_COMMIT.add(action_type)
        if inserts_now:
            INSERTS_NOW.add(action_type)
        return handler

    return register
