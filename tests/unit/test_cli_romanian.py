"""The `frontdesk` command line speaks the system's language: its help, argparse's own words,
its refusals and its output (LANG=ro_RO.UTF-8 here), and English is unchanged."""

from __future__ import annotations

import argparse
import gettext
import json
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from frontdesk.cli_language import (
    ARGPARSE_MESSAGES,
    argparse_speaks_our_language,
    expected_arguments,
    speak_the_system_language,
)
from frontdesk.i18n import active_language
from frontdesk.i18n.catalogs import activate
from frontdesk.project_paths import MissingProjectFiles
from frontdesk.store.mirror import Mirror
from tests.support.clinic import Clinic
from tests.unit.rules.factories import EXAMPLES_DIR
from tests.unit.test_cli_appointments import run

VIDEO_SETUP = next(EXAMPLES_DIR.glob("02_*.json"))

# argparse's messages that only a programmer building a parser wrongly can meet.
FOR_PROGRAMMERS = {
    ".__call__() not defined",
    "conflicting subparser: %s",
    "conflicting subparser alias: %s",
    'argument "-" with mode %r',
    "cannot merge actions - two groups are named %r",
    "'required' is an invalid argument for positionals",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "conflicting option string: %s",
    "mutually exclusive arguments must be optional",
    "cannot have multiple subparser arguments",
    "%r is not callable",
}


@pytest.fixture
def romanian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "ro_RO.UTF-8")


@pytest.mark.usefixtures("romanian")
def test_the_help_reads_in_romanian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("utilizare: frontdesk [-h]")
    assert "Front Desk: recepția clinicii, copia ei locală, regulile și sincronizarea." in out
    assert "\nargumente poziționale:\n" in out
    assert "\nopțiuni:\n" in out
    assert "-h, --help            afișează acest mesaj de ajutor și ieși" in out
    assert "afișează versiunea programului și ieși" in out
    assert "regulile de automatizare" in out
    assert "usage" not in out
    assert "show this help" not in out


@pytest.mark.usefixtures("romanian")
def test_a_commands_help_reads_in_romanian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "appointments", "list", "--help")
    assert code == 0
    assert out.startswith("utilizare: frontdesk appointments list")
    assert "prima zi, AAAA-LL-ZZ" in out
    assert "doar această stare (repetați pentru mai multe)" in out


@pytest.mark.usefixtures("romanian")
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("appointments", "list", "--from", "x", "--to", "2026-03-01"),
            "frontdesk appointments list: eroare: argumentul --from: nu este o dată: 'x' "
            "(folosiți AAAA-LL-ZZ)",
        ),
        (
            ("executions", "list", "--status", "exploded"),
            "frontdesk executions list: eroare: argumentul --status: variantă nevalidă: "
            "'exploded' (alegeți dintre 'success', 'partial_failure', 'failure')",
        ),
        (
            ("executions", "list", "--limit", "many"),
            "frontdesk executions list: eroare: argumentul --limit: valoare int nevalidă: 'many'",
        ),
        (
            ("appointments", "list"),
            "frontdesk appointments list: eroare: următoarele argumente sunt obligatorii: "
            "--from, --to",
        ),
        (
            ("rules", "validate", "a.json", "--loud"),
            "frontdesk: eroare: argumente necunoscute: --loud",
        ),
    ],
    ids=["our-type", "choice", "int", "required", "unknown"],
)
def test_argparse_refuses_in_romanian_naming_the_option(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str
) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith("utilizare: frontdesk")
    assert err.splitlines()[-1] == said


@pytest.mark.usefixtures("romanian")
def test_a_command_speaks_romanian(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "rules", "validate", str(VIDEO_SETUP))
    assert (code, out) == (0, "validă: First Video Appointment Setup\n")

    missing = tmp_path / "missing.json"
    code, _, err = run(capsys, "rules", "dry-run", str(VIDEO_SETUP), "--event", str(missing))
    assert code == 2
    assert err.startswith(f"eroare: argumentul --event: nu se poate citi {missing}: ")


@pytest.mark.usefixtures("romanian")
def test_the_mirror_commands_speak_romanian(
    capsys: pytest.CaptureFixture[str], mirror: Mirror, clinic: Clinic
) -> None:
    home = ("--home", str(mirror.profile.home))
    days = ("--from", "2026-05-01", "--to", "2026-05-03")
    code, out, _ = run(capsys, *home, "appointments", "list", *days)
    assert (code, out) == (0, "Nicio programare între 1 mai 2026 și 3 mai 2026.\n")
    assert run(capsys, *home, "executions", "list")[1] == "Nicio execuție.\n"
    code, _, err = run(capsys, *home, "appointments", "list", *days, "--org", "elsewhere")
    assert code == 2
    assert err.startswith("eroare: argumentul --org: ")


@pytest.mark.usefixtures("romanian")
def test_json_keeps_the_stored_values(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "event": "appointment.first_booked",
                "occurred_at": "2026-11-22T09:00:00+02:00",
                "context": {"appointment": {"type": "video"}},
            }
        )
    )
    dry_run = ("rules", "dry-run", str(VIDEO_SETUP), "--event", str(event))
    code, out, _ = run(capsys, *dry_run, "--json")
    assert code == 0
    assert {action["status"] for action in json.loads(out)["actions"]} == {"would_run"}
    code, out, _ = run(capsys, *dry_run)
    assert out.splitlines()[0] == "First Video Appointment Setup: se potrivește"
    assert out.splitlines()[1].endswith(": s-ar executa")


def test_english_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: frontdesk [-h]")
    assert "\noptions:\n" in out
    assert "show program's version number and exit" in out
    code, _, err = run(capsys, "appointments", "list", "--from", "x", "--to", "2026-03-01")
    assert code == 2
    assert err.splitlines()[-1] == (
        "frontdesk appointments list: error: argument --from: not a date: 'x' (use YYYY-MM-DD)"
    )


def test_argparse_speaks_our_language_only_while_asked() -> None:
    activate("ro")
    with argparse_speaks_our_language():
        assert argparse.ArgumentParser(prog="p").format_usage() == "utilizare: p [-h]\n"
    assert argparse._ is gettext.gettext  # type: ignore[attr-defined]
    assert argparse.ArgumentParser(prog="p").format_usage() == "usage: p [-h]\n"


def test_romanian_words_argparses_plural_in_three_forms() -> None:
    activate("ro")
    assert [expected_arguments(n) for n in (1, 2, 20)] == [
        "se aștepta 1 argument",
        "se așteptau 2 argumente",
        "se așteptau 20 de argumente",
    ]


def test_the_catalogue_holds_every_message_of_argparse_a_user_can_meet() -> None:
    found = extract_from_file("python", argparse.__file__, keywords=DEFAULT_KEYWORDS)
    singulars = {m if isinstance(m, str) else m[0] for _line, m, _c, _ctx in found}
    assert singulars - FOR_PROGRAMMERS == {*ARGPARSE_MESSAGES, "expected %s argument"}


def test_the_language_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "ro")
    speak_the_system_language()
    assert active_language() == "ro"
    monkeypatch.setenv("LANGUAGE", "en")
    speak_the_system_language()
    assert active_language() == "en"


@pytest.mark.usefixtures("romanian")
def test_missing_translations_are_one_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(_language: str) -> None:
        raise MissingProjectFiles("this installation lacks the 'ro' translations")

    monkeypatch.setattr("frontdesk.i18n.catalogs.activate", missing)
    code, out, err = run(capsys, "--version")
    assert (code, out) == (2, "")
    assert err == "error: this installation lacks the 'ro' translations\n"
