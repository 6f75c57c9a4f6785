"""Bundle run-time hook, used only while the project's data folders live beside `src/` rather
than inside the `frontdesk` package: `frontdesk.project_paths` then looks for them two levels
above its own file, which in a bundle is outside it, so its constants are pointed at the copies
the spec put at the bundle's root. Runs before the app imports anything else, so every module
that reads the constants sees the bundle's folders."""

import sys
from pathlib import Path


def _point_at_bundle() -> None:
    import frontdesk.project_paths as paths

    bundle = Path(sys._MEIPASS)  # type: ignore[attr-defined]  # set by the bootloader
    for constant, folder in (("MIGRATIONS_DIR", "migrations"), ("RESOURCES_DIR", "resources")):
        current = getattr(paths, constant, None)
        if isinstance(current, Path) and not current.is_dir() and (bundle / folder).is_dir():
            setattr(paths, constant, bundle / folder)


_point_at_bundle()
