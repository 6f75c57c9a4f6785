"""The translation catalogues in ui/translations/: extract the messages the code marks into
`frontdesk.pot`, then bring every language's `frontdesk.po` up to date with it (a new
message arrives untranslated; a changed one is marked fuzzy until a translator checks it).

Run after changing any `_()`, `ngettext()` or `N_()` message:
    python3 scripts/i18n.py            # extract and update
    python3 scripts/i18n.py --check    # exit 1 if the .po files are behind the code

The desk reads the .po files themselves at run time: there is nothing to compile."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from pathlib import Path

from babel.messages.frontend import BaseError, CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "ui" / "translations"
POT = TRANSLATIONS / "frontdesk.pot"
LANGUAGES = ("en", "ro")


def extract(output: Path) -> None:
    _pybabel(
        "extract",
        "--mapping-file",
        "babel.cfg",
        "--keyword",
        "lazy_gettext",
        "--keyword",
        "T_",
        "--keyword",
        "nT_:1,2",
        "--add-location",
        "file",  # no line numbers: an edit elsewhere in a file does not touch the catalogue
        "--sort-by-file",
        "--no-wrap",
        "--project",
        "Front Desk",
        "--version",
        _version(),
        "--copyright-holder",
        "Front Desk",
        "--output-file",
        str(output),
        "src",  # relative, so the catalogue names files as the repository does
    )


def update(template: Path, *, check: bool) -> None:
    for language in LANGUAGES:
        catalog = TRANSLATIONS / language / "LC_MESSAGES" / "frontdesk.po"
        command = "update" if catalog.exists() else "init"
        arguments = [command, "--input-file", str(template), "--output-dir", str(TRANSLATIONS)]
        arguments += ["--domain", "frontdesk", "--locale", language]
        if command == "update":
            arguments += ["--no-wrap", "--ignore-pot-creation-date", "--ignore-obsolete"]
            if check:
                arguments.append("--check")
        elif check:
            sys.exit(f"{catalog.relative_to(ROOT)} is missing: run scripts/i18n.py")
        _pybabel(*arguments)


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as project:
        return str(tomllib.load(project)["project"]["version"])


def _pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *arguments])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; fail if a catalogue is behind"
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            template = Path(scratch) / "frontdesk.pot"
            extract(template)
            try:
                update(template, check=True)
            except BaseError:
                sys.exit("the catalogues are behind the code: run python3 scripts/i18n.py")
        return
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    extract(POT)
    update(POT, check=False)


if __name__ == "__main__":
    main()
