from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from frontdesk.services.automation_rules import list_rules, save_rule
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import AutomationExecution
from tests.support.automation_catalog import create_example_catalog
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.unit.rules.factories import EXAMPLES_DIR, example_paths, load_example, rule_doc
from tests.unit.test_cli_appointments import run

EXAMPLE_NAMES = [json.loads(p.read_text(encoding="utf-8"))["name"] for p in example_paths()]
VIDEO_SETUP = next(EXAMPLES_DIR.glob("02_*.json"))
BIRTHDAYS = next(EXAMPLES_DIR.glob("05_*.json"))
ONBOARDING = next(EXAMPLES_DIR.glob("01_*.json"))


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


@pytest.fixture
def all_rules_file(tmp_path: Path) -> Path:
    return write_json(tmp_path / "all.json", [load_example(n) for n in range(1, 10)])


def home(mirror: Mirror) -> tuple[str, str]:
    return ("--home", str(mirror.profile.home))


# --- rules validate -------------------------------------------------------------------------


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_each_spec_example_is_valid(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    code, out, err = run(capsys, "rules", "validate", str(path))
    assert (code, err) == (0, "")
    assert out == f"valid: {json.loads(path.read_text(encoding='utf-8'))['name']}\n"


def test_a_list_file_validates_each_rule(
    capsys: pytest.CaptureFixture[str], all_rules_file: Path
) -> None:
    code, out, _ = run(capsys, "rules", "validate", str(all_rules_file))
    assert code == 0
    assert out.splitlines() == [f"valid: {name}" for name in EXAMPLE_NAMES]


def test_errors_print_one_a_line_with_their_json_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = rule_doc(
        trigger_event="appointment.before_start",
        trigger_config={"hours_before": 0},
        actions=[{"type": "require_form"}, {"type": "send_email", "email_template": "x y"}],
    )
    code, out, err = run(capsys, "rules", "validate", str(write_json(tmp_path / "r.json", bad)))
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        "trigger_config.hours_before",
        "actions[0].form_template_id",
        "actions[1].email_template",
    ]
    assert lines[1] == "actions[0].form_template_id: is required"


def test_templates_over_their_limits_are_refused_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hello = {"type": "show_notification", "message": "Hi {{ patient.first_name }}"}
    bomb = {"type": "show_notification", "message": "{{ ([[0]*20000]*400)|sum(start=[])|length }}"}
    # Only a name's length makes this one too big: it is tried with sample values.
    names = {"type": "show_notification", "message": "{{ [patient.first_name] * 5000 }}"}
    documents = [rule_doc(actions=[hello, bomb]), rule_doc(actions=[names])]

    code, out, err = run(
        capsys, "rules", "validate", str(write_json(tmp_path / "r.json", documents))
    )

    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "[0].actions[1].message: the template builds a list of 20,000 items; the limit is 10,000",
        "[1].actions[0].message: the template builds a list of 55,000 items; the limit is 10,000 "
        "(with sample values)",
    ]


def test_errors_in_a_list_carry_the_rules_index(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    documents = [rule_doc(), rule_doc(actions=[{"type": "fax"}]), {"name": "Half"}]
    code, out, _ = run(capsys, "rules", "validate", str(write_json(tmp_path / "l.json", documents)))
    assert code == 1
    assert [line.split(": ")[0] for line in out.splitlines()] == [
        "[1].actions[0].type",
        "[2].trigger_event",
        "[2].actions",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"name": "x",', "rule: not valid JSON"),
        ('{"name": "a", "name": "b"}', "rule: key 'name' is written twice"),
        ("[]", "rules: the list holds no rule"),
        ('"a rule"', "rule: must be an object"),
    ],
)
def test_a_file_that_is_no_rule_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "rules", "validate", str(path))
    assert code == 1
    assert out.startswith(expected)


def test_a_missing_file_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "rules", "validate", str(tmp_path / "none.json"))
    assert (code, out) == (2, "")
    assert err.startswith("error: argument FILE: cannot read")


# --- rules import / export ------------------------------------------------------------------


