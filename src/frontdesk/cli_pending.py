"""`frontdesk sync export-pending | import-pending` (parsed in cli_parser.py): a desk's
unpushed changes in a file, for when its server is gone (sync/pending_file.py)."""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING

from frontdesk.cli_support import BadInput
from frontdesk.i18n import _, ngettext

# The handlers import the store and sync layers themselves: building the parser (every
# `frontdesk` start) does not load them.
if TYPE_CHECKING:
    from frontdesk.store.mirror import Mirror
    from frontdesk.store.profile import Profile


def export_pending(args: argparse.Namespace) -> int:
    from frontdesk.store.mirror import open_mirror
    from frontdesk.store.profile import Profile
    from frontdesk.sync.pending_file import PendingFileError, export_pending, pending_mutations

    profile = Profile.resolve(args.home)
    mirror = open_mirror(profile)
    try:
        organization_id = _organization_of(profile, mirror)
        waiting = [r for r in pending_mutations(mirror) if r.organization_id == organization_id]
        if not waiting:
            print(_("No changes wait to be pushed on this desk; no file was written."))
            return 0
        count = export_pending(mirror, organization_id, args.out)
    except PendingFileError as error:
        raise BadInput(str(error)) from None
    finally:
        mirror.close()
    print(
        ngettext(
            "Wrote {count} unpushed change of this desk to {file}.",
            "Wrote {count} unpushed changes of this desk to {file}.",
            count,
        ).format(count=count, file=args.out.absolute())
    )
    print(_("On a desk of the same organization: `frontdesk sync import-pending FILE`."))
    return 0


def _organization_of(profile: Profile, mirror: Mirror) -> uuid.UUID | None:
    """The organization this desk works for: its account's, or (signed out, its server
    gone) the one its unpushed changes belong to (None when nothing waits)."""
    from frontdesk.sync.account import current_account
    from frontdesk.sync.pending_file import pending_mutations

    account = current_account(profile)
    if account is not None:
        return account.organization_id
    organizations = {row.organization_id for row in pending_mutations(mirror)}
    if len(organizations) > 1:
        raise BadInput(
            _(
                "this desk holds unpushed changes of several organizations: sign it in "
                "(`frontdesk login`) to say which one to export"
            )
        )
    return organizations.pop() if organizations else None


def import_pending(args: argparse.Namespace) -> int:
    from frontdesk.store.mirror import open_mirror
    from frontdesk.store.profile import Profile
    from frontdesk.sync.account import current_account
    from frontdesk.sync.pending_file import PendingFileError, import_pending

    profile = Profile.resolve(args.home)
    account = current_account(profile)
    if account is None:
        raise BadInput(
            _(
                "this desk is not signed in: sign it in to its server first (`frontdesk login "
                "--server URL --email E`), then import"
            )
        )
    mirror = open_mirror(profile)
    try:
        imported = import_pending(mirror, account.organization_id, args.file)
    except PendingFileError as error:
        raise BadInput(str(error)) from None
    finally:
        mirror.close()
    queued = ngettext(
        "Queued {count} change from {file}", "Queued {count} changes from {file}", imported.queued
    ).format(count=imported.queued, file=args.file)
    already = ngettext(
        "{count} was queued here already",
        "{count} were queued here already",
        imported.already,
    ).format(count=imported.already)
    print(
        _("{queued} ({already}); `frontdesk sync` pushes them.").format(
            queued=queued, already=already
        )
    )
    return 0
