"""Each of the specification's nine example rules, built through the rule editor alone (typing,
picking, clicking), saved, and exported equal to the example's configuration."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.desk import Desk
from frontdesk.services import automation_rules
from tests.gui.automations.driver import build_rule, click
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.support.automation import example_document
from tests.support.clinic import Clinic


def expected_document(number: int) -> dict[str, object]:
    """The example as its file has it. An empty `conditions` object means the same as none,
    and the editor writes none (docs/admin-ui.md)."""
    document = example_document(number)
    if document.get("conditions") == {}:
        del document["conditions"]
    return document


@pytest.mark.parametrize("number", range(1, 10))
def test_each_example_is_built_through_the_editor_and_saved_as_the_spec_writes_it(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic, number: int
) -> None:
    page = AutomationsPage(admin_desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, admin_desk)
    click(qtbot, page.new_button)
    assert page.stack.currentWidget() is page.editor

    build_rule(qtbot, page.editor, example_document(number))
    click(qtbot, page.editor.enable_button)
    wait_for_operations(qtbot, admin_desk)

    assert not error_boxes()
    assert page.editor.problems.isHidden(), page.editor.problems.text()
    saved = automation_rules.export_rules(clinic.as_(clinic.admin))
    assert saved == [expected_document(number)]
    # Back on the list, which shows the new rule.
    wait_for_operations(qtbot, admin_desk)
    assert page.stack.currentIndex() == 0
    assert [row.name for row in page.model.rows] == [example_document(number)["name"]]
