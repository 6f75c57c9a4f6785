"""Loading a language's catalogue from `ui/translations/<language>/LC_MESSAGES/frontdesk.po`.

The `.po` sources are read at run time and compiled in memory (Babel), so a clean checkout
and an installed copy work alike with no build step; fuzzy entries are left out, as `msgfmt`
does."""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib.resources.abc import Traversable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from frontdesk.i18n.core import DEFAULT_LANGUAGE, LANGUAGES, install
from frontdesk.project_paths import UI_DIR, MissingProjectFiles

DOMAIN = "frontdesk"
TRANSLATIONS_DIR = UI_DIR / "translations"


def catalog_path(language: str, directory: Traversable = TRANSLATIONS_DIR) -> Traversable:
    return directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def load(language: str, directory: Traversable = TRANSLATIONS_DIR) -> gettext.NullTranslations:
    """The translations of `language` (English, the messages' own language, needs none)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; the desk speaks {', '.join(LANGUAGES)}")
    path = catalog_path(language, directory)
    if not path.is_file():
        if language == DEFAULT_LANGUAGE:
            return gettext.NullTranslations()
        raise MissingProjectFiles(
            f"this installation lacks the {language!r} translations (ui/translations): "
            "reinstall it, or run with LANG=en_GB.UTF-8"
        )
    return read_catalog(path, language)


def read_catalog(path: Traversable, language: str) -> gettext.GNUTranslations:
    """A `.po` file compiled in memory; its fuzzy entries read as untranslated."""
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def activate(language: str) -> None:
    """Speak `language` from now on."""
    install(language, load(language))
