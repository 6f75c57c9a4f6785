"""The `frontdesk` command: parse (cli_parser), import the chosen command's module, run it,
and word its refusals as one line each with exit code 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from frontdesk.cli_language import argparse_speaks_our_language, speak_the_system_language
from frontdesk.cli_parser import build_parser
from frontdesk.cli_support import BadInput
from frontdesk.domain.errors import DomainError
from frontdesk.file_access import FileAccessRefused, refusal
from frontdesk.i18n import _
from frontdesk.project_paths import MissingProjectFiles
from frontdesk.server.environment import EnvironmentValueError

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


def open_app(args: argparse.Namespace) -> int:
    """No command: the desktop app on the profile."""
    from frontdesk.gui.app import run_app  # Qt loads only when a window is wanted

    return run_app(args.home)


def command_handler(args: argparse.Namespace) -> Handler:
    """The function the parsed command names ("module:function"), its module imported now."""
    module, _colon, function = str(args.handler).partition(":")
    handler: Handler = getattr(importlib.import_module(module), function)
    return handler


def _opens_window(args: argparse.Namespace) -> bool:
    return args.command is None or (args.command == "demo" and not args.no_window)


def _refuse(message: object) -> int:
    """Each line of `message` as an error line on standard error; exit code 2."""
    for line in str(message).splitlines():
        print(_("error: {message}").format(message=line), file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    # The system's language (LANG) before the parser is built: its help and refusals read in
    # it. The desk's window then follows its own setting.
    try:
        speak_the_system_language()
    except MissingProjectFiles as error:
        return _refuse(error)
    with argparse_speaks_our_language():
        args = build_parser().parse_args(argv)
    if _opens_window(args):
        # Before anything starts: a window Qt cannot open must not leave a server behind.
        from frontdesk.system_libraries import window_problem

        problem = window_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
    try:
        return int(command_handler(args)(args))
    except (BadInput, DomainError) as error:
        return _refuse(error)
    except (FileAccessRefused, MissingProjectFiles, EnvironmentValueError) as error:
        return _refuse(error)
    except OSError as error:
        # A profile file met later (the outbox, a sync file): the same one sentence.
        sentence = refusal(error)
        if sentence is None:
            raise
        return _refuse(sentence)


if __name__ == "__main__":
    sys.exit(main())
