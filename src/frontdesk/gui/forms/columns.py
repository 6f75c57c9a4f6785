"""How the desk's lists show forms: a status in words, and the columns of the three lists of
forms (the Forms page, a patient's forms, an appointment's forms), defined once."""

from __future__ import annotations

from frontdesk.domain.enums import FormStatus
from frontdesk.gui.appointments.table_model import Column
from frontdesk.services.form_views import FormRow

FORM_STATUS_WORDS = {
    FormStatus.CREATED: "to fill in",
    FormStatus.COMPLETED: "filled in, to sign",
    FormStatus.SIGNED: "signed",
}
"""What the desk reads instead of the stored status (the Forms page's filter uses the same
words)."""


def status_words(status: FormStatus) -> str:
    return FORM_STATUS_WORDS.get(status, str(status))


TITLE = Column[FormRow]("Form", lambda r: r.title)
PATIENT = Column[FormRow]("Patient", lambda r: r.patient_name)
TYPE = Column[FormRow]("Type", lambda r: str(r.form_type))
STATUS = Column[FormRow]("Status", lambda r: status_words(r.status))
BLOCKS_BOOKING = Column[FormRow]("Blocks booking", lambda r: r.blocking)
APPOINTMENT = Column[FormRow]("Appointment", lambda r: r.appointment_start_local)
ASKED_ON = Column[FormRow]("Asked on", lambda r: r.created_local)

ALL_FORMS_COLUMNS = [TITLE, PATIENT, TYPE, STATUS, BLOCKS_BOOKING, APPOINTMENT, ASKED_ON]
PERSON_FORM_COLUMNS = [TITLE, TYPE, STATUS, APPOINTMENT]
APPOINTMENT_FORM_COLUMNS = [TITLE, TYPE, STATUS, BLOCKS_BOOKING]
