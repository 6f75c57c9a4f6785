"""A file or folder the desk or the server cannot use is one plain sentence naming the path
and the fix, exit code 2, never a traceback: `frontdesk` (profile, key file, mirror) and
`frontdesk-server` (data directory, token secret). Running as root, a chmod does not stop a
read, so a refusal is made by a patched call raising PermissionError, or by a folder where a
file should be (or a file where a folder should be)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk import cli
from frontdesk.file_access import FileAccessRefused, explained, refusal
from frontdesk.i18n.catalogs import activate
from frontdesk.server import cli as server_cli
from frontdesk.server.config import DATA_DIR_OWNER, TOKEN_SECRET_ENV
from frontdesk.store.keys import KEY_FILE_NAME
from frontdesk.store.profile import MIRROR_FILE

SRC = Path(__file__).resolve().parents[2] / "src"


def refuse(monkeypatch: pytest.MonkeyPatch, target: Path, method: str = "read_text") -> None:
    """`Path.<method>` on `target` raises PermissionError, as for a file of another user."""
    original = getattr(Path, method)

    def patched(self: Path, *args: object, **kwargs: object) -> object:
        if self == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, patched)


def run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), TOKEN_SECRET_ENV: ""}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_unreadable_key_file_is_one_sentence_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "profile"
    home.mkdir()
    key_file = home / KEY_FILE_NAME
    key_file.write_text("ab" * 32)
    refuse(monkeypatch, key_file)

    assert cli.main(["--home", str(home), "db", "upgrade"]) == 2

    err = capsys.readouterr().err
    assert err == (
        f"error: cannot read {key_file}: permission denied — run as the profile's owner or "
        f"fix its permissions (chmod 600 {key_file})\n"
    )


def test_a_key_file_that_cannot_be_written_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "profile"
    monkeypatch.setattr("frontdesk.store.keys._keyring_usable", lambda: False)

    def no_write(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(home / KEY_FILE_NAME))

    monkeypatch.setattr("frontdesk.store.keys._write_key_file", no_write)
    assert cli.main(["--home", str(home), "db", "upgrade"]) == 2
    assert f"error: cannot write {home / KEY_FILE_NAME}: permission denied" in (
        capsys.readouterr().err
    )


def test_a_profile_folder_that_cannot_be_opened_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "profile"
    home.mkdir()
    refuse(monkeypatch, home, "iterdir")
    assert cli.main(["--home", str(home), "db", "upgrade"]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot open {home}: permission denied — run as the profile's owner or fix "
        f"its permissions (chmod 700 {home})\n"
    )


def test_a_mirror_that_cannot_be_opened_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "profile"
    mirror = home / MIRROR_FILE

    def no_open(path: Path) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("frontdesk.store.profile.private_file", no_open)
    assert cli.main(["--home", str(home), "db", "upgrade"]) == 2
    assert f"error: cannot open {mirror}: permission denied" in capsys.readouterr().err


def test_the_command_as_a_process_prints_no_traceback(tmp_path: Path) -> None:
    home = tmp_path / "profile"
    (home / KEY_FILE_NAME).mkdir(parents=True)  # a folder where the key file should be
    result = run("frontdesk.cli", "--home", str(home), "db", "upgrade")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        f"error: cannot read {home / KEY_FILE_NAME}: it is a folder, not a file — move the "
        "folder away or put the file back"
    ) in result.stderr


def test_a_profile_under_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    home = tmp_path / "plain" / "profile"
    result = run("frontdesk.cli", "--home", str(home), "appointments", "list",
                 "--from", "2026-01-01", "--to", "2026-01-02")  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"cannot open {home}: a file stands where a folder should be" in result.stderr


SERVER_ARGS = ["--database-url", "postgresql://unused@127.0.0.1:1/unused", "migrate"]


def test_the_server_names_an_unreadable_token_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(TOKEN_SECRET_ENV, raising=False)
    data = tmp_path / "data"
    data.mkdir()
    secret = data / "token-secret"
    secret.write_text("s" * 48)
    refuse(monkeypatch, secret)

    assert server_cli.main(["--data-dir", str(data), *SERVER_ARGS]) == 2

    assert capsys.readouterr().err == (
        f"frontdesk-server: cannot read {secret}: permission denied — run as the data "
        f"directory's owner or fix its permissions (chmod 600 {secret})\n"
    )


def test_the_server_as_a_process_names_a_data_directory_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    data = tmp_path / "plain" / "data"
    result = run("frontdesk.server.cli", "--data-dir", str(data), *SERVER_ARGS)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"frontdesk-server: cannot use {data}: a file stands where a folder" in result.stderr


def test_a_read_only_disk_and_other_errors() -> None:
    read_only = OSError(errno.EROFS, "Read-only file system", "/media/x/profile")
    assert refusal(read_only, "write") == (
        "cannot write /media/x/profile: the disk is read-only — choose a folder on a writable disk"
    )
    assert refusal(OSError(errno.ENOSPC, "No space left", "/x")) is None
    assert refusal(PermissionError(errno.EACCES, "Permission denied")) is None  # no path
    with pytest.raises(OSError, match="No space"), explained("write"):
        raise OSError(errno.ENOSPC, "No space left", "/x")
    refused = pytest.raises(FileAccessRefused, match="cannot write /x: permission denied")
    with refused, explained("write"):
        raise PermissionError(errno.EACCES, "Permission denied", "/x")


def test_in_romanian_the_sentence_is_romanian() -> None:
    activate("ro")
    denied = PermissionError(errno.EACCES, "Permission denied", "/x/mirror.key")
    assert refusal(denied, "read") == (
        "/x/mirror.key nu poate fi citit: permisiune refuzată — rulați ca proprietarul "
        "profilului sau corectați-i permisiunile (chmod 600 /x/mirror.key)"
    )
    assert refusal(denied, "use", owner=DATA_DIR_OWNER) == (
        "/x/mirror.key nu poate fi folosit: permisiune refuzată — rulați ca proprietarul "
        "dosarului de date sau corectați-i permisiunile (chmod 600 /x/mirror.key)"
    )
