"""Importing every handler module, so each registers its action types (`@handles`) before the
engine looks one up. New handler modules in this package are picked up without a list to
keep in step."""

from __future__ import annotations

import importlib
import pkgutil

import frontdesk.automation.handlers as package

_NOT_HANDLERS = frozenset({"base", "registry"})


def load_all() -> None:
    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in _NOT_HANDLERS:
            importlib.import_module(f"{package.__name__}.{module.name}")
