"""One plain sentence, instead of a traceback, when a program cannot read or write one of its
own files or folders (a profile, its mirror or key file, the server's data directory): it
names the path and the fix, e.g. "cannot read /x/mirror.key: permission denied — run as the
profile's owner or fix its permissions (chmod 600 /x/mirror.key)"."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from frontdesk.i18n import N_, _

# What the person can fix on the file system; other OSErrors (a full disk, a network error)
# are not about who may use the file, and keep their own handling.
_REFUSALS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ENOTDIR})

Action = Literal["use", "read", "write", "open"]
PROFILE_OWNER = "the profile's"
"""Whose files a desk's are (the server's: `server.config.DATA_DIR_OWNER`)."""

# One whole sentence per action and per owner, so each language words it its own way.
_CANNOT: dict[str, str] = {
    "use": N_("cannot use {path}: {why} — {fix}"),
    "read": N_("cannot read {path}: {why} — {fix}"),
    "write": N_("cannot write {path}: {why} — {fix}"),
    "open": N_("cannot open {path}: {why} — {fix}"),
}
_RUN_AS_OWNER: dict[str, str] = {
    PROFILE_OWNER: N_("run as the profile's owner or fix its permissions (chmod {mode} {path})"),
    "the data directory's": N_(
        "run as the data directory's owner or fix its permissions (chmod {mode} {path})"
    ),
}


class FileAccessRefused(Exception):
    """A file or folder the program needs cannot be used; the text says which and the fix."""


def refusal(exc: OSError, action: Action = "use", owner: str = PROFILE_OWNER) -> str | None:
    """The sentence for `exc`, or None when it is not a refusal to use a named path.
    `action` is what was tried; `owner` whose files they are (a key of `_RUN_AS_OWNER`)."""
    if exc.errno not in _REFUSALS or not exc.filename:
        return None
    path = str(exc.filename)
    if exc.errno in (errno.EACCES, errno.EPERM):
        mode = "700" if _is_dir(path) else "600"
        why = _("permission denied")
        fix = _(_RUN_AS_OWNER[owner]).format(mode=mode, path=path)
    elif exc.errno == errno.EROFS:
        why, fix = _("the disk is read-only"), _("choose a folder on a writable disk")
    elif exc.errno == errno.EISDIR:
        why = _("it is a folder, not a file")
        fix = _("move the folder away or put the file back")
    else:
        why = _("a file stands where a folder should be in its path")
        fix = _("move that file away or choose another folder")
    return _(_CANNOT[action]).format(path=path, why=why, fix=fix)


@contextmanager
def explained(action: Action, owner: str = PROFILE_OWNER) -> Iterator[None]:
    """Turns a refusal to use a path inside the block into FileAccessRefused (`refusal`)."""
    try:
        yield
    except OSError as exc:
        sentence = refusal(exc, action, owner)
        if sentence is None:
            raise
        raise FileAccessRefused(sentence) from exc


def _is_dir(path: str) -> bool:
    try:
        return Path(path).is_dir()
    except OSError:
        return False
