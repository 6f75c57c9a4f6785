"""The flow board's lanes and which actions each appointment offers. No Qt here."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from frontdesk.domain.enums import AppointmentStatus as S
from frontdesk.i18n import N_, _, ngettext
from frontdesk.services.calendar import CalendarEntry


class Lane(Enum):
    TO_ONBOARD = N_("To onboard")
    EXPECTED = N_("Expected")
    ARRIVED = N_("Arrived")
    IN_SESSION = N_("In session")
    DONE = N_("Finished")
    NOT_SEEN = N_("Cancelled or missed")

    @property
    def label(self) -> str:
        """The lane's name in the desk's language."""
        return _(self.value)


class Action(Enum):
    ONBOARD = N_("Onboard…")
    CONFIRM = N_("Confirm")
    CHECK_IN = N_("Check in")
    START = N_("Start session")
    COMPLETE = N_("Complete")
    NO_SHOW = N_("Mark as no-show")
    CANCEL = N_("Cancel…")
    REINSTATE = N_("Reinstate")

    @property
    def label(self) -> str:
        """The action's name in the desk's language (a menu's words; buttons add a
        mnemonic)."""
        return _(self.value)


def lane_of(entry: CalendarEntry) -> Lane:
    if entry.status == S.BOOKED:
        return Lane.TO_ONBOARD
    if entry.status in (S.UPCOMING, S.CONFIRMED):
        return Lane.ARRIVED if entry.checked_in_at is not None else Lane.EXPECTED
    if entry.status == S.INPROGRESS:
        return Lane.IN_SESSION
    if entry.status == S.DONE:
        return Lane.DONE
    return Lane.NOT_SEEN


def actions_for(entry: CalendarEntry, now: datetime) -> list[Action]:
    """What the desk may do next, in the order the buttons show (the state machine of
    `services.lifecycle`; the services still decide)."""
    status = entry.status
    found: list[Action] = []
    if status == S.BOOKED:
        found.append(Action.ONBOARD)
    if status == S.UPCOMING:
        found.append(Action.CONFIRM)
    if status in (S.UPCOMING, S.CONFIRMED):
        if entry.checked_in_at is None:
            found.append(Action.CHECK_IN)
        found.append(Action.START)
    if status == S.INPROGRESS:
        found.append(Action.COMPLETE)
    if status in (S.BOOKED, S.UPCOMING, S.CONFIRMED):
        if now >= entry.start_utc:
            found.append(Action.NO_SHOW)
        found.append(Action.CANCEL)
    if status in (S.CANCELLED, S.NOSHOW):
        found.append(Action.REINSTATE)
    return found


def time_in_status(since: datetime, now: datetime) -> str:
    """How long since `since`, in the desk's language: "12 min", "2 h 05", "8 days", or "–"
    for a time to come."""
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 0:
        return "–"
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    if minutes < 24 * 60:
        return _("{hours} h {minutes:02d}").format(hours=minutes // 60, minutes=minutes % 60)
    days = minutes // (24 * 60)
    return ngettext("{count} day", "{count} days", days).format(count=days)
