"""The language of the command lines (`frontdesk`, `frontdesk-server`): the system's, chosen
before the parser is built, so help texts, argparse's own words and every later line read in
it.

argparse words its usage, section titles and errors with `gettext` of the process's default
domain, for which no catalogue is installed; `argparse_speaks_our_language` routes those calls
through the desk's catalogue while a parser is built and parses, and `ARGPARSE_MESSAGES` marks
argparse's words a user can meet so they are extracted into it.

Light: English needs no catalogue, so `frontdesk --help` in English loads no Babel."""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from frontdesk.i18n import DEFAULT_LANGUAGE, N_, _, ngettext
from frontdesk.i18n.core import install
from frontdesk.i18n.languages import system_language

# argparse's own messages (Python 3.11) that a person can meet: usage, help and refusals
# (not those that tell a programmer a parser is built wrong). The test beside this module
# compares the list with the running Python's argparse.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)


def expected_arguments(count: int) -> str:
    """argparse's one plural message, as it words it (written out here so that it is
    extracted into the catalogue: `N_` takes one form)."""
    return ngettext("expected %s argument", "expected %s arguments", count) % count


VERSION_HELP = N_("show program's version number and exit")
"""argparse (3.11) does not translate the `--version` help: the programs pass it translated."""


def speak_the_system_language() -> None:
    """From now on, speak the language the environment asks for (LANGUAGE, LC_ALL, LANG)."""
    language = system_language()
    if language == DEFAULT_LANGUAGE:
        install(DEFAULT_LANGUAGE, gettext.NullTranslations())  # the messages' own words
        return
    from frontdesk.i18n.catalogs import activate  # Babel reads the catalogue

    activate(language)


@contextmanager
def argparse_speaks_our_language() -> Iterator[None]:
    """While building a parser and parsing: argparse's words through the desk's catalogue
    (in the active language), restored afterwards for any other parser in the process."""
    previous = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = previous  # type: ignore[attr-defined]
