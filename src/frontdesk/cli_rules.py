"""`frontdesk rules …`, `frontdesk schedule forecast` and `frontdesk executions list`.

Exit codes: 0 done; 1 the rule file is refused (each error on its own line as `PATH: message`,
on standard output, so a script or an editor can read them); 2 bad input (a missing file, a
bad option), named in the message.

`validate`, `dry-run` and `forecast` are pure: they read files and need no profile. `import`
and `export` act on the profile's mirror as a local admin; `executions list` reads it.
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from frontdesk.cli_support import (
    BadInput,
    blame_option,
    organization_context,
    print_json,
    read_json,
    read_text,
    write_text,
)
from frontdesk.domain.clock import zone
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import FieldError, InvalidInput, NotFound
from frontdesk.domain.rules import (
    RuleDefinition,
    RuleInvalid,
    dry_run,
    forecast_document,
    parse_event,
    validate_rule,
)
from frontdesk.domain.rules.schema import load_json
from frontdesk.services import automation_rules, executions
from frontdesk.store.unit_of_work import Actor

# Rules are an admin's business; whoever runs the command on this desk's profile acts as one.
CLI_ADMIN = Actor(Role.ADMIN, label="frontdesk command line")

_FORECAST_OPTIONS = {"from": "--from", "days": "--days", "tz": "--tz"}
_EXECUTION_OPTIONS = {"rule_id": "--rule", "status": "--status", "limit": "--limit"}


class _Refused(Exception):
    """The rule file is refused: its errors are printed one a line and the exit code is 1."""

    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def run_refusable(args: argparse.Namespace) -> int:
    """Run the handler; a refused rule file prints its errors and exits 1."""
    try:
        return int(args.rules_handler(args))
    except _Refused as refused:
        for error in refused.errors:
            print(error)
        return 1


# --- rules ------------------------------------------------------------------------------------


def _load_rules(path: Path) -> tuple[Any, list[RuleDefinition]]:
    """The file's JSON (one rule or a list) and its rules, or _Refused with every error,
    prefixed by the rule's index in a list (`[1].actions[0].type`)."""
    document = _read_document(path)
    entries = document if isinstance(document, list) else [document]
    if not entries:
        raise _Refused((FieldError("rules", "the list holds no rule"),))
    rules: list[RuleDefinition] = []
    errors: list[FieldError] = []
    for index, entry in enumerate(entries):
        try:
            rules.append(validate_rule(entry))
        except RuleInvalid as exc:
            prefix = f"[{index}]." if isinstance(document, list) else ""
            errors.extend(FieldError(f"{prefix}{e.field}", e.message) for e in exc.errors)
    if errors:
        raise _Refused(tuple(errors))
    return document, rules


def _read_document(path: Path) -> Any:
    try:
        return load_json(read_text(path, "FILE"))
    except RuleInvalid as exc:
        raise _Refused(exc.errors) from None


def _one_rule(path: Path) -> RuleDefinition:
    _, rules = _load_rules(path)
    if len(rules) != 1:
        raise BadInput(f"argument FILE: {path} holds {len(rules)} rules; give a file with one")
    return rules[0]


def _validate(args: argparse.Namespace) -> int:
    _, rules = _load_rules(args.file)
    for rule in rules:
        print(f"valid: {rule.name}")
    return 0


def _import(args: argparse.Namespace) -> int:
    document = _read_document(args.file)
    with organization_context(args, CLI_ADMIN) as ctx:
        try:
            imported = automation_rules.import_rules(ctx, document).value
        except RuleInvalid as exc:
            raise _Refused(exc.errors) from None
    for entry in imported:
        print(f"{entry.outcome}: {entry.rule.name} ({entry.rule.id})")
    return 0


def _export(args: argparse.Namespace) -> int:
    with organization_context(args, CLI_ADMIN) as ctx:
        documents = automation_rules.export_rules(ctx)
    text = json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        print(text, end="")
    else:
        write_text(args.out, text, "--out")
        print(f"exported {len(documents)} rule(s) to {args.out}")
    return 0


