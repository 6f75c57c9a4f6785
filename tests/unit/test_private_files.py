"""What holds patient data or secrets in a profile is this user's alone: 0600 files in 0700
directories, whatever the umask, and found wider, tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from frontdesk.integrations.push import OutboxFilePushSender, Push
from frontdesk.integrations.sms import OutboxFileSmsSender, Sms
from frontdesk.store.keys import KEY_FILE_NAME
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile
from frontdesk.sync.account import TOKEN_FILE, load_refresh_token, store_refresh_token


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The loosest umask: private modes must not depend on the user's."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def no_keyring() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())


def test_a_new_profile_directory_is_private(tmp_path: Path) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    assert _mode(profile.home) == 0o700


def test_the_sms_outbox_is_private_from_its_first_line(tmp_path: Path) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    path = profile.outbox_dir / "sms.jsonl"
    OutboxFileSmsSender(path).send(Sms("+40700000001", "See you at 10:00, Ana", "k1"))
    assert _mode(profile.outbox_dir) == 0o700
    assert _mode(path) == 0o600
    assert "Ana" in path.read_text()


def test_a_push_outbox_left_open_is_tightened_on_the_next_write(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir(mode=0o755)
    path = outbox / "push.jsonl"
    path.write_text("")
    path.chmod(0o644)
    OutboxFilePushSender(path).send(Push("user-1", "Your visit", "at 10:00", "k2"))
    assert _mode(outbox) == 0o700
    assert _mode(path) == 0o600


def test_opening_a_profile_tightens_what_it_already_holds(tmp_path: Path) -> None:
    home = tmp_path / "desk"
    (home / "outbox").mkdir(parents=True, mode=0o755)
    home.chmod(0o755)
    for name in ("mirror.db", "account.json", "outbox/sms.jsonl"):
        (home / name).write_text("")
        (home / name).chmod(0o664)
    Profile.resolve(home)
    assert _mode(home) == 0o700
    assert _mode(home / "outbox") == 0o700
    for name in ("mirror.db", "account.json", "outbox/sms.jsonl"):
        assert _mode(home / name) == 0o600, name


def test_the_mirror_and_its_journal_files_are_private(tmp_path: Path) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    mirror = open_mirror(profile)
    try:
        companions = [p for p in profile.home.iterdir() if p.name.startswith("mirror.db-")]
        assert companions  # the WAL is open while the mirror is
        for path in [profile.mirror_path, *companions]:
            assert _mode(path) == 0o600, path.name
    finally:
        mirror.close()


def test_a_key_file_others_could_read_is_tightened(tmp_path: Path, no_keyring: None) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    first = open_mirror(profile)
    first.close()
    key_file = profile.home / KEY_FILE_NAME
    assert _mode(key_file) == 0o600
    key_file.chmod(0o644)
    again = open_mirror(profile)  # still opens: same key, now private
    again.close()
    assert again.device_id == first.device_id
    assert _mode(key_file) == 0o600


def test_a_refresh_token_file_is_private_even_over_an_open_one(
    tmp_path: Path, no_keyring: None
) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    (profile.home / TOKEN_FILE).write_text("old")
    (profile.home / TOKEN_FILE).chmod(0o644)
    store_refresh_token(profile, "fresh-token")
    assert _mode(profile.home / TOKEN_FILE) == 0o600
    assert load_refresh_token(profile) == "fresh-token"
