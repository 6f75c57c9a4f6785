"""What the `frontdesk-server` commands do (the parser is in `frontdesk.server.cli`, which
imports this module only once a command is chosen): migrate, run, create-org,
set-booking-horizon, hours, create-user, deactivate-user, devices, backup, restore; and how their
refusals and stop signals end the process."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import platformdirs
import uvicorn

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import DomainError
from frontdesk.file_access import FileAccessRefused, refusal
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_datetime
from frontdesk.project_paths import MissingProjectFiles
from frontdesk.server import cli_backup, cli_hours
from frontdesk.server.accounts import create_organization, create_user, organization_id_for_slug
from frontdesk.server.app import create_app
from frontdesk.server.cli import PROGRAM
from frontdesk.server.config import DATA_DIR_OWNER, ServerConfig
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
from frontdesk.server.environment import DATA_DIR_ENV, EnvironmentValueError
from frontdesk.server.migrate import current_revision
from frontdesk.server.passwords import validate_password
from frontdesk.server.pg_programs import BackupError
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.store.unit_of_work import Actor


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived: unwind (stopping what was started) and leave. A
    BaseException, as KeyboardInterrupt is, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _say_stopped(stopped: Stopped) -> None:
    print(_("frontdesk-server: stopped ({signal})").format(signal=stopped), file=sys.stderr)


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
        revision = current_revision(database.engine)
        print(_("server database is at revision {revision}").format(revision=revision))
    return 0


def _run(args: argparse.Namespace) -> int:
    if (args.certfile is None) != (args.keyfile is None):
        raise CommandError(_("give both --certfile and --keyfile (or neither)"))
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
        print(_("warning: serving plain HTTP; use --certfile/--keyfile outside a test machine"))
    try:
        with _database(config) as database:
            _serve(config, database, delivery, automation=not args.no_automation, debug=args.debug)
    except Stopped as stopped:
        _say_stopped(stopped)
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
    print(
        _("created organization {slug} ({id})").format(slug=organization.slug, id=organization.id)
    )
    return 0


def _set_booking_horizon(args: argparse.Namespace) -> int:
    database = ServerDatabase().start(_config(args))
    organization_id = organization_id_for_slug(database.engine, args.org)
    if organization_id is None:
        raise _no_organization(args.org)
    ctx = ServiceContext(
        sessions=scoped_sessions(database.engine, Scope(organization_id=organization_id)),
        organization_id=organization_id,
        actor=Actor.system("frontdesk-server set-booking-horizon"),
        record_outbox=False,
    )
    catalog.set_booking_horizon(ctx, args.days)
    print(
        ngettext(
            "{org}: the public booking page offers slots up to {count} day ahead",
            "{org}: the public booking page offers slots up to {count} days ahead",
            args.days,
        ).format(org=args.org, count=args.days)
    )
    return 0


def _hours(args: argparse.Namespace) -> int:
    organization_id, database = _admin_sessions(args)
    ctx = ServiceContext(
        sessions=scoped_sessions(
            database.engine, Scope(organization_id=organization_id, role=Role.ADMIN.value)
        ),
        organization_id=organization_id,
        actor=Actor.system("frontdesk-server hours"),
        record_outbox=False,
    )
    try:
        return cli_hours.run(args, ctx)
    except cli_hours.HoursCommandError as error:
        raise CommandError(str(error)) from error


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Repeat password: ")) != first:
        raise CommandError(_("the passwords differ"))
    return first


def _create_user(args: argparse.Namespace) -> int:
    password = _read_password(args)
    validate_password(password)  # before the database starts: a quick answer to a typo
    with _database(_config(args)) as database:
        organization_id = organization_id_for_slug(database.engine, args.org)
        if organization_id is None:
            raise _no_organization(args.org)
        user = create_user(
            database.engine,
            organization_id=organization_id,
            email=args.email,
            password=password,
            role=Role(args.role),
            display_name=args.name or args.email,
        )
    print(
        _("created the {role} account {email} ({id}) in {org}").format(
            role=Role(args.role).label, email=user.email, id=user.id, org=args.org
        )
    )
    return 0


def _admin_sessions(args: argparse.Namespace) -> tuple[uuid.UUID, ServerDatabase]:
    database = ServerDatabase().start(_config(args))
    organization_id = organization_id_for_slug(database.engine, args.org)
    if organization_id is None:
        raise _no_organization(args.org)
    return organization_id, database


def _no_organization(slug: str) -> CommandError:
    return CommandError(_("--org: no organization {slug}").format(slug=repr(slug)))


def _deactivate_user(args: argparse.Namespace) -> int:
    organization_id, database = _admin_sessions(args)
    scope = Scope(organization_id=organization_id, role=Role.ADMIN.value)
    with scoped_sessions(database.engine, scope).begin() as session:
        user_id = member_id_for_email(session, args.email)
        if user_id is None:
            raise CommandError(
                _("--email: no staff account {email} in {org}").format(
                    email=repr(args.email), org=args.org
                )
            )
        try:
            deactivate_member(session, organization_id, user_id, SystemClock().now())
        except NotFound as error:
            raise CommandError(
                _("--email: {email} is not staff in {org}").format(
                    email=repr(args.email), org=args.org
                )
            ) from error
    print(
        _("deactivated {email} in {org}: its sessions end at their next request").format(
            email=args.email, org=args.org
        )
    )
    return 0


def _devices(args: argparse.Namespace) -> int:
    revoke: uuid.UUID | None = None
    if args.revoke is not None:
        try:
            revoke = uuid.UUID(args.revoke)
        except ValueError as error:
            raise CommandError(
                _("--revoke: {value} is not a device id").format(value=repr(args.revoke))
            ) from error
    organization_id, database = _admin_sessions(args)
    scope = Scope(organization_id=organization_id, role=Role.ADMIN.value)
    with scoped_sessions(database.engine, scope).begin() as session:
        if revoke is not None:
            try:
                row = revoke_device(session, organization_id, revoke, SystemClock().now())
            except NotFound as error:
                raise CommandError(
                    _("--revoke: no device {id} in {org}").format(id=revoke, org=args.org)
                ) from error
            print(
                _("revoked {id} ({label}, {email})").format(
                    id=row.id, label=row.label or _("no name"), email=row.email
                )
            )
            return 0
        rows = list_devices(session)
    print("\t".join(_(column) for column in _DEVICE_COLUMNS))
    for device in rows:
        print(_device_line(device))
    return 0


_DEVICE_COLUMNS = (
    N_("id"),
    N_("user"),
    N_("label"),
    N_("registered"),
    N_("last seen"),
    N_("revoked"),
)


def _device_line(device: DeviceRow) -> str:
    """One desk, tab-separated, its times in the active language's format (UTC)."""
    revoked = format_datetime(device.revoked_at, "medium") if device.revoked_at else "-"
    return "\t".join(
        [
            str(device.id),
            device.email,
            device.label or "-",
            format_datetime(device.registered_at, "medium"),
            format_datetime(device.last_seen_at, "medium"),
            revoked,
        ]
    )


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "migrate": _migrate,
    "run": _run,
    "create-org": _create_org,
    "set-booking-horizon": _set_booking_horizon,
    "hours": _hours,
    "create-user": _create_user,
    "deactivate-user": _deactivate_user,
    "devices": _devices,
    "backup": lambda args: cli_backup.backup_command(args, _config(args)),
    "restore": lambda args: cli_backup.restore_command(args, _config(args)),
}


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command: its exit code, a refusal's 1 or 2, or 128 + a stop signal."""
    try:
        with _stop_on_signals():
            return int(COMMANDS[args.command](args))
    except Stopped as stopped:
        _say_stopped(stopped)
        return 128 + stopped.signum
    except (
        BackupError,
        CommandError,
        DatabaseSetupError,
        EnvironmentValueError,  # a secret read as the settings load (FRONTDESK_*_FILE)
        FileAccessRefused,
        MissingProjectFiles,
    ) as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # A data-directory file met later (the embedded database's folder, a certificate).
        sentence = refusal(error, owner=DATA_DIR_OWNER)
        if sentence is None:
            raise
        print(f"{PROGRAM}: {sentence}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 1
