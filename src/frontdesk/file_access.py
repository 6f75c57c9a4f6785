"""One plain sentence, instead of a traceback, when a program cannot read or write one of its
own files or folders (a profile, its mirror or key file, the server's data directory): it
names the path and the fix, e.g. "cannot read /x/mirror.key: permission denied — run as the
profile's owner or fix its permissions (chmod 600 /x/mirror.key)"."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# What the person can fix on the file system; other OSErrors (a full disk, a network error)
# are not about who may use the file, and keep their own handling.
_REFUSALS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ENOTDIR})


class FileAccessRefused(Exception):
    """A file or folder the program needs cannot be used; the text says which and the fix."""


def refusal(exc: OSError, action: str = "use", owner: str = "the profile's") -> str | None:
    """The sentence for `exc`, or None when it is not a refusal to use a named path.
    `action` is what was tried ("read", "write", "open"); `owner` whose files they are."""
    if exc.errno not in _REFUSALS or not exc.filename:
        return None
    path = str(exc.filename)
    if exc.errno in (errno.EACCES, errno.EPERM):
        mode = "700" if _is_dir(path) else "600"
        why = "permission denied"
        fix = f"run as {owner} owner or fix its permissions (chmod {mode} {path})"
    elif exc.errno == errno.EROFS:
        why, fix = "the disk is read-only", "choose a folder on a writable disk"
    elif exc.errno == errno.EISDIR:
        why, fix = "it is a folder, not a file", "move the folder away or put the file back"
    else:
        why = "a file stands where a folder should be in its path"
        fix = "move that file away or choose another folder"
    return f"cannot {action} {path}: {why} — {fix}"


@contextmanager
def explained(action: str, owner: str = "the profile's") -> Iterator[None]:
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
