"""Translation for every string a person reads: gettext catalogues (Babel) in
`ui/translations/`. This package depends on no layer of the desk, so each of them — the
domain too — marks and translates its words with `_`, `ngettext` and `N_`.

Importing it does no I/O: `frontdesk.i18n.catalogs.activate` loads a language's catalogue at
start-up (the command line, the desk, the server); until then every message reads in English.
Dates, times and numbers are formatted by the active locale in `frontdesk.i18n.formats`."""

from frontdesk.i18n.core import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    _,
    active_language,
    lazy_gettext,
    ngettext,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "_",
    "active_language",
    "lazy_gettext",
    "ngettext",
]
