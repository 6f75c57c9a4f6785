"""Files that hold patient data or secrets, readable by this user alone: directories 0700,
files 0600. Made so from the start (never a moment with wider access, whatever the umask),
and tightened when found wider (made by an older version, or by hand). POSIX only: elsewhere
the user's profile folder is private by the system's own rules."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_log = logging.getLogger(__name__)


def tighten(path: Path, mode: int) -> None:
    """Removes from `path` every permission `mode` does not give (never adds one)."""
    if os.name != "posix":
        return
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        _log.warning("%s was open to other users (%o); now %o", path, current, current & mode)
        path.chmod(current & mode)


def private_dir(path: Path) -> Path:
    """`path` (and missing parents) made if need be; `path` itself is then 0700."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    tighten(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` made empty if missing, and 0600 either way (its directory must exist)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE))
    tighten(path, PRIVATE_FILE_MODE)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Replaces the content of `path`, a private file."""
    private_file(path)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)


def append_private_text(path: Path, text: str) -> None:
    """Appends to `path`, a private file in a private directory (both made if missing)."""
    private_dir(path.parent)
    private_file(path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
