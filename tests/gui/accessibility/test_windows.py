"""Every window of the registry, in English with the light theme and in Romanian with the dark
one (as the screenshots show them): each control named for a screen reader, each mnemonic its
own key, keyboard focus visible, and no text cut at the two common screen sizes. Each window is
built once per language and walked through its tabs; a failure lists every problem found, by
widget. (A window is built in its theme: the walks do not re-theme open windows.)"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from frontdesk.gui.theme import DARK, LIGHT, apply_theme
from frontdesk.i18n.catalogs import activate
from tests.gui.accessibility.checks import (
    clipped,
    focus_unseen,
    shared_mnemonics,
    tab_states,
    unnamed,
)
from tests.gui.accessibility.registry import WINDOWS, Window
from tests.gui.accessibility.scene import Scene

SCREENS = ((1366, 768), (1920, 1080))
LOOKS = (("en", LIGHT), ("ro", DARK))
"""Each language with a theme: every window is walked in both of each."""


def fit(widget: QWidget, window: Window, screen: tuple[int, int]) -> None:
    """The size the window has on that screen: all of it for the main window, its own
    (within the screen) for a dialog."""
    width, height = screen
    if window.fills_screen:
        widget.resize(width, height)
    else:
        own = widget.size().expandedTo(widget.sizeHint())
        widget.resize(min(own.width(), width), min(own.height(), height))
    QCoreApplication.processEvents()


def problems_in(widget: QWidget, window: Window, scene: Scene) -> list[str]:
    found: list[str] = []
    for screen in SCREENS:
        fit(widget, window, screen)
        scene.settle()
        size = "{}x{}".format(*screen)
        minimum = widget.minimumSizeHint()
        if minimum.width() > screen[0] or minimum.height() > screen[1]:
            found.append(
                f"{size}: needs {minimum.width()}x{minimum.height()}, more than the screen"
            )
        for state in tab_states(widget):
            found += [f"{size} {state}: {problem}" for problem in clipped(widget)]
            if screen == SCREENS[0]:
                found += [f"{state}: {problem}" for problem in unnamed(widget)]
                found += [f"{state}: {problem}" for problem in shared_mnemonics(widget)]
    found += focus_unseen(widget)
    return found


@pytest.mark.parametrize(("language", "theme"), LOOKS)
@pytest.mark.parametrize("window", WINDOWS, ids=lambda window: window.name)
def test_the_window_is_named_keyed_focused_and_unclipped(
    qapp: QApplication,
    restore_look: None,
    scene: Scene,
    window: Window,
    language: str,
    theme: str,
) -> None:
    activate(language)
    apply_theme(qapp, theme)
    widget = window.build(scene)
    widget.show()
    scene.settle()
    found = problems_in(widget, window, scene)
    assert not found, f"{window.name} in {language}, {theme}:\n" + "\n".join(sorted(set(found)))
