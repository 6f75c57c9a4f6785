"""The desk: what every screen gets — the mirror, who is signed in, the clock, the change
signal and the operations runner."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSettings, Signal

from frontdesk.automation.claims import SwitchableClaims
from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.gui.operations import OperationRunner
from frontdesk.services.context import ServiceContext
from frontdesk.store.changes import ChangeSet
from frontdesk.store.mirror import Mirror
from frontdesk.store.unit_of_work import Actor

AUTOMATION_RAN = "automation.ran"
"""ChangeSet event name added when the automation engine ran after an operation: what the
rules wrote (forms, messages, alerts) is not itemised, so views reload what they show."""

SYNC_PULLED = "sync.pulled"
"""ChangeSet event name of a sync round that brought other desks' changes in."""

RELOAD_ALL = frozenset({AUTOMATION_RAN, SYNC_PULLED})

WINDOW_STATE_FILE = "window.ini"


def affects(changes: ChangeSet, tables: Iterable[str]) -> bool:
    """Whether a view showing these tables should reload for this ChangeSet."""
    return bool(RELOAD_ALL.intersection(changes.events)) or any(changes.touched(t) for t in tables)


class DeskSignals(QObject):
    sig_changed = Signal(object)
    """Data changed: carries the ChangeSet of a service call (or of a sync round), so each
    view reloads only what it shows of the tables named."""


def run_automation(ctx: ServiceContext) -> ChangeSet:
    """Dispatch the events an operation raised, at once (the runner's timers still sweep).
    The engine acts as itself, not as the person at the desk."""
    # Imported here, on the worker: the engine's modules are not needed to show the window.
    from frontdesk.automation.dispatcher import dispatch_pending

    engine = ctx.acting_as(Actor.system("automation"))
    changes = ChangeSet()
    while dispatch_pending(engine).executions:
        changes.events.append(AUTOMATION_RAN)
    return changes


@dataclass
class Desk:
    mirror: Mirror
    organization_id: uuid.UUID
    actor: Actor
    clock: Clock = field(default_factory=SystemClock)
    # Run on the worker thread after an operation that raised events; None: leave it to
    # the background automation runner.
    automation: Callable[[ServiceContext], ChangeSet] | None = run_automation
    # Which due occurrences and messages the background engine runs here: all of them until
    # the main window finds the desk's server account, then the ones the server grants.
    claims: SwitchableClaims = field(default_factory=SwitchableClaims)
    signals: DeskSignals = field(default_factory=DeskSignals)
    worker: OperationRunner = field(init=False)

    def __post_init__(self) -> None:
        self.worker = OperationRunner()

    def context(self) -> ServiceContext:
        return ServiceContext(
            sessions=self.mirror.sessions,
            organization_id=self.organization_id,
            actor=self.actor,
            clock=self.clock,
        )

    def acting_as(self, actor: Actor) -> Desk:
        """Another person at the same mirror (its own worker), e.g. the specialist's desk."""
        return Desk(self.mirror, self.organization_id, actor, self.clock, self.automation)

    def window_state(self) -> QSettings:
        """Window geometry and splitter positions: kept apart from the preferences, per
        profile, never synced."""
        path = self.mirror.profile.home / WINDOW_STATE_FILE
        return QSettings(str(path), QSettings.Format.IniFormat)

    def close(self) -> None:
        """Stop the worker (waiting for the operation under way). The mirror stays open:
        whoever opened it closes it."""
        self.worker.shutdown()
