"""The main window: navigation between the desk's pages, keyboard shortcuts, and a status bar
with who is signed in and the sync state.

Pages are built the first time they are shown (start-up only builds Today). A page another
part of the desk provides is found by module and class name and imported then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.icons import icon
from frontdesk.gui.screens import load_screen
from frontdesk.gui.sync_controller import SyncController, describe
from frontdesk.gui.theme import active_theme
from frontdesk.i18n import N_, _

if TYPE_CHECKING:
    from frontdesk.sync.account import Account
    from frontdesk.sync.status import SyncStatus


@dataclass(frozen=True)
class PageSpec:
    title: str
    """The page's name in English: how code and tests find it (`label` is what is shown)."""
    module: str
    class_name: str
    icon: str
    """Its navigation icon, a file of `ui/icons/` without `.svg`."""
    key: int
    """Ctrl and this digit shows it: the same key for every role (a page a role lacks leaves
    its key unused rather than moving the others)."""

    @property
    def label(self) -> str:
        """The page's name in the desk's language."""
        return _(self.title)

    @property
    def shortcut(self) -> QKeySequence:
        return QKeySequence(f"Ctrl+{self.key}")


TODAY = PageSpec(N_("Today"), "frontdesk.gui.today.page", "TodayPage", "calendar-event", 1)
CALENDAR = PageSpec(
    N_("Calendar"), "frontdesk.gui.calendar.page", "CalendarPage", "calendar-week", 2
)
MY_SESSIONS = PageSpec(
    N_("My sessions"), "frontdesk.gui.sessions.page", "MySessionsPage", "stethoscope", 8
)
PAGES = (
    TODAY,
    CALENDAR,
    PageSpec(N_("Patients"), "frontdesk.gui.patients.page", "PatientsPage", "users", 3),
    PageSpec(N_("Forms"), "frontdesk.gui.forms.page", "FormsPage", "clipboard-text", 4),
    PageSpec(N_("Automations"), "frontdesk.gui.automations.page", "AutomationsPage", "bolt", 5),
    PageSpec(N_("Alerts"), "frontdesk.gui.alerts.page", "AlertsPage", "bell", 6),
    PageSpec(N_("Settings"), "frontdesk.gui.settings.page", "SettingsPage", "settings", 7),
)
WORKING_HOURS = PageSpec(N_("Working hours"), "frontdesk.gui.hours.page", "HoursPage", "clock", 9)
"""Admins only: specialists' hours, days off, closed days and slot settings."""
BOOKING_DIALOG = ("frontdesk.gui.booking.dialog", "BookingDialog")
# The clinic's set-up, for its admins (the services refuse anyone else).
SERVICES = PageSpec(
    N_("Services"), "frontdesk.gui.services_admin.page", "ServicesPage", "medical-cross", 0
)


def pages_for(role: Role | None) -> list[PageSpec]:
    """A specialist's desk adds their own sessions right after Today; an admin's, the set-up
    screens before Settings. Each page keeps its own key whatever the role."""
    if role == Role.SPECIALIST:
        return [TODAY, MY_SESSIONS, *PAGES[1:]]
    if role == Role.ADMIN:
        return [*PAGES[:-1], SERVICES, WORKING_HOURS, PAGES[-1]]
    return list(PAGES)


