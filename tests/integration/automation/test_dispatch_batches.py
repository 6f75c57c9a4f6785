"""The dispatcher's batches: several events' executions in one transaction, each execution in
a savepoint. A failure inside one execution stays inside it; a crash leaves the whole batch
pending and nothing written; dispatching again creates nothing twice."""

from __future__ import annotations

import uuid
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from frontdesk.automation import dispatcher
from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.automation.engine import ExecutionRun
from frontdesk.automation.handlers.base import (
    HANDLERS,
    INSERTS_NOW,
    WRITES_AT_COMMIT,
    ActionResult,
    ActionRun,
)
from frontdesk.domain.ids import derived_id
from frontdesk.store.models import (
    AnalyticsEvent,
    AuditEntry,
    AutomationExecution,
    AutomationRule,
    DomainEvent,
    FormInstance,
    Notification,
    OutboundMessage,
    OutboxMutation,
)
from tests.integration.automation.helpers import (
    count,
    dispatch_all,
    executions,
    onboarded_event,
    pending_events,
    rows,
    rule_doc,
)
from tests.support.automation import engine_ctx, insert_rule
from tests.support.clinic import Clinic
from tests.support.rows import insert_person

NOTE = {"type": "show_notification", "message": "Hello {{ patient.first_name }}"}
WELCOME = {"type": "send_email", "email_template": "welcome_patient"}


