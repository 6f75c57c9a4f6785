"""How the desk's lists show forms: a status and a kind in words, and the columns of the
three lists of forms (the Forms page, a patient's forms, an appointment's forms), defined
once."""

from __future__ import annotations

from datetime import datetime

from frontdesk.domain.enums import FormStatus, FormType
from frontdesk.gui.appointments.table_model import Column
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_datetime
from frontdesk.services.form_views import FormRow

FORM_STATUS_WORDS = {
    FormStatus.CREATED: N_("to fill in"),
    FormStatus.COMPLETED: N_("filled in, to sign"),
    FormStatus.SIGNED: N_("signed"),
}
"""What the desk reads instead of the stored status (translated when shown)."""

FORM_TYPE_WORDS = {
    FormType.SURVEY: N_("Questionnaire"),
    FormType.DISCLAIMER: N_("Consent"),
    FormType.PARAMETERS: N_("Measurements"),
    FormType.ANALYSIS: N_("Analysis"),
    FormType.ADVICE: N_("Advice"),
    FormType.REPORT: N_("Report"),
    FormType.PRESCRIPTION: N_("Prescription"),
}
"""What the desk reads instead of the stored form type."""

WHEN_PATTERN = "EEE dd MMM y HH:mm"
"""A day and time in a list, as the patients' lists write it (CLDR pattern)."""


def status_words(status: FormStatus) -> str:
    words = FORM_STATUS_WORDS.get(status)
    return _(words) if words else _("unknown")


def type_words(form_type: FormType) -> str:
    words = FORM_TYPE_WORDS.get(form_type)
    return _(words) if words else _("Form")


def when(moment: datetime | None) -> str:
    return format_datetime(moment, WHEN_PATTERN) if moment else ""


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


TITLE = Column[FormRow](N_("Form"), lambda r: r.title)
PATIENT = Column[FormRow](N_("Patient"), lambda r: r.patient_name)
TYPE = Column[FormRow](N_("Type"), lambda r: type_words(r.form_type))
STATUS = Column[FormRow](N_("Status"), lambda r: status_words(r.status))
BLOCKS_BOOKING = Column[FormRow](N_("Blocks booking"), lambda r: _yes_no(r.blocking))
APPOINTMENT = Column[FormRow](N_("Appointment"), lambda r: when(r.appointment_start_local))
ASKED_ON = Column[FormRow](N_("Asked on"), lambda r: when(r.created_local))

ALL_FORMS_COLUMNS = [TITLE, PATIENT, TYPE, STATUS, BLOCKS_BOOKING, APPOINTMENT, ASKED_ON]
PERSON_FORM_COLUMNS = [TITLE, TYPE, STATUS, APPOINTMENT]
APPOINTMENT_FORM_COLUMNS = [TITLE, TYPE, STATUS, BLOCKS_BOOKING]
