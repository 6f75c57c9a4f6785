"""Durable timers of time-based triggers: the `timers` table is the truth, the scheduler only
wakes the engine (docs/automation-time.md has the decisions and their reasons).

- `reconcile_timers` makes the table match the rules and the data: it arms the next firing of
  each enabled time-based rule, cancels timers whose appointment, record or rule went away or
  moved, and re-arms timers of an edited rule. Idempotent: the occurrence key is UNIQUE and the
  timer's id is derived from it.
- `fire_due_timers` fires what is due under the rule's misfire policy, one timer per
  transaction; each subject's occurrence is claimed first (`claims.py`: a signed-in desk asks
  the server, so only one node runs it) and what another node claimed is skipped — its effects
  arrive by sync. The executor (the dispatcher's `execute`) is passed in and evaluates the
  rule's conditions afresh. A timer is marked fired only after its executions committed; a
  crash in between fires it again on restart, and the executions' UNIQUE keys make that a
  no-op.
- `next_due_at` tells the scheduler when to wake.

Timers are this device's bookkeeping, derived from synced data, so they are not written to the
sync outbox; what must happen once across desks is the execution, guarded by its key.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from frontdesk.automation.claims import LOCAL_CLAIMS, OccurrenceClaims
from frontdesk.automation.occurrences import (
    ARMED_TRIGGERS,
    TIMER_KIND,
    PlannedTimer,
    iso_utc,
    planned_timers,
)
from frontdesk.automation.rule_cache import LoadedRule, load_rule
from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.clock import ensure_utc, zone
from frontdesk.domain.ids import derived_id
from frontdesk.domain.rules import RuleDefinition
from frontdesk.domain.rules.schedule import before_start_still_useful, next_occurrence
from frontdesk.domain.rules.triggers import BeforeStartSettings, DailySettings, WeeklySettings
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule, Organization, Patient, PatientPerson, Timer
from frontdesk.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_HORIZON = timedelta(days=8)
"""How far ahead firings are armed: a week plus a day, so a weekly rule's next firing is
always armed, whatever DST does."""

DEFAULT_GRACE = timedelta(minutes=15)
"""How late a firing of a `misfire: skip` rule may still run."""

MAX_FIRING_ATTEMPTS = 3
"""An executor that raises (a bug, a locked database) is retried on later sweeps this many
times in all, then the timer is marked failed, so one bad timer cannot wake the engine forever."""

_INSTANT = timedelta(microseconds=1)


class TimerStatus(StrEnum):
    PENDING = "pending"
    # Claimed for firing; its executions may be under way. Resumed after a crash.
    FIRING = "firing"
    FIRED = "fired"
    MISSED = "missed"
    CANCELLED = "cancelled"
    FAILED = "failed"


LIVE_STATUSES = (TimerStatus.PENDING, TimerStatus.FIRING)

Executor = Callable[[ServiceContext, AutomationRule, TriggerInstance], object]
"""Runs one rule for one trigger instance, idempotently by its execution key."""


@dataclass
class ReconcileSummary:
    armed: int = 0
    rearmed: int = 0
    cancelled: int = 0


@dataclass
class FiringSummary:
    fired: list[uuid.UUID] = field(default_factory=list)
    missed: list[uuid.UUID] = field(default_factory=list)
    cancelled: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    # Execution keys another node claimed: it runs them, their effects arrive by sync.
    claimed_elsewhere: list[str] = field(default_factory=list)


# --- reconcile -------------------------------------------------------------------------------


def reconcile_timers(
    ctx: ServiceContext, now: datetime, horizon: timedelta = DEFAULT_HORIZON
) -> ReconcileSummary:
    """Arm, re-arm and cancel the organization's trigger timers so they match its rules and
    data (see the module docstring)."""
    now = ensure_utc(now, field="now")
    summary = ReconcileSummary()
    with _timer_transaction(ctx) as tx:
        session = tx.session
        tz = _zone(session, ctx.organization_id)
        armed = _live_timers_by_rule(session, ctx.organization_id)
        for row in _time_rules(session, ctx.organization_id):
            loaded = load_rule(row)
            if loaded.definition is None:
                # Its timers are left in `armed` and cancelled below: nothing fires until fixed.
                log.warning("rule %s is not armed: %s", row.id, loaded.problem)
                continue
            _reconcile_rule(
                tx, loaded, loaded.definition, tz, armed.pop(row.id, []), now, horizon, summary
            )
        for orphans in armed.values():
            for timer in orphans:
                _close(timer, TimerStatus.CANCELLED, "the rule is off, deleted or unreadable", now)
                summary.cancelled += 1
    return summary


def _reconcile_rule(
    tx: UnitOfWork,
    loaded: LoadedRule,
    definition: RuleDefinition,
    tz: ZoneInfo,
    armed: list[Timer],
    now: datetime,
    horizon: timedelta,
    summary: ReconcileSummary,
) -> None:
    # The plan reaches back to the oldest armed timer: an overdue timer that is still right
    # stays for `fire_due_timers` to judge under the misfire policy.
    since = min([t.due_at_utc for t in armed] + [now])
    until = _arm_until(definition, tz, now, horizon)
    plan = {
        p.key: p
        for p in planned_timers(
            tx.session, tx.organization_id, loaded.id, definition, tz, since, until
        )
    }
    for timer in armed:
        if timer.occurrence_key not in plan:
            _close(timer, TimerStatus.CANCELLED, "its occurrence is no longer planned", now)
            summary.cancelled += 1
        elif timer.rule_version != loaded.version:
            timer.rule_version = loaded.version
            summary.rearmed += 1
    armed_keys = {t.occurrence_key for t in armed}
    wanted = [p for key, p in plan.items() if p.due_at > now and key not in armed_keys]
    if not wanted:
        return
    known = {
        t.occurrence_key: t
        for t in tx.session.scalars(
            select(Timer).where(Timer.occurrence_key.in_([p.key for p in wanted]))
        )
    }
    for planned in wanted:
        existing = known.get(planned.key)
        if existing is None:
            tx.session.add(_new_timer(tx.organization_id, loaded, planned))
            summary.armed += 1
        elif existing.status == TimerStatus.CANCELLED:
            # e.g. an appointment reinstated at its old time, or a rule switched back on.
            existing.status = TimerStatus.PENDING
            existing.rule_version = loaded.version
            existing.payload = dict(planned.payload)
            summary.armed += 1


def _arm_until(
    definition: RuleDefinition, tz: ZoneInfo, now: datetime, horizon: timedelta
) -> datetime:
    settings = definition.trigger_config
    if isinstance(settings, DailySettings | WeeklySettings):
        # Only the next wall-clock occurrence is armed; the one after is armed when it fires.
        return next_occurrence(settings, tz, now) + _INSTANT
    return now + horizon


def _new_timer(organization_id: uuid.UUID, loaded: LoadedRule, planned: PlannedTimer) -> Timer:
    return Timer(
        # Derived from the occurrence key: every desk arms the very same row.
        id=derived_id(planned.key, "timer"),
        organization_id=organization_id,
        automation_rule_id=loaded.id,
        rule_version=loaded.version,
        subject_type=planned.subject_type,
        subject_id=planned.subject_id,
        occurrence_key=planned.key,
        due_at_utc=planned.due_at,
        status=TimerStatus.PENDING,
        payload=dict(planned.payload),
    )


# --- fire ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Firing:
    timer_id: uuid.UUID
    rule: AutomationRule
    instances: list[TriggerInstance]


def fire_due_timers(
    ctx: ServiceContext,
    now: datetime,
    execute: Executor,
    *,
    grace: timedelta = DEFAULT_GRACE,
    claims: OccurrenceClaims = LOCAL_CLAIMS,
) -> FiringSummary:
    """Fire every trigger timer due at `now`, oldest first, each in its own transaction;
    only the occurrences `claims` grants this node run here."""
    now = ensure_utc(now, field="now")
    summary = FiringSummary()
    for timer_id in _due_timer_ids(ctx, now):
        _fire_one(ctx, timer_id, now, execute, grace, claims, summary)
    return summary


def _fire_one(
    ctx: ServiceContext,
    timer_id: uuid.UUID,
    now: datetime,
    execute: Executor,
    grace: timedelta,
    claims: OccurrenceClaims,
    summary: FiringSummary,
) -> None:
    with _timer_transaction(ctx) as tx:
        firing = _claim(tx.session, ctx.organization_id, timer_id, now, grace, summary)
    if firing is None:
        return
    # Asked outside any transaction (it may go over the network), once for all subjects.
    keyed = [(i.execution_key(firing.rule.id), i) for i in firing.instances]
    granted = claims.claim([key for key, _ in keyed])
    failures = 0
    for key, instance in keyed:
        if key not in granted:
            summary.claimed_elsewhere.append(key)
            continue
        # One subject that cannot run must not keep the rule from the organization's others;
        # the timer is retried as a whole and what ran is skipped by its execution key.
        try:
            execute(ctx, firing.rule, instance)
        except Exception:
            failures += 1
            log.exception(
                "timer %s: rule %s failed for %s %s",
                firing.timer_id,
                firing.rule.id,
                instance.subject_type,
                instance.subject_id,
            )
    if failures:
        _record_failure(ctx, firing.timer_id, now, summary)
        return
    with _timer_transaction(ctx) as tx:
        timer = tx.session.get_one(Timer, firing.timer_id)
        timer.status = TimerStatus.FIRED
        timer.payload = {**timer.payload, "fired_at": iso_utc(now)}
    summary.fired.append(firing.timer_id)


def _claim(
    session: Session,
    organization_id: uuid.UUID,
    timer_id: uuid.UUID,
    now: datetime,
    grace: timedelta,
    summary: FiringSummary,
) -> _Firing | None:
    """Judge a due timer: close it (cancelled, missed) or mark it firing and say what to run."""
    timer = session.get(Timer, timer_id)
    if timer is None or timer.status not in LIVE_STATUSES:
        return None  # fired or closed meanwhile (by an earlier timer's catch-up)
    rule = session.get(AutomationRule, timer.automation_rule_id)
    loaded = load_rule(rule) if rule is not None else None
    if (
        rule is None
        or loaded is None
        or loaded.definition is None
        or not rule.enabled
        or rule.deleted_at is not None
        or rule.trigger_event != timer.payload.get("trigger_event")
    ):
        _close(timer, TimerStatus.CANCELLED, "the rule is off, deleted or unreadable", now)
        summary.cancelled.append(timer.id)
        return None
    definition = loaded.definition
    tz = _zone(session, organization_id)
    resuming = timer.status == TimerStatus.FIRING
    if not resuming and isinstance(definition.trigger_config, DailySettings | WeeklySettings):
        caught_up = _latest_occurrence(session, timer, loaded, definition, tz, now, summary)
        if caught_up is None:
            return None
        timer = caught_up
    planned = _still_planned(session, timer, loaded, definition, tz)
    if planned is None:
        _close(timer, TimerStatus.CANCELLED, "its occurrence is no longer planned", now)
        summary.cancelled.append(timer.id)
        return None
    settings = definition.trigger_config
    if isinstance(settings, BeforeStartSettings):
        start = timer.due_at_utc + settings.lead
        if not before_start_still_useful(start, now):
            # Never a "before the start" message once the appointment has begun.
            _close(timer, TimerStatus.MISSED, "the appointment had started", now)
            summary.missed.append(timer.id)
            return None
    late = now - timer.due_at_utc
    if not resuming and definition.misfire == "skip" and late > grace:
        _close(timer, TimerStatus.MISSED, f"{_minutes(late)} late; the rule skips misfires", now)
        summary.missed.append(timer.id)
        return None
    timer.status = TimerStatus.FIRING
    instances = _instances(session, organization_id, timer, planned, now)
    return _Firing(timer.id, rule, instances)


def _latest_occurrence(
    session: Session,
    timer: Timer,
    loaded: LoadedRule,
    definition: RuleDefinition,
    tz: ZoneInfo,
    now: datetime,
    summary: FiringSummary,
) -> Timer | None:
    """After downtime a wall-clock rule fires once, as its latest missed occurrence: the
    older timer is marked missed and the latest occurrence's timer takes its place. None when
    that occurrence was already handled."""
    later = planned_timers(
        session,
        timer.organization_id,
        loaded.id,
        definition,
        tz,
        timer.due_at_utc + _INSTANT,
        now + _INSTANT,
    )
    if not later:
        return timer
    latest = later[-1]
    _close(timer, TimerStatus.MISSED, f"superseded by {iso_utc(latest.due_at)}", now)
    summary.missed.append(timer.id)
    existing = session.scalar(select(Timer).where(Timer.occurrence_key == latest.key))
    if existing is None:
        existing = _new_timer(timer.organization_id, loaded, latest)
        session.add(existing)
        session.flush()
    return existing if existing.status in LIVE_STATUSES else None


def _still_planned(
    session: Session,
    timer: Timer,
    loaded: LoadedRule,
    definition: RuleDefinition,
    tz: ZoneInfo,
) -> PlannedTimer | None:
    """The timer's occurrence as the rule and data plan it now (conditions are the executor's
    business; this asks whether the firing itself still exists)."""
    plan = planned_timers(
        session,
        timer.organization_id,
        loaded.id,
        definition,
        tz,
        timer.due_at_utc,
        timer.due_at_utc + _INSTANT,
        subject_id=timer.subject_id,
    )
    return next((p for p in plan if p.key == timer.occurrence_key), None)


def _instances(
    session: Session,
    organization_id: uuid.UUID,
    timer: Timer,
    planned: PlannedTimer,
    now: datetime,
) -> list[TriggerInstance]:
    occurrence = iso_utc(timer.due_at_utc)
    payload = {
        "occurrence_key": timer.occurrence_key,
        "scheduled_for": occurrence,
        "fired_at": iso_utc(now),
    }

    def instance(subject_type: str, subject_id: uuid.UUID, subject: Subject) -> TriggerInstance:
        # occurred_at is the scheduled instant, not `now`: a late firing evaluates "today" and
        # "hours before the appointment" as of its occurrence, the same on every desk.
        return TriggerInstance(
            event_name=str(timer.payload["trigger_event"]),
            occurred_at=timer.due_at_utc,
            subject_type=subject_type,
            subject_id=subject_id,
            subject=subject,
            payload=payload,
            occurrence=occurrence,
        )

    if timer.subject_type == "organization":
        # A wall-clock rule runs for every patient of the organization.
        return [
            instance("patient", person_id, Subject(patient_person_id=person_id))
            for person_id in _patient_ids(session, organization_id)
        ]
    return [instance(planned.subject_type, planned.subject_id, planned.subject)]


def _record_failure(
    ctx: ServiceContext, timer_id: uuid.UUID, now: datetime, summary: FiringSummary
) -> None:
    with _timer_transaction(ctx) as tx:
        timer = tx.session.get_one(Timer, timer_id)
        attempts = int(timer.payload.get("attempts", 0)) + 1
        timer.payload = {**timer.payload, "attempts": attempts}
        if attempts >= MAX_FIRING_ATTEMPTS:
            _close(timer, TimerStatus.FAILED, f"the rule raised {attempts} times", now)
    summary.failed.append(timer_id)


# --- scheduler support -----------------------------------------------------------------------


def next_due_at(ctx: ServiceContext, *, after: datetime | None = None) -> datetime | None:
    """The earliest due time of a live timer of the organization (triggers and delayed actions
    alike), or None. `after` leaves out timers due at or before it: the scheduler asks for the
    next wake after a sweep, and a timer still overdue then waits for the periodic tick."""
    query = select(func.min(Timer.due_at_utc)).where(
        Timer.organization_id == ctx.organization_id,
        Timer.status.in_(LIVE_STATUSES),
    )
    if after is not None:
        query = query.where(Timer.due_at_utc > ensure_utc(after, field="after"))
    with ctx.sessions() as session:
        return session.scalar(query)


# --- helpers ---------------------------------------------------------------------------------


def _timer_transaction(ctx: ServiceContext) -> UnitOfWork:
    return replace(ctx, record_outbox=False).transaction()


def _zone(session: Session, organization_id: uuid.UUID) -> ZoneInfo:
    return zone(session.get_one(Organization, organization_id).timezone)


def _time_rules(session: Session, organization_id: uuid.UUID) -> list[AutomationRule]:
    return list(
        session.scalars(
            select(AutomationRule)
            .where(
                AutomationRule.organization_id == organization_id,
                AutomationRule.enabled.is_(True),
                AutomationRule.deleted_at.is_(None),
                AutomationRule.trigger_event.in_([t.value for t in ARMED_TRIGGERS]),
            )
            .order_by(AutomationRule.id)
        )
    )


def _is_trigger_timer() -> ColumnElement[bool]:
    # Delayed actions and retries share the table; they are the engine's, not ours.
    return Timer.payload["kind"].as_string() == TIMER_KIND


def _live_timers_by_rule(
    session: Session, organization_id: uuid.UUID
) -> dict[uuid.UUID, list[Timer]]:
    timers = session.scalars(
        select(Timer)
        .where(
            Timer.organization_id == organization_id,
            Timer.status.in_(LIVE_STATUSES),
            _is_trigger_timer(),
        )
        .order_by(Timer.due_at_utc, Timer.id)
    )
    by_rule: dict[uuid.UUID, list[Timer]] = {}
    for timer in timers:
        by_rule.setdefault(timer.automation_rule_id, []).append(timer)
    return by_rule


def _due_timer_ids(ctx: ServiceContext, now: datetime) -> list[uuid.UUID]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(Timer.id)
                .where(
                    Timer.organization_id == ctx.organization_id,
                    Timer.status.in_(LIVE_STATUSES),
                    Timer.due_at_utc <= now,
                    _is_trigger_timer(),
                )
                .order_by(Timer.due_at_utc, Timer.id)
            )
        )


def _patient_ids(session: Session, organization_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Patient.patient_person_id)
            .join(PatientPerson, PatientPerson.id == Patient.patient_person_id)
            .where(
                Patient.organization_id == organization_id,
                Patient.deleted_at.is_(None),
                PatientPerson.deleted_at.is_(None),
            )
            .order_by(Patient.patient_person_id)
        )
    )


def _close(timer: Timer, status: TimerStatus, reason: str, now: datetime) -> None:
    timer.status = status
    # A new dict: JSON columns are compared by value only when reassigned.
    timer.payload = {**timer.payload, "closed_at": iso_utc(now), "reason": reason}


def _minutes(delta: timedelta) -> str:
    return f"{int(delta.total_seconds() // 60)} min"
