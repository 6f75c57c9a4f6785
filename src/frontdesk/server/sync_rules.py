"""What the server decides about one pushed mutation, apart from how it is written: the row
an insert creates, which fields of an update merge and which lose (a field another side
changed since the mutation's base keeps the server's value), the business rules checked
again (the appointment state machine, signed forms), and the conflict record kept."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from frontdesk.domain.appointment_states import ALLOWED, ENDED_STATUSES, REINSTATABLE_TO
from frontdesk.domain.enums import AppointmentStatus, FormStatus, Role
from frontdesk.domain.ids import new_id
from frontdesk.store.unit_of_work import to_json_value
from frontdesk.store.wire import column_kinds, from_json
from frontdesk.sync.protocol import Mutation
from frontdesk.sync.tables import HIDDEN_COLUMNS, SERVER_KEEPS, USERS_TABLE

# Kept by the server whatever a desk sends: identity and bookkeeping.
SERVER_OWNED = frozenset({"id", "organization_id", "row_version", "created_at", "updated_at"})
_USER_FIELDS = frozenset({"email", "display_name", "is_active"})
# Accounts are shared by organizations: a desk may rename one, but its address (how it signs
# in) and whether it is active are not one clinic's to change for all the others.
_USER_FIELDS_REFUSED = frozenset({"email", "is_active"})
# Who works here and as what: written only from an admin's desk (a receptionist's crafted
# push must not make anyone an admin).
ADMIN_ONLY_TABLES = frozenset({"memberships"})


class Rejected(Exception):
    """A business rule refuses the write (the message says which)."""


@dataclass(frozen=True)
class Pusher:
    """Who pushes: the organization, the signed-in user and device, and the server's now."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    device_id: uuid.UUID
    now: datetime
    role: Role


def check_writable(target: Table, pusher: Pusher) -> None:
    """Refuses a write to a table the pusher's role may not change."""
    if target.name in ADMIN_ONLY_TABLES and pusher.role != Role.ADMIN:
        raise Rejected(f"only an admin may change {target.name}")


def insert_values(target: Table, mutation: Mutation, pusher: Pusher) -> dict[str, Any]:
    """The row an insert creates: the desk's values, the server's bookkeeping."""
    check_writable(target, pusher)
    kinds = column_kinds(target)
    values = {
        name: from_json(kinds[name], value)
        for name, value in mutation.changed.items()
        if name in kinds and name not in HIDDEN_COLUMNS.get(target.name, ())
    }
    values.update(id=mutation.row_id, row_version=1, updated_at=pusher.now)
    values.setdefault("created_at", pusher.now)
    if "organization_id" in kinds:
        values["organization_id"] = pusher.organization_id
    if target.name == "appointments":
        _check_new_appointment(values)
    return values


def decide_update(
    target: Table, current: Mapping[str, Any], mutation: Mutation, others: set[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Which fields to write, and which lose to the server (field → mine/theirs): a field
    another side changed since the mutation's base keeps the server's value."""
    kinds = column_kinds(target)
    keeps = SERVER_KEEPS.get(target.name, frozenset())
    allowed = _USER_FIELDS if target.name == USERS_TABLE else None
    to_write: dict[str, Any] = {}
    lost: dict[str, dict[str, Any]] = {}
    for name, value in mutation.changed.items():
        if name not in kinds or name in SERVER_OWNED:
            continue
        if allowed is not None and name not in allowed:
            continue
        mine = from_json(kinds[name], value)
        if mine == current[name]:
            continue
        if target.name == USERS_TABLE and name in _USER_FIELDS_REFUSED:
            raise Rejected(f"an account's {name} is changed on the server, not from a desk")
        if name in others:
            if name not in keeps:
                lost[name] = {"mine": value, "theirs": json_value(current[name])}
            continue
        to_write[name] = mine
    if target.name == "form_instances":
        _check_form_write(current, to_write, lost, others)
    if target.name == "appointments" and "status" in to_write:
        _check_status_change(AppointmentStatus(current["status"]), to_write["status"])
    return to_write, lost


def _check_form_write(
    current: Mapping[str, Any],
    to_write: dict[str, Any],
    lost: dict[str, dict[str, Any]],
    others: set[str],
) -> None:
    if current["status"] == FormStatus.SIGNED and (to_write or lost):
        raise Rejected("the form is signed on the server and cannot change")
    if to_write.get("status") == FormStatus.SIGNED and (lost or others):
        # A signature seals the whole form: merging it with changes the signer never saw
        # would seal content nobody signed.
        raise Rejected("the form changed on the server after it was signed on this desk")


def changed_by_others(
    versions: Mapping[str, Any] | None, base_version: int | None, device_id: uuid.UUID
) -> set[str]:
    """Fields another device (or the server itself) changed after the mutation's base."""
    base = base_version or 0
    me = str(device_id)
    return {
        name
        for name, (version, author) in (versions or {}).items()
        if version > base and author != me
    }


FIELD_CONFLICT_REASON = "changed on the server too: the server's values were kept"


def _check_status_change(current: AppointmentStatus, target: str) -> None:
    wanted = AppointmentStatus(target)
    if wanted in ALLOWED[current]:
        return
    if current in ENDED_STATUSES and wanted in REINSTATABLE_TO:
        return  # a reinstatement
    raise Rejected(f"the appointment is {current} on the server; it cannot become {wanted}")


def _check_new_appointment(values: dict[str, Any]) -> None:
    status = values.get("status")
    if status is not None:
        AppointmentStatus(status)  # an unknown status is refused here, not stored


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
    return to_json_value(value)


def _storable(value: Any) -> Any:
    """A refused value kept as it came, except NUL characters, which PostgreSQL text and
    jsonb cannot hold (a conflict must always be recordable)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def conflict_row(
    pusher: Pusher,
    mutation: Mutation,
    *,
    kind: str,
    fields: dict[str, Any],
    reason: str,
    row_missing: bool = False,
) -> dict[str, Any]:
    """A `sync_conflicts` row for what the mutation lost."""
    return {
        "id": new_id(),
        "organization_id": pusher.organization_id,
        "table_name": _storable(mutation.table[:60]),
        "row_id": mutation.row_id,
        "kind": kind,
        "reason": _storable(reason),
        "fields": _storable(fields),
        "row_missing": row_missing,
        "device_id": pusher.device_id,
        "device_seq": mutation.seq,
        "author_user_id": pusher.user_id,
        "status": "open",
        "resolution": {},
        "created_at": pusher.now,
        "updated_at": pusher.now,
        "row_version": 1,
    }
