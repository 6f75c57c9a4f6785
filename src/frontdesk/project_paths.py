"""Where the project's non-code files are. Both README commands install in editable mode, so
these resolve inside the checkout; the installers copy them beside the package."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
RESOURCES_DIR = PROJECT_ROOT / "resources"
UI_DIR = PROJECT_ROOT / "ui"
