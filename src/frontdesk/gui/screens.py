"""Finding a screen another part of the desk provides, by module and class name, so a
window works while that part is missing from the build."""

from __future__ import annotations

import importlib
from typing import Any


def load_screen(module: str, name: str) -> type[Any] | None:
    """The screen class, or None while it is not there."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None
