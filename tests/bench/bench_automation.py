"""Automation engine benchmark (issue 3): 500 enabled rules in one organization, 10,000 events.

Run: python tests/bench/bench_automation.py [--rules N] [--events N]

Builds a fresh encrypted mirror in a temporary profile (key in a key file, as on a headless
machine) and seeds one organization in Europe/Bucharest: 2,000 patients (cities, ages,
segments), 1,000 appointments, and `--rules` enabled rules spread over five triggers
(patient.onboarded, appointment.booked, appointment.first_booked, form.signed,
appointment.completed), each with two to four conditions on city, age, country, segments or the
appointment's type, and a notification plus an e-mail, a form or an SMS as actions. About one
rule in a hundred matches a given event. Then `--events` pending events are written and:

1. Matching and condition evaluation: for every event, the rules of its trigger are looked up
   and every one's conditions evaluated against the event's context (built beforehand, timed
   separately). Target: p99 ≤ 2 ms per event.
2. End to end: `dispatch_pending` over all events — contexts from the database, conditions,
   each matching rule executed atomically in a savepoint of its batch's SQLite transaction
   (execution row, action rows, rule counters, analytics, audit, sync outbox), and the events
   the actions cause. Target: ≥ 500 executions/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
from sqlalchemy import event, func, insert, select

from frontdesk.automation.context import build_context
from frontdesk.automation.dispatcher import dispatch_pending, trigger_of
from frontdesk.automation.rule_cache import cache_for
from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import AppointmentStatus, AppointmentType, FormType
from frontdesk.domain.ids import new_id
from frontdesk.domain.rules import evaluate, validate_rule
from frontdesk.services.context import ServiceContext
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.models import (
    Appointment,
    AutomationExecution,
    AutomationRule,
    DomainEvent,
    FormTemplate,
    Organization,
    Patient,
    PatientPerson,
    Segment,
    SegmentMember,
    Service,
    Specialist,
)
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
PATIENTS = 2_000
APPOINTMENTS = 1_000
SEGMENTS = 20
CITIES = [f"City{n:02d}" for n in range(40)]
COUNTRIES = ["RO", "RO", "RO", "MD", "HU"]
TRIGGERS = [
    "patient.onboarded",
    "appointment.booked",
    "appointment.first_booked",
    "appointment.completed",
    "form.signed",
]
MATCH_TARGET_MS = 2.0
EXECUTIONS_TARGET = 500.0


def main() -> int:
    args = _arguments()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # no OS keyring: the key-file path
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as home:
        mirror = open_mirror(Profile.resolve(Path(home)))
        try:
            _describe_machine(mirror)
            rng = random.Random(20260302)
            ctx = _seed(mirror, rng, args.rules)
            _events(ctx, rng, args.events)
            match_ok = _measure_matching(ctx)
            e2e_ok = _measure_end_to_end(ctx)
            print("\nload average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        finally:
            mirror.close()
    return 0 if match_ok and e2e_ok else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--events", type=int, default=10_000)
    return parser.parse_args()


def _describe_machine(mirror: Mirror) -> None:
    with mirror.engine.connect() as connection:
        sqlite = connection.exec_driver_sql("SELECT sqlite_version()").scalar()
        cipher = connection.exec_driver_sql("PRAGMA cipher_version").scalar()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    )
    print(f"Python {platform.python_version()}, SQLite {sqlite}, SQLCipher {cipher}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


# --- seeding -------------------------------------------------------------------------------------


def _seed(mirror: Mirror, rng: random.Random, rule_count: int) -> ServiceContext:
    org_id = new_id()
    with mirror.sessions.begin() as session:
        session.add(
            Organization(id=org_id, slug="bench", name="Bench Clinic", timezone="Europe/Bucharest")
        )
        session.flush()
        specialist = Specialist(organization_id=org_id, name="Dr Bench", specialty="physio")
        service = Service(organization_id=org_id, name="Consult", duration_minutes=30)
        session.add_all([specialist, service])
        session.add(
            FormTemplate(
                organization_id=org_id,
                template_key="survey",
                reference=51,
                title="Survey",
                form_type=FormType.SURVEY,
                fields=[{"key": "ok", "label": "OK", "type": "boolean"}],
            )
        )
        segments = [
            Segment(organization_id=org_id, name=f"Segment {n}", reference=n)
            for n in range(1, SEGMENTS + 1)
        ]
        session.add_all(segments)
        session.flush()
        persons = [_person(org_id, rng, n) for n in range(PATIENTS)]
        session.execute(insert(PatientPerson), persons)
        session.execute(
            insert(Patient),
            [
                {"id": new_id(), "organization_id": org_id, "patient_person_id": p["id"],
                 "onboarded_at": NOW - timedelta(days=30)}
                for p in persons
            ],
        )  # fmt: skip
        session.execute(
            insert(SegmentMember),
            [
                {"id": new_id(), "organization_id": org_id, "segment_id": segment.id,
                 "patient_person_id": p["id"], "added_at": NOW - timedelta(days=5)}
                for p in persons
                for segment in rng.sample(segments, 2)
            ],
        )  # fmt: skip
        session.execute(
            insert(Appointment),
            [
                _appointment(org_id, rng, persons, specialist.id, service.id)
                for _ in range(APPOINTMENTS)
            ],
        )
        documents = [_rule(rng, n) for n in range(rule_count)]
        for document in documents:
            rule = validate_rule(document)
            session.add(
                AutomationRule(
                    organization_id=org_id,
                    name=rule.name,
                    trigger_event=rule.trigger_event.value,
                    conditions=document["conditions"],
                    actions=document["actions"],
                    definition=document,
                )
            )
    print(f"seeded {PATIENTS:,} patients, {APPOINTMENTS:,} appointments, {rule_count} rules")
    return ServiceContext(
        sessions=mirror.sessions,
        organization_id=org_id,
        actor=Actor.system("automation"),
        clock=FixedClock(NOW),
    )


def _person(org_id: uuid.UUID, rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "id": new_id(),
        "organization_id": org_id,
        "first_name": f"Pat{n}",
        "last_name": "Bench",
        "email": f"pat{n}@example.com",
        "phone": f"+4072{n:07d}",
        "city": rng.choice(CITIES),
        "country": rng.choice(COUNTRIES),
        "date_of_birth": date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)),
    }


def _appointment(
    org_id: uuid.UUID,
    rng: random.Random,
    persons: list[dict[str, Any]],
    specialist_id: uuid.UUID,
    service_id: uuid.UUID,
) -> dict[str, Any]:
    start = NOW + timedelta(days=rng.randint(-60, 60), hours=rng.randint(0, 9))
    return {
        "id": new_id(),
        "organization_id": org_id,
        "patient_person_id": rng.choice(persons)["id"],
        "specialist_id": specialist_id,
        "service_id": service_id,
        "status": AppointmentStatus.UPCOMING,
        "type": rng.choice([AppointmentType.VIDEO, AppointmentType.IN_CLINIC]),
        "started_at": start,
        "ended_at": start + timedelta(minutes=30),
    }


def _rule(rng: random.Random, n: int) -> dict[str, Any]:
    """A rule with 2–4 conditions that about 1 % of patients meet, and two actions."""
    trigger = TRIGGERS[n % len(TRIGGERS)]
    conditions: dict[str, Any] = {
        "patient.city": rng.choice(CITIES),
        "patient.age": {"gte": rng.choice([18, 30, 40])},
    }
    if rng.random() < 0.5:
        conditions["patient.country"] = {"in": ["RO", "MD"]}
    if rng.random() < 0.5:
        conditions["any"] = [
            {"patient.segment_ids": rng.randint(1, SEGMENTS)},
            {"patient.segment_ids": {"in": [rng.randint(1, SEGMENTS), rng.randint(1, SEGMENTS)]}},
            {"time.day_of_week": {"in": ["Monday", "Tuesday", "Wednesday", "Thursday"]}},
        ]
    if trigger.startswith("appointment") and rng.random() < 0.3:
        conditions["appointment.type"] = rng.choice(["video", "in_clinic"])
    second = rng.choice(
        [
            {"type": "send_email", "email_template": "welcome_patient"},
            {"type": "send_sms", "message": "Hi {{ patient.first_name }}, see you soon."},
            {"type": "suggest_form", "form_template_id": 51},
        ]
    )
    return {
        "name": f"Rule {n}",
        "trigger_event": trigger,
        "conditions": conditions,
        "actions": [
            {"type": "show_notification", "message": "Hello {{ patient.first_name }}"},
            second,
        ],
    }


def _events(ctx: ServiceContext, rng: random.Random, count: int) -> None:
    with ctx.sessions.begin() as session:
        persons = session.scalars(select(PatientPerson.id)).all()
        appointments = session.execute(select(Appointment.id, Appointment.patient_person_id)).all()
        rows = []
        for n in range(count):
            name = TRIGGERS[n % len(TRIGGERS)]
            at = NOW + timedelta(milliseconds=n)
            if name == "patient.onboarded":
                person = rng.choice(persons)
                subject = ("patient", person, {"patient_person_id": str(person)})
            elif name == "form.signed":
                person = rng.choice(persons)
                # A form the engine does not find: the patient still comes from the payload.
                subject = ("form", new_id(), {"patient_person_id": str(person)})
            else:
                appointment, person = rng.choice(appointments)
                subject = ("appointment", appointment, {"patient_person_id": str(person)})
            rows.append(
                {"id": new_id(), "organization_id": ctx.organization_id, "name": name,
                 "subject_type": subject[0], "subject_id": subject[1], "payload": subject[2],
                 "occurred_at": at, "status": "pending", "depth": 0}
            )  # fmt: skip
        session.execute(insert(DomainEvent), rows)
    print(f"wrote {count:,} pending events")


# --- measuring ----------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _measure_matching(ctx: ServiceContext) -> bool:
    cache = cache_for(ctx.sessions)
    with ctx.sessions() as session:
        cache.refresh(session, ctx.organization_id)
        organization = session.get(Organization, ctx.organization_id)
        assert organization is not None
        events = session.scalars(select(DomainEvent).order_by(DomainEvent.occurred_at)).all()
        build_ms: list[float] = []
        prepared = []
        for event in events:
            started = time.perf_counter()
            trigger = trigger_of(event)
            context = build_context(session, organization, trigger)
            build_ms.append((time.perf_counter() - started) * 1000)
            prepared.append((event.name, context))
    match_ms: list[float] = []
    matched = 0
    evaluated = 0
    for name, context in prepared:
        started = time.perf_counter()
        index = cache.rules_for(ctx.organization_id, name)
        candidates = index.candidates(context) if index is not None else []
        hits = [
            rule
            for rule in candidates
            if rule.definition is not None and evaluate(rule.definition.conditions, context).matched
        ]
        match_ms.append((time.perf_counter() - started) * 1000)
        matched += len(hits)
        evaluated += len(candidates)
    p99 = _percentile(match_ms, 0.99)
    print(f"\n1. Matching + conditions over {len(prepared):,} events")
    print(
        f"   rules per trigger: {len(cache.rules_for(ctx.organization_id, TRIGGERS[0]).rules)}; "  # type: ignore[union-attr]
        f"evaluated per event after the index: {evaluated / len(prepared):.1f}; "
        f"matches: {matched:,}"
    )
    print(
        f"   per event: median {statistics.median(match_ms):.3f} ms, "
        f"p99 {p99:.3f} ms, max {max(match_ms):.3f} ms  (target p99 ≤ {MATCH_TARGET_MS} ms)"
    )
    print(
        f"   context from the database, per event: median {statistics.median(build_ms):.3f} ms, "
        f"p99 {_percentile(build_ms, 0.99):.3f} ms"
    )
    return p99 <= MATCH_TARGET_MS


def _measure_end_to_end(ctx: ServiceContext) -> bool:
    started = time.perf_counter()
    # This process's CPU time too: on a shared machine it moves far less than the wall clock.
    cpu_started = time.process_time()
    totals = {"events": 0, "executions": 0}
    # SQL statements sent (an executemany counts once): they do not depend on the load.
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    engine = ctx.sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        while True:
            report = dispatch_pending(ctx, limit=1_000)
            if report.events == 0:
                break
            totals["events"] += report.events
            totals["executions"] += report.executions
    finally:
        event.remove(engine, "before_cursor_execute", count)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    with ctx.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(AutomationExecution))
    rate = totals["executions"] / elapsed
    print(f"\n2. End to end: dispatch_pending over {totals['events']:,} events")
    print(
        f"   {totals['executions']:,} executions ({stored:,} stored) in {elapsed:.2f} s: "
        f"{rate:.0f} executions/s, {totals['events'] / elapsed:.0f} events/s "
        f"(target ≥ {EXECUTIONS_TARGET:.0f} executions/s)"
    )
    print(
        f"   CPU time of this process: {cpu:.2f} s, "
        f"{totals['executions'] / cpu:.0f} executions per CPU second"
    )
    print(
        f"   SQL statements: {statements[0]:,}, "
        f"{statements[0] / max(totals['executions'], 1):.2f} per execution"
    )
    return rate >= EXECUTIONS_TARGET


if __name__ == "__main__":
    sys.exit(main())
