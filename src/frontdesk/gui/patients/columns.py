"""How the desk's tables show people and a person's appointments."""

from __future__ import annotations

from datetime import date

from frontdesk.gui.appointments.table_model import Column
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_date, format_datetime
from frontdesk.services.patient_directory import AppointmentRow, PersonRow


def born_on(value: date | None) -> str:
    """A date of birth with the month in words (day first, as the desk's languages write)."""
    return format_date(value, "dd MMM y") if value else ""


PERSON_COLUMNS: list[Column[PersonRow]] = [
    Column(N_("Name"), lambda r: r.name),
    Column(N_("Born"), lambda r: born_on(r.date_of_birth)),
    Column(N_("Phone"), lambda r: r.phone),
    Column(N_("E-mail"), lambda r: r.email),
    Column(N_("Patient"), lambda r: _("yes") if r.is_patient else _("no")),
    Column(N_("Managed by"), lambda r: r.manager_name),
]

APPOINTMENT_COLUMNS: list[Column[AppointmentRow]] = [
    Column(N_("When"), lambda r: format_datetime(r.start_local, "EEE dd MMM y HH:mm")),
    Column(N_("Service"), lambda r: r.service_name),
    Column(N_("Specialist"), lambda r: r.specialist_name),
    Column(N_("Status"), lambda r: r.status.label),
]
