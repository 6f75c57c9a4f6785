"""Occurrence claims across the server and signed-in desks: a due occurrence runs on one node,
a message one node claimed is not sent by another, and an offline desk runs what is due."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from frontdesk.automation.keys import message_claim_key
from frontdesk.automation.scheduler import AutomationRunner, SweepReport, engine_steps
from frontdesk.domain.clock import FixedClock
from frontdesk.domain.enums import MessageChannel, MessageStatus, Role
from frontdesk.domain.ids import new_id
from frontdesk.integrations.email import IDEMPOTENCY_HEADER
from frontdesk.server.claims import SERVER_NODE, claim
from frontdesk.server.engine_worker import ServerEngine
from frontdesk.server.rls import ENGINE_ROLE
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import automation_rules, messages, patients, settings
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationExecution, OutboundMessage
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.claims import ServerClaims
from tests.integration.test_email_delivery import Collector, SmtpServer, free_port
from tests.sync.conftest import NOW, Clinic, Desk, DeskFactory

# NOW is 09:00 in Bucharest; the rule is due half an hour later.
DUE = NOW + timedelta(minutes=30)
DAILY_WELCOME = {
    "name": "Morning e-mail",
    "trigger_event": "schedule.daily",
    "trigger_config": {"time": "09:30"},
    "actions": [{"type": "send_email", "email_template": "welcome_patient"}],
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Collector(), free_port())
    server.start()
    yield server
    server.stop()


def runner(desk: Desk) -> AutomationRunner:
    """The engine as `frontdesk agent` runs it on a signed-in desk."""
    ctx = ServiceContext(
        sessions=desk.mirror.sessions,
        organization_id=desk.account.organization_id,
        actor=Actor.system("automation"),
        clock=desk.clock,
    )
    outbox = desk.mirror.profile.home / "outbox"
    return AutomationRunner(
        ctx, engine_steps(local_outbox=outbox, claims=ServerClaims(desk.account))
    )


def server_count(clinic: Clinic, model: type) -> int:
    sessions = scoped_sessions(
        clinic.server.database.engine, Scope(organization_id=clinic.organization_id)
    )
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def desk_count(desk: Desk, model: type) -> int:
    with desk.mirror.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def daily_rule(make_desk: DeskFactory) -> Desk:
    """A desk that made one patient and a daily e-mail rule, pushed to the server."""
    admin = make_desk("admin", Role.ADMIN)
    patients.register_patient(
        admin.ctx,
        first_name="Ana",
        last_name="Pop",
        email="ana@example.com",
        request_account=False,
    )
    automation_rules.save_rule(admin.ctx, DAILY_WELCOME)
    admin.sync()
    return admin


def all_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run `jobs` in threads released together, as nodes whose timers come due together."""
    start = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int, job: Callable[[], object]) -> None:
        start.wait()
        try:
            results[index] = job()
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_a_daily_rule_due_on_the_server_and_two_desks_fires_once(
    sync_clinic: Clinic, make_desk: DeskFactory, daily_rule: Desk
) -> None:
    other = make_desk("reception")
    desks = [daily_rule, other]
    runners = [runner(desk) for desk in desks]
    server = ServerEngine(sync_clinic.server.database.engine, FixedClock(NOW))
    for desk_runner in runners:
        desk_runner.sweep(NOW)  # arms today's 09:30
    server.sweep(NOW)

    reports = all_at_once(
        [lambda: runners[0].sweep(DUE), lambda: runners[1].sweep(DUE), lambda: server.sweep(DUE)]
    )

    desk_reports = [r for r in reports if isinstance(r, SweepReport)]
    assert all(r.failed_steps == [] for r in desk_reports)
    ran_here = [desk_count(desk, AutomationExecution) for desk in desks]
    for desk in desks:
        desk.sync()
    ran_on_server_alone = server_count(sync_clinic, AutomationExecution) - sum(ran_here)
    # One node ran it: exactly one of the three has its execution of its own.
    assert sorted([*ran_here, ran_on_server_alone]) == [0, 0, 1]
    assert server_count(sync_clinic, AutomationExecution) == 1
    assert server_count(sync_clinic, OutboundMessage) == 1
    for desk in desks:
        desk.sync()
        assert desk_count(desk, AutomationExecution) == 1
        assert desk_count(desk, OutboundMessage) == 1


