"""The status machine as a table: every pair of statuses is either allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from frontdesk.domain.appointment_states import (
    ALLOWED,
    SideEffect,
    check_reinstatement,
    check_transition,
    side_effects,
)
from frontdesk.domain.enums import AppointmentStatus as S
from frontdesk.domain.errors import TransitionNotAllowed

EXPECTED_ALLOWED = {
    (S.BOOKED, S.UPCOMING),
    (S.BOOKED, S.CANCELLED),
    (S.BOOKED, S.NOSHOW),
    (S.UPCOMING, S.CONFIRMED),
    (S.UPCOMING, S.INPROGRESS),
    (S.UPCOMING, S.CANCELLED),
    (S.UPCOMING, S.NOSHOW),
    (S.CONFIRMED, S.INPROGRESS),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.NOSHOW),
    (S.INPROGRESS, S.DONE),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_is_allowed_or_refused_by_name(current: S, target: S) -> None:
    if (current, target) in EXPECTED_ALLOWED:
        check_transition(current, target)
        assert target in ALLOWED[current]
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            check_transition(current, target)
        assert refused.value.field == "status"
        assert current.label in refused.value.message


@pytest.mark.parametrize(
    ("current", "target", "effects"),
    [
        (S.BOOKED, S.UPCOMING, (SideEffect.CREATE_PATIENT_AND_FORMS, SideEffect.CREATE_VIDEO_ROOM)),
        (S.UPCOMING, S.CONFIRMED, (SideEffect.NOTIFY_SPECIALIST,)),
        (S.CONFIRMED, S.CANCELLED, (SideEffect.DELETE_VIDEO_ROOM,)),
        (S.UPCOMING, S.NOSHOW, (SideEffect.DELETE_VIDEO_ROOM,)),
        (S.CONFIRMED, S.INPROGRESS, ()),
        (S.INPROGRESS, S.DONE, ()),
    ],
)
def test_side_effects_follow_the_specification(
    current: S, target: S, effects: tuple[SideEffect, ...]
) -> None:
    assert side_effects(current, target) == effects


def test_reinstatement_recreates_the_room_except_back_to_booked() -> None:
    assert side_effects(S.CANCELLED, S.UPCOMING, reinstating=True) == (
        SideEffect.RECREATE_VIDEO_ROOM,
    )
    assert side_effects(S.NOSHOW, S.BOOKED, reinstating=True) == ()


@pytest.mark.parametrize("current", [S.BOOKED, S.UPCOMING, S.CONFIRMED, S.INPROGRESS, S.DONE])
def test_only_ended_appointments_can_be_reinstated(current: S) -> None:
    with pytest.raises(TransitionNotAllowed, match="Only a cancelled or no-show"):
        check_reinstatement(current, S.UPCOMING)


@pytest.mark.parametrize("prior", [S.INPROGRESS, S.DONE, S.CANCELLED, S.NOSHOW])
def test_reinstatement_refuses_a_prior_status_that_cannot_be_restored(prior: S) -> None:
    with pytest.raises(TransitionNotAllowed, match="cannot go back to"):
        check_reinstatement(S.CANCELLED, prior)
