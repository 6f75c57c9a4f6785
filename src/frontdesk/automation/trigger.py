"""What makes a rule run: a domain event, a time-based occurrence, or a delayed action."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Subject:
    """Who and what an execution is about. Any of these may be unknown for a given trigger."""

    patient_person_id: uuid.UUID | None = None
    appointment_id: uuid.UUID | None = None
    form_id: uuid.UUID | None = None
    service_plan_enrolment_id: uuid.UUID | None = None
    treatment_plan_id: uuid.UUID | None = None
    patient_treatment_plan_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TriggerInstance:
    """One occurrence of a trigger for one subject. `execution_key` is UNIQUE per rule run:
    f"{rule_id}:event:{event_id}" for events, f"{rule_id}:{subject}:{occurrence}" for times."""

    event_name: str
    occurred_at: datetime
    subject_type: str
    subject_id: uuid.UUID | None
    subject: Subject
    payload: dict[str, Any] = field(default_factory=dict)
    event_id: uuid.UUID | None = None
    occurrence: str | None = None
    # The event that caused this one (for the loop guard) and how deep the chain is.
    parent_event_id: uuid.UUID | None = None
    depth: int = 0

    def execution_key(self, rule_id: uuid.UUID) -> str:
        if self.event_id is not None:
            return f"{rule_id}:event:{self.event_id}"
        return f"{rule_id}:{self.subject_type}:{self.subject_id}:{self.occurrence}"
