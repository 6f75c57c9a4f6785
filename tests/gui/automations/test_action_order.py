"""Actions are reordered from the keyboard and by drag and drop, and the rule saves in the order
shown; an action's own conditions and delay are kept with it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.desk import Desk
from frontdesk.services import automation_rules
from tests.gui.automations.driver import click
from tests.gui.helpers import wait_for_operations
from tests.support.automation import example_document
from tests.support.clinic import Clinic


def _editing_example_1(qtbot: QtBot, desk: Desk, clinic: Clinic) -> AutomationsPage:
    automation_rules.import_rules(clinic.as_(clinic.admin), example_document(1))
    page = AutomationsPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    return page


def _types(page: AutomationsPage) -> list[str]:
    return [action["type"] for action in page.editor.action_list.actions()]


def test_ctrl_down_and_ctrl_up_move_the_selected_action(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _editing_example_1(qtbot, admin_desk, clinic)
    actions = page.editor.action_list
    actions.setFocus()
    actions.setCurrentRow(2)  # the welcome e-mail

    qtbot.keyClick(actions, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(actions, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert _types(page) == ["send_email", "require_form", "require_form", "show_notification"]
    assert actions.currentRow() == 0
    assert actions.item(0).text().startswith("1. Send an e-mail: welcome_patient")

    actions.setCurrentRow(1)
    qtbot.keyClick(actions, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert _types(page) == ["send_email", "require_form", "require_form", "show_notification"]
    assert [a.get("form_template_id") for a in page.editor.action_list.actions()[1:3]] == [43, 42]

    click(qtbot, page.editor.enable_button)
    wait_for_operations(qtbot, admin_desk)
    (rule,) = automation_rules.list_rules(clinic.as_(clinic.admin))
    spec = example_document(1)["actions"]
    assert rule.actions == [spec[2], spec[1], spec[0], spec[3]]  # the delay stayed with it


def test_a_dropped_action_lands_where_it_is_released_and_saves_in_that_order(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _editing_example_1(qtbot, admin_desk, clinic)
    actions = page.editor.action_list
    assert actions.dragDropMode() == QAbstractItemView.DragDropMode.InternalMove
    # A drop inside the list moves the dragged row through the model (offscreen, a mouse drag
    # cannot be driven: this is the move the view makes when the last row is released on top).
    assert actions.model().moveRow(QModelIndex(), 3, QModelIndex(), 0)

    assert _types(page) == ["show_notification", "require_form", "require_form", "send_email"]
    assert [actions.item(r).text()[:3] for r in range(4)] == ["1. ", "2. ", "3. ", "4. "]
    click(qtbot, page.editor.enable_button)
    wait_for_operations(qtbot, admin_desk)
    spec = example_document(1)["actions"]
    (rule,) = automation_rules.list_rules(clinic.as_(clinic.admin))
    assert rule.actions == [spec[3], spec[0], spec[1], spec[2]]


def test_the_selected_action_is_edited_in_place_with_its_own_conditions(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _editing_example_1(qtbot, admin_desk, clinic)
    editor = page.editor
    editor.action_list.setCurrentRow(3)
    assert editor.action_editor.action() == example_document(1)["actions"][3]
    editor.action_editor.widgets["duration_days"].setValue(3)
    editor.action_editor.conditions_box.setChecked(True)
    click(qtbot, editor.action_editor.conditions.root.add_row_button)
    row = editor.action_editor.conditions.root.items[0]
    row.attribute.setCurrentIndex(row.attribute.findData("patient.country"))
    row.value.editor.setText("RO")  # type: ignore[attr-defined]
    editor.action_list.setCurrentRow(0)  # moving on keeps the edit

    assert editor.action_list.actions()[3] == {
        "type": "show_notification",
        "message": "Welcome! Please complete your medical profile.",
        "duration_days": 3,
        "conditions": {"patient.country": "RO"},
    }


def test_delete_removes_the_selected_action(qtbot: QtBot, admin_desk: Desk, clinic: Clinic) -> None:
    page = _editing_example_1(qtbot, admin_desk, clinic)
    actions = page.editor.action_list
    actions.setCurrentRow(1)
    qtbot.keyClick(actions, Qt.Key.Key_Delete)
    assert [a.get("form_template_id") for a in actions.actions()] == [42, None, None]
    assert actions.item(1).text().startswith("2. Send an e-mail")
