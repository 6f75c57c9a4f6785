"""The appointment detail in Romanian: fields, dates, a duration with Romanian plurals, the
history told in sentences; the stored record behind "Technical details" for an admin alone;
each mnemonic its own key in both languages; every control named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import AppointmentStatus as S
from frontdesk.domain.enums import Role
from frontdesk.gui.appointments.history_words import happened
from frontdesk.gui.desk import Desk
from frontdesk.i18n import ngettext
from frontdesk.i18n.catalogs import activate
from frontdesk.services import lifecycle, onboarding
from frontdesk.services.appointment_views import StatusStep
from tests.gui.appointments.test_detail import open_detail
from tests.gui.screen_checks import mnemonic_keys, unnamed_controls
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import TOMORROW_10, book


def test_in_romanian_the_appointment_speaks_romanian(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    booked = book(clinic.ctx, clinic, calendar_id=clinic.public_calendar_id)
    appointment_id = booked.appointment.id
    onboarding.onboard(clinic.ctx, appointment_id)
    lifecycle.cancel(clinic.ctx, appointment_id, reason="Pacientul este bolnav")
    dialog = open_detail(qtbot, desk, appointment_id)
    heading = dialog.heading.text()
    assert "marți 03 martie 2026, 10:00–10:45 (45 de minute), cu " in heading
    assert "<b>Anulată</b>" in heading
    labels = {key: label.text() for key, label in dialog.field_labels.items()}
    assert labels["status"] == "Anulată"
    assert labels["source"] == "pagina publică de programări"
    assert labels["start"] == "mar. 03 mar. 2026 10:00"
    assert labels["cancelled"].endswith(", de Rita: Pacientul este bolnav")
    said = [dialog.history_model.index(row, 1).data() for row in range(3)]
    assert said == [
        "Rita a făcut programarea.",
        "Rita a înregistrat programarea.",
        "Rita a anulat programarea. Motiv: Pacientul este bolnav",
    ]
    assert dialog.tabs.tabText(1) == "&Istoric"
    assert dialog.tabs.tabText(2).startswith("&Formulare (")
    assert dialog.review.text() == "Nicio recenzie încă."
    assert dialog.video_state.text() == "Închisă."
    assert dialog.windowTitle().endswith(" — Ioana Marin")


@pytest.mark.parametrize(
    ("minutes", "words"), [(1, "1 minut"), (45, "45 de minute"), (5, "5 minute")]
)
def test_a_duration_takes_romanians_three_plural_forms(minutes: int, words: str) -> None:
    activate("ro")
    said = ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
    assert said == words


def test_each_step_of_the_history_is_a_sentence_without_stored_values(clinic: Clinic) -> None:
    at = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    steps = [
        (
            StatusStep(at, None, S.BOOKED, "public booking page", None),
            "The public booking page booked the appointment.",
        ),
        (
            StatusStep(at, S.CONFIRMED, S.INPROGRESS, "Dr Mihai", None),
            "Dr Mihai started the session.",
        ),
        (
            StatusStep(at, S.UPCOMING, S.NOSHOW, "automation", None),
            "An automation marked that the patient did not come.",
        ),
        (
            StatusStep(at, S.NOSHOW, S.UPCOMING, "Rita", "came late"),
            "Rita reinstated the appointment (now Upcoming). Reason: came late",
        ),
        (
            StatusStep(at, S.INPROGRESS, S.UPCOMING, "", None),
            "Someone moved the appointment from In progress to Upcoming.",
        ),
        (
            StatusStep(at, None, S.CONFIRMED, "Rita", None),
            "Rita booked the appointment as Confirmed.",
        ),
    ]
    for step, sentence in steps:
        assert happened(step) == sentence
    activate("ro")
    assert happened(steps[2][0]) == "O automatizare a notat că pacientul nu a venit."
    assert (
        happened(steps[4][0]) == "Cineva a trecut programarea din „În desfășurare” în „Programată”."
    )


def test_an_admin_alone_sees_the_stored_record_behind_technical_details(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic
) -> None:
    booked = book(clinic.ctx, clinic)
    appointment_id = booked.appointment.id
    onboarding.onboard(clinic.ctx, appointment_id)
    clinic.clock.set(TOMORROW_10)
    lifecycle.start_session(clinic.ctx, appointment_id)

    receptionist = open_detail(qtbot, desk_as(Role.RECEPTIONIST), appointment_id)
    assert receptionist.technical_button.isHidden()
    assert receptionist.technical.toPlainText() == ""
    shown = [label.text() for label in receptionist.field_labels.values()]
    assert not [text for text in shown if "inprogress" in text or str(appointment_id) in text]

    admin = open_detail(qtbot, desk_as(Role.ADMIN), appointment_id)
    assert not admin.technical_button.isHidden()
    assert admin.technical.isHidden()
    admin.tabs.setCurrentIndex(1)
    admin.technical_button.click()
    assert admin.technical.isVisible()
    record = admin.technical.toPlainText()
    assert f"id: {appointment_id}" in record
    assert "upcoming -> inprogress actor_label='Rita'" in record


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_appointment_is_its_own_key(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic, language: str
) -> None:
    activate(language)
    booked = book(clinic.ctx, clinic)
    dialog = open_detail(qtbot, desk_as(Role.ADMIN), booked.appointment.id)
    keys = mnemonic_keys(dialog)
    assert len(keys) == 7
    assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_the_appointment_has_a_name(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic, language: str
) -> None:
    activate(language)
    booked = book(clinic.ctx, clinic)
    dialog = open_detail(qtbot, desk_as(Role.ADMIN), booked.appointment.id)
    assert unnamed_controls(dialog) == []
    assert dialog.history.accessibleDescription()