def _dry_run(args: argparse.Namespace) -> int:
    rule = _one_rule(args.file)
    try:
        event = parse_event(read_json(args.event, "--event"))
        result = dry_run(rule, event)
    except InvalidInput as error:
        # Every refusal here is about the event document; its paths are inside it.
        raise BadInput("\n".join(f"argument --event: {e}" for e in error.errors)) from None
    if args.json:
        print_json(result)
        return 0
    print(f"{result['rule']}: {'matched' if result['matched'] else 'did not match'}")
    for action in result["actions"]:
        print(f"  [{action['index']}] {action['type']}: {action['status']}")
    return 0


def _forecast(args: argparse.Namespace) -> int:
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


def _executions_list(args: argparse.Namespace) -> int:
    with organization_context(args, CLI_ADMIN) as ctx:
        try:
            records = executions.list_executions(
                ctx, rule_id=args.rule, status=args.status, limit=args.limit
            )
        except (InvalidInput, NotFound) as error:
            raise BadInput(blame_option(error, _EXECUTION_OPTIONS)) from None
    if args.json:
        print_json([record.to_json() for record in records])
        return 0
    if not records:
        print("No executions.")
    for record in records:
        print(f"{record.executed_at:%Y-%m-%d %H:%M} UTC  {record.status:<15}  {record.rule_name}")
    return 0


# --- parsers ----------------------------------------------------------------------------------


def _iso_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date and time: {text!r} (use e.g. 2026-03-01T00:00:00+02:00)"
        ) from None


def _rule_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rule id: {text!r}") from None


def _org_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--org", metavar="SLUG", help="organization slug (needed when the mirror holds several)"
    )


def add_rules_commands(commands: argparse._SubParsersAction) -> None:
    rules = commands.add_parser("rules", help="automation rules").add_subparsers(
        dest="rules_command", required=True
    )
    validate = rules.add_parser("validate", help="check a rule file (one rule or a list)")
    validate.add_argument("file", metavar="FILE", type=Path)
    validate.set_defaults(handler=run_refusable, rules_handler=_validate)

    importing = rules.add_parser(
        "import", help="save the file's rules (all or none); a rule with a known name is updated"
    )
    importing.add_argument("file", metavar="FILE", type=Path)
    _org_option(importing)
    importing.set_defaults(handler=run_refusable, rules_handler=_import)

    export = rules.add_parser("export", help="every rule as a JSON list, as written")
    export.add_argument("--out", metavar="FILE", type=Path, help="write here, not to stdout")
    _org_option(export)
    export.set_defaults(handler=_export)

    dry = rules.add_parser("dry-run", help="evaluate a rule against a sample event")
    dry.add_argument("file", metavar="FILE", type=Path)
    dry.add_argument("--event", metavar="EVENT.json", type=Path, required=True)
    dry.add_argument("--json", action="store_true", help="print the full evaluation as JSON")
    dry.set_defaults(handler=run_refusable, rules_handler=_dry_run)


def add_schedule_commands(commands: argparse._SubParsersAction) -> None:
    schedule = commands.add_parser("schedule", help="time-based rules").add_subparsers(
        dest="schedule_command", required=True
    )
    forecast = schedule.add_parser("forecast", help="when a daily or weekly rule fires")
    forecast.add_argument("file", metavar="FILE", type=Path)
    forecast.add_argument(
        "--from",
        dest="start",
        metavar="ISO_DATETIME",
        type=_iso_datetime,
        required=True,
        help="start (without an offset it is read in --tz)",
    )
    forecast.add_argument("--days", type=int, required=True, help="how many days (1-366)")
    forecast.add_argument(
        "--tz", metavar="ZONE", default="UTC", help="the organization's IANA zone (default UTC)"
    )
    forecast.add_argument("--json", action="store_true", help="print JSON")
    forecast.set_defaults(handler=run_refusable, rules_handler=_forecast)


def add_executions_commands(commands: argparse._SubParsersAction) -> None:
    history = commands.add_parser("executions", help="automation history").add_subparsers(
        dest="executions_command", required=True
    )
    listing = history.add_parser("list", help="the newest executions first")
    listing.add_argument("--rule", metavar="ID", type=_rule_id, help="only this rule's")
    listing.add_argument("--status", choices=executions.EXECUTION_STATUSES)
    listing.add_argument("--limit", type=int, default=100, help="at most this many (1-1000)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    _org_option(listing)
    listing.set_defaults(handler=_executions_list)
