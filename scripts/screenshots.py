"""Screenshots of the desk's main screens over a freshly seeded demo clinic, saved to
docs/screenshots/. Run: QT_QPA_PLATFORM=offscreen python3 scripts/screenshots.py

`--language ro --theme dark` shoots in that language and theme (English and light
otherwise) and names the files `<screen>-ro-dark.png`; `--only main_window today` shoots
only those screens.

Each screen is one function taking a `Shots` (the app, a receptionist's desk over the demo,
`save`); add yours to SHOTS. `registry` shoots every window of the accessibility walks'
registry (tests/gui/accessibility/registry.py: each main screen for each role, each dialog)
as `window-<name>.png`, built as the walks build them."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from frontdesk.automation.dispatcher import dispatch_pending
from frontdesk.domain.clock import FixedClock, zone
from frontdesk.domain.enums import AlertKind, AppointmentStatus, Role
from frontdesk.domain.form_fields import FieldSpec
from frontdesk.gui.alerts.page import AlertsPage
from frontdesk.gui.appointments.detail import AppointmentDetailDialog
from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.booking.dialog import BookingDialog
from frontdesk.gui.calendar.page import CalendarPage
from frontdesk.gui.desk import Desk
from frontdesk.gui.first_run import FirstRunDialog, setup_desk
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.gui.forms.page import FormsPage
from frontdesk.gui.forms.signature_pad import SignaturePad
from frontdesk.gui.main_window import MainWindow
from frontdesk.gui.onboarding.wizard import OnboardingWizard
from frontdesk.gui.patients.page import PatientsPage
from frontdesk.gui.sessions.page import MySessionsPage
from frontdesk.gui.theme import LIGHT, THEMES, apply_theme
from frontdesk.gui.today.page import TodayPage
from frontdesk.i18n import DEFAULT_LANGUAGE, LANGUAGES
from frontdesk.i18n.catalogs import activate
from frontdesk.services import alerts, calendar
from frontdesk.services.context import ServiceContext
from frontdesk.services.demo import seed_demo_clinic
from frontdesk.services.desk_identity import first_member
from frontdesk.services.form_views import list_forms
from frontdesk.services.organizations import find_organization
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the walks' registry of windows lives with the tests
from tests.gui.accessibility.registry import WINDOWS  # noqa: E402
from tests.gui.accessibility.scene import Scene  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1400, 860)
DEMO_TIMEZONE = "Europe/Bucharest"  # resources/demo/clinic.json


@dataclass
class Shots:
    app: QApplication
    mirror: Mirror
    desk: Desk
    suffix: str = ""
    """Added to every file's name (the language and theme, when chosen)."""

    def settle(self, desk: Desk | None = None) -> None:
        """Until the desk's operations are delivered and the widgets have painted."""
        waiting = desk or self.desk
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.app.processEvents()
            if waiting.worker.idle:
                break
            time.sleep(0.01)
        for _ in range(5):
            self.app.processEvents()

    def save(self, widget: QWidget, name: str) -> None:
        path = OUT / f"{name}{self.suffix}.png"
        widget.grab().save(str(path))
        print(f"saved {path}")


def shoot_main_window(shots: Shots) -> None:
    window = MainWindow(shots.desk, clinic_name="Riverside Physiotherapy")
    window.resize(*SIZE)
    window.show()
    shots.settle()
    shots.save(window, "main-window")
    window.close()


def shoot_today(shots: Shots) -> None:
    page = TodayPage(shots.desk)
    page.resize(*SIZE)
    page.show()
    shots.settle()
    # An expected appointment selected: its actions show in the bar.
    expected = [page.model.card(row) for row in range(page.model.rowCount())]
    waiting = [card for card in expected if card.entry.status == AppointmentStatus.UPCOMING]
    if waiting:
        page.select(waiting[0].entry.id)
    shots.settle()
    shots.save(page, "today")
    page.close()


def shoot_calendar(shots: Shots) -> None:
    page = CalendarPage(shots.desk)
    page.resize(*SIZE)
    page.show()
    shots.settle()
    shots.save(page, "calendar-week")
    page.set_mode("day")
    shots.settle()
    shots.save(page, "calendar-day")
    page.set_mode("month")
    shots.settle()
    shots.save(page, "calendar-month")
    page.close()


