"""`frontdesk login | logout | sync | agent`: the desk and the server (`sync export-pending`
and `sync import-pending` live in cli_pending.py)."""

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
from frontdesk.cli_pending import add_pending_commands
from frontdesk.cli_support import BadInput
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


def _login(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.home)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.email}: ")
    if not password:
        raise BadInput("--password-stdin: no password was given")
    verify: str | bool = True
    if args.ca:
        if not Path(args.ca).is_file():
            raise BadInput(f"--ca: no such file: {args.ca}")
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
        raise BadInput(_blame(error, {"password": "password", "server": "--server"})) from None
    account.close()
    print(f"Signed in to {account.server_url} as {account.email} ({account.role.value}).")
    print("Run `frontdesk sync` to fetch the organization.")
    return 0


def _logout(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.home)
    if current_account(profile) is None:
        print("This desk is not signed in.")
        return 0
    sign_out(profile)
    print("Signed out; the refresh token was removed from this computer.")
    return 0


def _signed_in(profile: Profile) -> Account:
    account = current_account(profile)
    if account is None:
        raise BadInput("this desk is not signed in: run `frontdesk login --server URL --email E`")
    return account


def _sync(args: argparse.Namespace) -> int:
    profile = Profile.resolve(args.home)
    account = _signed_in(profile)
    mirror = open_mirror(profile)
    try:
        report = run_round(mirror, account)
        status = read_status(mirror.sessions)
    except SyncError as error:
        print(f"error: {error}", file=sys.stderr)
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
    print(
        f"Pushed {report.pushed} change(s), pulled {report.pulled} row(s)"
        + (f", removed {report.removed} out of scope." if report.removed else ".")
    )
    for conflict in report.conflicts:
        fields = ", ".join(conflict.fields) or "the row"
        print(f"Conflict on {conflict.table} {conflict.row_id} ({fields}): {conflict.reason}")
    if open_conflicts:
        print(f"{open_conflicts} conflict(s) wait for a decision in Front Desk.")
    skew = report.clock_skew_seconds
    if skew is not None and abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
        print(
            f"warning: this computer's clock is {abs(skew) / 60:.0f} minutes "
            f"{'behind' if skew > 0 else 'ahead of'} the server's; fix it."
        )


def _agent(args: argparse.Namespace) -> int:
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
        on_error=lambda error: print(f"sync: {error}", file=sys.stderr, flush=True),
    )
    print(
        f"frontdesk agent: syncing with {account.server_url}; stop with Ctrl+C or SIGTERM.",
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
    print("frontdesk agent: stopped.", flush=True)
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
        print(
            f"sync: pushed {report.pushed}, pulled {report.pulled}, "
            f"{len(report.conflicts)} conflict(s)",
            flush=True,
        )
    if report.pulled:
        runner.wake()  # new appointments or rules may arm timers


def _blame(error: SyncError, options: dict[str, str]) -> str:
    option = options.get(error.field or "")
    return f"{option}: {error.message}" if option else str(error)


def add_sync_commands(commands: argparse._SubParsersAction) -> None:
    login = commands.add_parser("login", help="sign this desk in to the clinic's server")
    login.add_argument("--server", required=True, metavar="URL", help="https://…")
    login.add_argument("--email", required=True)
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of a prompt",
    )
    login.add_argument("--ca", metavar="FILE", help="the clinic's CA certificate (PEM)")
    login.add_argument(
        "--org", metavar="SLUG", help="organization slug (when the account works for several)"
    )
    login.set_defaults(handler=_login)
    commands.add_parser("logout", help="sign this desk out").set_defaults(handler=_logout)
    sync = commands.add_parser("sync", help="one sync round: push, then pull")
    sync.add_argument("--json", action="store_true", help="print the report as JSON")
    sync.set_defaults(handler=_sync)
    add_pending_commands(sync)
    agent = commands.add_parser(
        "agent", help="run headless: sync loop, live updates, automation engine"
    )
    agent.add_argument(
        "--interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="sync at least this often (default 60)",
    )
    agent.set_defaults(handler=_agent)
