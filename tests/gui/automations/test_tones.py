"""The colours that mark a rule's problems and a failed run are readable on both themes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from frontdesk.gui.automations.tones import problem_colour, warning_colour
from frontdesk.gui.theme import THEMES, load_theme
from tests.gui.test_theme import contrast


@pytest.fixture
def restore_palette(qapp: QApplication) -> Iterator[None]:
    saved = QApplication.palette()
    yield
    QApplication.setPalette(saved)


@pytest.mark.usefixtures("restore_palette")
@pytest.mark.parametrize("name", THEMES)
def test_problem_and_warning_colours_have_text_contrast_on_the_theme(name: str) -> None:
    palette = load_theme(name).qpalette()
    QApplication.setPalette(palette)
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        background = palette.color(role).name()
        for colour in (problem_colour(), warning_colour()):
            assert contrast(colour.name(), background) >= 4.5, (name, role, colour.name())
