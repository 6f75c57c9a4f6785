"""The `frontdesk-server` command: migrate, run, create-org, set-booking-horizon, hours,
create-user, deactivate-user, devices, backup, restore. This module parses (importing the
standard library and light settings only, so `--help` answers at once);
`frontdesk.server.commands` does the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from frontdesk.cli_global import program_parser
from frontdesk.cli_language import (
    argparse_speaks_our_language,
    speak_the_system_language,
)
from frontdesk.domain.enums import STAFF_ROLES
from frontdesk.domain.slots import WEEKDAYS
from frontdesk.i18n import N_, _
from frontdesk.project_paths import MissingProjectFiles
from frontdesk.server.config import SMS_TOKEN_FILE
from frontdesk.server.environment import (
    DATA_DIR_ENV,
    DATABASE_URL_ENV,
    GLOBAL_SETTINGS,
    RUN_SETTINGS,
    SMS_TOKEN_ENV,
    SMTP_PASSWORD_ENV,
    EnvironmentValueError,
    bind,
    resolve,
)

PROGRAM = "frontdesk-server"
"""The program's name, which begins each of its refusals (`frontdesk-server: …`)."""


def _global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        default=default,
        help=_("server data directory (default: ${variable} or the user data directory)").format(
            variable=DATA_DIR_ENV
        ),
    )
    parser.add_argument(
        "--database-url",
        default=default,
        help=_(
            "PostgreSQL URL (default: ${variable}, else an embedded PostgreSQL in the data "
            "directory)"
        ).format(variable=DATABASE_URL_ENV),
    )


HOURS_EXAMPLES = """\
  hours show --org SLUG --specialist WHO [--from DATE]
  hours weekly --org SLUG --specialist WHO --weekday monday 09:00-13:00 14:00-17:00
  hours day --org SLUG --specialist WHO --date 2027-04-03 10:00-12:00 [--note TEXT]
  hours day --org SLUG --specialist WHO --date 2027-04-02 [--clear]
  hours closed --org SLUG --date 2027-01-01 [--note TEXT] [--reopen]
  hours settings --org SLUG [--interval MINUTES] [--notice MINUTES]
"""
HOURS_NOTE = N_(
    "Times are the organization's; WHO is a specialist's id, e-mail address or exact name.\n"
    "A date given no interval is time off; --clear gives it back its weekly hours."
)


