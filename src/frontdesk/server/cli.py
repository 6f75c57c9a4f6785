"""The `frontdesk-server` command: migrate, run, create-org, set-booking-horizon, create-user,
deactivate-user, devices, backup, restore."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import platformdirs
import uvicorn

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import STAFF_ROLES, Role
from frontdesk.domain.errors import DomainError
from frontdesk.file_access import FileAccessRefused, refusal
from frontdesk.server import cli_backup
from frontdesk.server.accounts import create_organization, create_user, organization_id_for_slug
from frontdesk.server.app import create_app
from frontdesk.server.config import (
    DATA_DIR_OWNER,
    DATABASE_URL_ENV,
    SMS_TOKEN_ENV,
    SMS_TOKEN_FILE,
    SMTP_PASSWORD_ENV,
    ServerConfig,
)
from frontdesk.server.database import DatabaseSetupError, ServerDatabase
from frontdesk.server.delivery import Delivery, server_delivery
from frontdesk.server.devices import (
    DeviceRow,
    NotFound,
    deactivate_member,
    list_devices,
    member_id_for_email,
    revoke_device,
)
from frontdesk.server.engine_worker import ServerEngine
from frontdesk.server.migrate import current_revision
from frontdesk.server.passwords import validate_password
from frontdesk.server.pg_programs import BackupError
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.unit_of_work import Actor

DATA_DIR_ENV = "FRONTDESK_SERVER_HOME"


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived: unwind (stopping what was started) and leave. A
    BaseException, as KeyboardInterrupt is, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM (service managers, containers) and SIGINT (Ctrl+C) both unwind the command, so
    its `finally` blocks stop the embedded PostgreSQL. While serving, uvicorn takes the signals
    to finish its requests and then raises them again here."""
    stopping = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.signal(signum, _raise_stopped) for signum in stopping}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _database(config: ServerConfig) -> Iterator[ServerDatabase]:
    database = ServerDatabase().start(config)
    try:
        yield database
    finally:
        database.dispose()


def _config(args: argparse.Namespace, **extra: object) -> ServerConfig:
    data_dir = Path(
        args.data_dir
        or os.environ.get(DATA_DIR_ENV)
        or platformdirs.user_data_dir("frontdesk-server")
    )
    return ServerConfig.load(data_dir, database_url=args.database_url, **extra)


def _migrate(args: argparse.Namespace) -> int:
    with _database(_config(args)) as database:
        print(f"server database is at revision {current_revision(database.engine)}")
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
        live_streams_per_account=args.live_streams_per_account,
        trusted_proxies=tuple(args.trusted_proxy),
    )
    # Before the database: a missing --smtp-from or SMS token fails fast.
    delivery = server_delivery(config)
    if not config.uses_tls:
        print("warning: serving plain HTTP; use --certfile/--keyfile outside a test machine")
    try:
        with _database(config) as database:
            _serve(config, database, delivery, automation=not args.no_automation, debug=args.debug)
    except Stopped as stopped:
        print(f"frontdesk-server: stopped ({stopped})", file=sys.stderr)
    return 0


def _serve(
    config: ServerConfig,
    database: ServerDatabase,
    delivery: Delivery,
    *,
    automation: bool,
    debug: bool,
) -> None:
    engine = ServerEngine(database.engine, SystemClock(), delivery=delivery) if automation else None
    if engine is not None:
        engine.start()
    try:
        uvicorn.run(
            create_app(config, database, debug=debug),
            host=config.host,
            port=config.port,
            ssl_certfile=str(config.certfile) if config.certfile else None,
            ssl_keyfile=str(config.keyfile) if config.keyfile else None,
            proxy_headers=False,
            server_header=False,
        )
    finally:
        if engine is not None:
            engine.stop()


def _create_org(args: argparse.Namespace) -> int:
    with _database(_config(args)) as database:
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
    with _database(_config(args)) as database:
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


