"""What the admin screens read beyond the rules service: the pickers' choices, recent events
as dry-run samples (time-based triggers included), the week ahead, the history's date range —
and their refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from frontdesk.automation.samples import recent_events
from frontdesk.automation.week_ahead import week_ahead
from frontdesk.domain.enums import MessageChannel, Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.domain.rules import dry_run, validate_rule
from frontdesk.services import executions
from frontdesk.services.rule_choices import Choice, rule_choices
from frontdesk.store.unit_of_work import Actor
from tests.integration.automation.helpers import import_example, register, sweep
from tests.support.automation import example_document
from tests.support.automation_catalog import ExampleCatalog
from tests.support.clinic import Clinic

TUESDAY_0800 = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 08:00 in Bucharest
TUESDAY_0900 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


def test_the_pickers_offer_the_organizations_templates_segments_and_messages(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    choices = rule_choices(clinic.ctx)
    assert choices.timezone == "Europe/Bucharest"
    assert choices.form_templates[:2] == [
        Choice(42, "Privacy Policy & GDPR Consent"),
        Choice(43, "Terms of Service"),
    ]
    assert Choice("intake", "Intake questionnaire") in choices.form_templates  # no number
    assert choices.segments == [Choice(15, "Birthday This Month"), Choice(20, "Completed Rehab")]
    assert "welcome_patient" in choices.message_templates[MessageChannel.EMAIL]
    assert "appointment_reminder" in choices.message_templates[MessageChannel.SMS]
    with pytest.raises(PermissionDenied):
        rule_choices(clinic.ctx.acting_as(Actor(Role.PATIENT, label="a patient")))


def test_a_time_based_trigger_offers_the_occurrences_it_ran_for(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    import_example(clinic, 5)
    register(clinic, "Ana", date_of_birth=date(1990, 3, 3))
    clinic.clock.set(TUESDAY_0800)
    sweep(clinic)
    clinic.clock.set(TUESDAY_0900)
    sweep(clinic)

    (recent,) = recent_events(clinic.ctx, "schedule.daily")
    assert recent.label.startswith("2026-03-03 09:00 · schedule.daily · Ana")
    outcome = dry_run(validate_rule(example_document(5)), recent.document)
    assert outcome["matched"] is True
    assert outcome["conditions"][0]["actual"] is True  # patient.birthday_today
    assert recent_events(clinic.ctx, "schedule.weekly") == []


def test_recent_events_refuse_an_unknown_trigger_or_limit(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput) as unknown:
        recent_events(clinic.ctx, "patient.vanished")
    assert unknown.value.field == "trigger_event"
    with pytest.raises(InvalidInput) as too_many:
        recent_events(clinic.ctx, "patient.onboarded", limit=500)
    assert too_many.value.field == "limit"


def test_the_week_ahead_refuses_a_bad_span(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput) as bad:
        week_ahead(clinic.as_(clinic.admin), days=0)
    assert bad.value.field == "days"
    assert week_ahead(clinic.as_(clinic.admin)) == []


def test_the_history_date_range_must_not_end_before_it_starts(clinic: Clinic) -> None:
    start = clinic.clock.now()
    with pytest.raises(InvalidInput) as backwards:
        executions.list_executions(clinic.ctx, since=start, until=start - timedelta(days=1))
    assert backwards.value.field == "until"
    with pytest.raises(InvalidInput) as naive:
        executions.list_executions(clinic.ctx, since=datetime(2026, 3, 1))
    assert naive.value.field == "since"


def test_a_specialist_reads_the_history_without_patient_data_and_no_real_samples(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    import_example(clinic, 1)
    register(clinic, "Ana")
    sweep(clinic)
    specialist = clinic.as_(clinic.specialist_actor)
    (admins,) = executions.list_executions(clinic.as_(clinic.admin))
    (theirs,) = executions.list_executions(specialist)
    assert admins.trace["trigger"]
    assert theirs.id == admins.id
    assert theirs.trace == {}
    with pytest.raises(PermissionDenied) as refused:
        recent_events(specialist, "patient.onboarded")
    assert refused.value.field == "actor"
    assert recent_events(clinic.as_(clinic.receptionist), "patient.onboarded")
