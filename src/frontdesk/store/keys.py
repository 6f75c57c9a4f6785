"""The mirror's encryption key: in the OS keyring, or in a private file where there is none."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import keyring
import keyring.backends.fail
import keyring.errors

from frontdesk.file_access import explained
from frontdesk.private_files import PRIVATE_FILE_MODE, private_dir, tighten

KEYRING_SERVICE = "frontdesk-mirror"
KEY_FILE_NAME = "mirror.key"


@dataclass(frozen=True)
class MirrorKey:
    hex_key: str
    storage: Literal["keyring", "file"]

    @property
    def sqlcipher_passphrase(self) -> str:
        # A raw 256-bit key (x'…') skips SQLCipher's key derivation: the key is already random.
        return f"x'{self.hex_key}'"


def _keyring_usable() -> bool:
    """A real OS keyring. Plain-text stand-ins (priority below 1) are no safer than our file."""
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return False
    return float(getattr(backend, "priority", 0)) >= 1


def load_or_create_key(profile_dir: Path) -> MirrorKey:
    """The profile's key, created on first use. Prefers the keyring; falls back to a file
    readable only by this user (the caller tells the user when that happens). A key file
    this user may not read or write is a FileAccessRefused naming it and the fix."""
    account = str(profile_dir.resolve())
    key_file = profile_dir / KEY_FILE_NAME
    with explained("read"):
        if key_file.exists():
            return MirrorKey(_read_key_file(key_file), "file")
    if _keyring_usable():
        try:
            stored = keyring.get_password(KEYRING_SERVICE, account)
            if stored:
                return MirrorKey(stored, "keyring")
            fresh = secrets.token_hex(32)
            keyring.set_password(KEYRING_SERVICE, account, fresh)
            return MirrorKey(fresh, "keyring")
        except keyring.errors.KeyringError:
            pass  # a locked or broken keyring: fall back to the key file below
    fresh = secrets.token_hex(32)
    with explained("write"):
        _write_key_file(key_file, fresh)
    return MirrorKey(fresh, "file")


def _write_key_file(path: Path, hex_key: str) -> None:
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        handle.write(hex_key)


def _read_key_file(path: Path) -> str:
    tighten(path, PRIVATE_FILE_MODE)  # one found open to others is closed (and logged)
    return path.read_text().strip()
