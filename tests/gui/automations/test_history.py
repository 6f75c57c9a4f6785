"""The execution history: its table model, filters by rule, status and date range, the trace of
the selected execution, and the replay of its failed actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.gui.automations.history_model import ExecutionsTableModel
from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.desk import Desk
from frontdesk.gui.operations import ERROR_BOX_NAME
from frontdesk.services import automation_rules, executions
from frontdesk.services.messages import save_message_template
from tests.gui.automations.driver import click, pick
from tests.gui.helpers import wait_for_operations
from tests.integration.automation.helpers import dispatch_all, onboarded_event, rule_doc
from tests.support.automation import insert_rule
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person

NOTE = {"type": "show_notification", "message": "Hello {{patient.first_name}}"}
OFFER = {"type": "send_email", "email_template": "spring_offer"}


def _history(clinic: Clinic) -> None:
    """Two rules run for one new patient: "Spring offer" fails its e-mail (no such template
    yet), "Greeting" works."""
    insert_rule(clinic, rule_doc(NOTE, OFFER, name="Spring offer"))
    insert_rule(clinic, rule_doc(NOTE, name="Greeting"))
    onboarded_event(clinic, insert_person(clinic).id)
    dispatch_all(clinic)


def _open_history(qtbot: QtBot, desk: Desk) -> AutomationsPage:
    page = AutomationsPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    page.tabs.setCurrentWidget(page.history)
    wait_for_operations(qtbot, desk)
    return page


def _shown(page: AutomationsPage) -> list[tuple[str, str]]:
    proxy = page.history.proxy
    return [(proxy.index(r, 1).data(), proxy.index(r, 3).data()) for r in range(proxy.rowCount())]


def test_the_history_model_passes_the_model_tester(
    qtmodeltester: ModelTester, admin_desk: Desk, clinic: Clinic
) -> None:
    _history(clinic)
    model = ExecutionsTableModel()
    model.set_records(
        executions.list_executions(clinic.as_(clinic.admin)), ZoneInfo("Europe/Bucharest")
    )
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert {model.index(r, 0).data() for r in range(2)} == {"2 Mar 2026, 09:00"}  # local time
    assert {model.index(r, 2).data() for r in range(2)} == {"Patient registered"}  # in words


def test_history_filters_by_rule_status_and_date_range(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _history(clinic)
    page = _open_history(qtbot, admin_desk)
    history = page.history
    assert sorted(_shown(page)) == [
        ("Greeting", "Everything worked"),
        ("Spring offer", "Some actions failed"),
    ]

    pick(history.status_filter, "partial_failure")
    wait_for_operations(qtbot, admin_desk)
    assert _shown(page) == [("Spring offer", "Some actions failed")]

    pick(history.status_filter, None)
    pick(history.rule_filter, history.rule_filter.itemData(1))  # rules sorted by name
    wait_for_operations(qtbot, admin_desk)
    assert _shown(page) == [("Greeting", "Everything worked")]

    pick(history.rule_filter, None)
    history.range_box.setChecked(True)
    history.date_from.setDate(QDate(2026, 3, 3))
    history.date_to.setDate(QDate(2026, 3, 9))
    wait_for_operations(qtbot, admin_desk)
    assert _shown(page) == []
    history.date_from.setDate(QDate(2026, 3, 1))
    history.date_to.setDate(QDate(2026, 3, 2))
    wait_for_operations(qtbot, admin_desk)
    assert len(_shown(page)) == 2
    assert history.count_label.text() == "2 runs"


def test_the_trace_is_shown_and_failed_actions_are_replayed(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _history(clinic)
    page = _open_history(qtbot, admin_desk)
    history = page.history
    pick(history.status_filter, "partial_failure")
    wait_for_operations(qtbot, admin_desk)
    history.table.selectRow(0)

    trigger, _conditions, actions, problem = (history.detail.topLevelItem(i) for i in range(4))
    assert trigger.text(1) == "Patient registered on 2 Mar 2026, 09:00:00"  # Bucharest
    assert [actions.child(i).text(2) for i in range(2)] == ["worked", "failed"]
    assert actions.child(1).text(0) == "2. Send an e-mail"
    assert actions.child(1).child(0).text(0) == "Problem"
    problem_words = actions.child(1).child(0).text(1)
    assert "There is no message “spring_offer” to send by email." in problem_words
    assert "spring_offer" in problem.text(1)
    assert history.replay_button.isEnabled()

    save_message_template(
        clinic.as_(clinic.admin),
        key="spring_offer",
        channel="email",
        subject="Spring offer",
        body="Hello {{ patient.first_name }}, spring is here.",
    )
    click(qtbot, history.replay_button)
    wait_for_operations(qtbot, admin_desk)
    wait_for_operations(qtbot, admin_desk)

    assert _shown(page) == []  # no longer partly failed
    pick(history.status_filter, None)
    wait_for_operations(qtbot, admin_desk)
    assert sorted(_shown(page)) == [
        ("Greeting", "Everything worked"),
        ("Spring offer", "Everything worked"),
    ]
    assert not history.replay_button.isEnabled()


def _select_the_failed_one(qtbot: QtBot, desk: Desk) -> AutomationsPage:
    page = _open_history(qtbot, desk)
    pick(page.history.status_filter, "partial_failure")
    wait_for_operations(qtbot, desk)
    page.history.table.selectRow(0)
    return page


def test_replay_is_for_admins_only(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic
) -> None:
    _history(clinic)
    page = _select_the_failed_one(qtbot, desk_as(Role.RECEPTIONIST))
    assert page.history.selected() is not None  # reception reads the history...
    assert not page.history.replay_button.isEnabled()  # ...but does not send again
    assert "admin" in page.history.replay_button.toolTip()


def test_a_refused_replay_is_explained_and_changes_nothing(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _history(clinic)
    page = _select_the_failed_one(qtbot, admin_desk)
    record = page.history.selected()
    assert record is not None
    # Deleted at another desk while the history was open.
    automation_rules.delete_rule(clinic.as_(clinic.admin), record.rule_id)
    before = fingerprint(admin_desk.mirror.sessions)

    click(qtbot, page.history.replay_button)
    wait_for_operations(qtbot, admin_desk)

    box = page.history.findChild(QMessageBox, ERROR_BOX_NAME)
    assert box is not None
    assert "the execution's rule was deleted" in box.text()
    assert fingerprint(admin_desk.mirror.sessions) == before


def test_the_offered_range_is_the_clinics_last_week(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    clinic.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # Tue 3 Mar, 01:30 in Bucharest
    history = _open_history(qtbot, admin_desk).history
    assert history.date_to.date() == QDate(2026, 3, 3)
    assert history.date_from.date() == QDate(2026, 2, 24)
