"""Onboarding a public booking (phase 2), step by step:

1. Who is this? The booking's details, and anyone already registered who looks like the same
   person (same name and date of birth, phone or e-mail): link the booking to one of them, or
   register a new patient. A login is made for a new patient with an e-mail address.
2. The forms the appointment will ask for (its service's and its calendar's).
3. Confirm: the video room to be opened, and what happens. "Onboard" runs
   `services.onboarding.onboard` — one transaction — and cannot be undone from here.
4. Done: the forms made, what the patient still owes from before, and the video room's
   address, which opens in the system browser.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.domain.errors import InvalidInput
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.appointments.video import open_video_room
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.patients.new_patient import describe_candidate, parse_date_of_birth
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_datetime, format_number
from frontdesk.services import onboarding
from frontdesk.services.appointment_views import (
    AppointmentDetail,
    PlannedForm,
    appointment_detail,
    planned_forms,
)
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.onboarding import OnboardingResult
from frontdesk.services.patients import DuplicateCandidate, DuplicatePerson

WARNING_STYLE = "color: #8a5a00;"
WHEN_PATTERN = "EEE d MMM y, HH:mm"
ENDS_PATTERN = "EEE d MMM, HH:mm"
"""How the wizard writes the appointment's start and end (CLDR patterns)."""


@dataclass(frozen=True)
class OnboardingFacts:
    """What the wizard shows before anything is written."""

    appointment: AppointmentDetail
    candidates: list[DuplicateCandidate]
    forms: list[PlannedForm]


def load_facts(ctx: ServiceContext, appointment_id: uuid.UUID) -> OnboardingFacts:
    return OnboardingFacts(
        appointment_detail(ctx, appointment_id),
        onboarding.likely_duplicates(ctx, appointment_id).value,
        planned_forms(ctx, appointment_id),
    )


