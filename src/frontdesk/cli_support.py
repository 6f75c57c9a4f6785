"""What the `frontdesk` command groups share: reading input files, and wording refusals
against the option the user typed. Standard library and domain errors only: every command,
the lightest too, imports it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from frontdesk.domain.errors import DomainError, InvalidInput
from frontdesk.i18n import _


class BadInput(Exception):
    """A command-line input that cannot be used: printed as `error: …`, exit code 2."""


def read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(
            argument(
                option, _("cannot read {file}: {reason}").format(file=path, reason=_reason(exc))
            )
        ) from None


def read_json(path: Path, option: str) -> Any:
    try:
        return json.loads(read_text(path, option))
    except json.JSONDecodeError as exc:
        problem = _("{file} is not valid JSON: {reason} (line {line}, column {column})").format(
            file=path, reason=exc.msg, line=exc.lineno, column=exc.colno
        )
        raise BadInput(argument(option, problem)) from None


def write_text(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(
            argument(
                option, _("cannot write {file}: {reason}").format(file=path, reason=_reason(exc))
            )
        ) from None


def argument(option: str, message: str) -> str:
    """A refusal of the option (or argument) the user typed, as argparse words one."""
    return _("argument {option}: {message}").format(option=option, message=message)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def blame_option(error: DomainError, options: dict[str, str]) -> str:
    """The error against the option it came from ("argument --to: …"), as argparse words it;
    a path inside the option's document is kept ("argument --event: occurred_at: …")."""
    errors = error.errors if isinstance(error, InvalidInput) else (error,)
    lines = []
    for item in errors:
        field = item.field or ""
        root = re.split(r"[.\[]", field, maxsplit=1)[0]
        option = options.get(root)
        if option is None:
            lines.append(str(item))
            continue
        rest = field[len(root) + 1 :] if field[len(root) : len(root) + 1] == "." else ""
        lines.append(argument(option, f"{rest}: {item.message}" if rest else item.message))
    return "\n".join(lines)


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
