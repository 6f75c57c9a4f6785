"""The `frontdesk` command line: every command and option, and which function runs each.

Light on purpose: it imports the standard library and the domain's enums only. A command
names its function as "module:function" (`handler`), and `frontdesk.cli` imports that module
only when the command runs, so `frontdesk --version` or `frontdesk rules validate` never loads
Qt, SQLAlchemy or the server."""

from __future__ import annotations

import argparse
import uuid
from datetime import date, datetime
from pathlib import Path

from frontdesk import __version__
from frontdesk.cli_global import program_parser
from frontdesk.cli_language import VERSION_HELP
from frontdesk.domain.enums import EXECUTION_STATUSES, AppointmentStatus
from frontdesk.i18n import N_, _

DESCRIPTION = N_("Front Desk: the clinic's desk, its mirror, rules and sync.")
OPEN_APP = "frontdesk.cli:open_app"  # no command: the desktop app
_MIRROR = "frontdesk.cli_mirror"
_RULES = "frontdesk.cli_rules"
_SYNC = "frontdesk.cli_sync"


def _global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--home",
        default=default,
        help=_("profile directory (default: $FRONTDESK_HOME or the user data directory)"),
    )


# --- values -----------------------------------------------------------------------------------


def _local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date: {text} (use YYYY-MM-DD)").format(text=repr(text))
        ) from None


def _iso_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date and time: {text} (use e.g. 2026-03-01T00:00:00+02:00)").format(
                text=repr(text)
            )
        ) from None


def _specialist_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a specialist id: {text}").format(text=repr(text))
        ) from None


def _rule_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a rule id: {text}").format(text=repr(text))
        ) from None


def _org_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--org", metavar="SLUG", help=_("organization slug (needed when the mirror holds several)")
    )


# --- commands ---------------------------------------------------------------------------------


def _add_db_and_demo(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help=_("the local mirror")).add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help=_("apply pending schema migrations")).set_defaults(
        handler=f"{_MIRROR}:db_upgrade"
    )
    demo = commands.add_parser(
        "demo", help=_("open a demo clinic (its own profile unless --home is given)")
    )
    demo.add_argument(
        "--no-window",
        action="store_true",
        help=_("print today's schedule instead of opening the app"),
    )
    demo.add_argument(
        "--standalone",
        action="store_true",
        help=_("build the demo in this profile alone, without the embedded server"),
    )
    demo.set_defaults(handler="frontdesk.cli_demo:run_demo")


def _add_appointments(commands: argparse._SubParsersAction) -> None:
    appointments = commands.add_parser("appointments", help=_("the calendar")).add_subparsers(
        dest="appointments_command", required=True
    )
    listing = appointments.add_parser(
        "list",
        help=_("appointments between two dates (the organization's local dates, inclusive)"),
    )
    listing.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        type=_local_date,
        required=True,
        help=_("first day, YYYY-MM-DD"),
    )
    listing.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        type=_local_date,
        required=True,
        help=_("last day, included"),
    )
    listing.add_argument(
        "--status",
        action="append",
        choices=[str(status) for status in AppointmentStatus],
        help=_("only this status (repeat for several)"),
    )
    listing.add_argument(
        "--specialist",
        action="append",
        metavar="ID",
        type=_specialist_id,
        help=_("only this specialist's id (repeat for several)"),
    )
    _org_option(listing)
    listing.add_argument("--json", action="store_true", help=_("print a JSON array"))
    listing.set_defaults(handler=f"{_MIRROR}:appointments_list")


def _add_rules(commands: argparse._SubParsersAction) -> None:
    rules = commands.add_parser("rules", help=_("automation rules")).add_subparsers(
        dest="rules_command", required=True
    )
    validate = rules.add_parser("validate", help=_("check a rule file (one rule or a list)"))
    validate.add_argument("file", metavar="FILE", type=Path)
    validate.set_defaults(handler=f"{_RULES}:rules_validate")

    importing = rules.add_parser(
        "import", help=_("save the file's rules (all or none); a rule with a known name is updated")
    )
    importing.add_argument("file", metavar="FILE", type=Path)
    _org_option(importing)
    importing.set_defaults(handler=f"{_MIRROR}:rules_import")

    export = rules.add_parser("export", help=_("every rule as a JSON list, as written"))
    export.add_argument("--out", metavar="FILE", type=Path, help=_("write here, not to stdout"))
    _org_option(export)
    export.set_defaults(handler=f"{_MIRROR}:rules_export")

    dry = rules.add_parser("dry-run", help=_("evaluate a rule against a sample event"))
    dry.add_argument("file", metavar="FILE", type=Path)
    dry.add_argument("--event", metavar="EVENT.json", type=Path, required=True)
    dry.add_argument("--json", action="store_true", help=_("print the full evaluation as JSON"))
    dry.set_defaults(handler=f"{_RULES}:rules_dry_run")


