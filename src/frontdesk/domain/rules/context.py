"""Derived values of an evaluation context: what the catalog offers beyond the stored columns.

Given the raw entities (`{"patient": {...}, "appointment": {...}}`), the moment and the
organization's zone, `derive_context` adds — only where the context does not already say —
`time.*`, `patient.name`, `patient.age`, `patient.birthday_today` (29 February counts as
28 February in common years), `patient.segment_id` (the specification's spelling of
`segment_ids`), `time.hours_before_appointment` / `minutes_before_appointment` (rounded to the
nearest whole unit, so a reminder fired a few seconds late still reads 24), and the sessions
remaining of a treatment plan or service plan enrolment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.clock import age_on, ensure_utc
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules.schedule import anniversary
from frontdesk.domain.rules.variables import WEEKDAY_NAMES


def derive_context(
    context: Mapping[str, Any],
    *,
    now: datetime,
    tz: ZoneInfo,
    organization: Mapping[str, Any] | None = None,
    field: str = "context",
) -> dict[str, Any]:
    """A copy of `context` with derived values filled in. Bad dates are refused by the path
    where they were given (`context.patient.date_of_birth`)."""
    result: dict[str, Any] = {
        key: dict(value) if isinstance(value, Mapping) else value for key, value in context.items()
    }
    local_now = ensure_utc(now, field="occurred_at").astimezone(tz)
    today = local_now.date()

    org = result.setdefault("organization", {})
    for key, value in {"timezone": tz.key, **(organization or {})}.items():
        org.setdefault(key, value)

    clock = result.setdefault("time", {})
    clock.setdefault("now", local_now.isoformat())
    clock.setdefault("today", today.isoformat())
    clock.setdefault("day_of_week", WEEKDAY_NAMES[today.weekday()])
    clock.setdefault("hour", local_now.hour)

    appointment = result.get("appointment")
    if isinstance(appointment, dict) and appointment.get("started_at") is not None:
        start = _instant(appointment["started_at"], f"{field}.appointment.started_at")
        seconds = (start - local_now).total_seconds()
        clock.setdefault("hours_before_appointment", _nearest(seconds / 3600))
        clock.setdefault("minutes_before_appointment", _nearest(seconds / 60))

    patient = result.get("patient")
    if isinstance(patient, dict):
        _derive_patient(patient, today, f"{field}.patient")

    treatment = result.get("patient_treatment_plan")
    if isinstance(treatment, dict):
        _derive_remaining(treatment, treatment.get("sessions_total"))
    enrolment, service_plan = result.get("service_plan_enrolment"), result.get("service_plan")
    if isinstance(enrolment, dict) and isinstance(service_plan, Mapping):
        _derive_remaining(enrolment, service_plan.get("session_count"))
    return result


def _derive_patient(patient: dict[str, Any], today: date, field: str) -> None:
    names = [patient.get("first_name"), patient.get("last_name")]
    if "name" not in patient and any(names):
        patient["name"] = " ".join(str(n) for n in names if n)
    if patient.get("date_of_birth") is not None:
        born = _date(patient["date_of_birth"], f"{field}.date_of_birth")
        patient.setdefault("age", age_on(born, today))
        patient.setdefault("birthday_today", anniversary(born, today.year) == today)
    if "segment_ids" in patient:
        patient.setdefault("segment_id", patient["segment_ids"])


def _derive_remaining(record: dict[str, Any], total: object) -> None:
    done = record.get("sessions_completed")
    if isinstance(total, int) and isinstance(done, int):
        record.setdefault("sessions_remaining", max(total - done, 0))


def _nearest(value: float) -> int:
    return math.floor(value + 0.5)


def _date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        with suppress(ValueError):
            return date.fromisoformat(value)
    raise InvalidInput.single(field, "must be a date as YYYY-MM-DD")


def _instant(value: object, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput.single(field, "must be an ISO date and time") from None
    if not isinstance(value, datetime):
        raise InvalidInput.single(field, "must be an ISO date and time")
    return ensure_utc(value, field=field)
