"""Bundle run-time hook: the spec puts the app's data folders inside the bundle's `frontdesk`
package, where the wheel has them. A `frontdesk.project_paths` that finds them there (with
importlib.resources) is left alone; one that looks only where a checkout has them, two folders
above the package (outside the bundle), is pointed at the bundle's copies. Runs before the app
imports anything else, so every module that reads the constants sees the result."""

import sys
from pathlib import Path


def _point_at_bundle() -> None:
    import frontdesk.project_paths as paths

    package = Path(sys._MEIPASS) / "frontdesk"  # type: ignore[attr-defined]  # the bootloader's
    for constant, folder in (
        ("MIGRATIONS_DIR", "migrations"),
        ("RESOURCES_DIR", "resources"),
        ("UI_DIR", "ui"),
    ):
        current = getattr(paths, constant, None)
        if current is not None and not current.is_dir() and (package / folder).is_dir():
            setattr(paths, constant, package / folder)


_point_at_bundle()