def _hours_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hours`: done by `frontdesk.server.cli_hours`."""
    parser = commands.add_parser(
        "hours",
        help=_("show or change working hours, days off, closed days and slot settings"),
        description=_("examples:") + "\n" + HOURS_EXAMPLES + _(HOURS_NOTE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="hours_action", required=True, metavar="ACTION")

    show = actions.add_parser("show", help=_("a specialist's weekly hours, overrides, closed days"))
    show.add_argument("--org", required=True, help=_("the organization's slug"))
    show.add_argument("--specialist", required=True, help=_("id, e-mail address or exact name"))
    show.add_argument("--from", dest="since", help=_("overrides from this date (default: all)"))

    weekly = actions.add_parser("weekly", help=_("replace a specialist's hours on one weekday"))
    weekly.add_argument("--org", required=True, help=_("the organization's slug"))
    weekly.add_argument("--specialist", required=True, help=_("id, e-mail address or exact name"))
    weekly.add_argument("--weekday", required=True, choices=WEEKDAYS)
    weekly.add_argument("intervals", nargs="*", metavar="HH:MM-HH:MM")

    day = actions.add_parser("day", help=_("replace a specialist's hours on one date"))
    day.add_argument("--org", required=True, help=_("the organization's slug"))
    day.add_argument("--specialist", required=True, help=_("id, e-mail address or exact name"))
    day.add_argument("--date", required=True, help=_("YYYY-MM-DD"))
    day.add_argument("--note", default="", help=_("why (time off, a course...)"))
    day.add_argument("--clear", action="store_true", help=_("forget the date's special hours"))
    day.add_argument("intervals", nargs="*", metavar="HH:MM-HH:MM")

    closed = actions.add_parser("closed", help=_("close the whole organization on a date"))
    closed.add_argument("--org", required=True, help=_("the organization's slug"))
    closed.add_argument("--date", required=True, help=_("YYYY-MM-DD"))
    closed.add_argument("--note", default="", help=_("why (a public holiday...)"))
    closed.add_argument("--reopen", action="store_true", help=_("the date is a working day again"))

    settings = actions.add_parser("settings", help=_("slot interval and minimum notice"))
    settings.add_argument("--org", required=True, help=_("the organization's slug"))
    settings.add_argument("--interval", type=int, help=_("minutes between slot starts (5-240)"))
    settings.add_argument(
        "--notice", type=int, help=_("minutes the public page keeps clear before a start")
    )


def build_parser() -> argparse.ArgumentParser:
    parser, command_parser = program_parser(
        _global_options,
        prog=PROGRAM,
        description=_("The Front Desk server: its database, accounts and API."),
    )
    bind(parser, GLOBAL_SETTINGS)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=command_parser)

    commands.add_parser("migrate", help=_("create or upgrade the database schema"))

    run = commands.add_parser(
        "run",
        help=_("serve the API"),
        epilog=_(
            "Each option may instead be set in the environment as FRONTDESK_<OPTION> "
            "(FRONTDESK_PORT, FRONTDESK_TRUSTED_PROXY=a,b, FRONTDESK_DEBUG=1), or read from the "
            "file FRONTDESK_<OPTION>_FILE names; an option given here wins."
        ),
    )
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8443)
    run.add_argument("--certfile", type=Path, help=_("TLS certificate chain (PEM)"))
    run.add_argument("--keyfile", type=Path, help=_("TLS private key (PEM)"))
    run.add_argument(
        "--no-automation",
        action="store_true",
        help=_("do not run the automation engine here (another server node runs it)"),
    )
    run.add_argument("--smtp-host", help=_("send due e-mail through this SMTP server"))
    run.add_argument("--smtp-port", type=int, default=587)
    run.add_argument("--smtp-from", help=_("the sender address of e-mail"))
    run.add_argument(
        "--smtp-username",
        default="",
        help=_("SMTP login (password: ${variable})").format(variable=SMTP_PASSWORD_ENV),
    )
    run.add_argument(
        "--smtp-no-starttls", action="store_true", help=_("do not upgrade the connection to TLS")
    )
    run.add_argument(
        "--sms-url",
        help=_(
            "send due SMS through this provider endpoint (token: ${variable} or the file "
            "{file} in the data directory)"
        ).format(variable=SMS_TOKEN_ENV, file=SMS_TOKEN_FILE),
    )
    run.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help=_(
            "a reverse proxy in front of this server whose X-Forwarded-For names the caller "
            "(repeat for several); sign-in limits then count the caller's address"
        ),
    )
    run.add_argument(
        "--debug",
        action="store_true",
        help=_("also serve the API description and explorer (/openapi.json, /docs, /redoc)"),
    )
    run.add_argument(
        "--live-streams-per-account",
        type=int,
        default=5,
        help=_("live update streams one account may hold open at once (default 5)"),
    )
    # Each flag above may be given as FRONTDESK_<FLAG> instead (docs/deploy.md).
    bind(run, RUN_SETTINGS)

    org = commands.add_parser("create-org", help=_("create an organization"))
    org.add_argument("--name", required=True)
    org.add_argument("--slug", required=True, help=_("lower-case letters, digits and hyphens"))
    org.add_argument("--timezone", required=True, help=_("IANA zone, e.g. Europe/Bucharest"))
    org.add_argument("--country", help=_("ISO 3166 two-letter code"))

    horizon = commands.add_parser(
        "set-booking-horizon",
        help=_("how many days ahead the public booking page offers slots (default 365)"),
    )
    horizon.add_argument("--org", required=True, help=_("the organization's slug"))
    horizon.add_argument("--days", required=True, type=int)

    _hours_parser(commands)

    user = commands.add_parser("create-user", help=_("create a staff account in an organization"))
    user.add_argument("--org", required=True, help=_("the organization's slug"))
    user.add_argument("--email", required=True)
    user.add_argument("--name", help=_("display name (default: the address)"))
    user.add_argument("--role", required=True, choices=sorted(r.value for r in STAFF_ROLES))
    user.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from standard input")
    )

    deactivate = commands.add_parser(
        "deactivate-user",
        help=_("switch a staff account off in an organization (its sessions end at once)"),
    )
    deactivate.add_argument("--org", required=True, help=_("the organization's slug"))
    deactivate.add_argument("--email", required=True)

    devices = commands.add_parser(
        "devices", help=_("list an organization's desks, or revoke one (--revoke ID)")
    )
    devices.add_argument("--org", required=True, help=_("the organization's slug"))
    devices.add_argument("--revoke", metavar="ID", help=_("revoke this device: its tokens stop"))

    made = commands.add_parser(
        "backup", help=_("write the server database to a file (PostgreSQL custom format)")
    )
    made.add_argument("--out", required=True, type=Path, help=_("the backup file to write"))
    back = commands.add_parser(
        "restore", help=_("put a backup into an empty server database (the server stopped)")
    )
    back.add_argument("file", type=Path, help=_("a file written by `frontdesk-server backup`"))
    back.add_argument(
        "--replace",
        action="store_true",
        help=_("restore even though the database holds data: the backup takes its place"),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The system's language (LANG), as `frontdesk` speaks it: help, refusals and output.
    try:
        speak_the_system_language()
    except MissingProjectFiles as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    with argparse_speaks_our_language():
        args = build_parser().parse_args(argv)
    try:
        resolve(args)
    except EnvironmentValueError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    from frontdesk.server.commands import run_command  # the server's modules load only now

    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
