"""The desk's look: a light and a dark theme from `ui/themes/` (a palette per theme and one
stylesheet whose `@name` colours each theme fills in), following the operating system's
colour scheme unless the `theme` setting chooses one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from frontdesk.project_paths import UI_DIR

THEMES_DIR = UI_DIR / "themes"
LIGHT, DARK = "light", "dark"
THEMES = (LIGHT, DARK)
STYLESHEET = "desk.qss"
_COLOUR = re.compile(r"@(\w+)")


@dataclass(frozen=True)
class Theme:
    name: str
    palette: dict[str, str]
    """QPalette role name (as `QPalette.ColorRole`) -> colour, for enabled widgets."""
    disabled: dict[str, str]
    """The roles that differ for disabled widgets."""
    colours: dict[str, str]
    """The stylesheet's own colours (navigation, borders, focus)."""

    def colour(self, name: str) -> str:
        """A stylesheet colour: its own, `disabled_<Role>`, or a palette role."""
        if name in self.colours:
            return self.colours[name]
        found = (
            self.disabled.get(name.removeprefix("disabled_"))
            if name.startswith("disabled_")
            else self.palette.get(name)
        )
        if found is None:
            raise ValueError(f"the {self.name} theme has no colour {name!r}")
        return found

    def qpalette(self) -> QPalette:
        palette = QPalette()
        for role, value in self.palette.items():
            palette.setColor(QPalette.ColorRole[role], QColor(value))
        for role, value in self.disabled.items():
            palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole[role], QColor(value))
        return palette

    def stylesheet(self) -> str:
        template = (THEMES_DIR / STYLESHEET).read_text(encoding="utf-8")
        return _COLOUR.sub(lambda match: self.colour(match.group(1)), template)


@cache
def load_theme(name: str) -> Theme:
    """The theme `name` ("light" or "dark") as `ui/themes/<name>.json` describes it."""
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; the desk has {', '.join(THEMES)}")
    data = json.loads((THEMES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return Theme(name, data["palette"], data["disabled"], data["colours"])


def system_theme() -> str:
    """The operating system's colour scheme (Qt 6.5+); light where it says none."""
    scheme = QGuiApplication.styleHints().colorScheme()
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


def chosen_theme(setting: str) -> str:
    """The setting's theme, or the system's for `auto` (and any value this version does not
    know)."""
    return setting if setting in THEMES else system_theme()


_active: list[Theme] = []


def active_theme() -> Theme:
    """The theme applied last (light before any is)."""
    return _active[-1] if _active else load_theme(LIGHT)


def apply_theme(app: QApplication, setting: str) -> Theme:
    """Give the whole application the theme the setting chooses. Fusion draws with the
    palette on every platform (the native styles of some ignore it)."""
    theme = load_theme(chosen_theme(setting))
    app.setStyle("Fusion")
    app.setPalette(theme.qpalette())
    app.setStyleSheet(theme.stylesheet())
    _active[:] = [theme]
    return theme
