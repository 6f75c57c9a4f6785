"""Options that hold for every command of a program (the desk's `--home`, the server's
`--data-dir` and `--database-url`), taken before the command or after it: `frontdesk --home D
demo` and `frontdesk demo --home D` mean the same."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

GlobalOptions = Callable[[argparse.ArgumentParser, Any], None]
"""Adds the program's global options to a parser, each with the given default."""


def command_parser_class(add_options: GlobalOptions) -> type[argparse.ArgumentParser]:
    """The parser class for the program's commands (nested ones too: argparse makes a
    command's own subcommands with its class). Each takes the global options again with no
    default, so a value given before the command stands unless one follows it."""

    class CommandParser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            add_options(self, argparse.SUPPRESS)

    return CommandParser


def program_parser(
    add_options: GlobalOptions, *, prog: str, description: str | None
) -> tuple[argparse.ArgumentParser, type[argparse.ArgumentParser]]:
    """The program's parser with its global options (default None), and the class to make its
    commands' parsers with (`add_subparsers(parser_class=…)`)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_options(parser, None)
    return parser, command_parser_class(add_options)
