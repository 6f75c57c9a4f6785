"""Example 5: every day at 09:00 in the clinic's zone, each patient whose birthday it is gets
the birthday e-mail with the discount code and joins segment 15 — once that day, however many
times the engine sweeps; a patient born on another day gets nothing. Driven by the runner's
sweep with the clock moved forward."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from frontdesk.domain.enums import MessageChannel
from frontdesk.store.models import OutboundMessage, SegmentMember
from tests.integration.automation.helpers import executions, import_example, register, rows, sweep
from tests.support.automation_catalog import ExampleCatalog
from tests.support.clinic import Clinic

TUESDAY_0800 = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 08:00 in Bucharest
TUESDAY_0900 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


def test_birthday_email_and_segment_once_for_the_patient_born_today(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 5)
    born_today = register(clinic, "Ana", date_of_birth=date(1990, 3, 3))
    born_tomorrow = register(clinic, "Bogdan", date_of_birth=date(1985, 3, 4))
    clinic.clock.set(TUESDAY_0800)
    sweep(clinic)  # arms 09:00

    clinic.clock.set(TUESDAY_0900 - timedelta(seconds=1))
    sweep(clinic)
    assert rows(clinic, OutboundMessage) == []

    for at in (
        TUESDAY_0900,
        TUESDAY_0900 + timedelta(minutes=1),
        TUESDAY_0900 + timedelta(hours=8),
    ):
        clinic.clock.set(at)
        sweep(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.trigger_entity_id == born_today
    (message,) = rows(clinic, OutboundMessage)
    assert (message.channel, message.template) == (MessageChannel.EMAIL, "happy_birthday")
    assert (message.patient_person_id, message.recipient) == (born_today, "ana@example.com")
    assert message.subject == "La mulți ani, Ana!"
    assert "folosiți codul BDAY2025 la următoarea programare" in message.body_text
    (member,) = rows(clinic, SegmentMember)
    assert (member.segment_id, member.patient_person_id) == (
        example_catalog.segments[15],
        born_today,
    )

    # The next day is Bogdan's birthday, not Ana's.
    clinic.clock.set(TUESDAY_0900 + timedelta(days=1))
    sweep(clinic)
    messages = rows(clinic, OutboundMessage)
    assert sorted(m.patient_person_id == born_tomorrow for m in messages) == [False, True]
    assert len(executions(clinic, rule_id)) == 2
