"""The active language and its translations, held in memory (no I/O here: the domain uses
this). `catalogs.activate` installs a language; tests and the server may `install` one."""

from __future__ import annotations

import gettext
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from babel.support import LazyProxy

DEFAULT_LANGUAGE: Final = "en"
LANGUAGES: Final = ("en", "ro")
"""The languages the desk speaks, English (the messages' own language) first."""

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language: str = DEFAULT_LANGUAGE


def install(language: str, translations: gettext.NullTranslations) -> None:
    """Make `translations` (of `language`) the ones every `_()` call reads from now on."""
    global _translations, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; the desk speaks {', '.join(LANGUAGES)}")
    _translations, _language = translations, language


def active_language() -> str:
    """The language messages are translated into, e.g. "ro"."""
    return _language


def _(message: str) -> str:
    """`message` in the active language (itself where the catalogue has no translation)."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` in the active language (Romanian has three). Format the count in
    afterwards: `ngettext("{count} day", "{count} days", n).format(count=n)`."""
    return _translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it now (module-level words,
    translated where they are shown with `_(message)`)."""
    return message


def lazy_gettext(message: str) -> LazyProxy:
    """`message`, translated each time it is read: for words built before a language is
    chosen that are shown as they are."""
    from babel.support import LazyProxy  # Babel loads when a word is first made, not at start

    return LazyProxy(_, message, enable_cache=False)
