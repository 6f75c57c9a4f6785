"""Where the project's non-code files are: the repository's top-level `migrations/`,
`resources/` and `ui/`. A wheel carries them inside the package (`frontdesk/migrations`, …;
setup.py copies them at build time); a checkout — the editable install — has them beside
`src/`. The package's copy wins, so an installed wheel never reads a checkout that happens to be
on the machine. Read them through the Traversable API (`/`, `read_text`, `iterdir`);
`directory()` gives a real directory to tools that need one (Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

FOLDERS = ("migrations", "resources", "ui")  # keep in step with setup.py
_CHECKOUT = Path(__file__).resolve().parents[2]


class MissingProjectFiles(RuntimeError):
    """The installation lacks one of its folders: it was built without them."""


def project_folder(name: str) -> Traversable:
    """The folder `name` (one of FOLDERS) in the installed package, else in the checkout. A
    folder found in neither is returned as the checkout's path; `directory()` and reading
    from it say what is missing."""
    if name not in FOLDERS:
        raise ValueError(f"unknown project folder {name!r}; use one of {', '.join(FOLDERS)}")
    packaged = files("frontdesk") / name
    if packaged.is_dir():
        return packaged
    return _CHECKOUT / name


@contextmanager
def directory(folder: Traversable) -> Iterator[Path]:
    """`folder` as a directory on disk for as long as the block runs."""
    if not folder.is_dir():
        raise MissingProjectFiles(
            f"this installation of Front Desk lacks {folder} (it looks in the package, "
            f"{files('frontdesk')}, then in a checkout, {_CHECKOUT}); reinstall Front Desk"
        )
    with as_file(folder) as path:
        yield path


def json_files(folder: Traversable) -> list[Traversable]:
    """The folder's `*.json` files, by name."""
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".json") and entry.is_file()),
        key=lambda entry: entry.name,
    )


MIGRATIONS_DIR = project_folder("migrations")
RESOURCES_DIR = project_folder("resources")
UI_DIR = project_folder("ui")
