"""`frontdesk rules validate | dry-run` and `frontdesk schedule forecast`, and how every rules
command refuses a rule file.

Exit codes: 0 done; 1 the rule file is refused (each error on its own line as `PATH: message`,
on standard output, so a script or an editor can read them); 2 bad input (a missing file, a
bad option), named in the message.

These three are pure: they read files and need no profile, so this module imports the domain
alone. `rules import | export` and `executions list` act on the mirror (cli_mirror).
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frontdesk.cli_support import (
    BadInput,
    argument,
    blame_option,
    print_json,
    read_json,
    read_text,
)
from frontdesk.domain.clock import zone
from frontdesk.domain.errors import FieldError, InvalidInput
from frontdesk.domain.rules import (
    RuleDefinition,
    RuleInvalid,
    dry_run,
    forecast_document,
    parse_event,
    validate_rule,
)
from frontdesk.domain.rules.schema import load_json
from frontdesk.i18n import N_, _, ngettext

_FORECAST_OPTIONS = {"from": "--from", "days": "--days", "tz": "--tz"}

# What a dry run says of each action (its JSON keeps these keys).
_ACTION_STATUSES = {"would_run": N_("would run"), "skipped": N_("skipped"), "error": N_("error")}

Command = Callable[[argparse.Namespace], int]


class Refused(Exception):
    """The rule file is refused: its errors are printed one a line and the exit code is 1."""

    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def refusable(command: Command) -> Command:
    """The command, with a refused rule file printing its errors and exiting 1."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except Refused as refused:
            for error in refused.errors:
                print(error)
            return 1

    return run


def read_rules_document(path: Path) -> Any:
    """The file's JSON, or Refused naming where it is not JSON."""
    try:
        return load_json(read_text(path, "FILE"))
    except RuleInvalid as exc:
        raise Refused(exc.errors) from None


def _load_rules(path: Path) -> tuple[Any, list[RuleDefinition]]:
    """The file's JSON (one rule or a list) and its rules, or Refused with every error,
    prefixed by the rule's index in a list (`[1].actions[0].type`)."""
    document = read_rules_document(path)
    entries = document if isinstance(document, list) else [document]
    if not entries:
        raise Refused((FieldError("rules", _("the list holds no rule")),))
    rules: list[RuleDefinition] = []
    errors: list[FieldError] = []
    for index, entry in enumerate(entries):
        try:
            rules.append(validate_rule(entry))
        except RuleInvalid as exc:
            prefix = f"[{index}]." if isinstance(document, list) else ""
            errors.extend(FieldError(f"{prefix}{e.field}", e.message) for e in exc.errors)
    if errors:
        raise Refused(tuple(errors))
    return document, rules


def _one_rule(path: Path) -> RuleDefinition:
    rules = _load_rules(path)[1]
    if len(rules) != 1:
        holds = ngettext(
            "{file} holds {count} rule; give a file with one",
            "{file} holds {count} rules; give a file with one",
            len(rules),
        ).format(file=path, count=len(rules))
        raise BadInput(argument("FILE", holds))
    return rules[0]


@refusable
def rules_validate(args: argparse.Namespace) -> int:
    rules = _load_rules(args.file)[1]
    for rule in rules:
        print(_("valid: {rule}").format(rule=rule.name))
    return 0


@refusable
def rules_dry_run(args: argparse.Namespace) -> int:
    rule = _one_rule(args.file)
    try:
        event = parse_event(read_json(args.event, "--event"))
        result = dry_run(rule, event)
    except InvalidInput as error:
        # Every refusal here is about the event document; its paths are inside it.
        raise BadInput("\n".join(argument("--event", str(e)) for e in error.errors)) from None
    if args.json:
        print_json(result)
        return 0
    outcome = _("matched") if result["matched"] else _("did not match")
    print(_("{rule}: {outcome}").format(rule=result["rule"], outcome=outcome))
    for action in result["actions"]:
        status = _(_ACTION_STATUSES[action["status"]])
        print(f"  [{action['index']}] {action['type']}: {status}")
    return 0


@refusable
def schedule_forecast(args: argparse.Namespace) -> int:
    rule = _one_rule(args.file)
    try:
        tz = zone(args.tz, field="tz")
        start = args.start if args.start.tzinfo else args.start.replace(tzinfo=tz)
        result = forecast_document(rule, start, args.days, tz)
    except InvalidInput as error:
        raise BadInput(blame_option(error, _FORECAST_OPTIONS)) from None
    if args.json:
        print_json(result)
        return 0
    for firing in result["firings"]:
        print(firing["at_local"])
    return 0
