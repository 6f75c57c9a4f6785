"""The desk's language and look at start-up: the profile's `language` and `theme` settings,
each following the operating system unless one is chosen."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from frontdesk.gui.theme import apply_theme
from frontdesk.i18n import formats
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.core import DEFAULT_LANGUAGE
from frontdesk.i18n.languages import chosen_language, language_of
from frontdesk.services import settings
from frontdesk.store.mirror import Mirror


def qt_system_language() -> str:
    """The first language of the user's list (Qt reads it from the system) the desk speaks."""
    for name in QLocale.system().uiLanguages():
        language = language_of(name)
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def apply_preferences(app: QApplication, mirror: Mirror) -> str:
    """Speak the chosen language (Qt's own widgets too: dates, numbers) and wear the chosen
    theme; returns the language."""
    language = chosen_language(
        settings.get_setting(mirror.sessions, settings.LANGUAGE), qt_system_language()
    )
    activate(language)
    QLocale.setDefault(QLocale(formats.locale()))  # Qt's widgets write as Babel does
    apply_theme(app, settings.get_setting(mirror.sessions, settings.THEME))
    return language
