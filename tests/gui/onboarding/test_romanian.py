"""The onboarding wizard in Romanian: its pages, the booking's date, the forms to come counted
by Romanian's plurals, its own button words; a bad date of birth named in both languages;
every mnemonic its own key; every control named for a screen reader."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.i18n.catalogs import activate
from tests.gui.appointments.browser import BrowserSpy
from tests.gui.forms.test_romanian import unnamed_controls
from tests.gui.onboarding.test_wizard import go_on, open_wizard
from tests.gui.screen_checks import mnemonic_keys
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book


def test_in_romanian_the_wizard_speaks_romanian(
    qtbot: QtBot, desk: Desk, clinic: Clinic, browser: BrowserSpy
) -> None:
    activate("ro")
    booked = book(clinic.ctx, clinic, calendar_id=clinic.public_calendar_id)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    assert wizard.windowTitle() == "Înregistrarea unei rezervări"
    page = wizard.patient_page
    assert page.title() == "Cine este?"
    assert "a rezervat" in page.booking.text()
    assert page.booking.text().endswith(", mar. 3 mar. 2026, 10:00.")
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Î&nainte >"
    go_on(qtbot, desk, wizard)

    listed = [
        wizard.forms_page.forms.item(n).text() for n in range(wizard.forms_page.forms.count())
    ]
    assert listed[0] == "Intake questionnaire (cerut de serviciu)"
    assert listed[2] == "Promotion terms (cerut de calendarul rezervării)"
    go_on(qtbot, desk, wizard)
    summary = wizard.confirm_page.summary.text()
    assert "Se vor crea 3 formulare." in summary
    assert "Se închide la sfârșitul programării (mar. 3 mar., 10:45)." in summary
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "Înregist&rează"
    with qtbot.waitSignal(wizard.sig_onboarded):
        go_on(qtbot, desk, wizard)
    report = wizard.done_page.report.text()
    assert "este înregistrat; programarea este în starea <b>" in report
    assert "Formulare create:" in report


@pytest.mark.parametrize(
    ("language", "problem"),
    [
        ("en", "Date of birth: write it as YYYY-MM-DD"),
        ("ro", "Data nașterii: scrieți-o ca AAAA-LL-ZZ"),
    ],
)
def test_a_bad_date_of_birth_is_named_in_plain_words(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str, problem: str
) -> None:
    activate(language)
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    wizard.patient_page.date_of_birth.setText("02.04.1990")
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentPage() is wizard.patient_page
    assert problem in wizard.patient_page.problem.text()


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_wizard_is_its_own_key(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    # Back, Next, Finish, Date of birth and Open video room: every page's and button's...
    keys = mnemonic_keys(wizard)
    assert len(keys) >= 5
    assert len(set(keys)) == len(keys), keys
    # ...and Onboard, named on the page that commits.
    go_on(qtbot, desk, wizard)
    go_on(qtbot, desk, wizard)
    keys = mnemonic_keys(wizard)
    assert len(keys) >= 6
    assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_the_wizard_has_a_name(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    assert unnamed_controls(wizard) == []
    go_on(qtbot, desk, wizard)
    assert unnamed_controls(wizard) == []
