"""An appointment's status change told as a sentence in the desk's language: "Rita confirmed
the appointment.", never "upcoming → confirmed by Rita"."""

from __future__ import annotations

from frontdesk.domain.enums import AppointmentStatus as S
from frontdesk.i18n import N_, _
from frontdesk.services.appointment_views import StatusStep

# Who acted, when it was not a person: the labels the layers below record, in words.
SYSTEM_ACTORS = {
    "automation": N_("An automation"),
    "server automation": N_("An automation"),
    "public booking page": N_("The public booking page"),
    "frontdesk command line": N_("The command line"),
    "demo": N_("The demo"),
    "demo desk": N_("The demo"),
}
DONE_BY = {
    S.BOOKED: N_("{who} booked the appointment."),
    S.CONFIRMED: N_("{who} confirmed the appointment."),
    S.INPROGRESS: N_("{who} started the session."),
    S.DONE: N_("{who} completed the session."),
    S.CANCELLED: N_("{who} cancelled the appointment."),
    S.NOSHOW: N_("{who} marked that the patient did not come."),
}
SAID_BY_THE_VERB = frozenset({"onboarded"})
"""Reasons the services record that the sentence already says."""


def who(actor_label: str) -> str:
    """A person's name as recorded; a part of the system in words."""
    named = SYSTEM_ACTORS.get(actor_label.strip().casefold())
    if named is not None:
        return _(named)
    return actor_label.strip() or _("Someone")


def happened(step: StatusStep) -> str:
    """The step as a sentence, with the reason given for it."""
    actor = who(step.actor_label)
    old, new = step.from_status, step.to_status
    if old is None and new == S.BOOKED:
        text = _(DONE_BY[S.BOOKED]).format(who=actor)
    elif old is None:
        text = _("{who} booked the appointment as {status}.").format(who=actor, status=new.label)
    elif old == S.BOOKED and new == S.UPCOMING:
        text = _("{who} onboarded the appointment.").format(who=actor)
    elif old in (S.CANCELLED, S.NOSHOW):
        text = _("{who} reinstated the appointment (now {status}).").format(
            who=actor, status=new.label
        )
    elif new in DONE_BY:
        text = _(DONE_BY[new]).format(who=actor)
    else:
        text = _("{who} moved the appointment from {old} to {new}.").format(
            who=actor, old=old.label, new=new.label
        )
    reason = (step.reason or "").strip()
    if reason and reason.casefold() not in SAID_BY_THE_VERB:
        text = _("{happened} Reason: {reason}").format(happened=text, reason=reason)
    return text
