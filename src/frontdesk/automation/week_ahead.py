"""What the organization's time-based rules will fire over the next days, from the same plan
the timers follow (`occurrences.planned_timers`): one entry per firing — each daily or weekly
run, each appointment's reminder, each birthday — for the admin's forecast. Reads only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from frontdesk.automation.occurrences import ARMED_TRIGGERS, planned_timers
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import validate_rule
from frontdesk.i18n.text import T_
from frontdesk.services import automation_rules
from frontdesk.services.context import ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.store.models import Organization

MAX_DAYS = 31


@dataclass(frozen=True, slots=True)
class PlannedFiring:
    rule_id: uuid.UUID
    rule_name: str
    trigger: str
    at_local: datetime
    subject_type: str


def week_ahead(ctx: ServiceContext, *, days: int = 7) -> list[PlannedFiring]:
    """The firings of every enabled time-based rule in the next `days` days, soonest first.
    A rule its trigger's catalog no longer accepts is left out (it would not run either)."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput.single(
            "days",
            T_("The days ahead must be from 1 to {high}.", high=MAX_DAYS),
        )
    rules = [
        row
        for row in automation_rules.list_rules(ctx)
        if row.enabled and EventName(row.trigger_event) in ARMED_TRIGGERS
    ]
    start = ctx.clock.now()
    end = start + timedelta(days=days)
    firings: list[PlannedFiring] = []
    with ctx.sessions() as session:
        organization = session.get(Organization, ctx.organization_id)
        if organization is None:
            raise NotFound(not_found("organization"), field="organization_id")
        tz = ZoneInfo(organization.timezone)
        for row in rules:
            try:
                definition = validate_rule(row.definition)
            except InvalidInput:
                continue
            for planned in planned_timers(
                session, ctx.organization_id, row.id, definition, tz, start, end
            ):
                firings.append(
                    PlannedFiring(
                        row.id,
                        row.name,
                        row.trigger_event,
                        planned.due_at.astimezone(tz),
                        planned.subject_type,
                    )
                )
    return sorted(firings, key=lambda f: (f.at_local, f.rule_name))
