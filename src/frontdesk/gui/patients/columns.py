"""How the desk's tables show people and a person's appointments."""

from __future__ import annotations

from frontdesk.gui.appointments.table_model import Column
from frontdesk.services.patient_directory import AppointmentRow, PersonRow

PERSON_COLUMNS: list[Column[PersonRow]] = [
    Column("Name", lambda r: r.name),
    Column("Born", lambda r: r.date_of_birth),
    Column("Phone", lambda r: r.phone),
    Column("E-mail", lambda r: r.email),
    Column("Patient", lambda r: r.is_patient),
    Column("Managed by", lambda r: r.manager_name),
]

APPOINTMENT_COLUMNS: list[Column[AppointmentRow]] = [
    Column("When", lambda r: r.start_local),
    Column("Service", lambda r: r.service_name),
    Column("Specialist", lambda r: r.specialist_name),
    Column("Status", lambda r: str(r.status)),
]
