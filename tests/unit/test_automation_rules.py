from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from frontdesk.domain.enums import MessageChannel, Role
from frontdesk.domain.errors import NotFound, PermissionDenied
from frontdesk.domain.rules import RuleInvalid
from frontdesk.services import automation_rules as rules
from frontdesk.services import messages
from frontdesk.services.automation_rules import (
    delete_rule,
    export_rules,
    get_rule,
    import_rules,
    list_rules,
    save_rule,
    set_enabled,
)
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AutomationRule, Segment
from frontdesk.store.unit_of_work import Actor
from tests.support.automation_catalog import ExampleCatalog, create_example_catalog
from tests.support.clinic import Clinic, build_clinic
from tests.support.counts import fingerprint
from tests.unit.rules.factories import example_paths, load_example, rule_doc


@pytest.fixture
def examples(clinic: Clinic) -> ExampleCatalog:
    return create_example_catalog(clinic)


@pytest.fixture
def admin(clinic: Clinic) -> ServiceContext:
    return clinic.as_(clinic.admin)


def all_examples() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in example_paths()]


def fields(error: RuleInvalid) -> list[str]:
    return [e.field for e in error.errors]


def test_the_nine_examples_import_and_export_as_written(
    admin: ServiceContext, examples: ExampleCatalog
) -> None:
    imported = import_rules(admin, all_examples()).value
    assert [entry.outcome for entry in imported] == ["created"] * 9
    assert export_rules(admin) == all_examples()
    reminder = next(e.rule for e in imported if e.rule.name == "24h Appointment Reminder")
    assert reminder.trigger_event == "appointment.before_start"
    assert reminder.trigger_config == {"hours_before": 24}
    assert reminder.conditions == {}
    assert reminder.enabled is True
    assert [a["type"] for a in reminder.actions] == ["send_sms", "send_email"]


def test_importing_again_updates_by_name_and_never_duplicates(
    admin: ServiceContext, examples: ExampleCatalog
) -> None:
    import_rules(admin, all_examples())
    before = fingerprint(admin.sessions)
    again = import_rules(admin, all_examples()).value
    assert {entry.outcome for entry in again} == {"unchanged"}
    assert fingerprint(admin.sessions) == before  # not even a new row version
    edited = load_example(5)
    edited["trigger_config"] = {"time": "10:30"}
    (entry,) = import_rules(admin, edited).value
    assert entry.outcome == "updated"
    assert len(list_rules(admin)) == 9
    assert get_rule(admin, entry.rule.id).trigger_config == {"time": "10:30"}


def test_one_bad_rule_saves_nothing_and_every_error_is_listed(
    admin: ServiceContext, clinic: Clinic
) -> None:
    create_example_catalog(clinic, skip=(43, 20))
    documents = all_examples()
    documents[1]["actions"][0]["type"] = "require_fax"
    documents[4]["actions"][0]["email_template"] = "no_such_message"
    before = fingerprint(admin.sessions)
    with pytest.raises(RuleInvalid) as refused:
        import_rules(admin, documents)
    assert fields(refused.value) == [
        "[1].actions[0].type",
        "[0].actions[1].form_template_id",
        "[4].actions[0].email_template",
        "[7].actions[3].segment_id",
    ]
    assert fingerprint(admin.sessions) == before


def test_a_single_rule_document_has_no_index_prefix(
    admin: ServiceContext, examples: ExampleCatalog
) -> None:
    with pytest.raises(RuleInvalid) as refused:
        import_rules(admin, rule_doc(actions=[{"type": "send_email"}]))
    assert fields(refused.value) == ["actions[0].email_template"]


def test_one_file_may_not_name_two_rules_alike(admin: ServiceContext) -> None:
    before = fingerprint(admin.sessions)
    with pytest.raises(RuleInvalid) as refused:
        import_rules(admin, [rule_doc(name="Welcome"), rule_doc(name="WELCOME")])
    assert [str(e) for e in refused.value.errors] == [
        "[1].name: “WELCOME” is also the name of rule 1 in the file"
    ]
    assert fingerprint(admin.sessions) == before


