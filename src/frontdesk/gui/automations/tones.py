"""The colours the Automations screens mark problems with, readable on the light and the dark
theme alike (text contrast of at least 4.5:1 on the theme's background)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# (on a light background, on a dark one)
_PROBLEM = ("#a93226", "#ff8a80")
_WARNING = ("#8a5a00", "#f5b041")


def _dark() -> bool:
    return QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


def problem_colour() -> QColor:
    """Something failed or must be fixed."""
    return QColor(_PROBLEM[_dark()])


def warning_colour() -> QColor:
    """Something partly failed."""
    return QColor(_WARNING[_dark()])
