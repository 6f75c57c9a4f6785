"""The `frontdesk` command: parse (cli_parser), import the chosen command's module, run it,
and word its refusals as one line each with exit code 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from frontdesk.cli_parser import build_parser
from frontdesk.cli_support import BadInput
from frontdesk.domain.errors import DomainError
from frontdesk.file_access import FileAccessRefused, refusal
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
    module, _, function = str(args.handler).partition(":")
    handler: Handler = getattr(importlib.import_module(module), function)
    return handler


def _speak_the_system_language() -> None:
    """The system's language (LANG), once a command is to run (`--version` and `--help` have
    answered by then); the desk's window then follows its own setting."""
    from frontdesk.i18n.catalogs import activate
    from frontdesk.i18n.languages import system_language

    activate(system_language())


def _opens_window(args: argparse.Namespace) -> bool:
    return args.command is None or (args.command == "demo" and not args.no_window)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if _opens_window(args):
        # Before anything starts: a window Qt cannot open must not leave a server behind.
        from frontdesk.system_libraries import window_problem

        problem = window_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
    try:
        _speak_the_system_language()
        return int(command_handler(args)(args))
    except BadInput as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (FileAccessRefused, MissingProjectFiles, EnvironmentValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # A profile file met later (the outbox, a sync file): the same one sentence.
        sentence = refusal(error)
        if sentence is None:
            raise
        print(f"error: {sentence}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
