"""A sample event for the test panel when no real one fits: every entity the trigger offers,
with a plausible value for each attribute, to be edited before the dry run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.events import EventName
from frontdesk.domain.rules import VarType, catalog_for

_NICE: dict[str, Any] = {
    "patient.first_name": "Ana",
    "patient.last_name": "Popescu",
    "patient.email": "ana.popescu@example.com",
    "patient.phone": "+40721000000",
    "patient.country": "RO",
    "patient.city": "Bucharest",
    "patient.date_of_birth": "1958-11-23",
    "appointment.specialist.name": "Dr Mihai Popescu",
    "appointment.specialist.specialty": "kinesitherapy",
    "appointment.service.name": "Physiotherapy consult",
    "appointment.duration_minutes": 45,
    "treatment_plan.name": "Knee rehabilitation",
    "treatment_plan.specialist.name": "Dr Mihai Popescu",
    "treatment_plan.adherence_rate": 0.4,
    "treatment_plan.frequency_per_week": 3,
    "treatment_plan.duration_weeks": 6,
    "service_plan.name": "Back care, 10 sessions",
    "service_plan.session_count": 10,
    "session.estimated_duration": 20,
    "patient_treatment_plan.sessions_total": 12,
    "patient_treatment_plan.sessions_completed": 4,
    "service_plan_enrolment.sessions_completed": 4,
}
# Worked out from other values, so a sample does not contradict itself.
_DERIVED = {
    "patient.name",
    "patient.age",
    "patient.birthday_today",
    "patient.segment_id",
    "patient_treatment_plan.sessions_remaining",
    "service_plan_enrolment.sessions_remaining",
}


def sample_event(trigger: str, now: datetime, timezone: str) -> dict[str, Any]:
    """A dry-run event document for `trigger` at `now` (aware) in the organization's zone."""
    now = now.replace(microsecond=0).astimezone(ZoneInfo(timezone))
    context: dict[str, Any] = {}
    for variable in catalog_for(EventName(trigger)):
        entity, _, rest = variable.path.partition(".")
        if entity in {"time", "organization"} or variable.path in _DERIVED:
            continue
        value = _NICE.get(variable.path, _example(variable.type, variable.choices, now))
        if variable.path == "appointment.started_at":
            value = (now + timedelta(hours=24)).isoformat()
        target = context.setdefault(entity, {})
        *parents, last = rest.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return {
        "event": trigger,
        "occurred_at": now.isoformat(),
        "organization": {"timezone": timezone},
        "context": context,
    }


def _example(kind: VarType, choices: tuple[str, ...], now: datetime) -> Any:
    if choices:
        return choices[0]
    return {
        VarType.STR: "sample",
        VarType.INT: 3,
        VarType.FLOAT: 0.5,
        VarType.BOOL: True,
        VarType.DATE: now.date().isoformat(),
        VarType.DATETIME: now.isoformat(),
        VarType.ID: 1,
        VarType.ID_LIST: [1],
    }[kind]
