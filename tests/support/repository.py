"""The repository's own folders, for tests that read its files as written (the examples,
the docs). The code finds its files through `frontdesk.project_paths`."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
RESOURCES_DIR = REPOSITORY / "resources"
EXAMPLES_DIR = RESOURCES_DIR / "rules" / "examples"
