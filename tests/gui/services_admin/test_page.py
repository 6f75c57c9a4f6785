"""The Services screen: listing and searching, creating a service with every field, editing
it (performers, forms in order), a refused input naming its field, retiring and bringing back;
and the navigation offers it to admins only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import AppointmentType, Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.main_window import SERVICES, MainWindow, pages_for
from frontdesk.gui.services_admin.editor import ServiceEditor
from frontdesk.gui.services_admin.page import ServicesPage
from frontdesk.services import service_setup
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic


@pytest.fixture
def admin(desk_as: Callable[[Role], Desk]) -> Desk:
    return desk_as(Role.ADMIN)


def open_page(qtbot: QtBot, desk: Desk) -> ServicesPage:
    page = ServicesPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def names(page: ServicesPage) -> list[str]:
    proxy = page.table.proxy
    return [proxy.index(row, 1).data() for row in range(proxy.rowCount())]


def select(page: ServicesPage, name: str) -> None:
    row = names(page).index(name)
    page.table.selectRow(row)


def save(qtbot: QtBot, desk: Desk, editor: ServiceEditor) -> None:
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    wait_for_operations(qtbot, desk)


def test_the_list_shows_every_service_and_is_searchable(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    page = open_page(qtbot, admin)
    ModelTester(None).check(page.model)
    assert names(page) == ["Physiotherapy consult", "Video follow-up"]
    assert page.table.proxy.index(0, 5).data() == "Dr Mihai Popescu, Dr Elena Ionescu"
    qtbot.keyClicks(page.search, "video")
    assert names(page) == ["Video follow-up"]


def test_creating_a_service_with_every_field(qtbot: QtBot, admin: Desk, clinic: Clinic) -> None:
    page = open_page(qtbot, admin)
    editor = page.new_service()
    qtbot.keyClicks(editor.name, "Sports massage")
    editor.reference.setValue(10)
    editor.description.setPlainText("Deep tissue work after an injury.")
    editor.duration.setValue(50)
    editor.mode.setCurrentIndex(editor.mode.findData("video"))
    qtbot.keyClicks(editor.price, "180,50")
    editor.public.setChecked(False)
    editor.set_performers(["Dr Elena Ionescu"])
    editor.add_form_key("privacy")
    editor.add_form_key("intake")
    editor.forms.setCurrentRow(1)
    editor.up.click()  # intake first

    save(qtbot, admin, editor)

    assert not editor.isVisible()
    record = next(r for r in page.records if r.name == "Sports massage")
    assert (record.reference, record.duration_minutes) == (10, 50)
    assert record.description == "Deep tissue work after an injury."
    assert record.appointment_type is AppointmentType.VIDEO
    assert (record.price_cents, record.currency, record.is_public) == (18050, "RON", False)
    assert record.specialist_ids == (clinic.other_specialist_id,)
    assert record.form_keys == ("intake", "privacy")
    assert "Sports massage" in names(page)


def test_editing_a_service_keeps_what_is_not_changed(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    page = open_page(qtbot, admin)
    select(page, "Physiotherapy consult")
    editor = page.edit_selected()
    assert editor is not None
    assert editor.name.text() == "Physiotherapy consult"
    assert editor.form_keys() == ["intake", "privacy"]
    editor.name.clear()
    qtbot.keyClicks(editor.name, "Physio consult")
    editor.set_performers(["Dr Mihai Popescu"])
    editor.forms.setCurrentRow(0)
    editor.remove_form.click()

    save(qtbot, admin, editor)

    record = next(r for r in page.records if r.id == clinic.consult_service_id)
    assert record.name == "Physio consult"
    assert record.duration_minutes == 45
    assert record.specialist_ids == (clinic.specialist_id,)
    assert record.form_keys == ("privacy",)
    assert record.reference == 1  # saving gave it the next free number


def test_a_refused_input_names_the_field_and_saves_nothing(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    page = open_page(qtbot, admin)
    editor = page.new_service()
    qtbot.keyClicks(editor.name, "Sports massage")
    qtbot.keyClicks(editor.price, "a lot")

    save(qtbot, admin, editor)

    assert editor.isVisible()
    assert editor.problem.isVisible()
    assert "The price must be an amount such as 150 or 150.50" in editor.problem.text()
    assert editor.focusWidget() is editor.price
    assert "Sports massage" not in names(page)
    editor.reject()


def test_retiring_and_bringing_back(qtbot: QtBot, admin: Desk, clinic: Clinic) -> None:
    page = open_page(qtbot, admin)
    select(page, "Video follow-up")
    assert page.retire_button.isEnabled()
    assert not page.restore_button.isEnabled()
    page.retire_button.click()
    wait_for_operations(qtbot, admin)
    assert page.table.proxy.index(names(page).index("Video follow-up"), 7).data() == "Retired"
    page.show_retired.setChecked(False)
    assert names(page) == ["Physiotherapy consult"]
    page.show_retired.setChecked(True)
    select(page, "Video follow-up")
    assert page.restore_button.isEnabled()
    page.restore_button.click()
    wait_for_operations(qtbot, admin)
    (record,) = [r for r in service_setup.list_services(admin.context()) if r.name.startswith("V")]
    assert not record.retired


def test_a_receptionist_is_refused_in_words(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    page = open_page(qtbot, desk)
    editor = page.new_service()
    qtbot.keyClicks(editor.name, "Sports massage")
    save(qtbot, desk, editor)
    assert "Only an admin can set up services: ask an admin." in editor.problem.text()
    editor.reject()


def test_an_admins_window_opens_the_services_page(qtbot: QtBot, admin: Desk) -> None:
    window = MainWindow(admin, clinic_name="Riverside Physio")
    qtbot.addWidget(window)
    window.show()
    wait_for_operations(qtbot, admin)
    titles = [window.navigation.item(n).text() for n in range(window.navigation.count())]
    assert titles[-3:] == ["Services", "Working hours", "Settings"]
    page = window.show_page("Services")
    wait_for_operations(qtbot, admin)
    assert isinstance(page, ServicesPage)
    window.focus_search()
    assert window.focusWidget() is page.search
    window.close()
    wait_for_operations(qtbot, admin)


def test_only_an_admins_navigation_lists_services() -> None:
    assert SERVICES in pages_for(Role.ADMIN)
    assert pages_for(Role.ADMIN)[-3] == SERVICES
    for role in (Role.RECEPTIONIST, Role.SPECIALIST):
        assert SERVICES not in pages_for(role)


def test_every_control_has_an_accessible_name(qtbot: QtBot, admin: Desk, clinic: Clinic) -> None:
    page = open_page(qtbot, admin)
    select(page, "Physiotherapy consult")
    editor = page.edit_selected()
    assert editor is not None
    controls = [
        editor.name,
        editor.reference,
        editor.description,
        editor.duration,
        editor.mode,
        editor.price,
        editor.currency,
        editor.public,
        editor.performers,
        editor.forms,
        editor.form_choice,
    ]
    assert all(widget.accessibleName() for widget in controls)
    assert page.search.accessibleName()
    assert page.table.accessibleName()
    editor.reject()
