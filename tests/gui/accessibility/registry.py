"""Every window the desk shows, each built over a `Scene`: the main window on each screen for
each role, and each dialog the desk opens. The accessibility walks check them all; the
screenshots shoot them all. One line per window: add yours to WINDOWS.

A window whose words are still being converted fails the walks; it stays out of WINDOWS (its
builder may be written already) until it passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from frontdesk.domain.enums import Role
from frontdesk.gui.first_run import FirstRunDialog
from frontdesk.gui.main_window import MainWindow
from frontdesk.gui.patients.new_patient import NewPatientDialog
from frontdesk.gui.patients.page import PatientsPage
from frontdesk.gui.screens import load_screen
from tests.gui.accessibility.scene import Scene

CLINIC_NAME = "Riverside Physiotherapy"
ADMIN, RECEPTIONIST, SPECIALIST = Role.ADMIN, Role.RECEPTIONIST, Role.SPECIALIST


@dataclass(frozen=True)
class Window:
    name: str
    """How reports and file names call it: "receptionist-today", "new-patient"."""
    build: Callable[[Scene], QWidget]
    """Makes the window (not yet shown) over the scene."""
    fills_screen: bool = False
    """Shown as large as the screen (the main window), rather than at its own size."""


def screen(role: Role, title: str) -> Window:
    """The main window of a desk signed in with `role`, on the page called `title`."""

    def build(scene: Scene) -> QWidget:
        window = MainWindow(scene.desk_as(role), clinic_name=CLINIC_NAME)
        window.show_page(title)
        return window

    return Window(f"{role.value}-{title.lower().replace(' ', '-')}", build, fills_screen=True)


def _desk_screen(module: str, name: str) -> Callable[..., QWidget]:
    """A screen of another part of the desk, imported when built (as the main window does)."""
    return load_screen(f"frontdesk.gui.{module}", name)


def booking(scene: Scene) -> QWidget:
    dialog = _desk_screen("booking.dialog", "BookingDialog")
    return dialog(scene.desk_as(RECEPTIONIST), start=scene.start, specialist_id=scene.specialist_id)


def appointment_detail(scene: Scene) -> QWidget:
    dialog = _desk_screen("appointments.detail", "AppointmentDetailDialog")
    return dialog(scene.desk_as(RECEPTIONIST), scene.onboarded_id)


def onboarding_wizard(scene: Scene) -> QWidget:
    wizard = _desk_screen("onboarding.wizard", "OnboardingWizard")
    return wizard(scene.desk_as(RECEPTIONIST), scene.booked_id)


def form_filler(scene: Scene) -> QWidget:
    dialog = _desk_screen("forms.filler", "FormFillerDialog")
    return dialog(scene.desk_as(RECEPTIONIST), scene.form_id)


def cancel(scene: Scene) -> QWidget:
    dialog = _desk_screen("dialogs.cancel", "CancelDialog")
    return dialog("10:00 Ioana Marin", scene.desk_as(RECEPTIONIST).actor.label)


def override(scene: Scene) -> QWidget:
    from frontdesk.domain.errors import DoubleBooking

    refusal = DoubleBooking("overlaps another appointment", conflicting_ids=("1",))
    return _desk_screen("dialogs.override", "OverrideDialog")(refusal)


def rule_editor(scene: Scene) -> QWidget:
    page = _desk_screen("automations.page", "AutomationsPage")(scene.desk_as(ADMIN))
    page.new_rule()  # type: ignore[attr-defined]
    return page


def new_patient(scene: Scene) -> QWidget:
    return NewPatientDialog(scene.desk_as(RECEPTIONIST), name="Maria Stan")


def profile_editor(scene: Scene) -> QWidget:
    page = PatientsPage(scene.desk_as(RECEPTIONIST))
    page.show_person(scene.person_id)
    scene.settle()
    editor = page.edit_profile()
    assert editor is not None, "the patient's profile did not load"
    return editor


def first_run(scene: Scene) -> QWidget:
    return FirstRunDialog(scene.new_desk())


WINDOWS: list[Window] = [
    screen(RECEPTIONIST, "Today"),
    screen(RECEPTIONIST, "Patients"),
    screen(RECEPTIONIST, "Alerts"),
    screen(RECEPTIONIST, "Settings"),
    screen(SPECIALIST, "Today"),
    screen(SPECIALIST, "Patients"),
    screen(SPECIALIST, "Alerts"),
    screen(SPECIALIST, "Settings"),
    screen(ADMIN, "Today"),
    screen(ADMIN, "Patients"),
    screen(ADMIN, "Alerts"),
    screen(ADMIN, "Settings"),
    Window("new-patient", new_patient),
    Window("profile-editor", profile_editor),
    Window("first-run", first_run),
    Window("cancel", cancel),
    Window("onboarding-wizard", onboarding_wizard),
    Window("form-filler", form_filler),
    Window("booking", booking),
    screen(RECEPTIONIST, "Calendar"),
    screen(SPECIALIST, "My sessions"),
    screen(SPECIALIST, "Calendar"),
    screen(ADMIN, "Calendar"),
    Window("appointment-detail", appointment_detail),
    Window("override", override),
    screen(RECEPTIONIST, "Automations"),
    screen(SPECIALIST, "Automations"),
    screen(ADMIN, "Automations"),
    Window("rule-editor", rule_editor, fills_screen=True),
    screen(RECEPTIONIST, "Forms"),
    screen(SPECIALIST, "Forms"),
    screen(ADMIN, "Forms"),
    screen(ADMIN, "Working hours"),
    screen(ADMIN, "Services"),
]
