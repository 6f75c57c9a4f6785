"""Finding a screen another part of the desk provides, by module and class name: imported the
first time it is needed, so start-up does not import every screen."""

from __future__ import annotations

import importlib
from typing import Any


def load_screen(module: str, name: str) -> type[Any]:
    """The screen class."""
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
