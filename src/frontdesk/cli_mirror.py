"""The `frontdesk` commands on the profile's mirror: `db upgrade`, `appointments list`,
`rules import | export` and `executions list`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC

from frontdesk.cli_output import entries_json, entries_table
from frontdesk.cli_rules import Refused, read_rules_document, refusable
from frontdesk.cli_support import BadInput, blame_option, print_json, write_text
from frontdesk.domain.enums import Role
from frontdesk.domain.errors import DomainError, InvalidInput, NotFound
from frontdesk.domain.rules import RuleInvalid
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_date, format_datetime
from frontdesk.services import automation_rules, calendar, executions
from frontdesk.services.context import ServiceContext
from frontdesk.services.organizations import find_organization
from frontdesk.store.migrate import current_revision
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import Actor

# The command line reads the desk's mirror as the front desk does: the whole organization.
CLI_READER = Actor(Role.RECEPTIONIST, label="frontdesk command line")
# Rules are an admin's business; whoever runs the command on this desk's profile acts as one.
CLI_ADMIN = Actor(Role.ADMIN, label="frontdesk command line")

# Which option a service's field came from, so an error names what the user typed.
_LIST_OPTIONS = {
    "first": "--from",
    "last": "--to",
    "statuses": "--status",
    "specialist_ids": "--specialist",
    "slug": "--org",
}
_EXECUTION_OPTIONS = {"rule_id": "--rule", "status": "--status", "limit": "--limit"}
# How an execution ended (EXECUTION_STATUSES), in words; `--json` keeps the stored value.
_EXECUTION_STATUSES = {
    "success": N_("succeeded"),
    "partial_failure": N_("partly failed"),
    "failure": N_("failed"),
}
# What `rules import` did with each rule (the service's outcome words).
_IMPORT_OUTCOMES = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
}


@contextmanager
def organization_context(args: argparse.Namespace, actor: Actor) -> Iterator[ServiceContext]:
    """The profile's mirror (`--home`) and organization (`--org`), closed afterwards."""
    mirror = open_mirror(Profile.resolve(args.home))
    try:
        try:
            organization = find_organization(mirror.sessions, args.org)
        except DomainError as error:
            raise BadInput(blame_option(error, {"slug": "--org"})) from None
        yield ServiceContext(sessions=mirror.sessions, organization_id=organization.id, actor=actor)
    finally:
        mirror.close()


def db_upgrade(args: argparse.Namespace) -> int:
    mirror = open_mirror(Profile.resolve(args.home))
    try:
        revision = current_revision(mirror.engine)
        print(
            _("mirror at {file} is at revision {revision}").format(
                file=mirror.profile.mirror_path, revision=revision
            )
        )
    finally:
        mirror.close()
    return 0


def appointments_list(args: argparse.Namespace) -> int:
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
        raise BadInput(blame_option(error, _LIST_OPTIONS)) from None
    finally:
        mirror.close()
    if args.json:
        print(entries_json(entries))
    elif entries:
        print(entries_table(entries))
    else:
        print(
            _("No appointments from {first} to {last}.").format(
                first=format_date(args.date_from), last=format_date(args.date_to)
            )
        )
    return 0


@refusable
def rules_import(args: argparse.Namespace) -> int:
    document = read_rules_document(args.file)
    with organization_context(args, CLI_ADMIN) as ctx:
        try:
            imported = automation_rules.import_rules(ctx, document).value
        except RuleInvalid as exc:
            raise Refused(exc.errors) from None
    for entry in imported:
        outcome = _(_IMPORT_OUTCOMES[entry.outcome])
        print(
            _("{outcome}: {rule} ({id})").format(
                outcome=outcome, rule=entry.rule.name, id=entry.rule.id
            )
        )
    return 0


def rules_export(args: argparse.Namespace) -> int:
    with organization_context(args, CLI_ADMIN) as ctx:
        documents = automation_rules.export_rules(ctx)
    text = json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        print(text, end="")
    else:
        write_text(args.out, text, "--out")
        print(
            ngettext(
                "exported {count} rule to {file}",
                "exported {count} rules to {file}",
                len(documents),
            ).format(count=len(documents), file=args.out)
        )
    return 0


def executions_list(args: argparse.Namespace) -> int:
    with organization_context(args, CLI_ADMIN) as ctx:
        try:
            records = executions.list_executions(
                ctx, rule_id=args.rule, status=args.status, limit=args.limit
            )
        except (InvalidInput, NotFound) as error:
            raise BadInput(blame_option(error, _EXECUTION_OPTIONS)) from None
    if args.json:
        print_json([record.to_json() for record in records])
        return 0
    if not records:
        print(_("No executions."))
    for record in records:
        print(_execution_line(record))
    return 0


def _execution_line(record: executions.ExecutionRecord) -> str:
    """When (UTC, in the active language's format), how it went, and which rule."""
    at = record.executed_at
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    status = _(_EXECUTION_STATUSES.get(record.status, record.status))
    return _("{time} UTC  {status}  {rule}").format(
        time=format_datetime(at, "short"), status=status.ljust(15), rule=record.rule_name
    )