def shoot_first_run(shots: Shots) -> None:
    with tempfile.TemporaryDirectory() as home:
        mirror = open_mirror(Profile.resolve(Path(home)))
        desk = setup_desk(mirror)
        try:
            dialog = FirstRunDialog(desk)
            dialog.show()
            shots.settle(desk)
            shots.save(dialog, "first-run")
            dialog.pages.setCurrentIndex(2)
            dialog.clinic_name.setText("Lakeside Clinic")
            dialog.admin_name.setText("Maria Ionescu")
            shots.settle(desk)
            shots.save(dialog, "first-run-standalone")
            dialog.close()
        finally:
            desk.close()
            mirror.close()


def shoot_admin(shots: Shots) -> None:
    """The admin's screens: the rule list, the editor, its test panel, the history, the week
    ahead and the alerts (with two alerts an admin would find on a morning)."""
    organization_id = shots.desk.organization_id
    admin = shots.desk.acting_as(
        first_member(shots.mirror.sessions, organization_id, Role.ADMIN).actor
    )
    engine = ServiceContext(shots.mirror.sessions, organization_id, Actor.system("automation"))
    with engine.transaction() as tx:
        alerts.raise_alert(
            tx,
            kind=AlertKind.LOW_RATING,
            title="A patient rated yesterday's video session 2/5",
            body="“The sound kept dropping.”",
        )
        alerts.raise_alert(
            tx,
            kind=AlertKind.DELIVERY_FAILED,
            title="Appointment reminder SMS could not be delivered",
            details={"attempts": 5, "error": "number not reachable"},
        )
    try:
        page = AutomationsPage(admin)
        page.resize(*SIZE)
        page.show()
        shots.settle(admin)
        shots.save(page, "automations-list")
        for row in range(page.proxy.rowCount()):
            if page.proxy.index(row, 0).data() == "Low Adherence Alert":
                page.table.selectRow(row)
        page.edit_selected()
        shots.settle(admin)
        shots.save(page, "automations-editor")
        page.editor.tabs.setCurrentWidget(page.editor.test_panel)
        page.editor.test_panel.fill_sample()
        page.editor.test_panel.run_test()
        shots.settle(admin)
        shots.save(page, "automations-test-panel")
        page.show_list()
        page.tabs.setCurrentWidget(page.history)
        shots.settle(admin)
        page.history.table.selectRow(0)
        shots.settle(admin)
        shots.save(page, "automations-history")
        page.tabs.setCurrentWidget(page.forecast)
        shots.settle(admin)
        shots.save(page, "automations-forecast")
        page.close()
        alerts_page = AlertsPage(admin)
        alerts_page.resize(*SIZE)
        alerts_page.show()
        shots.settle(admin)
        shots.save(alerts_page, "alerts")
        alerts_page.close()
    finally:
        admin.close()


