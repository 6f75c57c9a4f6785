"""The desk's look: both themes readable (text contrast computed from their palettes),
visible keyboard focus, following the system unless chosen, and the navigation's icons."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from frontdesk.gui import theme
from frontdesk.gui.desk import Desk
from frontdesk.gui.icons import icon
from frontdesk.gui.main_window import MY_SESSIONS, PAGES, WORKING_HOURS
from frontdesk.gui.settings.page import SettingsPage
from frontdesk.gui.theme import DARK, LIGHT, THEMES, apply_theme, chosen_theme, load_theme
from frontdesk.services import settings
from tests.gui.helpers import wait_for_operations

# Every text colour the desk draws, on the background it is drawn on.
TEXT_ON_BACKGROUND = [
    ("WindowText", "Window"),
    ("Text", "Base"),
    ("Text", "AlternateBase"),
    ("ButtonText", "Button"),
    ("ButtonText", "Mid"),  # a pressed button
    ("HighlightedText", "Highlight"),
    ("ToolTipText", "ToolTipBase"),
    ("PlaceholderText", "Base"),
    ("Link", "Base"),
    ("LinkVisited", "Base"),
    ("group_title", "Window"),
    ("navigation_text", "navigation"),
    ("navigation_selected_text", "navigation_selected"),
    # What the desk's code colours itself (alerts' severities, the first run's message).
    ("error_text", "Window"),
    ("error_text", "Base"),
    ("error_text", "AlternateBase"),
    ("warning_text", "Base"),
    ("warning_text", "AlternateBase"),
]
# The focus frame, on what it surrounds (non-text contrast: 3:1).
FOCUS_ON_BACKGROUND = [
    ("focus", "Window"),
    ("focus", "Base"),
    ("focus", "Button"),
    ("navigation_focus", "navigation"),
    ("navigation_focus", "navigation_selected"),
]
FOCUSABLE = (
    "QPushButton",
    "QLineEdit",
    "QComboBox",
    "QListView",
    "QTableView",
    "QCheckBox",
    "QToolButton",
    "QTabBar::tab:selected",
)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_STATE = re.compile(r"(::?[a-z-]+)+$")


def stylesheet_pairs() -> set[tuple[str, str]]:
    """Every (text, background) pair of colour names the stylesheet draws: a rule's colour on
    its background, a state (`:pressed`, `:selected`) taking what it does not set from its
    widget's rule, and the window's background under a rule that sets none. Disabled text
    is left out: WCAG 1.4.3 exempts inactive controls, and it must look inactive."""
    template = re.sub(
        r"/\*.*?\*/", "", (theme.THEMES_DIR / theme.STYLESHEET).read_text(), flags=re.S
    )
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in _RULE.findall(template):
        properties = dict(
            (name.strip(), value.strip())
            for name, _, value in (part.partition(":") for part in body.split(";"))
            if value.strip()
        )
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(properties)
    pairs = set()
    for selector, properties in rules.items():
        if ":disabled" in selector:
            continue
        base = rules.get(_base(selector), {})
        text = properties.get("color") or base.get("color")
        if text is None and "background" not in properties:
            continue
        background = properties.get("background") or base.get("background") or "@Window"
        pairs.add(((text or "@WindowText")[1:], background[1:]))
    return pairs


def _base(selector: str) -> str:
    """The rule a state's rule builds on: `QTabBar::tab:selected` -> `QTabBar::tab`."""
    if "::" in selector:
        widget, _, part = selector.partition("::")
        return f"{widget}::{part.split(':')[0]}"
    return selector.split(":")[0]


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("name", THEMES)
def test_every_text_is_readable_on_its_background(name: str) -> None:
    chosen = load_theme(name)
    low = [
        f"{text} on {background}: {contrast(chosen.colour(text), chosen.colour(background)):.2f}"
        for text, background in TEXT_ON_BACKGROUND
        if contrast(chosen.colour(text), chosen.colour(background)) < 4.5
    ]
    assert not low, f"{name} theme below 4.5:1 — " + "; ".join(low)


