"""The automation screens' refusals (real events, the week ahead, a replay) read in the
desk's language and name what is wrong as the screen does."""

from __future__ import annotations

import uuid

import pytest

from frontdesk.automation.replay import replay_failed_actions
from frontdesk.automation.samples import recent_events
from frontdesk.automation.week_ahead import week_ahead
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.i18n.catalogs import activate
from tests.support.clinic import Clinic


def test_real_events_refusals_read_romanian(clinic: Clinic) -> None:
    activate("ro")
    with pytest.raises(InvalidInput) as unknown:
        recent_events(clinic.ctx, "patient.vanished")
    assert unknown.value.message == "„patient.vanished” nu este un declanșator cunoscut de birou."
    with pytest.raises(InvalidInput) as too_many:
        recent_events(clinic.ctx, "patient.onboarded", limit=500)
    assert too_many.value.errors[0].field == "limit"
    assert too_many.value.message == "Câmpul „Numărul de rezultate” trebuie să fie între 1 și 50."
    with pytest.raises(PermissionDenied) as specialist:
        recent_events(clinic.as_(clinic.specialist_actor), "patient.onboarded")
    assert specialist.value.message.startswith("Doar un administrator sau recepția")


def test_the_week_ahead_and_a_replay_refuse_in_romanian(clinic: Clinic) -> None:
    activate("ro")
    with pytest.raises(InvalidInput) as span:
        week_ahead(clinic.as_(clinic.admin), days=0)
    assert span.value.message.startswith("Numărul de zile înainte trebuie să fie între 1 și ")
    with pytest.raises(PermissionDenied) as not_admin:
        replay_failed_actions(clinic.ctx, uuid.uuid4())
    assert not_admin.value.message == (
        "Doar un administrator poate relua acțiunile unei automatizări: rugați un administrator."
    )
    with pytest.raises(NotFound) as unknown:
        replay_failed_actions(clinic.as_(clinic.admin), uuid.uuid4())
    assert unknown.value.message == (
        "Această rulare a automatizării nu a fost găsită; poate aparține altei clinici."
    )
