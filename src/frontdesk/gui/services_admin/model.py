"""The Services table: one row per service, retired ones marked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from frontdesk.gui.automations.list_model import Index, ListTableModel
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_currency
from frontdesk.services.service_setup import ServiceRecord

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


def price_text(record: ServiceRecord) -> str:
    if record.price_cents is None or not record.currency:
        return _("No price")
    return format_currency(Decimal(record.price_cents) / 100, record.currency)


def duration_text(minutes: int) -> str:
    return ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)


class ServicesTableModel(ListTableModel[ServiceRecord]):
    COLUMNS = (
        N_("No."),
        N_("Name"),
        N_("Duration"),
        N_("Held"),
        N_("Price"),
        N_("Performers"),
        N_("Booking page"),
        N_("State"),
    )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.item(index)
        if record is None:
            return None
        if role == RECORD_ROLE:
            return record
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._cells(record)[index.column()]

    def _cells(self, record: ServiceRecord) -> tuple[str, ...]:
        return (
            str(record.reference) if record.reference is not None else "",
            record.name,
            duration_text(record.duration_minutes),
            record.appointment_type.label,
            price_text(record),
            ", ".join(record.performer_names),
            _("Public") if record.is_public else _("Not public"),
            _("Retired") if record.retired else _("Offered"),
        )
