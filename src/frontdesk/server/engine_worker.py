"""The automation engine on the server: events born here (public bookings) and time-based
triggers, for every organization, each in its own row-level-security scope.

Time-based occurrences are claimed (`claims.py`) before they run, so the server and the desks
never both run one; events born on the server exist only here. Given an SMTP server, the
engine also delivers due e-mail (`delivery.py`)."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from frontdesk.automation.scheduler import AutomationRunner, SweepReport, engine_steps
from frontdesk.automation.timers import Executor
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.domain.clock import Clock
from frontdesk.server.claims import SERVER_NODE, claim
from frontdesk.server.delivery import Delivery
from frontdesk.server.rls import ENGINE_ROLE
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule, Organization
from frontdesk.store.unit_of_work import Actor

log = logging.getLogger(__name__)
DEFAULT_TICK = timedelta(seconds=30)


def claiming(execute: Executor) -> Executor:
    """`execute`, run only when the server wins the occurrence's claim."""

    def run(ctx: ServiceContext, rule: AutomationRule, trigger: TriggerInstance) -> object:
        key = trigger.execution_key(rule.id)
        with ctx.sessions.begin() as session:
            won = claim(session, ctx.organization_id, [key], node=SERVER_NODE, clock=ctx.clock)
        if key not in won:
            return None  # a desk ran it, or runs it now
        return execute(ctx, rule, trigger)

    return run


def organization_ids(engine: Engine) -> list[uuid.UUID]:
    with scoped_sessions(engine, Scope(role=ENGINE_ROLE))() as session:
        return list(session.scalars(select(Organization.id).order_by(Organization.id)))


class ServerEngine:
    """Sweeps every organization's engine: at once on `sweep()`, or every `tick` in a thread
    between `start()` and `stop()`."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        delivery: Delivery | None = None,
        tick: timedelta = DEFAULT_TICK,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._delivery = delivery
        self._tick = tick
        self._runners: dict[uuid.UUID, AutomationRunner] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def _runner(self, organization_id: uuid.UUID) -> AutomationRunner:
        runner = self._runners.get(organization_id)
        if runner is None:
            ctx = ServiceContext(
                sessions=scoped_sessions(
                    self._engine, Scope(organization_id=organization_id, role=ENGINE_ROLE)
                ),
                organization_id=organization_id,
                actor=Actor.system("server automation"),
                clock=self._clock,
                record_outbox=False,
            )
            steps = engine_steps()
            steps = replace(
                steps,
                execute=claiming(steps.execute),
                deliver_messages=self._delivery,
            )
            runner = self._runners[organization_id] = AutomationRunner(ctx, steps)
        return runner

    def sweep(self, now: datetime | None = None) -> dict[uuid.UUID, SweepReport]:
        return {
            organization_id: self._runner(organization_id).sweep(now)
            for organization_id in organization_ids(self._engine)
        }

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="server-engine", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.sweep()
            except Exception:
                # The loop must outlive a failing database: the next tick tries again.
                log.exception("server automation sweep failed")
            self._stopping.wait(self._tick.total_seconds())