def queue_email(desk: Desk, key: str) -> uuid.UUID:
    with desk.ctx.transaction() as tx:
        row, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.EMAIL,
            recipient="ana@example.com",
            message=messages.RenderedMessage("Hello", "Hello Ana", None),
            idempotency_key=key,
            template="welcome_patient",
        )
    return row.id


def use_smtp(desk: Desk, smtp: SmtpServer) -> None:
    sessions = desk.mirror.sessions
    settings.set_setting(sessions, settings.SMTP_HOST, "127.0.0.1")
    settings.set_setting(sessions, settings.SMTP_PORT, smtp.port)
    settings.set_setting(sessions, settings.SMTP_STARTTLS, False)
    settings.set_setting(sessions, settings.FROM_ADDRESS, "desk@riverside.example")


def claim_as_server(clinic: Clinic, key: str) -> None:
    sessions = scoped_sessions(
        clinic.server.database.engine,
        Scope(organization_id=clinic.organization_id, role=ENGINE_ROLE),
    )
    with sessions.begin() as session:
        won = claim(session, clinic.organization_id, [key], node=SERVER_NODE, clock=FixedClock(NOW))
    assert won == {key}


def status_of(desk: Desk, message_id: uuid.UUID) -> str:
    with desk.mirror.sessions() as session:
        return session.get_one(OutboundMessage, message_id).status


def test_a_message_the_server_claimed_is_not_sent_by_the_desk(
    sync_clinic: Clinic, make_desk: DeskFactory, smtp: SmtpServer
) -> None:
    desk = make_desk("front")
    use_smtp(desk, smtp)
    servers = queue_email(desk, "rule:welcome/event:1#0")
    ours = queue_email(desk, "rule:welcome/event:2#0")
    claim_as_server(sync_clinic, message_claim_key("rule:welcome/event:1#0"))

    report = runner(desk).sweep(NOW)

    assert report.failed_steps == []
    assert [m[IDEMPOTENCY_HEADER] for m in smtp.collector.received] == ["rule:welcome/event:2#0"]
    # Left for the server, which sends it; its outcome arrives by sync.
    assert status_of(desk, servers) == MessageStatus.PENDING
    assert status_of(desk, ours) == MessageStatus.SENT
    runner(desk).sweep(NOW + timedelta(hours=1))
    assert len(smtp.collector.received) == 1


def go_offline(desk: Desk) -> None:
    desk.account.close()
    desk.account.server_url = f"https://127.0.0.1:{free_port()}"  # nothing listens there


def test_an_offline_desk_runs_the_occurrence_and_sync_merges_it(
    sync_clinic: Clinic, daily_rule: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    online_url = daily_rule.account.server_url
    server = ServerEngine(sync_clinic.server.database.engine, FixedClock(NOW))
    server.sweep(NOW)
    server.sweep(DUE)  # the server ran it; the desk cannot know
    assert server_count(sync_clinic, AutomationExecution) == 1
    go_offline(daily_rule)
    desk_runner = runner(daily_rule)

    desk_runner.sweep(NOW)
    with caplog.at_level(logging.WARNING, logger="frontdesk.sync.claims"):
        report = desk_runner.sweep(DUE)

    assert report.failed_steps == []
    assert len(report.fired.fired) == 1
    assert report.fired.claimed_elsewhere == []
    assert desk_count(daily_rule, AutomationExecution) == 1
    assert desk_count(daily_rule, OutboundMessage) == 1
    assert "the server did not answer" in caplog.text
    assert "running 1 occurrence(s) locally" in caplog.text
    # Back online: the two runs are one execution.
    daily_rule.account.close()
    daily_rule.account.server_url = online_url
    daily_rule.sync()
    assert server_count(sync_clinic, AutomationExecution) == 1
    assert server_count(sync_clinic, OutboundMessage) == 1
    assert desk_count(daily_rule, AutomationExecution) == 1


def test_an_offline_desk_sends_its_messages(make_desk: DeskFactory, smtp: SmtpServer) -> None:
    desk = make_desk("front")
    use_smtp(desk, smtp)
    queued = queue_email(desk, "rule:welcome/event:3#0")
    go_offline(desk)

    runner(desk).sweep(NOW)

    assert [m[IDEMPOTENCY_HEADER] for m in smtp.collector.received] == ["rule:welcome/event:3#0"]
    assert status_of(desk, queued) == MessageStatus.SENT
