"""The server's automation engine and occurrence claims on real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import Role
from frontdesk.server.engine_worker import ServerEngine, claiming
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import automation_rules
from frontdesk.store.models import AutomationExecution, AutomationRule, Notification
from frontdesk.store.unit_of_work import Actor
from tests.server.seed import desk_client, org_context, seed_org, sign_in_device
from tests.server.test_public_booking import booking, post_booking, public_client
from tests.support.postgres import LiveServer

WELCOME_RULE = {
    "name": "Welcome a public booking",
    "trigger_event": "appointment.booked",
    "actions": [{"type": "show_notification", "message": "Welcome!", "target": "patient"}],
}


def _count(live: LiveServer, organization_id: uuid.UUID, model: type) -> int:
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=organization_id))
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_public_booking_runs_its_rules_on_the_server(live_server: LiveServer) -> None:
    org = seed_org(live_server, "auto")
    admin = Actor(Role.ADMIN, label="admin")
    ctx = org_context(live_server.database.engine, org.organization_id).acting_as(admin)
    automation_rules.save_rule(ctx, WELCOME_RULE)
    with public_client(live_server) as client:
        assert post_booking(client, org, booking(org)).status_code == 201
    engine = ServerEngine(live_server.database.engine, SystemClock())
    reports = engine.sweep()
    again = engine.sweep()
    assert org.organization_id in reports
    assert reports[org.organization_id].failed_steps == []
    assert again[org.organization_id].failed_steps == []
    assert _count(live_server, org.organization_id, AutomationExecution) == 1
    assert _count(live_server, org.organization_id, Notification) == 1


def test_each_occurrence_is_granted_to_one_desk(live_server: LiveServer) -> None:
    org = seed_org(live_server, "claims")
    keys = ["rule-1:patient:p1:2026-12-01", "rule-1:patient:p2:2026-12-01"]
    desk_a = sign_in_device(live_server, org.admin_email)["access_token"]
    desk_b = sign_in_device(live_server, org.admin_email)["access_token"]
    with desk_client(live_server, desk_a) as a, desk_client(live_server, desk_b) as b:
        a_first = a.post("/v1/claims", json={"keys": keys[:1]}).json()
        b_claims = b.post("/v1/claims", json={"keys": keys}).json()
        a_again = a.post("/v1/claims", json={"keys": keys}).json()
    assert a_first == {"granted": keys[:1], "taken": []}
    assert b_claims == {"granted": keys[1:], "taken": keys[:1]}
    # A desk that crashed before running its claim may claim it again.
    assert a_again == {"granted": keys[:1], "taken": keys[1:]}


def test_the_server_skips_an_occurrence_a_desk_claimed(live_server: LiveServer) -> None:
    org = seed_org(live_server, "skip")
    admin = Actor(Role.ADMIN, label="admin")
    ctx = org_context(live_server.database.engine, org.organization_id).acting_as(admin)
    rule = automation_rules.save_rule(ctx, WELCOME_RULE).value
    ran: list[str] = []

    def record(_ctx: object, rule: AutomationRule, trigger: TriggerInstance) -> None:
        ran.append(trigger.execution_key(rule.id))

    executor = claiming(record)  # type: ignore[arg-type]
    desk_won, server_wins = (
        TriggerInstance(
            "appointment.before_start",
            datetime.now(UTC),
            "appointment",
            uuid.uuid4(),
            Subject(),
            occurrence=occurrence,
        )
        for occurrence in ("2026-12-01T09:00", "2026-12-02T09:00")
    )
    desk = sign_in_device(live_server, org.admin_email)["access_token"]
    with desk_client(live_server, desk) as client:
        taken = client.post("/v1/claims", json={"keys": [desk_won.execution_key(rule.id)]})
    assert taken.json()["granted"] == [desk_won.execution_key(rule.id)]
    for trigger in (desk_won, server_wins, server_wins):
        executor(ctx, rule, trigger)
    assert ran == [server_wins.execution_key(rule.id)] * 2
