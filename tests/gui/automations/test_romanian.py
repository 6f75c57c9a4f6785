"""The Automations screen in Romanian and English: its words, dates and plurals; a refused
rule named in plain words (the action by its position and kind, never a JSON path), with the
paths behind Details; each mnemonic its own key among the controls shown together; every
control with an accessible name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from frontdesk.domain.events import EventName
from frontdesk.gui.automations.dry_run_panel import check_item
from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.desk import Desk
from frontdesk.i18n.catalogs import activate
from frontdesk.services import automation_rules
from tests.gui.automations.driver import click, pick
from tests.gui.automations.test_history import NOTE, OFFER, _history, _open_history
from tests.gui.helpers import wait_for_operations
from tests.support.automation import example_document
from tests.support.clinic import Clinic

TEXT_SMS_TO_EVERYONE = {"type": "send_sms", "message": "Hi", "target": "everyone"}


def _page(qtbot: QtBot, desk: Desk) -> AutomationsPage:
    page = AutomationsPage(desk)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def _refused_sms_rule(qtbot: QtBot, page: AutomationsPage) -> None:
    """A rule whose third action, an SMS, goes to nobody the desk knows, saved."""
    page.new_rule()
    document: dict[str, Any] = {
        "name": "Greeting",
        "trigger_event": EventName.PATIENT_ONBOARDED.value,
        "actions": [NOTE, NOTE, TEXT_SMS_TO_EVERYONE],
    }
    page.editor.load(None, document)
    click(qtbot, page.editor.enable_button)
    wait_for_operations(qtbot, page.desk)


# --- words ---------------------------------------------------------------------------------


def test_in_romanian_the_automations_screen_speaks_romanian(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    _history(clinic)
    page = _open_history(qtbot, admin_desk)
    assert [page.tabs.tabText(n) for n in range(3)] == ["Reguli", "Istoric", "Următoarele 7 zile"]
    assert page.new_button.text() == "Regulă &nouă"
    history = page.history
    assert history.count_label.text() == "2 rulări"  # Romanian's "few" form
    model = history.model
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Rezultat"
    assert {model.index(r, 0).data() for r in range(2)} == {"2 mar. 2026, 09:00"}
    assert {model.index(r, 2).data() for r in range(2)} == {"Pacient înregistrat"}
    assert sorted(model.index(r, 3).data() for r in range(2)) == [
        "Totul a reușit",
        "Unele acțiuni au eșuat",
    ]
    assert page.forecast.title.text() == "Regulile bazate pe timp în următoarele 7 zile"


def test_in_romanian_the_rule_editor_speaks_romanian(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    automation_rules.import_rules(clinic.as_(clinic.admin), example_document(9))
    page = _page(qtbot, admin_desk)
    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    editor = page.editor
    assert [editor.tabs.tabText(n) for n in range(3)] == ["Regulă", "Test", "Previziune"]
    assert editor.enable_button.text() == "Salvează și acti&vează"
    assert editor.trigger.currentText().strip() == "Pacientul a încheiat o ședință"
    assert editor.action_list.item(0).text().startswith("1. Afișează o notificare")
    assert editor.action_editor.type_box.currentText() == "Afișează o notificare"
    row = editor.conditions.root.items[0]
    assert row.attribute.currentText() == "Rata de aderență (0–1)"
    assert row.operator.currentText() == "este mai mic decât"

    editor.tabs.setCurrentWidget(editor.test_panel)
    click(qtbot, editor.test_panel.build_sample)
    click(qtbot, editor.test_panel.run_button)
    assert editor.test_panel.verdict.text().startswith(
        "Regula se potrivește cu acest eveniment: ar rula 2 din 2 acțiuni."
    )


# --- a refused rule in plain words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            "Action 3 (Send an SMS), “Send to”: must be 'patient', 'specialist' or 'staff'",
        ),
        (
            "ro",
            "Acțiunea 3 (Trimite un SMS), „Trimite către”: "
            "trebuie să fie 'patient', 'specialist' sau 'staff'",
        ),
    ],
)
def test_a_refused_rule_names_the_action_by_position_and_kind(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, language: str, words: str
) -> None:
    activate(language)
    page = _page(qtbot, admin_desk)
    _refused_sms_rule(qtbot, page)

    problems = page.editor.problems.text()
    assert words in problems
    assert "actions[" not in problems
    assert "target" not in problems
    details = page.editor.problem_details
    assert details.isVisible()
    assert not details.expanded()
    assert not details.text.isVisible()
    click(qtbot, details.button)
    assert details.text.isVisible()
    assert details.text.toPlainText().startswith("actions[2].target: ")
    assert automation_rules.list_rules(clinic.as_(clinic.admin)) == []


def test_a_refused_import_names_the_rule_and_action_in_romanian(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, tmp_path: Any
) -> None:
    activate("ro")
    good = example_document(1)
    bad = {**example_document(4), "actions": [OFFER, {"type": "send_sms"}]}
    path = tmp_path / "reguli.json"
    path.write_text(json.dumps([good, bad]), "utf-8")
    page = _page(qtbot, admin_desk)
    page.import_file(path)
    wait_for_operations(qtbot, admin_desk)

    (box,) = [w for w in page.findChildren(QWidget) if w.objectName() == "operation-error"]
    assert "Regula 2 din fișier, Acțiunea 2 (Trimite un SMS): " in box.text()
    assert "dați fie un șablon de mesaj, fie un mesaj" in box.text()
    assert "[1].actions[1]" in box.detailedText()
    assert automation_rules.list_rules(clinic.as_(clinic.admin)) == []


# --- Details in the history ----------------------------------------------------------------


def test_the_history_shows_sentences_and_keeps_the_raw_trace_behind_details(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _history(clinic)
    page = _open_history(qtbot, admin_desk)
    page.show()
    history = page.history
    pick(history.status_filter, "partial_failure")
    wait_for_operations(qtbot, admin_desk)
    history.table.selectRow(0)
    record = history.selected()
    assert record is not None

    shown = _tree_text(history.detail)
    assert str(record.id) not in shown
    assert str(record.rule_id) not in shown
    assert "{" not in shown  # no JSON
    details = history.details
    assert details.isVisible()
    assert not details.text.isVisible()
    click(qtbot, details.button)
    raw = json.loads(details.text.toPlainText())
    assert raw["execution_id"] == str(record.id)
    assert raw["trace"]["actions"][1]["status"] == "failed"


def _tree_text(tree: Any) -> str:
    texts: list[str] = []

    def walk(item: Any) -> None:
        texts.extend(item.text(c) for c in range(tree.columnCount()))
        for n in range(item.childCount()):
            walk(item.child(n))

    for n in range(tree.topLevelItemCount()):
        walk(tree.topLevelItem(n))
    return "\n".join(texts)


# --- mnemonics -----------------------------------------------------------------------------


def shown_mnemonics(window: QWidget) -> list[str]:
    """The mnemonic keys of the buttons, labels and tabs visible together in `window`: a
    control out of sight (another tab, the other page of a stack) takes no key press."""
    texts = [
        widget.text()
        for kind in (QAbstractButton, QLabel)
        for widget in window.findChildren(kind)
        if widget.isVisible()
    ]
    for tabs in window.findChildren(QTabWidget):
        if tabs.isVisible():
            texts += [tabs.tabText(n) for n in range(tabs.count())]
    return [text.split("&")[1][0].lower() for text in texts if "&" in text and "&&" not in text]


def _unique(keys: list[str]) -> None:
    assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_automations_screen_is_its_own_key(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    _history(clinic)
    automation_rules.import_rules(clinic.as_(clinic.admin), example_document(9))
    page = _page(qtbot, admin_desk)
    views = []
    keys = shown_mnemonics(page)  # the list
    assert len(keys) >= 5
    views.append(keys)

    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    editor = page.editor
    _refused_sms_rule(qtbot, page)  # the problems and their Details shown too
    assert editor.problem_details.isVisible()
    for tab in (editor.tabs.widget(0), editor.test_panel, editor.forecast):
        editor.tabs.setCurrentWidget(tab)
        views.append(shown_mnemonics(page))
    assert len(views[2]) >= 7  # Test: find, sample, run, back, draft, enable, details

    page.tabs.setCurrentWidget(page.history)
    wait_for_operations(qtbot, admin_desk)
    page.history.table.selectRow(0)
    views.append(shown_mnemonics(page))
    assert len(views[-1]) >= 3  # between, replay, details
    for keys in views:
        _unique(keys)


# --- accessible names ----------------------------------------------------------------------

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
CONTROLS_PLUS = (*CONTROLS, QPlainTextEdit)
# Parts of a control that the control itself names (a spin box's line edit, a view's header).
COMPOUND = (QAbstractSpinBox, QComboBox, QAbstractItemView, QTabBar, QLineEdit, QPlainTextEdit)


def unnamed_controls(window: QWidget) -> list[str]:
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS_PLUS) or _inside_a_control(widget):
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        if not interface.text(QAccessible.Text.Name).strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def _inside_a_control(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, COMPOUND):
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_the_automations_screen_has_an_accessible_name(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    _history(clinic)
    automation_rules.import_rules(clinic.as_(clinic.admin), example_document(9))
    page = _page(qtbot, admin_desk)
    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    editor = page.editor
    # Every kind of action's fields, a nested group, a variable row and a scheduled action.
    for action_type in ("send_sms", "request_profile_fields", "schedule_action"):
        editor.add_action(action_type)
        editor.action_editor.set_action_type(action_type)
    editor.action_editor.widgets["action"].set_action_type("send_email")
    editor.conditions.root.add_group()
    editor.test_panel.fill_sample()
    page.tabs.setCurrentWidget(page.history)
    wait_for_operations(qtbot, admin_desk)
    page.history.table.selectRow(0)

    assert unnamed_controls(page) == []
    assert len([w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS)]) > 60


def test_a_condition_checked_reads_in_words_values_included(qtbot: QtBot) -> None:
    activate("ro")
    tree = QTreeWidget()
    qtbot.addWidget(tree)
    check = {
        "path": "appointment.type",
        "op": "eq",
        "expected": "video",
        "actual": "in_clinic",
        "result": False,
    }
    item = check_item(tree.invisibleRootItem(), check)
    assert [item.text(c) for c in range(3)] == [
        "Tipul programării este Video",
        "a fost La clinică",
        "✗ nu",
    ]
    assert item.toolTip(0) == "appointment.type"  # the path, for whoever writes rule files