def test_every_colour_pair_the_stylesheet_draws_is_checked() -> None:
    pairs = stylesheet_pairs()
    assert ("ButtonText", "Mid") in pairs  # a pressed button: a state on its widget's colour
    assert ("WindowText", "Window") in pairs  # the tabs' selected one
    assert not pairs - set(TEXT_ON_BACKGROUND)


@pytest.mark.parametrize("name", THEMES)
def test_the_focus_frame_stands_out(name: str) -> None:
    chosen = load_theme(name)
    for frame, background in FOCUS_ON_BACKGROUND:
        ratio = contrast(chosen.colour(frame), chosen.colour(background))
        assert ratio >= 3, f"{name}: {frame} on {background} is {ratio:.2f}:1"


@pytest.mark.parametrize("name", THEMES)
def test_the_stylesheet_names_only_colours_the_theme_has_and_shows_focus(name: str) -> None:
    sheet = load_theme(name).stylesheet()
    assert "@" not in sheet
    for widget in FOCUSABLE:
        assert f"{widget}:focus" in sheet


def test_the_two_themes_differ_where_it_shows() -> None:
    light, dark = load_theme(LIGHT), load_theme(DARK)
    assert (
        relative_luminance(light.colour("Window")) > 0.5 > relative_luminance(dark.colour("Window"))
    )


def test_an_unknown_theme_or_colour_is_refused() -> None:
    with pytest.raises(ValueError, match="purple"):
        load_theme("purple")
    with pytest.raises(ValueError, match="light theme has no colour 'mauve'"):
        load_theme(LIGHT).colour("mauve")


def test_auto_follows_the_system_and_a_choice_overrides_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(theme, "system_theme", lambda: DARK)
    assert chosen_theme("auto") == DARK
    assert chosen_theme("light") == LIGHT
    monkeypatch.setattr(theme, "system_theme", lambda: LIGHT)
    assert chosen_theme("auto") == LIGHT
    assert chosen_theme("dark") == DARK


def test_applying_a_theme_sets_the_palette_and_stylesheet(
    qapp: QApplication, restore_look: None
) -> None:
    applied = apply_theme(qapp, DARK)
    assert applied.name == DARK
    assert theme.active_theme() is applied
    window = qapp.palette().color(QPalette.ColorRole.Window).name()
    assert window == load_theme(DARK).colour("Window")
    assert "QPushButton:focus" in qapp.styleSheet()
    apply_theme(qapp, LIGHT)
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == load_theme(LIGHT).colour(
        "Window"
    )


def test_every_page_has_an_icon_drawn_in_the_colour_asked(qapp: QApplication) -> None:
    for spec in (*PAGES, MY_SESSIONS, WORKING_HOURS):
        drawn = icon(spec.icon, "#ff0000").pixmap(48, 48).toImage()
        assert not drawn.isNull()
        colours = {
            drawn.pixelColor(x, y).name()
            for x in range(0, 48, 2)
            for y in range(0, 48, 2)
            if drawn.pixelColor(x, y).alpha() == 255
        }
        assert colours == {"#ff0000"}, spec.icon
    with pytest.raises(FileNotFoundError):
        icon("no-such-icon", "#000000")


def test_the_settings_offer_language_and_theme_and_a_new_theme_applies_at_once(
    qtbot: QtBot, desk: Desk, qapp: QApplication, restore_look: None
) -> None:
    page = SettingsPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    language, look = page.editors["language"], page.editors["theme"]
    assert isinstance(language, QComboBox)
    assert isinstance(look, QComboBox)
    assert [language.itemText(n) for n in range(language.count())] == [
        "Follow the system",
        "English",
        "Română",
    ]
    assert page.values()["theme"] == "auto"
    look.setCurrentIndex(look.findData(DARK))
    language.setCurrentIndex(language.findData("ro"))
    with qtbot.waitSignal(page.sig_saved):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert settings.get_setting(desk.mirror.sessions, settings.THEME) == DARK
    assert settings.get_setting(desk.mirror.sessions, settings.LANGUAGE) == "ro"
    assert theme.active_theme().name == DARK
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == load_theme(DARK).colour(
        "Window"
    )
