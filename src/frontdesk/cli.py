"""The `frontdesk` command."""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence
from datetime import date

from frontdesk import __version__
from frontdesk.cli_demo import run_demo
from frontdesk.cli_output import entries_json, entries_table
from frontdesk.cli_rules import add_executions_commands, add_rules_commands, add_schedule_commands
from frontdesk.cli_support import BadInput, blame_option
from frontdesk.cli_sync import add_sync_commands
from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.domain.errors import DomainError
from frontdesk.file_access import FileAccessRefused, refusal
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.languages import system_language
from frontdesk.services import calendar
from frontdesk.services.context import ServiceContext
from frontdesk.services.organizations import find_organization
from frontdesk.store.migrate import current_revision
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor

# The command line reads the desk's mirror as the front desk does: the whole organization.
CLI_READER = Actor(Role.RECEPTIONIST, label="frontdesk command line")

# Which option a service's field came from, so an error names what the user typed.
_LIST_OPTIONS = {
    "first": "--from",
    "last": "--to",
    "statuses": "--status",
    "specialist_ids": "--specialist",
    "slug": "--org",
}


def _db_upgrade(args: argparse.Namespace) -> int:
    mirror = open_mirror(Profile.resolve(args.home))
    try:
        revision = current_revision(mirror.engine)
        print(f"mirror at {mirror.profile.mirror_path} is at revision {revision}")
    finally:
        mirror.close()
    return 0


def _appointments_list(args: argparse.Namespace) -> int:
    mirror = open_mirror(Profile.resolve(args.home))
    try:
        organization = find_organization(mirror.sessions, args.org)
        ctx = ServiceContext(
            sessions=mirror.sessions, organization_id=organization.id, actor=CLI_READER
        )
        entries = calendar.date_range(
            ctx,
            args.date_from,
            args.date_to,
            statuses=args.status,
            specialist_ids=args.specialist,
        )
    except DomainError as error:
        print(f"error: {blame_option(error, _LIST_OPTIONS)}", file=sys.stderr)
        return 2
    finally:
        mirror.close()
    if args.json:
        print(entries_json(entries))
    elif entries:
        print(entries_table(entries))
    else:
        print(f"No appointments from {args.date_from} to {args.date_to}.")
    return 0


def _local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _specialist_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a specialist id: {text!r}") from None


def _add_appointments_commands(commands: argparse._SubParsersAction) -> None:
    appointments = commands.add_parser("appointments", help="the calendar").add_subparsers(
        dest="appointments_command", required=True
    )
    listing = appointments.add_parser(
        "list",
        help="appointments between two dates (the organization's local dates, inclusive)",
    )
    listing.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        type=_local_date,
        required=True,
        help="first day, YYYY-MM-DD",
    )
    listing.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        type=_local_date,
        required=True,
        help="last day, included",
    )
    listing.add_argument(
        "--status",
        action="append",
        choices=[str(status) for status in AppointmentStatus],
        help="only this status (repeat for several)",
    )
    listing.add_argument(
        "--specialist",
        action="append",
        metavar="ID",
        type=_specialist_id,
        help="only this specialist's id (repeat for several)",
    )
    listing.add_argument(
        "--org", metavar="SLUG", help="organization slug (needed when the mirror holds several)"
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(handler=_appointments_list)


def _open_app(args: argparse.Namespace) -> int:
    from frontdesk.gui.app import run_app  # Qt loads only when a window is wanted

    return run_app(args.home)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontdesk", description=__doc__)
    parser.add_argument("--version", action="version", version=f"frontdesk {__version__}")
    parser.add_argument(
        "--home", help="profile directory (default: $FRONTDESK_HOME or the user data directory)"
    )
    # No command opens the desktop app.
    commands = parser.add_subparsers(dest="command")

    db = commands.add_parser("db", help="the local mirror").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply pending schema migrations").set_defaults(
        handler=_db_upgrade
    )
    demo = commands.add_parser(
        "demo", help="open a demo clinic (its own profile unless --home is given)"
    )
    demo.add_argument(
        "--no-window", action="store_true", help="print today's schedule instead of opening the app"
    )
    demo.add_argument(
        "--standalone",
        action="store_true",
        help="build the demo in this profile alone, without the embedded server",
    )
    demo.set_defaults(handler=run_demo)
    _add_appointments_commands(commands)
    add_rules_commands(commands)
    add_schedule_commands(commands)
    add_executions_commands(commands)
    add_sync_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The system's language (LANG); the desk's window then follows its own setting.
    activate(system_language())
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.handler = _open_app
    try:
        return int(args.handler(args))
    except BadInput as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except FileAccessRefused as error:
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