class MainWindow(QMainWindow):
    sig_page_shown = Signal(str)
    """A page was shown: carries its title."""

    def __init__(self, desk: Desk, *, clinic_name: str = "") -> None:
        super().__init__()
        self.desk = desk
        self.setWindowTitle(
            _("Front Desk — {clinic}").format(clinic=clinic_name)
            if clinic_name
            else _("Front Desk")
        )
        self.specs = pages_for(desk.actor.role)
        self.pages: dict[str, QWidget] = {}
        self.dialog: QWidget | None = None

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(_("Pages"))
        self.navigation.setFixedWidth(190)
        self.navigation.setIconSize(QSize(20, 20))
        colour = active_theme().colour("navigation_text")
        for spec in self.specs:
            item = QListWidgetItem(icon(spec.icon, colour), spec.label)
            item.setToolTip(spec.shortcut.toString(QKeySequence.SequenceFormat.NativeText))
            self.navigation.addItem(item)
        self.stack = QStackedWidget()
        self._placeholders = {spec.title: QWidget() for spec in self.specs}
        for placeholder in self._placeholders.values():
            self.stack.addWidget(placeholder)
        self.navigation.currentRowChanged.connect(self._navigate)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.identity_label = QLabel(self._identity_text(None))
        self.sync_label = QLabel(_("Sync: reading…"))
        self.sync_label.setObjectName("sync-state")
        self.statusBar().addWidget(self.identity_label)
        self.statusBar().addPermanentWidget(self.sync_label)
        self.sync = SyncController(desk, self)
        self.sync.sig_account.connect(
            lambda account: self.identity_label.setText(self._identity_text(account))
        )
        self.sync.sig_account.connect(self._claim_through_server)
        self.sync.sig_status.connect(self._show_status)
        self.sync.sig_error.connect(self._show_sync_error)

        self._shortcuts()
        self._restore_geometry()
        self.navigation.setCurrentRow(0)
        self.sync.start()

    # --- pages ----------------------------------------------------------------------------

    def show_page(self, title: str) -> QWidget:
        row = next(n for n, spec in enumerate(self.specs) if spec.title == title)
        self.navigation.setCurrentRow(row)
        return self.pages[title]

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def _navigate(self, row: int) -> None:
        if row < 0:
            return
        spec = self.specs[row]
        page = self.pages.get(spec.title) or self._build(spec)
        self.stack.setCurrentWidget(page)
        self.sig_page_shown.emit(spec.title)

    def _build(self, spec: PageSpec) -> QWidget:
        page: QWidget = load_screen(spec.module, spec.class_name)(self.desk, self)
        page.setObjectName(f"page-{spec.title.lower().replace(' ', '-')}")
        placeholder = self._placeholders.pop(spec.title)
        index = self.stack.indexOf(placeholder)
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.pages[spec.title] = page
        return page

    # --- keyboard -------------------------------------------------------------------------

    def _shortcuts(self) -> None:
        def bind(keys: QKeySequence | str, slot: object) -> None:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        for spec in self.specs:
            bind(spec.shortcut, lambda s=spec: self.show_page(s.title))
        bind("Ctrl+T", self.go_today)
        bind(QKeySequence.StandardKey.New, self.new_booking)
        bind(QKeySequence.StandardKey.Find, self.focus_search)
        bind("Ctrl+PgDown", self.next_week)
        bind("Ctrl+PgUp", self.previous_week)
        bind(QKeySequence.StandardKey.Refresh, self.refresh_current)

    def go_today(self) -> None:
        """Ctrl+T: today's board (and the calendar, if open, back to today)."""
        calendar = self.pages.get(CALENDAR.title)
        if calendar is not None:
            calendar.go_today()  # type: ignore[attr-defined]
        self.show_page(TODAY.title)

    def new_booking(self) -> None:
        """Ctrl+N: book a walk-in or a phone booking."""
        self.dialog = load_screen(*BOOKING_DIALOG)(self.desk, self)
        self.dialog.open()  # type: ignore[attr-defined]

    def focus_search(self) -> None:
        """Ctrl+F: the current page's search box."""
        page = self.current_page()
        if hasattr(page, "focus_search"):
            page.focus_search()
            return
        box = page.findChild(QLineEdit, "search")
        if box is not None:
            box.setFocus()
            box.selectAll()

    def next_week(self) -> None:
        """Ctrl+PageDown: the calendar, one period on."""
        self.show_page(CALENDAR.title).next_period()  # type: ignore[attr-defined]

    def previous_week(self) -> None:
        """Ctrl+PageUp: the calendar, one period back."""
        self.show_page(CALENDAR.title).previous_period()  # type: ignore[attr-defined]

    def refresh_current(self) -> None:
        """F5: reload the current page."""
        page = self.current_page()
        if hasattr(page, "refresh"):
            page.refresh()
        self.sync.sync_now()

    # --- status ---------------------------------------------------------------------------

    def _identity_text(self, account: Account | None) -> str:
        actor = self.desk.actor
        if account is None:
            return _("{name} ({role})").format(name=actor.label, role=actor.role.label)
        return _("{name} ({role}) on {server}").format(
            name=actor.label, role=actor.role.label, server=account.server_url
        )

    def _claim_through_server(self, account: Account) -> None:
        """Signed in: the engine runs only what the server grants this desk (sync/claims.py)."""
        from frontdesk.sync.claims import ServerClaims  # not at start-up: network code

        self.desk.claims.use(ServerClaims(account))

    def _show_status(self, status: SyncStatus) -> None:
        self.sync_label.setText(describe(status, standalone=self.sync.account is None))
        self.sync_label.setToolTip(status.last_error or "")

    def _show_sync_error(self, message: str) -> None:
        self.sync_label.setToolTip(message)

    # --- geometry -------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        state = self.desk.window_state()
        geometry = state.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        state = self.desk.window_state()
        state.setValue("main_window/geometry", self.saveGeometry())
        state.sync()
        self.desk.claims.use(None)  # the account closes with the sync controller
        self.sync.stop()
        super().closeEvent(event)