def shoot_desk_dialogs(shots: Shots) -> None:
    """Reception's dialogs over the demo: a walk-in refused as a double booking (with the
    override offered), onboarding a public booking, a form filled and signed on the pad, an
    appointment in full, the patients and forms pages, and a specialist's sessions today."""
    desk = shots.desk
    ctx = desk.context()
    today = desk.clock.now().astimezone(zone(DEMO_TIMEZONE)).date()
    week = calendar.date_range(ctx, today, today + timedelta(days=7))
    taken = next(e for e in week if e.status == "upcoming" and e.start_utc > desk.clock.now())
    booking = BookingDialog(desk, start=taken.start_utc, specialist_id=taken.specialist_id)
    booking.resize(720, 760)
    booking.show()
    shots.settle()
    booking.picker.search.setText("ma")
    booking.picker.find("ma")
    shots.settle()
    # The first match who may book, refused for the taken time: the override is offered.
    for row in range(booking.picker.model.rowCount()):
        booking.picker.table.selectRow(row)
        person = booking.picker.model.row_at(row)
        booking.picker.choose(person.id, person.name)
        booking.book()
        shots.settle()
        if booking.override_box.isVisible():
            break
    shots.save(booking, "booking-dialog")
    booking.close()

    waiting = next(e for e in week if e.status == "booked")
    wizard = OnboardingWizard(desk, waiting.id)
    wizard.resize(720, 560)
    wizard.show()
    shots.settle()
    shots.save(wizard, "onboarding-wizard")
    wizard.next()
    shots.settle()
    shots.save(wizard, "onboarding-wizard-forms")
    wizard.next()
    wizard.next()  # onboard
    shots.settle()
    shots.save(wizard, "onboarding-wizard-done")
    wizard.close()

    form = next(f for f in list_forms(ctx, statuses=["created"]) if f.title.startswith("Intake"))
    filler = FormFillerDialog(desk, form.id)
    filler.resize(720, 900)
    filler.show()
    shots.settle()
    for editor in filler.editors.values():
        if editor.value() is None and editor.spec.required:
            editor.set_value(_sample_answer(editor.spec))
    _sign_on(filler.pad)
    shots.settle()
    shots.save(filler, "form-filler")
    filler.sign()
    shots.settle()
    shots.save(filler, "form-filler-signed")
    filler.close()

    detail = AppointmentDetailDialog(desk, waiting.id)
    detail.resize(820, 720)
    detail.show()
    shots.settle()
    shots.save(detail, "appointment-detail")
    detail.tabs.setCurrentIndex(1)
    shots.settle()
    shots.save(detail, "appointment-detail-history")
    detail.close()

    patients = PatientsPage(desk)
    patients.resize(*SIZE)
    patients.show()
    shots.settle()
    shots.save(patients, "patients")
    patients.close()

    forms_page = FormsPage(desk)
    forms_page.resize(*SIZE)
    forms_page.show()
    shots.settle()
    shots.save(forms_page, "forms")
    forms_page.close()

    specialist = desk.acting_as(
        first_member(shots.mirror.sessions, desk.organization_id, Role.SPECIALIST).actor
    )
    try:
        sessions = MySessionsPage(specialist)
        sessions.resize(1100, 520)
        sessions.show()
        shots.settle(specialist)
        shots.save(sessions, "my-sessions")
        sessions.close()
    finally:
        specialist.close()


def _sample_answer(spec: FieldSpec) -> object:
    return {"scale": 4, "boolean": True, "integer": 1, "number": 1}.get(str(spec.type), "Yes")


def _sign_on(pad: SignaturePad) -> None:
    """A handwritten-looking signature, drawn with mouse events as a hand would."""
    height = pad.height() or 160
    strokes = [
        [(30 + t * 2.2, height / 2 + 26 * math.sin(t / 5.0) - t * 0.3) for t in range(0, 90)],
        [(230 + t * 1.6, height / 2 + 18 * math.cos(t / 3.0)) for t in range(0, 80)],
        [(60, height / 2 + 34), (380, height / 2 + 30)],
    ]
    for stroke in strokes:
        (first, *rest) = stroke
        moves = [(QEvent.Type.MouseMove, point) for point in rest]
        for kind, (x, y) in [(QEvent.Type.MouseButtonPress, first), *moves]:
            _mouse(pad, kind, QPointF(x, y), Qt.MouseButton.LeftButton)
        _mouse(pad, QEvent.Type.MouseButtonRelease, QPointF(*stroke[-1]), Qt.MouseButton.NoButton)


