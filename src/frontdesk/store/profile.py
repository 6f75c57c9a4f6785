"""A profile directory holds one desk's mirror and settings. Several can live side by side."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from frontdesk.file_access import explained
from frontdesk.private_files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    private_dir,
    private_file,
    tighten,
)

ENV_HOME = "FRONTDESK_HOME"
MIRROR_FILE = "mirror.db"
OUTBOX_DIR = "outbox"
# The mirror's companions (SQLite makes them with the mirror's own mode).
MIRROR_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Profile:
    home: Path

    @property
    def mirror_path(self) -> Path:
        return self.home / MIRROR_FILE

    @property
    def outbox_dir(self) -> Path:
        """Where SMS and push go as files when no provider is set (names, phone numbers)."""
        return self.home / OUTBOX_DIR

    def prepare_mirror_file(self) -> Path:
        """The mirror's path, its file made 0600 before SQLite opens it (SQLite then gives
        its journal and WAL files the same mode)."""
        with explained("open"):
            private_file(self.mirror_path)
        return self.mirror_path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Profile:
        """`--home`, else $FRONTDESK_HOME, else the platform's user data directory; made if
        missing. FileAccessRefused when this user may not use it (naming the path and fix)."""
        chosen = home or os.environ.get(ENV_HOME) or platformdirs.user_data_dir("frontdesk")
        with explained("open"):
            path = private_dir(Path(chosen).expanduser())
            _tighten_contents(path)
        return cls(path)


def _tighten_contents(home: Path) -> None:
    """What the profile already holds: its files and the outbox, this user's alone. (A demo's
    server directory is PostgreSQL's business: it keeps its data directory private itself.)"""
    for entry in home.iterdir():
        if entry.is_file() and not entry.is_symlink():
            tighten(entry, PRIVATE_FILE_MODE)
    outbox = home / OUTBOX_DIR
    if outbox.is_dir():
        tighten(outbox, PRIVATE_DIR_MODE)
        for entry in outbox.iterdir():
            if entry.is_file() and not entry.is_symlink():
                tighten(entry, PRIVATE_FILE_MODE)
