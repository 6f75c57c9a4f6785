"""The appointment status machine: which transitions are allowed and what they cause."""

from __future__ import annotations

from enum import StrEnum

from frontdesk.domain.enums import AppointmentStatus as S
from frontdesk.domain.errors import TransitionNotAllowed
from frontdesk.i18n.text import T_, Text

ACTIVE_STATUSES: frozenset[S] = frozenset({S.BOOKED, S.UPCOMING, S.CONFIRMED, S.INPROGRESS})
"""Statuses that hold a specialist's time (count for double booking)."""

ENDED_STATUSES: frozenset[S] = frozenset({S.CANCELLED, S.NOSHOW})
"""Statuses an appointment can be reinstated from."""

TERMINAL_STATUSES: frozenset[S] = frozenset({S.DONE})


class SideEffect(StrEnum):
    CREATE_PATIENT_AND_FORMS = "create_patient_and_forms"
    CREATE_VIDEO_ROOM = "create_video_room"
    NOTIFY_SPECIALIST = "notify_specialist"
    DELETE_VIDEO_ROOM = "delete_video_room"
    RECREATE_VIDEO_ROOM = "recreate_video_room"


# Forward transitions. Cancellation and no-show are added below for every active status
# except in-progress: a session that has started has been attended.
_FORWARD: dict[S, frozenset[S]] = {
    S.BOOKED: frozenset({S.UPCOMING}),
    S.UPCOMING: frozenset({S.CONFIRMED, S.INPROGRESS}),
    S.CONFIRMED: frozenset({S.INPROGRESS}),
    S.INPROGRESS: frozenset({S.DONE}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
    S.NOSHOW: frozenset(),
}
_CANCELLABLE = frozenset({S.BOOKED, S.UPCOMING, S.CONFIRMED})

ALLOWED: dict[S, frozenset[S]] = {
    status: targets | (ENDED_STATUSES if status in _CANCELLABLE else frozenset())
    for status, targets in _FORWARD.items()
}

# Statuses a reinstated appointment may return to (the status recorded before it ended).
REINSTATABLE_TO: frozenset[S] = _CANCELLABLE


def check_transition(current: S, target: S) -> None:
    """Raise TransitionNotAllowed unless current → target is an allowed forward transition."""
    if target not in ALLOWED[current]:
        raise TransitionNotAllowed(_transition_refusal(current, target), field="status")


def check_reinstatement(current: S, prior: S) -> None:
    """Raise unless an ended appointment may return to its recorded prior status."""
    if current not in ENDED_STATUSES:
        raise TransitionNotAllowed(
            T_(
                "Only a cancelled or no-show appointment can be reinstated; this one is "
                "“{status}”.",
                status=S(current).text,
            ),
            field="status",
        )
    if prior not in REINSTATABLE_TO:
        raise TransitionNotAllowed(
            T_(
                "The appointment cannot go back to “{status}”, the status it had before.",
                status=S(prior).text,
            ),
            field="status",
        )


def _transition_refusal(current: S, target: S) -> Text:
    if current == target:
        return T_("The appointment is “{current}” already.", current=S(current).text)
    allowed = tuple(s.text for s in sorted(ALLOWED[current]))
    if not allowed:
        return T_(
            "The appointment is “{current}”: it can no longer change, so it cannot become "
            "“{target}”.",
            current=S(current).text,
            target=S(target).text,
        )
    return T_(
        "The appointment is “{current}”: it can become {allowed}, not “{target}”.",
        current=S(current).text,
        target=S(target).text,
        allowed=allowed,
    )


def side_effects(current: S, target: S, *, reinstating: bool = False) -> tuple[SideEffect, ...]:
    """The side effects the specification attaches to a transition."""
    if reinstating:
        return (SideEffect.RECREATE_VIDEO_ROOM,) if target != S.BOOKED else ()
    if current == S.BOOKED and target == S.UPCOMING:
        return (SideEffect.CREATE_PATIENT_AND_FORMS, SideEffect.CREATE_VIDEO_ROOM)
    if current == S.UPCOMING and target == S.CONFIRMED:
        return (SideEffect.NOTIFY_SPECIALIST,)
    if target in ENDED_STATUSES:
        return (SideEffect.DELETE_VIDEO_ROOM,)
    return ()
