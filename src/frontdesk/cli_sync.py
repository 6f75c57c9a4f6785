"""`frontdesk login | logout | sync | agent`: the desk and the server."""

from __future__ import annotations

import argparse
import getpass
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from frontdesk.automation.scheduler import AutomationRunner, engine_steps
from frontdesk.cli_support import BadInput
from frontdesk.i18n import _, ngettext
from frontdesk.services.context import ServiceContext
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.account import Account, current_account, sign_in, sign_out
from frontdesk.sync.agent import SyncAgent
from frontdesk.sync.claims import ServerClaims
from frontdesk.sync.protocol import CLOCK_SKEW_WARNING_SECONDS
from frontdesk.sync.runner import SyncReport, run_round
from frontdesk.sync.status import read_status
from frontdesk.sync.transport import SyncError


def login(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.home)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(_("Password for {email}: ").format(email=args.email))
    if not password:
        raise BadInput(_("--password-stdin: no password was given"))
    verify: str | bool = True
    if args.ca:
        if not Path(args.ca).is_file():
            raise BadInput(_("--ca: no such file: {file}").format(file=args.ca))
        verify = str(Path(args.ca).resolve())
    try:
        account = sign_in(
            profile,
            server_url=args.server,
            email=args.email,
            password=password,
            verify=verify,
            organization_slug=args.org,
        )
    except SyncError as error:
        options = {"password": "password", "server": "--server", "organization_slug": "--org"}
        raise BadInput(_blame(error, options)) from None
    account.close()
    print(
        _("Signed in to {server} as {email} ({role}).").format(
            server=account.server_url, email=account.email, role=account.role.label
        )
    )
    print(_("Run `frontdesk sync` to fetch the organization."))
    return 0


def logout(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.home)
    if current_account(profile) is None:
        print(_("This desk is not signed in."))
        return 0
    sign_out(profile)
    print(_("Signed out; the refresh token was removed from this computer."))
    return 0


def _signed_in(profile: Profile) -> Account:
    account = current_account(profile)
    if account is None:
        raise BadInput(
            _("this desk is not signed in: run `frontdesk login --server URL --email E`")
        )
    return account


def sync(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.home)
    account = _signed_in(profile)
    mirror = open_mirror(profile)
    try:
        report = run_round(mirror, account)
        status = read_status(mirror.sessions)
    except SyncError as error:
        print(_("error: {message}").format(message=error), file=sys.stderr)
        return 1
    finally:
        account.close()
        mirror.close()
    if args.json:
        print(json.dumps({**report.as_json(), "open_conflicts": status.open_conflicts}))
    else:
        _print_report(report, status.open_conflicts)
    return 0


def _print_report(report: SyncReport, open_conflicts: int) -> None:
    pushed = ngettext("Pushed {count} change", "Pushed {count} changes", report.pushed)
    pulled = ngettext("pulled {count} row", "pulled {count} rows", report.pulled)
    parts = [pushed.format(count=report.pushed), pulled.format(count=report.pulled)]
    if report.removed:
        removed = ngettext(
            "removed {count} out of scope", "removed {count} out of scope", report.removed
        )
        parts.append(removed.format(count=report.removed))
    print(", ".join(parts) + ".")
    for conflict in report.conflicts:
        fields = ", ".join(conflict.fields) or _("the row")
        print(
            _("Conflict on {table} {id} ({fields}): {reason}").format(
                table=conflict.table, id=conflict.row_id, fields=fields, reason=conflict.reason
            )
        )
    if open_conflicts:
        print(
            ngettext(
                "{count} conflict waits for a decision in Front Desk.",
                "{count} conflicts wait for a decision in Front Desk.",
                open_conflicts,
            ).format(count=open_conflicts)
        )
    skew = report.clock_skew_seconds
    if skew is not None and abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
        print(_clock_warning(skew))


def _clock_warning(skew: float) -> str:
    minutes = round(abs(skew) / 60)
    if skew > 0:
        warning = ngettext(
            "warning: this computer's clock is {count} minute behind the server's; fix it.",
            "warning: this computer's clock is {count} minutes behind the server's; fix it.",
            minutes,
        )
    else:
        warning = ngettext(
            "warning: this computer's clock is {count} minute ahead of the server's; fix it.",
            "warning: this computer's clock is {count} minutes ahead of the server's; fix it.",
            minutes,
        )
    return warning.format(count=minutes)


def agent(args: argparse.Namespace) -> int:
    """Headless: the sync loop, live updates and the automation engine until a signal."""
    profile = Profile.resolve(args.home)
    account = _signed_in(profile)
    mirror = open_mirror(profile)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    runner = _automation(mirror, account)
    agent = SyncAgent(
        mirror,
        account,
        interval_seconds=args.interval,
        on_report=lambda report: _after_round(report, runner),
        on_error=lambda error: print(
            _("sync: {message}").format(message=error), file=sys.stderr, flush=True
        ),
    )
    print(
        _("frontdesk agent: syncing with {server}; stop with Ctrl+C or SIGTERM.").format(
            server=account.server_url
        ),
        flush=True,
    )
    agent.start()
    runner.start()
    try:
        stop.wait()
    finally:
        agent.stop()
        runner.stop()
        account.close()
        mirror.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(_("frontdesk agent: stopped."), flush=True)
    return 0


def _automation(mirror: Mirror, account: Account) -> AutomationRunner:
    ctx = ServiceContext(
        sessions=mirror.sessions,
        organization_id=account.organization_id,
        actor=Actor.system("automation"),
    )
    # The server says which due occurrences and messages are this desk's (sync/claims.py).
    steps = engine_steps(local_outbox=mirror.profile.outbox_dir, claims=ServerClaims(account))
    return AutomationRunner(ctx, steps)


def _after_round(report: SyncReport, runner: AutomationRunner) -> None:
    if report.pushed or report.pulled or report.conflicts:
        conflicts = ngettext("{count} conflict", "{count} conflicts", len(report.conflicts))
        print(
            _("sync: pushed {pushed}, pulled {pulled}, {conflicts}").format(
                pushed=report.pushed,
                pulled=report.pulled,
                conflicts=conflicts.format(count=len(report.conflicts)),
            ),
            flush=True,
        )
    if report.pulled:
        runner.wake()  # new appointments or rules may arm timers


def _blame(error: SyncError, options: dict[str, str]) -> str:
    option = options.get(error.field or "")
    return f"{option}: {error.message}" if option else str(error)