class PatientPage(QWizardPage):
    """Step 1: who the booking is for."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False
        self.setTitle(_("Who is this?"))
        self.booking = QLabel()
        self.booking.setObjectName("onboarding-booking")
        self.booking.setWordWrap(True)
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setObjectName("onboarding-date-of-birth")
        self.date_of_birth.setPlaceholderText(_("YYYY-MM-DD (optional)"))
        self.request_account = QCheckBox()
        self.request_account.setObjectName("onboarding-request-account")
        self.request_account.setChecked(True)
        self.matches_intro = QLabel()
        self.matches_intro.setWordWrap(True)
        self.choices = QButtonGroup(self)
        # Which person each choice links to (None: register a new patient).
        self.linked_ids: dict[QAbstractButton, uuid.UUID | None] = {}
        self.choice_box = QWidget()
        self.choice_layout = QVBoxLayout(self.choice_box)
        self.choice_layout.setContentsMargins(12, 0, 0, 0)
        self.problem = problem_label("onboarding-patient-problem")
        form = QFormLayout()
        form.addRow(_("&Date of birth"), self.date_of_birth)
        form.addRow("", self.request_account)
        self.choice_box.setAccessibleName(_("Who the booking is for"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.booking)
        layout.addLayout(form)
        layout.addWidget(self.matches_intro)
        layout.addWidget(self.choice_box)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def show_facts(self, facts: OnboardingFacts) -> None:
        a = facts.appointment
        contact = " · ".join(x for x in (a.patient_phone, a.patient_email) if x) or _("no contact")
        # What the public page was sent is shown as text, never read as markup.
        self.booking.setText(
            _(
                "<b>{patient}</b> ({contact}) booked <b>{service}</b> with {specialist} on {when}."
            ).format(
                patient=html.escape(a.patient_name),
                contact=html.escape(contact),
                service=html.escape(a.service_name),
                specialist=html.escape(a.specialist_name),
                when=format_datetime(a.start_local, WHEN_PATTERN),
            )
        )
        self.request_account.setText(
            _("Ask for a portal login for {email}").format(email=a.patient_email)
            if a.patient_email
            else _("No e-mail: no login")
        )
        self.request_account.setEnabled(a.patient_email is not None)
        self.show_candidates(a.patient_name, facts.candidates)
        if a.status != AppointmentStatus.BOOKED:
            self.problem.setText(
                _("This appointment is {status}: it was onboarded already.").format(
                    status=a.status.label.lower()
                )
            )
            self.problem.show()
            return
        self.loaded = True
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.loaded

    def show_candidates(self, name: str, candidates: list[DuplicateCandidate]) -> None:
        for button in self.choices.buttons():
            self.choices.removeButton(button)
            button.deleteLater()
        self.linked_ids.clear()
        if candidates:
            self.matches_intro.setText(
                _(
                    "Someone already registered may be the same person. Link the booking to "
                    "them, or register a new patient:"
                )
            )
        else:
            self.matches_intro.setText(
                _("No one registered looks like this person: a new patient is registered.")
            )
        for candidate in candidates:
            button = QRadioButton(
                _("Link to {candidate}").format(candidate=describe_candidate(candidate))
            )
            self._add_choice(button, candidate.person_id)
        if candidates:
            self._add_choice(
                QRadioButton(_("Register {name} as a new patient").format(name=name)), None
            )
            self.choices.buttons()[0].setChecked(True)
        self.problem.hide()

    def _add_choice(self, button: QRadioButton, person_id: uuid.UUID | None) -> None:
        self.choices.addButton(button)
        self.choice_layout.addWidget(button)
        self.linked_ids[button] = person_id

    def linked_person(self) -> uuid.UUID | None:
        button = self.choices.checkedButton()
        return self.linked_ids.get(button) if button is not None else None

    def keep_separate(self) -> bool:
        """Chosen to register a new person although candidates were offered."""
        return bool(self.choices.buttons()) and self.linked_person() is None

    def validatePage(self) -> bool:
        try:
            parse_date_of_birth(self.date_of_birth.text())
        except InvalidInput as error:
            self.problem.setText(explain(error))
            self.problem.show()
            return False
        return True


class FormsPreviewPage(QWizardPage):
    """Step 2: the forms onboarding will generate."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Forms"))
        self.setSubTitle(_("These forms are made for the patient when you onboard:"))
        self.forms = QListWidget()
        self.forms.setObjectName("onboarding-forms")
        self.forms.setAccessibleName(_("Forms to be made"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.forms)

    def show_facts(self, facts: OnboardingFacts) -> None:
        self.forms.clear()
        for form in facts.forms:
            line = (
                _("{form} (asked by the service)")
                if form.source == "service"
                else _("{form} (asked by the booking's calendar)")
            ).format(form=form.title)
            if form.blocking:
                line = _("{form} — must be signed before the next booking").format(form=line)
            self.forms.addItem(line)
        if not facts.forms:
            self.forms.addItem(_("This appointment asks for no forms."))


class ConfirmPage(QWizardPage):
    """Step 3: the video room, and the point of no return."""

    sig_onboarded = Signal(object)
    """Onboarding committed: carries the OnboardingResult."""

    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.result: OnboardingResult | None = None
        self._running = False
        self.setTitle(_("Video room and confirm"))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Onboard"))
        self.summary = QLabel()
        self.summary.setObjectName("onboarding-summary")
        self.summary.setWordWrap(True)
        self.problem = problem_label("onboarding-problem")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def initializePage(self) -> None:
        facts = self._wizard.facts
        if facts is None:
            return
        patient = self._wizard.patient_page
        linked = patient.linked_person()
        who = (
            next(c.name for c in facts.candidates if c.person_id == linked)
            if linked
            else facts.appointment.patient_name
        )
        action = (
            _("linked to the registered patient") if linked else _("registered as a new patient")
        )
        count = len(facts.forms)
        made = ngettext("{count} form will be made.", "{count} forms will be made.", count)
        ends = format_datetime(facts.appointment.end_local, ENDS_PATTERN)
        self.summary.setText(
            f"<p><b>{html.escape(who)}</b> — {action}.</p>"
            f"<p>{made.format(count=format_number(count))}</p><p>"
            + _(
                "A video room is opened for the appointment. It closes when the appointment "
                "ends ({when})."
            ).format(when=ends)
            + "</p><p>"
            + _("The appointment moves from <i>{booked}</i> to <i>{upcoming}</i>.").format(
                booked=AppointmentStatus.BOOKED.label.lower(),
                upcoming=AppointmentStatus.UPCOMING.label.lower(),
            )
            + "</p>"
        )
        self.problem.hide()

    def validatePage(self) -> bool:
        # Onboarding runs off the UI thread; the wizard moves on when it has committed.
        if self.result is not None:
            return True
        if not self._running:
            self._start()
        return False

    def _start(self) -> None:
        wizard = self._wizard
        patient = wizard.patient_page
        appointment_id = wizard.appointment_id
        link, keep = patient.linked_person(), patient.keep_separate()
        born = parse_date_of_birth(patient.date_of_birth.text())
        account = patient.request_account.isChecked()

        def work(ctx: ServiceContext) -> Outcome[OnboardingResult]:
            return onboarding.onboard(
                ctx,
                appointment_id,
                link_person_id=link,
                keep_separate=keep,
                request_account=account,
                date_of_birth=born,
            )

        self._running = True
        wizard.button(QWizard.WizardButton.CommitButton).setEnabled(False)
        run_operation(
            wizard.desk, work, parent=self, on_done=self._committed, on_error=self._refused
        )

    def _committed(self, outcome: Outcome[OnboardingResult]) -> None:
        self._running = False
        self.result = outcome.value
        self.sig_onboarded.emit(outcome.value)
        self._wizard.next()

    def _refused(self, error: Exception) -> None:
        self._running = False
        self._wizard.button(QWizard.WizardButton.CommitButton).setEnabled(True)
        facts = self._wizard.facts
        if isinstance(error, DuplicatePerson) and facts is not None:
            # The date of birth matched someone: offer them on the first page.
            self._wizard.back_to_patient(list(error.candidates))
            return
        self.problem.setText(explain(error))
        self.problem.show()


class DonePage(QWizardPage):
    """Step 4: what onboarding made, and the video room."""

    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Onboarded"))
        self.report = QLabel()
        self.report.setObjectName("onboarding-report")
        self.report.setWordWrap(True)
        self.outstanding = QLabel()
        self.outstanding.setObjectName("onboarding-outstanding")
        self.outstanding.setStyleSheet(WARNING_STYLE)
        self.outstanding.setWordWrap(True)
        self.video_url = QLabel()
        self.video_url.setObjectName("onboarding-video-url")
        self.video_url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.video_url.setAccessibleName(_("Video room address"))
        self.video_button = QPushButton(_("Open &video room"))
        self.video_button.setAutoDefault(False)
        self.video_button.clicked.connect(self.open_room)
        layout = QVBoxLayout(self)
        layout.addWidget(self.report)
        layout.addWidget(self.outstanding)
        layout.addWidget(QLabel("<b>" + _("Video room") + "</b>"))
        layout.addWidget(self.video_url)
        layout.addWidget(self.video_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def initializePage(self) -> None:
        result = self._wizard.confirm_page.result
        if result is None:
            return
        sentences = [
            _("<b>{patient}</b> is onboarded; the appointment is <b>{status}</b>.").format(
                patient=html.escape(result.person.name),
                status=result.appointment.status.label.lower(),
            )
        ]
        if result.retired_person_id:
            sentences.append(_("Linked to the registered patient."))
        if result.account_requested:
            sentences.append(_("A portal login was asked for them."))
        forms = "".join(f"<li>{html.escape(form.title)}</li>" for form in result.forms) or (
            "<li>" + _("none") + "</li>"
        )
        self.report.setText(
            f"<p>{' '.join(sentences)}</p><p>" + _("Forms made:") + f"</p><ul>{forms}</ul>"
        )
        if result.outstanding:
            items = "".join(f"<li>{html.escape(item)}</li>" for item in result.outstanding)
            self.outstanding.setText(
                "<p>" + _("Still outstanding from before:") + f"</p><ul>{items}</ul>"
            )
        self.outstanding.setVisible(bool(result.outstanding))
        self.video_url.setText(result.appointment.video_room_url or _("no room"))
        self.video_button.setEnabled(result.appointment.video_room_url is not None)

    def open_room(self) -> None:
        result = self._wizard.confirm_page.result
        if result is not None and result.appointment.video_room_url:
            open_video_room(result.appointment.video_room_url)


class OnboardingWizard(QWizard):
    sig_onboarded = Signal(object)
    """The appointment was onboarded: carries its id."""

    def __init__(
        self, desk: Desk, appointment_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.appointment_id = appointment_id
        self.facts: OnboardingFacts | None = None
        self.setObjectName("onboarding-wizard")
        self.setWindowTitle(_("Onboard a booking"))
        # Qt's own words for the wizard's buttons are English: the desk names them itself.
        for button, words in (
            (QWizard.WizardButton.BackButton, _("< &Back")),
            (QWizard.WizardButton.NextButton, _("&Next >")),
            (QWizard.WizardButton.FinishButton, _("&Finish")),
            (QWizard.WizardButton.CancelButton, _("Cancel")),
        ):
            self.setButtonText(button, words)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.resize(640, 520)
        self.patient_page = PatientPage()
        self.forms_page = FormsPreviewPage()
        self.confirm_page = ConfirmPage(self)
        self.done_page = DonePage(self)
        self.patient_page_id = self.addPage(self.patient_page)
        self.addPage(self.forms_page)
        self.addPage(self.confirm_page)
        self.addPage(self.done_page)
        self.confirm_page.sig_onboarded.connect(
            lambda result: self.sig_onboarded.emit(result.appointment.id)
        )
        run_operation(
            desk,
            lambda ctx: load_facts(ctx, appointment_id),
            parent=self,
            on_done=self._show_facts,
            on_error=self._not_loaded,
        )

    def _show_facts(self, facts: OnboardingFacts) -> None:
        self.facts = facts
        self.patient_page.show_facts(facts)
        self.forms_page.show_facts(facts)

    def _not_loaded(self, error: Exception) -> None:
        self.patient_page.problem.setText(explain(error))
        self.patient_page.problem.show()

    def back_to_patient(self, candidates: list[DuplicateCandidate]) -> None:
        if self.facts is None:
            return
        self.facts = OnboardingFacts(self.facts.appointment, candidates, self.facts.forms)
        while self.currentId() != self.patient_page_id:
            self.back()
        self.patient_page.show_candidates(self.facts.appointment.patient_name, candidates)
        self.patient_page.problem.setText(
            _(
                "With this date of birth, someone registered looks like the same person. "
                "Choose below, then go on."
            )
        )
        self.patient_page.problem.show()