def test_import_then_export_gives_the_rules_back_as_written(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    clinic: Clinic,
    all_rules_file: Path,
    tmp_path: Path,
) -> None:
    create_example_catalog(clinic)
    code, out, err = run(capsys, *home(mirror), "rules", "import", str(all_rules_file))
    assert (code, err) == (0, "")
    assert [line.split(" (")[0] for line in out.splitlines()] == [
        f"created: {name}" for name in EXAMPLE_NAMES
    ]
    code, out, _ = run(capsys, *home(mirror), "rules", "export")
    assert code == 0
    assert json.loads(out) == json.loads(all_rules_file.read_text(encoding="utf-8"))

    exported = tmp_path / "exported.json"
    code, out, _ = run(capsys, *home(mirror), "rules", "export", "--out", str(exported))
    assert (code, out) == (0, f"exported 9 rules to {exported}\n")
    assert json.loads(exported.read_text(encoding="utf-8")) == json.loads(
        all_rules_file.read_text(encoding="utf-8")
    )
    # The export imports again as the same rules: nothing changes.
    code, out, _ = run(capsys, *home(mirror), "rules", "import", str(exported))
    assert code == 0
    assert {line.split(":")[0] for line in out.splitlines()} == {"unchanged"}


def test_a_single_rule_file_imports_and_updates_by_name(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "one.json", rule_doc())
    assert run(capsys, *home(mirror), "rules", "import", str(path))[1].startswith("created:")
    write_json(path, rule_doc(description="edited"))
    assert run(capsys, *home(mirror), "rules", "import", str(path))[1].startswith("updated:")
    (rule,) = list_rules(clinic.as_(clinic.admin))
    assert rule.description == "edited"


def test_an_import_with_errors_saves_nothing(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    clinic: Clinic,
    all_rules_file: Path,
) -> None:
    create_example_catalog(clinic, skip=(70,))
    before = fingerprint(mirror.sessions)
    code, out, _ = run(capsys, *home(mirror), "rules", "import", str(all_rules_file))
    assert code == 1
    assert out.splitlines() == [
        "[5].actions[0].form_template_id: There is no form template “70” in this clinic."
    ]
    assert fingerprint(mirror.sessions) == before


def test_an_invalid_import_file_is_refused_before_the_mirror(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic, tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")
    code, out, _ = run(capsys, *home(mirror), "rules", "import", str(path))
    assert code == 1
    assert out.startswith("rule: not valid JSON")
    code, _, err = run(capsys, *home(mirror), "rules", "import", str(tmp_path / "none.json"))
    assert code == 2
    assert "argument FILE: cannot read" in err


def test_import_and_export_need_an_organization(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "one.json", rule_doc())
    for argv in (("rules", "import", str(path)), ("rules", "export")):
        code, out, err = run(capsys, *home(mirror), *argv)
        assert (code, out) == (2, "")
        assert "argument --org: This desk holds no clinic yet" in err
    code, _, err = run(capsys, *home(mirror), "rules", "export", "--org", "elsewhere")
    assert code == 2
    assert "argument --org: This desk holds no clinic “elsewhere”" in err


def test_export_to_a_place_that_cannot_be_written(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "dir.json"
    code, out, err = run(capsys, *home(mirror), "rules", "export", "--out", str(target))
    assert (code, out) == (2, "")
    assert f"error: argument --out: cannot write {target}" in err


def test_export_of_no_rules_is_an_empty_list(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic
) -> None:
    code, out, _ = run(capsys, *home(mirror), "rules", "export")
    assert (code, json.loads(out)) == (0, [])


# --- rules dry-run --------------------------------------------------------------------------


def event_file(tmp_path: Path, **overrides: Any) -> Path:
    event = {
        "event": "appointment.first_booked",
        "occurred_at": "2026-11-22T09:00:00+02:00",
        "organization": {"timezone": "Europe/Bucharest"},
        "context": {
            "patient": {"first_name": "Ana", "date_of_birth": "1956-11-22"},
            "appointment": {"type": "video"},
        },
    }
    event.update(overrides)
    return write_json(tmp_path / "event.json", event)


def test_dry_run_prints_the_evaluation(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = tmp_path / "untouched"
    code, out, err = run(
        capsys,
        "--home",
        str(profile),
        "rules",
        "dry-run",
        str(VIDEO_SETUP),
        "--event",
        str(event_file(tmp_path)),
        "--json",
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert (result["rule"], result["event"], result["matched"]) == (
        "First Video Appointment Setup",
        "appointment.first_booked",
        True,
    )
    assert result["conditions"] == [
        {
            "path": "appointment.type",
            "op": "eq",
            "expected": "video",
            "actual": "video",
            "result": True,
        }
    ]
    assert [(a["index"], a["type"], a["status"]) for a in result["actions"]] == [
        (0, "require_form", "would_run"),
        (1, "send_email", "would_run"),
        (2, "suggest_form", "would_run"),
    ]
    assert result["actions"][0]["rendered"] == {
        "form_template_id": 50,
        "blocking": True,
        "description": "Video Recording Consent",
    }
    assert not profile.exists()  # no profile, no mirror: nothing is written


def test_dry_run_of_a_rule_that_does_not_match(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    event = event_file(tmp_path, context={"appointment": {"type": "in_clinic"}})
    code, out, _ = run(
        capsys, "rules", "dry-run", str(VIDEO_SETUP), "--event", str(event), "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["matched"] is False
    assert result["conditions"][0]["actual"] == "in_clinic"
    assert {a["status"] for a in result["actions"]} == {"skipped"}
    code, out, _ = run(capsys, "rules", "dry-run", str(VIDEO_SETUP), "--event", str(event))
    assert out.splitlines()[0] == "First Video Appointment Setup: did not match"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"event": "patient.onboarded"}, "argument --event: event: the rule listens to"),
        ({"occurred_at": "2026-11-22T09:00:00"}, "argument --event: occurred_at: must include"),
        ({"organization": {"timezone": "Mars/Olympus"}}, "“Mars/Olympus” is not a time zone"),
        ({"colour": "blue"}, "argument --event: colour: unknown key"),
    ],
)
def test_dry_run_refuses_a_bad_event_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, event: dict[str, Any], expected: str
) -> None:
    path = event_file(tmp_path, **event)
    code, out, err = run(capsys, "rules", "dry-run", str(VIDEO_SETUP), "--event", str(path))
    assert (code, out) == (2, "")
    assert expected in err


def test_dry_run_input_files_must_be_readable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, all_rules_file: Path
) -> None:
    event = event_file(tmp_path)
    code, _, err = run(capsys, "rules", "dry-run", str(VIDEO_SETUP), "--event", "/nope.json")
    assert (code, "argument --event: cannot read" in err) == (2, True)
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    code, _, err = run(
        capsys, "rules", "dry-run", str(VIDEO_SETUP), "--event", str(tmp_path / "bad.json")
    )
    assert (code, "argument --event:" in err and "is not valid JSON" in err) == (2, True)
    code, _, err = run(capsys, "rules", "dry-run", str(all_rules_file), "--event", str(event))
    assert (code, "argument FILE:" in err and "holds 9 rules" in err) == (2, True)
    invalid = write_json(tmp_path / "invalid.json", rule_doc(actions=[]))
    code, out, _ = run(capsys, "rules", "dry-run", str(invalid), "--event", str(event))
    assert (code, out) == (1, "actions: must have at least 1 item\n")


