"""The Alerts page: open alerts listed by kind, their details, acknowledging them; and the sync
conflicts inbox — keep mine, keep theirs, or per field."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import AlertKind, Role
from frontdesk.gui.alerts.alerts_model import AlertsTableModel
from frontdesk.gui.alerts.page import AlertsPage, detail_lines
from frontdesk.gui.desk import Desk
from frontdesk.gui.operations import ERROR_BOX_NAME
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.text import T_
from frontdesk.services import alerts
from frontdesk.store.models import PatientPerson, SyncConflict
from tests.gui.automations.driver import click, pick, type_text
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.rows import insert_person


def _raise_three(clinic: Clinic) -> None:
    with clinic.ctx.transaction() as tx:
        alerts.raise_alert(
            tx,
            kind=AlertKind.LOW_RATING,
            title="Ioana Marin rated her visit 1/5",
            body="“The video kept freezing.”",
        )
        alerts.raise_alert(
            tx,
            kind=AlertKind.LOOP_GUARD,
            title="Rule 'Welcome' stopped: chain deeper than 5",
            severity="critical",
            details={"depth": 6},
        )
        alerts.raise_alert(
            tx, kind=AlertKind.DELIVERY_FAILED, title="E-mail to ana@example.com bounced"
        )


@pytest.fixture
def admin(desk_as: Callable[[Role], Desk]) -> Desk:
    return desk_as(Role.ADMIN)


def _page(qtbot: QtBot, desk: Desk) -> AlertsPage:
    page = AlertsPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    return page


def _titles(page: AlertsPage) -> list[str]:
    return [page.proxy.index(r, 3).data() for r in range(page.proxy.rowCount())]


def test_the_alerts_model_passes_the_model_tester(
    qtmodeltester: ModelTester, clinic: Clinic
) -> None:
    _raise_three(clinic)
    model = AlertsTableModel()
    model.set_alerts(alerts.open_alerts(clinic.as_(clinic.admin)), ZoneInfo("Europe/Bucharest"))
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    assert model.index(0, 1).data() == "Message not delivered"  # newest first


def test_open_alerts_are_listed_filtered_and_searched(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    _raise_three(clinic)
    page = _page(qtbot, admin)
    assert len(_titles(page)) == 3

    pick(page.kind, AlertKind.LOOP_GUARD.value)
    wait_for_operations(qtbot, admin)
    assert _titles(page) == ["Rule 'Welcome' stopped: chain deeper than 5"]
    assert "Depth: 6" in page.detail.toPlainText()

    pick(page.kind, None)
    wait_for_operations(qtbot, admin)
    type_text(qtbot, page.search, "rated")
    assert _titles(page) == ["Ioana Marin rated her visit 1/5"]


def test_acknowledging_an_alert_takes_it_off_the_list(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    _raise_three(clinic)
    page = _page(qtbot, admin)
    pick(page.kind, AlertKind.LOW_RATING.value)
    wait_for_operations(qtbot, admin)
    assert page.detail.toPlainText() == "“The video kept freezing.”"

    click(qtbot, page.acknowledge_button)
    wait_for_operations(qtbot, admin)
    wait_for_operations(qtbot, admin)

    assert _titles(page) == []
    assert not page.acknowledge_button.isEnabled()
    remaining = alerts.open_alerts(clinic.as_(clinic.admin))
    assert {a.kind for a in remaining} == {AlertKind.LOOP_GUARD, AlertKind.DELIVERY_FAILED}


def _conflict(clinic: Clinic, person_id: uuid.UUID, fields: dict[str, Any]) -> uuid.UUID:
    """A conflict as a sync pull brings it: a row of `sync_conflicts` in the mirror."""
    with clinic.ctx.sessions.begin() as session:
        row = SyncConflict(
            organization_id=clinic.organization_id,
            table_name="patient_persons",
            row_id=person_id,
            kind="field",
            reason="changed at two desks",
            fields=fields,
        )
        session.add(row)
        session.flush()
        return row.id


def test_the_conflicts_inbox_keeps_a_pick_per_field_or_one_side(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    ioana = insert_person(clinic, phone="+40721000111", city="Iasi")
    ana = insert_person(clinic, first_name="Ana", phone="+40721000222")
    first = _conflict(
        clinic,
        ioana.id,
        {
            "phone": {"mine": "+40721000999", "theirs": "+40721000111"},
            "city": {"mine": "Cluj", "theirs": "Iasi"},
        },
    )
    _conflict(clinic, ana.id, {"phone": {"mine": "+40721000333", "theirs": "+40721000222"}})
    page = _page(qtbot, admin)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Alerts", "Sync conflicts"]
    inbox = page.conflicts
    assert inbox.list.count() == 2
    type_text(qtbot, inbox.search, "zzz")
    assert [inbox.list.item(r).isHidden() for r in range(2)] == [True, True]
    inbox.search.clear()
    assert [inbox.list.item(r).isHidden() for r in range(2)] == [False, False]
    inbox.list.setCurrentRow(0)  # oldest first: Ioana's
    assert [[inbox.fields.item(r, c).text() for c in range(3)] for r in range(2)] == [
        ["City", "Cluj", "Iasi"],
        ["Phone", "+40721000999", "+40721000111"],
    ]

    pick(inbox.fields.cellWidget(0, 3), "theirs")  # type: ignore[arg-type]
    click(qtbot, inbox.keep_picked)
    wait_for_operations(qtbot, admin)
    wait_for_operations(qtbot, admin)
    assert inbox.list.count() == 1
    click(qtbot, inbox.keep_theirs)  # Ana's: the server's phone stays
    wait_for_operations(qtbot, admin)
    wait_for_operations(qtbot, admin)

    assert inbox.list.count() == 0
    assert not inbox.empty.isHidden()
    with clinic.ctx.sessions() as session:
        kept = session.get(PatientPerson, ioana.id)
        assert kept is not None
        assert (kept.phone, kept.city) == ("+40721000999", "Iasi")
        untouched = session.get(PatientPerson, ana.id)
        assert untouched is not None
        assert untouched.phone == "+40721000222"
        resolved = session.get(SyncConflict, first)
        assert resolved is not None
        assert resolved.resolution == {"fields": {"city": "theirs", "phone": "mine"}}


def test_reception_gets_the_conflicts_inbox_and_no_refusal_about_alerts(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    _raise_three(clinic)
    ioana = insert_person(clinic)
    _conflict(clinic, ioana.id, {"city": {"mine": "Cluj", "theirs": "Iasi"}})
    page = _page(qtbot, desk)  # the receptionist's desk
    assert page.tabs.currentWidget() is page.conflicts
    assert not page.tabs.isTabEnabled(0)
    assert page.conflicts.list.count() == 1
    # Alerts are an admin's: none are read, so no "not allowed" box pops up, now or later.
    assert _titles(page) == []
    page.refresh()
    wait_for_operations(qtbot, desk)
    assert page.findChild(QMessageBox, ERROR_BOX_NAME) is None


def test_an_alerts_details_read_as_labelled_lines_without_ids() -> None:
    details = {"rule_chain": ["Welcome", "Remind"], "rule_id": "x", "attempts": 3, "odd_key": 1}
    assert detail_lines(details) == (
        "Rules that set each other off: Welcome → Remind\nAttempts: 3\nOdd key: 1"
    )


def test_in_romanian_the_alerts_page_speaks_romanian(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    activate("ro")
    _raise_three(clinic)
    page = _page(qtbot, admin)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Alerte",
        "Modificări în conflict",
    ]
    headers = [page.model.headerData(n, Qt.Orientation.Horizontal) for n in range(4)]
    assert headers == ["Apărută la", "Tip", "Gravitate", "Ce s-a întâmplat"]
    assert page.model.index(1, 1).data() == "Automatizare oprită (se declanșa singură iar și iar)"
    assert page.model.index(1, 2).data() == "critică"
    page.table.selectRow(1)
    assert "Lungimea lanțului: 6" in page.detail.toPlainText()
    buttons = [page.acknowledge_button, *page.conflicts.findChildren(QPushButton)]
    keys = [b.text().split("&")[1][0].lower() for b in buttons if "&" in b.text()]
    assert keys == ["c", "m", "l", "a"]  # each its own key


def test_in_english_each_mnemonic_of_the_alerts_page_is_its_own_key(
    qtbot: QtBot, admin: Desk
) -> None:
    page = _page(qtbot, admin)
    buttons = [page.acknowledge_button, *page.conflicts.findChildren(QPushButton)]
    keys = [b.text().split("&")[1][0].lower() for b in buttons if "&" in b.text()]
    assert keys == ["a", "m", "t", "p"]


def test_an_alert_raised_in_english_reads_romanian_on_a_romanian_desk(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    with clinic.ctx.transaction() as tx:  # raised where English is spoken (another desk)
        alerts.raise_alert(
            tx,
            kind=AlertKind.LOW_RATING,
            title=T_("Low rating: {rating} of {stars} stars for {specialist} ({day})",
                     rating=1, stars=5, specialist="Dr Pop", day=date(2026, 3, 2)),
            body=T_("No comment."),
            details={"rating": 1},
        )  # fmt: skip
    activate("ro")
    page = _page(qtbot, admin)
    assert page.model.index(0, 3).data() == "Notă mică: 1 din 5 stele pentru Dr Pop (02 mar. 2026)"
    page.table.selectRow(0)
    shown = page.detail.toPlainText()
    assert shown.startswith("Fără comentariu.")
    assert "words" not in shown
    assert "msgid" not in shown