def test_an_empty_list_is_refused(admin: ServiceContext) -> None:
    with pytest.raises(RuleInvalid) as refused:
        import_rules(admin, [])
    assert fields(refused.value) == ["rules"]


def test_references_are_checked_in_nested_and_consent_actions(
    admin: ServiceContext, examples: ExampleCatalog
) -> None:
    document = rule_doc(
        actions=[
            {"type": "require_consent", "consent_type": "gdpr", "form_template_id": 99},
            {
                "type": "schedule_action",
                "delay_days": 2,
                "action": {"type": "send_email", "email_template": "missing_later"},
            },
            {"type": "send_sms", "template": "welcome_patient"},
            {"type": "send_push", "template": "no_push_here"},
            {"type": "suggest_form", "form_template_id": "privacy_policy"},
            {"type": "update_segment", "segment_id": 20, "action": "remove"},
        ]
    )
    with pytest.raises(RuleInvalid) as refused:
        save_rule(admin, document)
    assert fields(refused.value) == [
        "actions[0].form_template_id",
        "actions[1].action.email_template",
        "actions[3].template",
    ]


def test_session_reminders_need_a_template_for_their_channel(
    admin: ServiceContext, examples: ExampleCatalog
) -> None:
    document = rule_doc(
        trigger_event="schedule.daily",
        trigger_config={"time": "09:00"},
        actions=[
            {"type": "send_session_reminder", "channel": "sms", "template": "nothing_for_sms"},
            {"type": "send_session_reminder", "channel": "email", "email_template": "nope"},
            {"type": "send_session_reminder", "channel": "push", "message": "Exercise time"},
        ],
    )
    with pytest.raises(RuleInvalid) as refused:
        save_rule(admin, document)
    assert fields(refused.value) == ["actions[0].template", "actions[1].email_template"]


def test_the_organizations_own_message_template_counts(admin: ServiceContext) -> None:
    document = rule_doc(actions=[{"type": "send_email", "email_template": "spring_offer"}])
    with pytest.raises(RuleInvalid):
        save_rule(admin, document)
    messages.save_message_template(
        admin, key="spring_offer", channel=MessageChannel.EMAIL, subject="Spring", body="Hi"
    )
    assert save_rule(admin, document).value.name == "Welcome"


def test_save_takes_json_text_and_refuses_broken_json(admin: ServiceContext) -> None:
    saved = save_rule(admin, json.dumps(rule_doc())).value
    assert export_rules(admin) == [rule_doc()]
    assert saved.definition == rule_doc()
    with pytest.raises(RuleInvalid) as refused:
        save_rule(admin, '{"name": "Welcome",')
    assert fields(refused.value) == ["rule"]


def test_a_draft_is_saved_disabled_and_exports_so(admin: ServiceContext) -> None:
    draft = save_rule(admin, rule_doc(), enabled=False).value
    assert draft.enabled is False
    assert export_rules(admin) == [{**rule_doc(), "enabled": False}]
    set_enabled(admin, draft.id, True)
    assert export_rules(admin) == [rule_doc()]  # as written: no `enabled` key was given
    set_enabled(admin, draft.id, False)
    assert get_rule(admin, draft.id).enabled is False


def test_editing_replaces_the_definition(admin: ServiceContext) -> None:
    rule = save_rule(admin, rule_doc()).value
    edited = rule_doc(name="Welcome again", description="now with a description")
    save_rule(admin, edited, rule_id=rule.id)
    row = get_rule(admin, rule.id)
    assert (row.name, row.description, row.definition) == (
        "Welcome again",
        "now with a description",
        edited,
    )


def test_names_are_unique_among_live_rules(admin: ServiceContext) -> None:
    first = save_rule(admin, rule_doc(name="Welcome")).value
    second = save_rule(admin, rule_doc(name="Second")).value
    with pytest.raises(RuleInvalid) as refused:
        save_rule(admin, rule_doc(name="WELCOME"))
    assert fields(refused.value) == ["name"]
    with pytest.raises(RuleInvalid):
        save_rule(admin, rule_doc(name="welcome"), rule_id=second.id)
    save_rule(admin, rule_doc(name="Welcome", description="same name"), rule_id=first.id)
    delete_rule(admin, first.id)
    assert save_rule(admin, rule_doc(name="Welcome")).value.id != first.id


