"""The loop guard's second half: a rule firing far above its usual rate is paused.

Chains of automations are stopped by depth (`dispatcher.MAX_DEPTH`); this catches what depth
cannot see, such as a rule answering a flood of events from outside (an import, a sync that
replays thousands of bookings). Each dispatching process remembers, per rule, when its
executions ran (the engine's clock). Before a rule runs, its executions in the last WINDOW are
counted, those of the open batch included; at the rule's limit it is paused until the window
has room again: the occurrence is not run (counted in `DispatchReport.rate_limited`), and once
per pause a critical `loop_guard` alert names the rule and its rate.

The limit is "far above the usual rate": RATE_FACTOR times the rule's average executions per
window since it was created (its execution count over its age, a day at least), and never
below RATE_FLOOR, so a new or quiet rule may still answer a busy morning. The memory is per
process: a restart forgets the recent runs (the alert stays), which errs on the side of
running.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session, sessionmaker

from frontdesk.store.models import AutomationRule

WINDOW = timedelta(minutes=10)
RATE_FLOOR = 300
RATE_FACTOR = 20
# A rule's usual rate is its average over its life, but over a day at least: a young rule's
# first burst must not become its usual rate.
SHORTEST_HISTORY = timedelta(days=1)


def limit_for(rule: AutomationRule, now: datetime) -> int:
    """How many executions of `rule` one WINDOW may hold."""
    age = max(now - rule.created_at, SHORTEST_HISTORY)
    usual = rule.execution_count * (WINDOW / age)
    return max(RATE_FLOOR, int(RATE_FACTOR * usual))


class RateGuard:
    def __init__(self) -> None:
        self._runs: dict[uuid.UUID, deque[datetime]] = {}
        self._paused_until: dict[uuid.UUID, datetime] = {}

    def allows(self, rule: AutomationRule, now: datetime, in_batch: int) -> bool:
        """Whether `rule` may run at `now`, with `in_batch` of its executions waiting to be
        committed in the open batch."""
        runs = self._recent(rule.id, now)
        return len(runs) + in_batch < limit_for(rule, now)

    def is_paused(self, rule_id: uuid.UUID, now: datetime) -> bool:
        """Whether a pause of `rule_id` (and its alert) committed and still lasts at `now`."""
        return self._paused_until.get(rule_id, now) > now

    def record(
        self,
        runs: Mapping[uuid.UUID, int],
        at: datetime,
        paused: Mapping[uuid.UUID, datetime] | None = None,
    ) -> None:
        """Executions that committed at `at`, by rule, and the pauses (with their alerts) that
        committed with them, by rule and the moment each started."""
        for rule_id, count in runs.items():
            self._runs.setdefault(rule_id, deque()).extend([at] * count)
        for rule_id, started in (paused or {}).items():
            self._paused_until[rule_id] = started + WINDOW

    def _recent(self, rule_id: uuid.UUID, now: datetime) -> deque[datetime]:
        runs = self._runs.setdefault(rule_id, deque())
        while runs and runs[0] <= now - WINDOW:
            runs.popleft()
        return runs


_GUARDS: WeakKeyDictionary[sessionmaker[Session], RateGuard] = WeakKeyDictionary()


def guard_for(sessions: sessionmaker[Session]) -> RateGuard:
    """The guard of one database (one per session factory, gone with it)."""
    guard = _GUARDS.get(sessions)
    if guard is None:
        guard = _GUARDS[sessions] = RateGuard()
    return guard
