"""The background check behind `treatment_plan.expired`: once per local day per organization,
the plans service expires the plans whose end date has passed (and publishes the event the
rules listen to).

The day last checked is kept in `local_settings`, this device's own facts: it is recorded only
after the check returned, so a crash in between checks again (the plans service expires a plan
once, whoever asks twice). Other desks run their own check and find nothing left to expire.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from frontdesk.domain.clock import ensure_utc, zone
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import LocalSetting, Organization

PlanExpirer = Callable[[ServiceContext, date], object]
"""`services.plans.expire_overdue_plans`: expire the plans overdue on a local day."""

SETTING_PREFIX = "automation.plans_checked_on"


def check_plan_expiry(ctx: ServiceContext, now: datetime, expire: PlanExpirer) -> date | None:
    """Run `expire` for the organization's local day of `now` unless it ran that day already;
    the day checked, or None when there was nothing to do."""
    key = f"{SETTING_PREFIX}:{ctx.organization_id}"
    with ctx.sessions() as session:
        tz = zone(session.get_one(Organization, ctx.organization_id).timezone)
        today = ensure_utc(now, field="now").astimezone(tz).date()
        done = session.get(LocalSetting, key)
        if done is not None and done.value.get("day") == today.isoformat():
            return None
    expire(ctx, today)
    with ctx.sessions.begin() as session:
        setting = session.get(LocalSetting, key)
        if setting is None:
            session.add(LocalSetting(key=key, value={"day": today.isoformat()}))
        else:
            setting.value = {"day": today.isoformat()}
    return today