def _mouse(pad: SignaturePad, kind: QEvent.Type, point: QPointF, buttons: Qt.MouseButton) -> None:
    event = QMouseEvent(
        kind,
        point,
        pad.mapToGlobal(point),
        Qt.MouseButton.LeftButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(pad, event)


def shoot_registry(shots: Shots) -> None:
    """Every window the walks check, over the demo (main windows at a laptop's 1366x768)."""
    mirrors: list[Mirror] = []
    with tempfile.TemporaryDirectory() as home:
        scene = demo_scene(shots, Path(home), mirrors)
        try:
            for window in WINDOWS:
                widget = window.build(scene)
                if window.fills_screen:
                    widget.resize(1366, 768)
                widget.show()
                scene.settle()
                shots.save(widget, f"window-{window.name}")
                widget.close()
                scene.settle()
        finally:
            for desk in scene.opened:
                if desk is not shots.desk:
                    desk.close()
            for mirror in mirrors:
                mirror.close()


def demo_scene(shots: Shots, home: Path, mirrors: list[Mirror]) -> Scene:
    """The walks' scene over the demo: its first booking to onboard, a form to fill and
    the appointment and patient it is for, a free time tomorrow. New desks' mirrors are
    added to `mirrors` for the caller to close."""
    desk = shots.desk
    ctx = desk.context()
    today = desk.clock.now().astimezone(zone(DEMO_TIMEZONE)).date()
    week = calendar.date_range(ctx, today, today + timedelta(days=7))
    booked = next(e for e in week if e.status == "booked")
    form = next(f for f in list_forms(ctx, statuses=["created"]) if f.appointment_id)
    assert form.appointment_id is not None
    desks = {Role.RECEPTIONIST: desk}
    opened = [desk]

    def desk_as(role: Role) -> Desk:
        if role not in desks:
            member = first_member(shots.mirror.sessions, desk.organization_id, role)
            desks[role] = desk.acting_as(member.actor)
            opened.append(desks[role])
        return desks[role]

    def new_desk() -> Desk:
        mirror = open_mirror(Profile.resolve(home / f"new-desk-{len(mirrors)}"))
        mirrors.append(mirror)
        fresh = setup_desk(mirror)
        opened.append(fresh)
        return fresh

    tomorrow_noon = datetime.combine(today + timedelta(days=1), clock_time(12), zone(DEMO_TIMEZONE))
    return Scene(
        desk_as=desk_as,
        new_desk=new_desk,
        booked_id=booked.id,
        onboarded_id=form.appointment_id,
        form_id=form.id,
        person_id=form.patient_person_id,
        start=tomorrow_noon.astimezone(UTC),
        specialist_id=booked.specialist_id,
        opened=opened,
    )


SHOTS: list[Callable[[Shots], None]] = [
    shoot_main_window,
    shoot_today,
    shoot_calendar,
    shoot_first_run,
    shoot_admin,
    shoot_desk_dialogs,
    shoot_registry,
]


def demo_desk(mirror: Mirror) -> Desk:
    """The demo as a receptionist finds it at 10:40 on a weekday morning: the board busy."""
    now = _morning()
    seed_demo_clinic(mirror.sessions, now)
    organization = find_organization(mirror.sessions)
    engine = ServiceContext(mirror.sessions, organization.id, Actor.system("automation"))
    while dispatch_pending(engine).events:
        continue
    identity = first_member(mirror.sessions, organization.id, Role.RECEPTIONIST)
    return Desk(mirror, organization.id, identity.actor, FixedClock(now))


def _morning() -> datetime:
    tz = zone(DEMO_TIMEZONE)
    day = datetime.now(tz).date()
    while day.weekday() >= 5:  # the demo clinic works on weekdays
        day += timedelta(days=1)
    return datetime.combine(day, clock_time(10, 40), tzinfo=tz).astimezone(UTC)


def _arguments() -> argparse.Namespace:
    names = [shoot.__name__.removeprefix("shoot_") for shoot in SHOTS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=LANGUAGES, help="the desk's language")
    parser.add_argument("--theme", choices=THEMES, help="light or dark")
    parser.add_argument("--only", nargs="+", choices=names, metavar="SCREEN", help=str(names))
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    activate(args.language or DEFAULT_LANGUAGE)
    apply_theme(app, args.theme or LIGHT)  # the desk always wears a theme (gui/app.py)
    suffix = "".join(f"-{chosen}" for chosen in (args.language, args.theme) if chosen)
    chosen = [s for s in SHOTS if not args.only or s.__name__.removeprefix("shoot_") in args.only]
    with tempfile.TemporaryDirectory() as home:
        mirror = open_mirror(Profile.resolve(Path(home)))
        try:
            desk = demo_desk(mirror)
            try:
                shots = Shots(app, mirror, desk, suffix)
                for shoot in chosen:
                    shoot(shots)
            finally:
                desk.close()
        finally:
            mirror.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
