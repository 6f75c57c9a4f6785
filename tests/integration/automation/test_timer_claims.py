"""Firing under claims: only the occurrences this node is granted run here; the others are
left to the node that claimed them, and the timer is done either way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from frontdesk.automation.timers import TimerStatus, fire_due_timers
from tests.integration.automation.timer_helpers import (
    RecordingExecutor,
    reconcile,
    time_rule,
    timers,
)
from tests.support.automation import engine_ctx
from tests.support.clinic import Clinic
from tests.support.rows import insert_person

TOMORROW_NINE = datetime(2026, 3, 2, 7, 0, tzinfo=UTC) + timedelta(days=1)


@dataclass
class ServerSays:
    """Answers as the server would when another node holds `taken`; remembers the asks."""

    taken: set[str] = field(default_factory=set)
    asked: list[list[str]] = field(default_factory=list)

    def claim(self, keys: Sequence[str]) -> set[str]:
        self.asked.append(list(keys))
        return set(keys) - self.taken


def test_only_the_granted_subjects_run_here_and_the_timer_is_done(clinic: Clinic) -> None:
    first = insert_person(clinic, first_name="Ana")
    second = insert_person(clinic, first_name="Bogdan", email="b@example.com", phone=None)
    rule_id = time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    run = RecordingExecutor()
    taken = f"{rule_id}:patient:{first.id}:2026-03-03T07:00:00Z"
    server = ServerSays(taken={taken})

    summary = fire_due_timers(engine_ctx(clinic), TOMORROW_NINE, run, claims=server)

    # One request for the whole firing, before anything runs.
    assert len(server.asked) == 1
    assert sorted(server.asked[0]) == sorted(
        [taken, f"{rule_id}:patient:{second.id}:2026-03-03T07:00:00Z"]
    )
    assert [subject for _, subject in run.occurrences] == [second.id]
    assert summary.claimed_elsewhere == [taken]
    assert len(summary.fired) == 1
    assert [t.status for t in timers(clinic) if t.id in summary.fired] == [TimerStatus.FIRED]


def test_nothing_runs_when_every_occurrence_is_taken(clinic: Clinic) -> None:
    insert_person(clinic, first_name="Ana")
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    run = RecordingExecutor()

    class AllTaken:
        def claim(self, keys: Sequence[str]) -> set[str]:
            return set()

    summary = fire_due_timers(engine_ctx(clinic), TOMORROW_NINE, run, claims=AllTaken())

    assert run.calls == []
    assert len(summary.claimed_elsewhere) == 1
    assert summary.failed == []
