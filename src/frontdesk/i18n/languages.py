"""Which language the desk speaks: a setting if one is chosen, else the operating system's."""

from __future__ import annotations

import os
from collections.abc import Mapping

from frontdesk.i18n.core import DEFAULT_LANGUAGE, LANGUAGES

ENVIRONMENT_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where a POSIX system names the language of messages, strongest first (`LANGUAGE` is GNU
gettext's list of preferences, e.g. "ro:en")."""


def language_of(locale_name: str) -> str | None:
    """The desk's language for a locale name ("ro_RO.UTF-8", "ro-RO", "en"), None if the
    desk does not speak it ("C", "POSIX", "de_DE")."""
    code = locale_name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`):
    the first variable that is set decides, English where it names no language we speak."""
    env = os.environ if environ is None else environ
    for variable in ENVIRONMENT_VARIABLES:
        value = env.get(variable, "")
        if not value:
            continue
        for name in value.split(":"):
            language = language_of(name)
            if language is not None:
                return language
        if variable != "LANGUAGE":  # a set LC_ALL or LANG decides, even "C"
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def chosen_language(setting: str, system: str) -> str:
    """The setting's language, or the system's when it names none the desk speaks ("auto",
    or a value written by a later version)."""
    if setting in LANGUAGES:
        return setting
    return language_of(system) or DEFAULT_LANGUAGE
