"""The red line a screen shows a refusal or a mistake in, alike on every dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: #b00020;"


def problem_label(object_name: str = "") -> QLabel:
    """Hidden until there is something to say; long explanations wrap."""
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label