def _admin_sessions(args: argparse.Namespace) -> tuple[uuid.UUID, ServerDatabase]:
    database = ServerDatabase().start(_config(args))
    organization_id = organization_id_for_slug(database.engine, args.org)
    if organization_id is None:
        raise CommandError(f"--org: no organization {args.org!r}")
    return organization_id, database


def _deactivate_user(args: argparse.Namespace) -> int:
    organization_id, database = _admin_sessions(args)
    scope = Scope(organization_id=organization_id, role=Role.ADMIN.value)
    with scoped_sessions(database.engine, scope).begin() as session:
        user_id = member_id_for_email(session, args.email)
        if user_id is None:
            raise CommandError(f"--email: no staff account {args.email!r} in {args.org}")
        try:
            deactivate_member(session, organization_id, user_id, SystemClock().now())
        except NotFound as error:
            raise CommandError(f"--email: {args.email!r} is not staff in {args.org}") from error
    print(f"deactivated {args.email} in {args.org}: its sessions end at their next request")
    return 0


def _devices(args: argparse.Namespace) -> int:
    revoke: uuid.UUID | None = None
    if args.revoke is not None:
        try:
            revoke = uuid.UUID(args.revoke)
        except ValueError as error:
            raise CommandError(f"--revoke: {args.revoke!r} is not a device id") from error
    organization_id, database = _admin_sessions(args)
    scope = Scope(organization_id=organization_id, role=Role.ADMIN.value)
    with scoped_sessions(database.engine, scope).begin() as session:
        if revoke is not None:
            try:
                row = revoke_device(session, organization_id, revoke, SystemClock().now())
            except NotFound as error:
                raise CommandError(f"--revoke: no device {revoke} in {args.org}") from error
            print(f"revoked {row.id} ({row.label or 'no name'}, {row.email})")
            return 0
        rows = list_devices(session)
    print("id\tuser\tlabel\tregistered\tlast seen\trevoked")
    for device in rows:
        print(_device_line(device))
    return 0


def _device_line(device: DeviceRow) -> str:
    revoked = device.revoked_at.isoformat(timespec="seconds") if device.revoked_at else "-"
    return "\t".join(
        [
            str(device.id),
            device.email,
            device.label or "-",
            device.registered_at.isoformat(timespec="seconds"),
            device.last_seen_at.isoformat(timespec="seconds"),
            revoked,
        ]
    )


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
    run.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a reverse proxy in front of this server whose X-Forwarded-For names the caller "
        "(repeat for several); sign-in limits then count the caller's address",
    )
    run.add_argument(
        "--debug",
        action="store_true",
        help="also serve the API description and explorer (/openapi.json, /docs, /redoc)",
    )
    run.add_argument(
        "--live-streams-per-account",
        type=int,
        default=5,
        help="live update streams one account may hold open at once (default 5)",
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

    deactivate = commands.add_parser(
        "deactivate-user",
        help="switch a staff account off in an organization (its sessions end at once)",
    )
    deactivate.add_argument("--org", required=True, help="the organization's slug")
    deactivate.add_argument("--email", required=True)
    deactivate.set_defaults(handler=_deactivate_user)

    devices = commands.add_parser(
        "devices", help="list an organization's desks, or revoke one (--revoke ID)"
    )
    devices.add_argument("--org", required=True, help="the organization's slug")
    devices.add_argument("--revoke", metavar="ID", help="revoke this device: its tokens stop")
    devices.set_defaults(handler=_devices)
    cli_backup.register(commands, _config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with _stop_on_signals():
            return int(args.handler(args))
    except Stopped as stopped:
        print(f"frontdesk-server: stopped ({stopped})", file=sys.stderr)
        return 128 + stopped.signum
    except (BackupError, CommandError, DatabaseSetupError, FileAccessRefused) as error:
        print(f"frontdesk-server: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # A data-directory file met later (the embedded database's folder, a certificate).
        sentence = refusal(error, owner=DATA_DIR_OWNER)
        if sentence is None:
            raise
        print(f"frontdesk-server: {sentence}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"frontdesk-server: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