def test_dry_run_needs_its_event(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "dry-run", str(VIDEO_SETUP))
    assert code == 2
    assert "--event" in err


# --- schedule forecast ----------------------------------------------------------------------


def test_forecast_lists_firings_across_a_dst_change(capsys: pytest.CaptureFixture[str]) -> None:
    window = ("--from", "2026-03-28T00:00:00+02:00", "--days", "2", "--tz", "Europe/Bucharest")
    code, out, err = run(capsys, "schedule", "forecast", str(BIRTHDAYS), *window, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "rule": "Patient Birthday Campaign",
        "firings": [
            {"at_utc": "2026-03-28T07:00:00Z", "at_local": "2026-03-28T09:00:00+02:00"},
            {"at_utc": "2026-03-29T06:00:00Z", "at_local": "2026-03-29T09:00:00+03:00"},
        ],
    }
    code, out, _ = run(capsys, "schedule", "forecast", str(BIRTHDAYS), *window)
    assert out.splitlines() == ["2026-03-28T09:00:00+02:00", "2026-03-29T09:00:00+03:00"]


def test_forecast_reads_a_time_without_offset_in_the_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("schedule", "forecast", str(BIRTHDAYS), "--from", "2026-06-01T10:00", "--days", "1")
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0
    # UTC by default: 09:00 UTC on the 2nd is the first firing after 10:00 on the 1st.
    assert json.loads(out)["firings"] == [
        {"at_utc": "2026-06-02T09:00:00Z", "at_local": "2026-06-02T09:00:00+00:00"}
    ]
    code, out, _ = run(capsys, *argv, "--tz", "Europe/Bucharest", "--json")
    assert json.loads(out)["firings"][0]["at_local"] == "2026-06-02T09:00:00+03:00"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (("--from", "next monday", "--days", "7"), "argument --from: not a date and time"),
        (("--from", "2026-03-01T00:00Z", "--days", "0"), "argument --days: must be between"),
        (("--from", "2026-03-01T00:00Z", "--days", "seven"), "argument --days: invalid int"),
        (("--from", "2026-03-01T00:00Z", "--days", "7", "--tz", "Nowhere/City"), "argument --tz:"),
    ],
)
def test_forecast_refuses_bad_options_naming_them(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], expected: str
) -> None:
    code, out, err = run(capsys, "schedule", "forecast", str(BIRTHDAYS), *extra, "--json")
    assert (code, out) == (2, "")
    assert expected in err