@pytest.fixture(autouse=True)
def _batches_not_cut_by_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests count on their few events sharing one batch, however slow the machine."""
    monkeypatch.setattr(dispatcher, "SECONDS_PER_TRANSACTION", 60.0)


class Crash(BaseException):
    """The process dying half-way (not an error the engine may record)."""


def _three_events(clinic: Clinic) -> tuple[uuid.UUID, list[uuid.UUID], list[uuid.UUID]]:
    rule_id = insert_rule(clinic, rule_doc(NOTE, WELCOME))
    people = [
        insert_person(clinic, first_name=name, email=f"{name.lower()}@example.com").id
        for name in ("Ana", "Bogdan", "Carmen")
    ]
    events = [onboarded_event(clinic, person) for person in people]
    return rule_id, people, events


def _journal(clinic: Clinic) -> tuple[int, int, int]:
    return (
        count(clinic, AuditEntry, AuditEntry.action == "automation.executed"),
        count(clinic, AnalyticsEvent, AnalyticsEvent.event_name == "automation.executed"),
        count(clinic, OutboxMutation, OutboxMutation.table_name == "automation_executions"),
    )


def _execution_count(clinic: Clinic, rule_id: uuid.UUID) -> int:
    with clinic.ctx.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AutomationExecution)
                .where(AutomationExecution.automation_rule_id == rule_id)
            )
            or 0
        )


def test_a_handler_that_raises_fails_its_own_action_and_the_batch_commits(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_id, people, _ = _three_events(clinic)
    real_note = HANDLERS["show_notification"]

    def fails_for_bogdan(run: ActionRun) -> ActionResult:
        result = real_note(run)  # the notification is written …
        if run.trigger.subject_id == people[1]:
            raise RuntimeError("handler bug")  # … and must vanish with the action
        return result

    monkeypatch.setitem(HANDLERS, "show_notification", fails_for_bogdan)
    report = dispatch_pending(engine_ctx(clinic))

    assert (report.events, report.executions) == (3, 3)
    assert pending_events(clinic) == 0
    by_person = {e.trigger_entity_id: e for e in executions(clinic, rule_id)}
    assert by_person[people[0]].status == by_person[people[2]].status == "success"
    failed = by_person[people[1]]
    assert failed.status == "partial_failure"
    assert "RuntimeError: handler bug" in (failed.error_message or "")
    notified = {n.patient_person_id for n in rows(clinic, Notification)}
    assert notified == {people[0], people[2]}
    assert count(clinic, OutboundMessage) == 3  # the e-mail of the failing execution stays
    assert count(clinic, OutboxMutation, OutboxMutation.table_name == "notifications") == 2
    assert _journal(clinic) == (3, 3, 3)


def test_an_execution_that_fails_as_a_whole_leaves_nothing_and_the_others_commit(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_id, people, _ = _three_events(clinic)
    real_record = ExecutionRun.record

    def clash_for_bogdan(run: ExecutionRun, *args: Any, **kwargs: Any) -> None:
        # After Bogdan's actions wrote their rows: the execution itself fails (as the
        # UNIQUE execution key would if another writer had recorded the occurrence).
        if run.trigger.subject_id == people[1]:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        real_record(run, *args, **kwargs)

    monkeypatch.setattr(ExecutionRun, "record", clash_for_bogdan)
    outbox_before = count(clinic, OutboxMutation)
    report = dispatch_pending(engine_ctx(clinic))

    assert (report.events, report.executions, report.already_run) == (3, 2, 1)
    assert pending_events(clinic) == 0
    assert {e.trigger_entity_id for e in executions(clinic, rule_id)} == {people[0], people[2]}
    assert {n.patient_person_id for n in rows(clinic, Notification)} == {people[0], people[2]}
    assert {m.patient_person_id for m in rows(clinic, OutboundMessage)} == {
        people[0],
        people[2],
    }
    assert _journal(clinic) == (2, 2, 2)
    # Two executions: each its row, notification and message; the rule's counter once.
    assert count(clinic, OutboxMutation) == outbox_before + 2 * 3 + 1
    (rule,) = rows(clinic, AutomationRule, AutomationRule.id == rule_id)
    assert rule.execution_count == 2


def test_a_key_recorded_behind_the_batchs_back_rolls_the_whole_batch_back(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch holds the write lock, so its "ran already?" check cannot be outrun; were it
    wrong anyway, the execution rows' UNIQUE key fails the batch: nothing is written twice,
    and its events stay pending."""
    _, _, events = _three_events(clinic)
    with clinic.ctx.sessions.begin() as session:
        session.execute(
            update(DomainEvent)
            .where(DomainEvent.id.in_([events[0], events[2]]))
            .values(status="held")
        )
    assert dispatch_pending(engine_ctx(clinic)).executions == 1
    with clinic.ctx.sessions.begin() as session:
        session.execute(update(DomainEvent).values(status="pending"))
    before = (count(clinic, Notification), count(clinic, OutboxMutation), _journal(clinic))
    monkeypatch.setattr(dispatcher, "load_rules_and_run_keys", lambda _session, _keys: set())

    with pytest.raises(IntegrityError):
        dispatch_pending(engine_ctx(clinic))

    assert pending_events(clinic) == 3
    assert (count(clinic, Notification), count(clinic, OutboxMutation), _journal(clinic)) == (
        before
    )
    monkeypatch.undo()
    report = dispatch_all(clinic)
    assert (report.executions, report.already_run) == (2, 1)


