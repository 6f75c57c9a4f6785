"""`--home` (the desk) and `--data-dir` / `--database-url` (the server) are taken before the
command or after it, by every command."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.cli_parser import build_parser
from frontdesk.server import cli as server_cli
from frontdesk.server.environment import resolve

# (the command, what it needs besides)
DESK_COMMANDS = [
    (("db", "upgrade"), []),
    (("demo",), ["--no-window"]),
    (("appointments", "list"), ["--from", "2026-03-02", "--to", "2026-03-08"]),
    (("rules", "validate"), ["rule.json"]),
    (("rules", "import"), ["rules.json"]),
    (("rules", "export"), []),
    (("rules", "dry-run"), ["rule.json", "--event", "event.json"]),
    (("schedule", "forecast"), ["rule.json", "--from", "2026-03-28T00:00", "--days", "7"]),
    (("executions", "list"), []),
    (("login",), ["--server", "https://desk.example", "--email", "ana@example.com"]),
    (("logout",), []),
    (("sync",), []),
    (("sync", "export-pending"), ["--out", "pending.json"]),
    (("sync", "import-pending"), ["pending.json"]),
    (("agent",), []),
]
# Commands that are also groups: `frontdesk sync` alone runs a round.
RUNNABLE_GROUPS = {("sync",)}
SERVER_COMMANDS = [
    (("migrate",), []),
    (("run",), ["--port", "8443"]),
    (("create-org",), ["--name", "R", "--slug", "r", "--timezone", "UTC"]),
    (("set-booking-horizon",), ["--org", "r", "--days", "90"]),
    (("hours", "show"), ["--org", "r", "--specialist", "Dr A"]),
    (("hours", "weekly"), ["--org", "r", "--specialist", "Dr A", "--weekday", "monday"]),
    (("hours", "day"), ["--org", "r", "--specialist", "Dr A", "--date", "2027-04-02"]),
    (("hours", "closed"), ["--org", "r", "--date", "2027-01-01"]),
    (("hours", "settings"), ["--org", "r", "--interval", "15"]),
    (("create-user",), ["--org", "r", "--email", "a@example.com", "--role", "admin"]),
    (("deactivate-user",), ["--org", "r", "--email", "a@example.com"]),
    (("devices",), ["--org", "r"]),
    (("backup",), ["--out", "server.dump"]),
    (("restore",), ["server.dump", "--replace"]),
]


def _ids(entry: tuple[tuple[str, ...], list[str]]) -> str:
    return " ".join(entry[0])


def _command_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield (*path, name), command
                yield from _command_parsers(command, (*path, name))


def _leaf_commands(parser: argparse.ArgumentParser) -> set[tuple[str, ...]]:
    paths = dict(_command_parsers(parser))
    return {path for path in paths if not any(p[: len(path)] == path != p for p in paths)}


def test_the_lists_here_cover_every_command() -> None:
    assert _leaf_commands(build_parser()) | RUNNABLE_GROUPS == {path for path, _ in DESK_COMMANDS}
    assert _leaf_commands(server_cli.build_parser()) == {path for path, _ in SERVER_COMMANDS}


@pytest.mark.parametrize("entry", DESK_COMMANDS, ids=_ids)
def test_home_is_taken_before_or_after_every_command(
    entry: tuple[tuple[str, ...], list[str]],
) -> None:
    command = [*entry[0], *entry[1]]
    parse = build_parser().parse_args
    assert parse(["--home", "/a", *command]).home == "/a"
    assert parse([*command, "--home", "/b"]).home == "/b"
    assert parse(["--home", "/a", *command, "--home", "/b"]).home == "/b"  # the last one
    assert parse(command).home is None


def test_home_is_taken_between_a_group_and_its_command() -> None:
    args = build_parser().parse_args(["rules", "--home", "/a", "validate", "rule.json"])
    assert args.home == "/a"


@pytest.mark.parametrize("entry", SERVER_COMMANDS, ids=_ids)
def test_server_options_are_taken_before_or_after_every_command(
    entry: tuple[tuple[str, ...], list[str]],
) -> None:
    command = [*entry[0], *entry[1]]
    parse = server_cli.build_parser().parse_args
    before = parse(["--data-dir", "/d", "--database-url", "postgresql://x/db", *command])
    after = parse([*command, "--database-url", "postgresql://x/db", "--data-dir", "/d"])
    for args in (before, after):
        assert (args.data_dir, args.database_url) == ("/d", "postgresql://x/db")
    neither = resolve(parse(command), {})  # and none in the environment
    assert (neither.data_dir, neither.database_url) == (None, None)


def test_a_command_uses_the_home_given_after_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "profile"
    assert main(["db", "upgrade", "--home", str(home)]) == 0
    assert capsys.readouterr().out.startswith(f"mirror at {home / 'mirror.db'} is at revision")


def test_the_server_uses_the_data_dir_given_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plain").write_text("")
    data = tmp_path / "plain" / "data"  # refused at once: a file stands where it should be
    unused = "postgresql://unused@127.0.0.1:1/unused"
    assert server_cli.main(["migrate", "--data-dir", str(data), "--database-url", unused]) == 2
    assert f"cannot use {data}: a file stands where a folder" in capsys.readouterr().err


def test_an_unknown_option_after_a_command_is_still_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--homes", "/a"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --homes" in capsys.readouterr().err
