"""The `frontdesk` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from frontdesk import __version__
from frontdesk.domain.errors import DomainError
from frontdesk.store.migrate import current_revision
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile


def _db_upgrade(args: argparse.Namespace) -> int:
    mirror = open_mirror(Profile.resolve(args.home))
    try:
        revision = current_revision(mirror.engine)
        print(f"mirror at {mirror.profile.mirror_path} is at revision {revision}")
    finally:
        mirror.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontdesk", description=__doc__)
    parser.add_argument("--version", action="version", version=f"frontdesk {__version__}")
    parser.add_argument(
        "--home", help="profile directory (default: $FRONTDESK_HOME or the user data directory)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="the local mirror").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply pending schema migrations").set_defaults(
        handler=_db_upgrade
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