def _add_schedule(commands: argparse._SubParsersAction) -> None:
    schedule = commands.add_parser("schedule", help=_("time-based rules")).add_subparsers(
        dest="schedule_command", required=True
    )
    forecast = schedule.add_parser("forecast", help=_("when a daily or weekly rule fires"))
    forecast.add_argument("file", metavar="FILE", type=Path)
    forecast.add_argument(
        "--from",
        dest="start",
        metavar="ISO_DATETIME",
        type=_iso_datetime,
        required=True,
        help=_("start (without an offset it is read in --tz)"),
    )
    forecast.add_argument("--days", type=int, required=True, help=_("how many days (1-366)"))
    forecast.add_argument(
        "--tz", metavar="ZONE", default="UTC", help=_("the organization's IANA zone (default UTC)")
    )
    forecast.add_argument("--json", action="store_true", help=_("print JSON"))
    forecast.set_defaults(handler=f"{_RULES}:schedule_forecast")


def _add_executions(commands: argparse._SubParsersAction) -> None:
    history = commands.add_parser("executions", help=_("automation history")).add_subparsers(
        dest="executions_command", required=True
    )
    listing = history.add_parser("list", help=_("the newest executions first"))
    listing.add_argument("--rule", metavar="ID", type=_rule_id, help=_("only this rule's"))
    listing.add_argument("--status", choices=EXECUTION_STATUSES)
    listing.add_argument("--limit", type=int, default=100, help=_("at most this many (1-1000)"))
    listing.add_argument("--json", action="store_true", help=_("print a JSON array"))
    _org_option(listing)
    listing.set_defaults(handler=f"{_MIRROR}:executions_list")


def _add_pending(sync: argparse.ArgumentParser) -> None:
    """`export-pending` and `import-pending` under `frontdesk sync` (which alone still runs a
    sync round)."""
    actions = sync.add_subparsers(dest="sync_command", metavar="{export-pending,import-pending}")
    export = actions.add_parser(
        "export-pending", help=_("write this desk's unpushed changes to a file")
    )
    export.add_argument("--out", required=True, type=Path, help=_("the file to write"))
    export.set_defaults(handler="frontdesk.cli_pending:export_pending")
    queue = actions.add_parser(
        "import-pending", help=_("queue another desk's exported changes here, to push them")
    )
    queue.add_argument("file", type=Path, help=_("a file written by `sync export-pending`"))
    queue.set_defaults(handler="frontdesk.cli_pending:import_pending")


def _add_sync(commands: argparse._SubParsersAction) -> None:
    login = commands.add_parser("login", help=_("sign this desk in to the clinic's server"))
    login.add_argument("--server", required=True, metavar="URL", help="https://…")
    login.add_argument("--email", required=True)
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the password from standard input instead of a prompt"),
    )
    login.add_argument("--ca", metavar="FILE", help=_("the clinic's CA certificate (PEM)"))
    login.add_argument(
        "--org", metavar="SLUG", help=_("organization slug (when the account works for several)")
    )
    login.set_defaults(handler=f"{_SYNC}:login")
    commands.add_parser("logout", help=_("sign this desk out")).set_defaults(
        handler=f"{_SYNC}:logout"
    )
    sync = commands.add_parser("sync", help=_("one sync round: push, then pull"))
    sync.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    sync.set_defaults(handler=f"{_SYNC}:sync")
    _add_pending(sync)
    agent = commands.add_parser(
        "agent", help=_("run headless: sync loop, live updates, automation engine")
    )
    agent.add_argument(
        "--interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help=_("sync at least this often (default 60)"),
    )
    agent.set_defaults(handler=f"{_SYNC}:agent")


def build_parser() -> argparse.ArgumentParser:
    parser, command_parser = program_parser(
        _global_options, prog="frontdesk", description=_(DESCRIPTION)
    )
    parser.add_argument(
        "--version", action="version", version=f"frontdesk {__version__}", help=_(VERSION_HELP)
    )
    parser.set_defaults(handler=OPEN_APP)
    commands = parser.add_subparsers(dest="command", parser_class=command_parser)
    _add_db_and_demo(commands)
    _add_appointments(commands)
    _add_rules(commands)
    _add_schedule(commands)
    _add_executions(commands)
    _add_sync(commands)
    return parser
