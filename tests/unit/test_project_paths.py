"""Finding the project's folders: the installed package's copy first, else the checkout's."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk import project_paths
from frontdesk.project_paths import MissingProjectFiles, directory, json_files, project_folder
from tests.support.repository import REPOSITORY


def test_a_checkout_reads_its_top_level_folders() -> None:
    assert project_folder("migrations") == REPOSITORY / "migrations"
    assert project_folder("resources") == REPOSITORY / "resources"
    with directory(project_folder("migrations") / "mirror") as mirror:
        assert (mirror / "env.py").is_file()


def test_the_packaged_copy_wins_over_a_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "resources").mkdir()
    monkeypatch.setattr(project_paths, "files", lambda _package: tmp_path)
    assert project_folder("resources") == tmp_path / "resources"
    # A folder the package lacks is still looked for in the checkout.
    assert project_folder("migrations") == REPOSITORY / "migrations"


def test_an_unknown_folder_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown project folder 'docs'"):
        project_folder("docs")


def test_a_missing_folder_is_named_when_a_directory_is_needed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(project_paths, "files", lambda _package: tmp_path / "package")
    monkeypatch.setattr(project_paths, "_CHECKOUT", tmp_path / "checkout")
    folder = project_folder("ui")
    assert folder == tmp_path / "checkout" / "ui"
    with pytest.raises(MissingProjectFiles, match=r"lacks .*/checkout/ui .*reinstall"):
        directory(folder).__enter__()


def test_json_files_lists_only_json_files_by_name(tmp_path: Path) -> None:
    for name in ("b.json", "a.json", "notes.txt"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "c.json").mkdir()
    assert [entry.name for entry in json_files(tmp_path)] == ["a.json", "b.json"]


def test_the_commands_name_a_missing_folder_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from frontdesk.cli import main
    from frontdesk.server import cli as server_cli
    from frontdesk.server import commands

    missing = tmp_path / "site-packages" / "migrations"
    monkeypatch.setattr("frontdesk.store.migrate.MIRROR_HISTORY", missing / "mirror")
    monkeypatch.setattr("frontdesk.server.migrate.SERVER_HISTORY", missing / "server")
    assert main(["db", "upgrade", "--home", str(tmp_path / "profile")]) == 2
    assert capsys.readouterr().err.startswith(
        f"error: this installation of Front Desk lacks {missing / 'mirror'} "
    )

    def lacking(_args: object) -> int:
        raise MissingProjectFiles(f"this installation of Front Desk lacks {missing / 'server'}")

    monkeypatch.setitem(commands.COMMANDS, "migrate", lacking)
    assert server_cli.main(["migrate"]) == 2
    assert capsys.readouterr().err == (
        f"frontdesk-server: this installation of Front Desk lacks {missing / 'server'}\n"
    )