def test_forecast_of_an_event_rule_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    window = ("--from", "2026-03-01T00:00Z", "--days", "7")
    code, _, err = run(capsys, "schedule", "forecast", str(ONBOARDING), *window, "--json")
    assert code == 2
    assert "error: trigger_event: patient.onboarded fires on events" in err


# --- executions list ------------------------------------------------------------------------


@pytest.fixture
def history(mirror: Mirror, clinic: Clinic) -> dict[str, uuid.UUID]:
    admin = clinic.as_(clinic.admin)
    welcome = save_rule(admin, rule_doc()).value
    other = save_rule(admin, rule_doc(name="Other")).value
    subject = uuid.uuid4()
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    rows = {
        "ok": AutomationExecution(
            organization_id=clinic.organization_id,
            automation_rule_id=welcome.id,
            execution_key="rule:a/event:1",
            trigger_event="patient.onboarded",
            trigger_entity_type="patient",
            trigger_entity_id=subject,
            status="success",
            actions_executed=[{"action": "send_email", "status": "success"}],
            executed_at=start,
        ),
        "partial": AutomationExecution(
            organization_id=clinic.organization_id,
            automation_rule_id=welcome.id,
            execution_key="rule:a/event:2",
            trigger_event="patient.onboarded",
            status="partial_failure",
            actions_executed=[{"action": "send_email", "status": "failed"}],
            error_message="actions[0]: no e-mail address",
            executed_at=start + timedelta(hours=1),
        ),
        "other": AutomationExecution(
            organization_id=clinic.organization_id,
            automation_rule_id=other.id,
            execution_key="rule:b/event:1",
            trigger_event="patient.onboarded",
            status="success",
            executed_at=start + timedelta(hours=2),
        ),
    }
    with mirror.sessions.begin() as session:
        session.add_all(rows.values())
    ids = {name: row.id for name, row in rows.items()}
    return {**ids, "welcome": welcome.id, "subject": subject}


def executions(mirror: Mirror, *extra: str) -> list[str]:
    return [*home(mirror), "executions", "list", *extra]


def test_executions_list_newest_first_as_json(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, history: dict[str, uuid.UUID]
) -> None:
    code, out, err = run(capsys, *executions(mirror, "--json"))
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [
        str(history["other"]),
        str(history["partial"]),
        str(history["ok"]),
    ]
    assert rows[2] == {
        "id": str(history["ok"]),
        "rule_id": str(history["welcome"]),
        "rule_name": "Welcome",
        "trigger_event": "patient.onboarded",
        "trigger_entity_type": "patient",
        "trigger_entity_id": str(history["subject"]),
        "status": "success",
        "actions_executed": [{"action": "send_email", "status": "success"}],
        "error_message": None,
        "executed_at": "2026-03-02T08:00:00+00:00",
    }
    assert rows[1]["error_message"] == "actions[0]: no e-mail address"


def test_executions_filter_by_rule_status_and_limit(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, history: dict[str, uuid.UUID]
) -> None:
    def ids(*extra: str) -> list[str]:
        code, out, _ = run(capsys, *executions(mirror, "--json", *extra))
        assert code == 0
        return [row["id"] for row in json.loads(out)]

    welcome = str(history["welcome"])
    assert ids("--rule", welcome) == [str(history["partial"]), str(history["ok"])]
    assert ids("--status", "partial_failure") == [str(history["partial"])]
    assert ids("--rule", welcome, "--status", "failure") == []
    assert ids("--limit", "1") == [str(history["other"])]


def test_executions_as_a_table(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, history: dict[str, uuid.UUID]
) -> None:
    code, out, _ = run(capsys, *executions(mirror))
    assert code == 0
    # The time as the language writes it (en_GB here), the status in words.
    assert out.splitlines()[0].split() == ["02/03/2026,", "10:00", "UTC", "succeeded", "Other"]


def test_no_executions_yet(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic
) -> None:
    assert run(capsys, *executions(mirror))[1] == "No executions.\n"
    assert json.loads(run(capsys, *executions(mirror, "--json"))[1]) == []


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (("--rule", "welcome"), "--rule"),
        (("--rule", str(uuid.uuid4())), "--rule"),
        (("--status", "exploded"), "--status"),
        (("--limit", "0"), "--limit"),
        (("--limit", "many"), "--limit"),
        (("--org", "elsewhere"), "--org"),
    ],
)
def test_executions_bad_options_exit_2_naming_them(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    history: dict[str, uuid.UUID],
    extra: tuple[str, ...],
    option: str,
) -> None:
    code, out, err = run(capsys, *executions(mirror, "--json", *extra))
    assert (code, out) == (2, "")
    assert f"argument {option}:" in err