def test_a_crash_leaves_the_whole_batch_pending_and_nothing_written(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_id, people, _ = _three_events(clinic)
    real_note = HANDLERS["show_notification"]
    before = (count(clinic, OutboxMutation), count(clinic, AuditEntry), _journal(clinic))

    def dies_on_bogdan(run: ActionRun) -> ActionResult:
        result = real_note(run)
        if run.trigger.subject_id == people[1]:
            raise Crash
        return result

    monkeypatch.setitem(HANDLERS, "show_notification", dies_on_bogdan)
    with pytest.raises(Crash):
        dispatch_pending(engine_ctx(clinic))

    assert pending_events(clinic) == 3
    assert _execution_count(clinic, rule_id) == 0
    assert count(clinic, Notification) == count(clinic, OutboundMessage) == 0
    assert (count(clinic, OutboxMutation), count(clinic, AuditEntry), _journal(clinic)) == before

    monkeypatch.setitem(HANDLERS, "show_notification", real_note)
    assert dispatch_all(clinic).executions == 3
    assert count(clinic, Notification) == count(clinic, OutboundMessage) == 3
    assert _journal(clinic) == (3, 3, 3)


def test_dispatching_a_batch_again_creates_nothing_twice(clinic: Clinic) -> None:
    rule_id, _, _ = _three_events(clinic)
    assert dispatch_all(clinic).executions == 3
    snapshot = (
        count(clinic, Notification),
        count(clinic, OutboundMessage),
        count(clinic, OutboxMutation),
        count(clinic, DomainEvent),
        _journal(clinic),
    )
    with clinic.ctx.sessions.begin() as session:  # as if the batch was never marked
        session.execute(update(DomainEvent).values(status="pending"))

    report = dispatch_all(clinic)

    assert (report.executions, report.already_run) == (0, 3)
    assert _execution_count(clinic, rule_id) == 3
    after = (
        count(clinic, Notification),
        count(clinic, OutboundMessage),
        count(clinic, OutboxMutation),
        count(clinic, DomainEvent),
        _journal(clinic),
    )
    assert after == snapshot


def test_rules_that_only_notify_and_send_run_without_an_sql_savepoint(clinic: Clinic) -> None:
    """These handlers promise to write nothing before the commit (WRITES_AT_COMMIT): their
    executions run in in-memory savepoints. A push to a patient with no app account fails
    (undone in memory), the rest is written at commit with its outbox mutations."""
    sms = {"type": "send_sms", "message": "Hi {{ patient.first_name }}"}
    push = {"type": "send_push", "title": "Hello", "message": "Welcome"}
    rule_id = insert_rule(clinic, rule_doc(NOTE, WELCOME, sms, push))
    people = [insert_person(clinic, first_name=name).id for name in ("Ana", "Bogdan")]
    for person in people:
        onboarded_event(clinic, person)
    assert set(WRITES_AT_COMMIT) >= {"show_notification", "send_email", "send_sms", "send_push"}

    sent: list[str] = []
    engine = clinic.ctx.sessions.kw["bind"]

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        report = dispatch_pending(engine_ctx(clinic))
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert report.executions == 2
    assert not [statement for statement in sent if statement.startswith("SAVEPOINT")]
    # Each table's rows in one INSERT at the end of the batch, none inside an execution.
    assert sent.count("INSERT INTO notifications") == 1
    assert sent.count("INSERT INTO outbound_messages") == 1
    assert {e.status for e in executions(clinic, rule_id)} == {"partial_failure"}
    assert count(clinic, Notification) == 2
    assert count(clinic, OutboundMessage) == 4  # an e-mail and an SMS each, no push
    assert count(clinic, OutboxMutation, OutboxMutation.table_name == "outbound_messages") == 4
    assert count(clinic, AuditEntry, AuditEntry.action == "message.queued") == 4


def _transactions(clinic: Clinic, monkeypatch: pytest.MonkeyPatch, **bounds: float) -> int:
    """How many batch transactions dispatching the pending events takes under `bounds`."""
    for name, value in bounds.items():
        monkeypatch.setattr(dispatcher, name, value)
    begun: list[str] = []
    engine = clinic.ctx.sessions.kw["bind"]

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement == "BEGIN IMMEDIATE":
            begun.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert dispatch_pending(engine_ctx(clinic)).events == 3
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert pending_events(clinic) == 0
    return len(begun)


def test_a_batch_takes_at_most_its_number_of_events(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    _three_events(clinic)
    assert _transactions(clinic, monkeypatch, EVENTS_PER_TRANSACTION=2) == 2


def test_a_batch_takes_no_new_event_once_its_time_is_up(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk's own writes wait for the batch's write lock: past its time, each batch
    still runs one event, so dispatching always moves on."""
    rule_id, _, _ = _three_events(clinic)
    assert _transactions(clinic, monkeypatch, SECONDS_PER_TRANSACTION=-1.0) == 3
    assert len(executions(clinic, rule_id)) == 3


def test_an_execution_that_fails_as_a_whole_after_its_form_was_written_leaves_nothing(
    clinic: Clinic, templates: dict[int, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh execution runs in an in-memory savepoint, and its form went in at once
    (`insert_now`). Failing as a whole after that is undone alone: its form is deleted, its
    notification, events, audit and outbox rows forgotten, and the batch commits the rest."""
    suggest = {"type": "suggest_form", "form_template_id": 51}
    rule_id = insert_rule(clinic, rule_doc(NOTE, suggest))
    people = [insert_person(clinic, first_name=name).id for name in ("Ana", "Bogdan")]
    for person in people:
        onboarded_event(clinic, person)
    real_record = ExecutionRun.record
    outbox_before = count(clinic, OutboxMutation)

    def clash_for_bogdan(run: ExecutionRun, *args: Any, **kwargs: Any) -> None:
        if run.trigger.subject_id == people[1]:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        real_record(run, *args, **kwargs)

    monkeypatch.setattr(ExecutionRun, "record", clash_for_bogdan)
    report = dispatch_pending(engine_ctx(clinic))

    assert (report.events, report.executions, report.already_run) == (2, 1, 1)
    assert {e.trigger_entity_id for e in executions(clinic, rule_id)} == {people[0]}
    assert {f.patient_person_id for f in rows(clinic, FormInstance)} == {people[0]}
    assert {n.patient_person_id for n in rows(clinic, Notification)} == {people[0]}
    assert count(clinic, AuditEntry, AuditEntry.action == "form.created") == 1
    assert count(clinic, DomainEvent, DomainEvent.name == "form.created") == 1
    # Ana's execution, form and notification, and the rule's counter.
    assert count(clinic, OutboxMutation) == outbox_before + 4
    assert _execution_count(clinic, rule_id) == 1


def test_a_suggested_form_goes_in_without_an_sql_savepoint_and_a_failed_insert_fails_its_action(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    """On a fresh run the form is the only row its handler writes at once (INSERTS_NOW), so
    it runs in an in-memory savepoint. An INSERT that fails (here: a form
    with its id arrived already, say from another desk) leaves nothing: only that action
    fails, and the batch commits the rest."""
    suggest = {"type": "suggest_form", "form_template_id": 51}
    rule_id = insert_rule(clinic, rule_doc(NOTE, suggest))
    people = [insert_person(clinic, first_name=name).id for name in ("Ana", "Bogdan", "Carmen")]
    onboarded_event(clinic, people[0])
    assert dispatch_all(clinic).executions == 1
    events = [onboarded_event(clinic, person) for person in people[1:]]
    forms = cast(Table, FormInstance.__table__)
    with clinic.ctx.sessions.begin() as session:
        taken = dict(session.execute(select(forms)).mappings().one())
        taken["id"] = derived_id(f"{rule_id}:event:{events[1]}", "1")
        taken["patient_person_id"] = people[2]
        session.execute(insert(forms), taken)
    assert set(INSERTS_NOW) >= {"suggest_form", "require_form"}

    sent: list[str] = []
    engine = clinic.ctx.sessions.kw["bind"]

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        report = dispatch_pending(engine_ctx(clinic))
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert (report.events, report.executions) == (2, 2)
    assert not [statement for statement in sent if statement.startswith("SAVEPOINT")]
    by_person = {e.trigger_entity_id: e for e in executions(clinic, rule_id)}
    assert by_person[people[1]].status == "success"
    failed = by_person[people[2]]
    assert failed.status == "partial_failure"
    assert "UNIQUE" in (failed.error_message or "")
    # Bogdan's form.created waits for dispatch; Carmen's failed form announced nothing.
    assert pending_events(clinic) == 1
    # Ana's and Bogdan's forms and the copy made above; nothing of Carmen's failed INSERT.
    assert count(clinic, FormInstance) == 3
    assert count(clinic, AuditEntry, AuditEntry.action == "form.created") == 2
    assert count(clinic, Notification) == 3
