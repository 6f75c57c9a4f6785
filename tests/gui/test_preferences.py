"""At start-up the desk speaks the language and wears the theme its settings choose, each
following the system unless chosen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from frontdesk.gui import preferences, theme
from frontdesk.gui.preferences import apply_preferences, qt_system_language
from frontdesk.i18n import _, active_language
from frontdesk.services import settings
from frontdesk.store.mirror import Mirror


@pytest.fixture
def restore_locale(restore_look: None) -> Iterator[None]:
    """And Qt's default locale, which the desk's language sets."""
    locale = QLocale()
    yield
    QLocale.setDefault(locale)


def test_chosen_settings_decide_the_language_and_theme(
    qapp: QApplication, mirror: Mirror, restore_locale: None
) -> None:
    settings.set_setting(mirror.sessions, settings.LANGUAGE, "ro")
    settings.set_setting(mirror.sessions, settings.THEME, "dark")
    assert apply_preferences(qapp, mirror) == "ro"
    assert active_language() == "ro"
    assert _("Settings") == "Setări"
    assert QLocale().name() == "ro_RO"  # Qt's date and number widgets
    assert theme.active_theme().name == "dark"


def test_auto_follows_the_system(
    qapp: QApplication, mirror: Mirror, restore_locale: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preferences, "qt_system_language", lambda: "ro")
    monkeypatch.setattr(theme, "system_theme", lambda: "light")
    assert apply_preferences(qapp, mirror) == "ro"
    assert theme.active_theme().name == "light"


class _System:
    def __init__(self, languages: list[str]) -> None:
        self._languages = languages

    def uiLanguages(self) -> list[str]:
        return self._languages


@pytest.mark.parametrize(
    ("languages", "language"),
    [(["de-DE", "ro-RO", "en"], "ro"), (["en-GB"], "en"), (["C"], "en"), ([], "en")],
)
def test_the_system_language_is_the_first_of_the_users_list_the_desk_speaks(
    monkeypatch: pytest.MonkeyPatch, languages: list[str], language: str
) -> None:
    class FakeLocale:
        @staticmethod
        def system() -> _System:
            return _System(languages)

    monkeypatch.setattr(preferences, "QLocale", FakeLocale)
    assert qt_system_language() == language
