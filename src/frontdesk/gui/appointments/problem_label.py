"""The red line a screen shows a refusal or a mistake in, alike on every dialog."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel

ERROR_ON_LIGHT = "#b00020"
ERROR_ON_DARK = "#ff8a80"
"""Red that keeps a 4.5:1 contrast on the window colour of a light and of a dark theme."""


def error_colour(palette: QPalette | None = None) -> str:
    """The red for problems on `palette` (the application's by default)."""
    window = (palette or QGuiApplication.palette()).color(QPalette.ColorRole.Window)
    return ERROR_ON_DARK if window.lightnessF() < 0.5 else ERROR_ON_LIGHT


def problem_label(object_name: str = "") -> QLabel:
    """Hidden until there is something to say; long explanations wrap."""
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    label.setStyleSheet(f"color: {error_colour()};")
    label.setWordWrap(True)
    label.hide()
    return label
