"""The build step the declarative configuration (pyproject.toml) cannot express: the wheel
carries the repository's top-level `migrations/`, `resources/` and `ui/` inside the package
(`frontdesk/migrations`, …), where `frontdesk.project_paths` finds them. An editable install
reads them in the checkout instead, so nothing is copied for it."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("migrations", "resources", "ui")  # keep in step with frontdesk.project_paths
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.py[cod]")


class BuildWithProjectFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "frontdesk"
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, package / name, ignore=LEFT_OUT, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithProjectFiles})
