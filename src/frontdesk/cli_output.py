"""How the `frontdesk` command prints calendar entries: JSON for scripts, a table for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_datetime, format_time
from frontdesk.services.calendar import CalendarEntry

_COLUMNS = (
    N_("Start"),
    N_("End"),
    N_("Status"),
    N_("Type"),
    N_("Specialist"),
    N_("Service"),
    N_("Patient"),
    N_("Forms"),
)


def entry_record(entry: CalendarEntry) -> dict[str, Any]:
    """One appointment as JSON: local times with their UTC offset, ids as strings."""
    return {
        "id": str(entry.id),
        "start": entry.start_local.isoformat(),
        "end": entry.end_local.isoformat(),
        "status": str(entry.status),
        "type": str(entry.type),
        "specialist": entry.specialist_name,
        "specialist_id": str(entry.specialist_id),
        "service": entry.service_name,
        "patient": entry.patient_name,
        "outstanding_forms": entry.outstanding_forms,
        "checked_in_at": entry.checked_in_at.isoformat() if entry.checked_in_at else None,
        "video_url": entry.video_url,
    }


def entries_json(entries: Sequence[CalendarEntry]) -> str:
    return json.dumps([entry_record(e) for e in entries], indent=2, ensure_ascii=False)


def entries_table(entries: Sequence[CalendarEntry]) -> str:
    """Aligned columns, one appointment a line, in local time and the active language."""
    rows = [tuple(_(column) for column in _COLUMNS), *(_table_row(e) for e in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _table_row(entry: CalendarEntry) -> tuple[str, ...]:
    same_day = entry.end_local.date() == entry.start_local.date()
    end = format_time(entry.end_local) if same_day else format_datetime(entry.end_local)
    return (
        format_datetime(entry.start_local),
        end,
        entry.status.label,
        entry.type.label,
        entry.specialist_name,
        entry.service_name,
        entry.patient_name,
        str(entry.outstanding_forms),
    )