def test_deleting_is_a_tombstone(admin: ServiceContext) -> None:
    rule = save_rule(admin, rule_doc()).value
    deleted = delete_rule(admin, rule.id).value
    assert deleted.enabled is False
    assert deleted.deleted_at is not None
    assert list_rules(admin) == []
    assert export_rules(admin) == []
    with admin.sessions() as session:
        assert session.get(AutomationRule, rule.id) is not None
    for again in (
        lambda: delete_rule(admin, rule.id),
        lambda: get_rule(admin, rule.id),
        lambda: set_enabled(admin, rule.id, True),
        lambda: save_rule(admin, rule_doc(), rule_id=rule.id),
    ):
        with pytest.raises(NotFound) as missing:
            again()
        assert missing.value.field == "rule_id"


def test_enabling_checks_references_again(admin: ServiceContext, examples: ExampleCatalog) -> None:
    rule = save_rule(admin, load_example(5), enabled=False).value
    with admin.sessions.begin() as session:
        session.get_one(Segment, examples.segments[15]).deleted_at = admin.clock.now()
    with pytest.raises(RuleInvalid) as refused:
        set_enabled(admin, rule.id, True)
    assert fields(refused.value) == ["actions[1].segment_id"]
    assert get_rule(admin, rule.id).enabled is False
    set_enabled(admin, rule.id, False)  # switching off needs nothing


def test_listing_searches_name_description_and_trigger(admin: ServiceContext) -> None:
    save_rule(admin, rule_doc(name="Welcome", description="Greets new patients"))
    save_rule(
        admin,
        rule_doc(
            name="Birthday",
            trigger_event="schedule.daily",
            trigger_config={"time": "09:00"},
        ),
    )
    assert [r.name for r in list_rules(admin)] == ["Birthday", "Welcome"]
    assert [r.name for r in list_rules(admin, "GREETS")] == ["Welcome"]
    assert [r.name for r in list_rules(admin, "schedule.")] == ["Birthday"]
    assert list_rules(admin, "nothing like it") == []
    assert len(list_rules(admin, "  ")) == 2


def test_rules_of_another_organization_are_invisible(admin: ServiceContext, mirror: Any) -> None:
    rule = save_rule(admin, rule_doc()).value
    other = build_clinic(mirror.sessions)
    other_admin = other.as_(other.admin)
    assert list_rules(other_admin) == []
    with pytest.raises(NotFound):
        set_enabled(other_admin, rule.id, False)
    # The name is free there: names are unique per organization.
    save_rule(other_admin, rule_doc())


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.SPECIALIST, Role.PATIENT])
def test_only_admins_write_rules(admin: ServiceContext, role: Role) -> None:
    rule = save_rule(admin, rule_doc()).value
    someone = admin.acting_as(Actor(role, uuid.uuid4(), "someone"))
    before = fingerprint(admin.sessions)
    for write in (
        lambda: save_rule(someone, rule_doc(name="Other")),
        lambda: save_rule(someone, rule_doc(), rule_id=rule.id),
        lambda: set_enabled(someone, rule.id, False),
        lambda: delete_rule(someone, rule.id),
        lambda: import_rules(someone, [rule_doc(name="Other")]),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert fingerprint(admin.sessions) == before


def test_staff_read_rules_and_patients_do_not(admin: ServiceContext, clinic: Clinic) -> None:
    rule = save_rule(admin, rule_doc()).value
    reception = clinic.ctx
    assert [r.id for r in list_rules(reception)] == [rule.id]
    assert export_rules(reception) == [rule_doc()]
    patient = admin.acting_as(Actor(Role.PATIENT, uuid.uuid4(), "patient"))
    for read in (
        lambda: list_rules(patient),
        lambda: export_rules(patient),
        lambda: get_rule(patient, rule.id),
    ):
        with pytest.raises(PermissionDenied):
            read()


def test_a_system_actor_may_write_rules(admin: ServiceContext) -> None:
    legacy = admin.acting_as(Actor.system("legacy migration"))
    rule = rules.save_rule(legacy, rule_doc()).value
    assert get_rule(admin, rule.id).name == "Welcome"
