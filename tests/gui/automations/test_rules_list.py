"""The rule list: the table model, search, the enabled toggle, import and export of rule files,
editing a saved rule, and a refused save that names the field at fault."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.automations.rules_model import ENABLED_COLUMN, RuleRow, RulesTableModel
from frontdesk.gui.desk import Desk
from frontdesk.services import automation_rules
from tests.gui.automations.driver import click, pick, type_text
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.support.automation import EXAMPLES_DIR, example_document
from tests.support.clinic import Clinic


def _import_examples(clinic: Clinic, *numbers: int) -> None:
    automation_rules.import_rules(clinic.as_(clinic.admin), [example_document(n) for n in numbers])


def _page(qtbot: QtBot, desk: Desk) -> AutomationsPage:
    page = AutomationsPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    return page


def test_the_rules_model_passes_the_model_tester(
    qtmodeltester: ModelTester, admin_desk: Desk, clinic: Clinic
) -> None:
    _import_examples(clinic, 1, 4, 9)
    model = RulesTableModel()
    rows = automation_rules.list_rules(clinic.as_(clinic.admin))
    model.set_rows([RuleRow.of(row) for row in rows])
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    assert model.index(0, 2).data() == 2  # "24h Appointment Reminder" has two actions
    assert model.index(0, ENABLED_COLUMN).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked
    )


def test_the_list_shows_every_rule_and_the_search_narrows_it(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _import_examples(clinic, *range(1, 10))
    page = _page(qtbot, admin_desk)
    assert page.proxy.rowCount() == 9
    type_text(qtbot, page.search, "treatment")
    shown = sorted(page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount()))
    # Name or trigger: the rules on treatment plan triggers and those named for them.
    assert shown == [
        "Low Adherence Alert",
        "Telerehab Plan Assignment",
        "Treatment Plan Completion — Follow-Up",
    ]
    type_text(qtbot, page.search, "no such rule")
    assert page.proxy.rowCount() == 0


def test_the_enabled_box_switches_a_rule_off_and_on_through_the_service(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _import_examples(clinic, 2)
    page = _page(qtbot, admin_desk)
    page.proxy.setData(
        page.proxy.index(0, ENABLED_COLUMN), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole
    )
    wait_for_operations(qtbot, admin_desk)
    wait_for_operations(qtbot, admin_desk)  # the reload the change signal asked for

    (rule,) = automation_rules.list_rules(clinic.as_(clinic.admin))
    assert rule.enabled is False
    assert page.proxy.index(0, ENABLED_COLUMN).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked
    )
    page.proxy.setData(
        page.proxy.index(0, ENABLED_COLUMN), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
    )
    wait_for_operations(qtbot, admin_desk)
    wait_for_operations(qtbot, admin_desk)
    assert automation_rules.list_rules(clinic.as_(clinic.admin))[0].enabled is True


def test_rules_import_from_a_file_and_export_as_written(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, tmp_path: Path
) -> None:
    files = sorted(EXAMPLES_DIR.glob("*.json"))
    bundle = tmp_path / "all.json"
    bundle.write_text(json.dumps([json.loads(f.read_text("utf-8")) for f in files]), "utf-8")
    page = _page(qtbot, admin_desk)

    page.import_file(bundle)
    wait_for_operations(qtbot, admin_desk)
    wait_for_operations(qtbot, admin_desk)
    assert page.status.text().startswith("Imported 9 rules from all.json")
    assert page.model.rowCount() == 9

    out = tmp_path / "exported.json"
    page.export_file(out)
    wait_for_operations(qtbot, admin_desk)
    assert json.loads(out.read_text("utf-8")) == [json.loads(f.read_text("utf-8")) for f in files]


def test_a_refused_import_saves_nothing_and_says_which_field(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, tmp_path: Path
) -> None:
    broken = example_document(1)
    broken["actions"][0]["type"] = "require_forms"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), "utf-8")
    page = _page(qtbot, admin_desk)

    page.import_file(path)
    wait_for_operations(qtbot, admin_desk)

    (box,) = error_boxes()
    assert "Action 1, “The kind of action”: unknown action type 'require_forms'" in box.text()
    assert "actions[0].type" not in box.text()
    assert "actions[0].type: unknown action type" in box.detailedText()
    assert automation_rules.list_rules(clinic.as_(clinic.admin)) == []


def test_a_saved_rule_opens_in_the_editor_and_saves_back_in_place(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _import_examples(clinic, 9)
    page = _page(qtbot, admin_desk)
    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    editor = page.editor
    assert editor.document() == example_document(9)  # shown as written

    type_text(qtbot, editor.name, "Low adherence: tell the specialist")
    click(qtbot, editor.draft_button)
    wait_for_operations(qtbot, admin_desk)

    (rule,) = automation_rules.list_rules(clinic.as_(clinic.admin))
    assert rule.name == "Low adherence: tell the specialist"
    assert rule.enabled is False  # saved as a draft
    assert rule.actions == example_document(9)["actions"]


def test_a_refused_save_lists_each_problem_by_field_and_saves_nothing(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _page(qtbot, admin_desk)
    click(qtbot, page.new_button)
    editor = page.editor
    click(qtbot, editor.add_action_button)
    pick(editor.action_editor.type_box, "show_notification")
    type_text(qtbot, editor.action_editor.widgets["message"], "Hi {{appointment.type}}")
    assert editor.action_editor.widgets["message"].problem() == (
        "not offered by this trigger: appointment.type"
    )

    click(qtbot, editor.enable_button)
    wait_for_operations(qtbot, admin_desk)

    assert not editor.problems.isHidden()
    assert "Name: must not be empty" in editor.problems.text()

    type_text(qtbot, editor.name, "Greeting")
    click(qtbot, editor.enable_button)
    wait_for_operations(qtbot, admin_desk)
    problems = editor.problems.text()
    assert "“Message”: 'appointment.type' is not available" in problems
    assert "actions[0]" not in problems  # the path waits behind Details
    assert editor.problem_details.isVisibleTo(editor)
    assert not editor.problem_details.expanded()
    assert "actions[0].message: 'appointment.type'" in editor.problem_details.text.toPlainText()
    assert automation_rules.list_rules(clinic.as_(clinic.admin)) == []
    assert page.stack.currentWidget() is editor  # still editing


def test_a_rule_is_deleted_after_confirmation_and_its_history_stays(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _import_examples(clinic, 2, 9)
    page = _page(qtbot, admin_desk)
    page.table.selectRow(1)  # sorted by name: "Low Adherence Alert"
    box = page.confirm_delete()
    assert box is not None
    assert "Low Adherence Alert" in box.text()
    click(qtbot, box.button(QMessageBox.StandardButton.No))
    assert len(automation_rules.list_rules(clinic.as_(clinic.admin))) == 2

    box = page.confirm_delete()
    assert box is not None
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    wait_for_operations(qtbot, admin_desk)
    wait_for_operations(qtbot, admin_desk)

    assert [r.name for r in automation_rules.list_rules(clinic.as_(clinic.admin))] == [
        "First Video Appointment Setup"
    ]
    assert [row.name for row in page.model.rows] == ["First Video Appointment Setup"]
    assert page.status.text() == "Deleted Low Adherence Alert."


def test_leaving_the_editor_with_unsaved_changes_asks_first(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    _import_examples(clinic, 2)
    page = _page(qtbot, admin_desk)
    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    assert page.editor.leave() is None  # nothing changed: straight back
    assert page.stack.currentIndex() == 0

    click(qtbot, page.edit_button)
    type_text(qtbot, page.editor.description, "Video patients only")
    box = page.editor.leave()
    assert box is not None
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert page.stack.currentWidget() is page.editor
    assert page.editor.description.text() == "Video patients only"

    box = page.editor.leave()
    assert box is not None
    click(qtbot, box.button(QMessageBox.StandardButton.Discard))
    assert page.stack.currentIndex() == 0
    (rule,) = automation_rules.list_rules(clinic.as_(clinic.admin))
    assert rule.description is None


def test_ctrl_f_reaches_the_search_box_of_the_list_on_show(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = AutomationsPage(admin_desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, admin_desk)
    page.table.setFocus()
    page.focus_search()
    assert page.search.hasFocus()
    page.tabs.setCurrentWidget(page.history)
    wait_for_operations(qtbot, admin_desk)
    page.focus_search()
    assert page.history.search.hasFocus()
