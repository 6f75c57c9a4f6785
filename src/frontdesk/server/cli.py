"""The `frontdesk-server` command: migrate, run, create-org, set-booking-horizon, create-user."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import platformdirs
import uvicorn

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import STAFF_ROLES, Role
from frontdesk.domain.errors import DomainError
from frontdesk.server.accounts import create_organization, create_user, organization_id_for_slug
from frontdesk.server.app import create_app
from frontdesk.server.config import (
    DATABASE_URL_ENV,
    SMS_TOKEN_ENV,
    SMS_TOKEN_FILE,
    SMTP_PASSWORD_ENV,
    ServerConfig,
)
from frontdesk.server.database import DatabaseSetupError, ServerDatabase
from frontdesk.server.delivery import server_delivery
from frontdesk.server.engine_worker import ServerEngine
from frontdesk.server.migrate import current_revision
from frontdesk.server.passwords import validate_password
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.unit_of_work import Actor

DATA_DIR_ENV = "FRONTDESK_SERVER_HOME"


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _config(args: argparse.Namespace, **extra: object) -> ServerConfig:
    data_dir = Path(
        args.data_dir
        or os.environ.get(DATA_DIR_ENV)
        or platformdirs.user_data_dir("frontdesk-server")
    )
    return ServerConfig.load(data_dir, database_url=args.database_url, **extra)


def _migrate(args: argparse.Namespace) -> int:
    database = ServerDatabase().start(_config(args))
    print(f"server database is at revision {current_revision(database.engine)}")
    database.dispose()
    return 0


def _run(args: argparse.Namespace) -> int:
    if (args.certfile is None) != (args.keyfile is None):
        raise CommandError("give both --certfile and --keyfile (or neither)")
    config = _config(
        args,
        host=args.host,
        port=args.port,
        certfile=args.certfile,
        keyfile=args.keyfile,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        smtp_from=args.smtp_from,
        smtp_username=args.smtp_username,
        smtp_starttls=not args.smtp_no_starttls,
        sms_url=args.sms_url,
    )
    # Before the database: a missing --smtp-from or SMS token fails fast.
    delivery = server_delivery(config)
    database = ServerDatabase().start(config)
    if not config.uses_tls:
        print("warning: serving plain HTTP; use --certfile/--keyfile outside a test machine")
    automation = (
        None
        if args.no_automation
        else ServerEngine(database.engine, SystemClock(), delivery=delivery)
    )
    if automation is not None:
        automation.start()
    try:
        uvicorn.run(
            create_app(config, database),
            host=config.host,
            port=config.port,
            ssl_certfile=str(config.certfile) if config.certfile else None,
            ssl_keyfile=str(config.keyfile) if config.keyfile else None,
            proxy_headers=False,
        )
    finally:
        if automation is not None:
            automation.stop()
    return 0


def _create_org(args: argparse.Namespace) -> int:
    database = ServerDatabase().start(_config(args))
    organization = create_organization(
        database.engine,
        name=args.name,
        slug=args.slug,
        timezone=args.timezone,
        country=args.country,
    )
    print(f"created organization {organization.slug} ({organization.id})")
    return 0


def _set_booking_horizon(args: argparse.Namespace) -> int:
    database = ServerDatabase().start(_config(args))
    organization_id = organization_id_for_slug(database.engine, args.org)
    if organization_id is None:
        raise CommandError(f"--org: no organization {args.org!r}")
    ctx = ServiceContext(
        sessions=scoped_sessions(database.engine, Scope(organization_id=organization_id)),
        organization_id=organization_id,
        actor=Actor.system("frontdesk-server set-booking-horizon"),
        record_outbox=False,
    )
    catalog.set_booking_horizon(ctx, args.days)
    print(f"{args.org}: the public booking page offers slots up to {args.days} days ahead")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise CommandError("the passwords differ")
    return first


def _create_user(args: argparse.Namespace) -> int:
    password = _read_password(args)
    validate_password(password)  # before the database starts: a quick answer to a typo
    database = ServerDatabase().start(_config(args))
    organization_id = organization_id_for_slug(database.engine, args.org)
    if organization_id is None:
        raise CommandError(f"--org: no organization {args.org!r}")
    user = create_user(
        database.engine,
        organization_id=organization_id,
        email=args.email,
        password=password,
        role=Role(args.role),
        display_name=args.name or args.email,
    )
    print(f"created {args.role} {user.email} ({user.id}) in {args.org}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontdesk-server", description=__doc__)
    parser.add_argument(
        "--data-dir",
        help=f"server data directory (default: ${DATA_DIR_ENV} or the user data directory)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL URL (default: ${DATABASE_URL_ENV}, else an embedded PostgreSQL "
        "in the data directory)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        handler=_migrate
    )

    run = commands.add_parser("run", help="serve the API")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8443)
    run.add_argument("--certfile", type=Path, help="TLS certificate chain (PEM)")
    run.add_argument("--keyfile", type=Path, help="TLS private key (PEM)")
    run.add_argument(
        "--no-automation",
        action="store_true",
        help="do not run the automation engine here (another server node runs it)",
    )
    run.add_argument("--smtp-host", help="send due e-mail through this SMTP server")
    run.add_argument("--smtp-port", type=int, default=587)
    run.add_argument("--smtp-from", help="the sender address of e-mail")
    run.add_argument(
        "--smtp-username", default="", help=f"SMTP login (password: ${SMTP_PASSWORD_ENV})"
    )
    run.add_argument(
        "--smtp-no-starttls", action="store_true", help="do not upgrade the connection to TLS"
    )
    run.add_argument(
        "--sms-url",
        help=f"send due SMS through this provider endpoint (token: ${SMS_TOKEN_ENV} or the "
        f"file {SMS_TOKEN_FILE} in the data directory)",
    )
    run.set_defaults(handler=_run)

    org = commands.add_parser("create-org", help="create an organization")
    org.add_argument("--name", required=True)
    org.add_argument("--slug", required=True, help="lower-case letters, digits and hyphens")
    org.add_argument("--timezone", required=True, help="IANA zone, e.g. Europe/Bucharest")
    org.add_argument("--country", help="ISO 3166 two-letter code")
    org.set_defaults(handler=_create_org)

    horizon = commands.add_parser(
        "set-booking-horizon",
        help="how many days ahead the public booking page offers slots (default 365)",
    )
    horizon.add_argument("--org", required=True, help="the organization's slug")
    horizon.add_argument("--days", required=True, type=int)
    horizon.set_defaults(handler=_set_booking_horizon)

    user = commands.add_parser("create-user", help="create a staff account in an organization")
    user.add_argument("--org", required=True, help="the organization's slug")
    user.add_argument("--email", required=True)
    user.add_argument("--name", help="display name (default: the address)")
    user.add_argument("--role", required=True, choices=sorted(r.value for r in STAFF_ROLES))
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.set_defaults(handler=_create_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (CommandError, DatabaseSetupError) as error:
        print(f"frontdesk-server: {error}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"frontdesk-server: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
