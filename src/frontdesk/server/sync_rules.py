"""What the server decides about one pushed mutation, apart from how it is written: whether
the pusher may make it (`domain.write_rules`, the rules the desk's services obey too), the row
an insert creates, which fields of an update merge and which lose (a field another side
changed since the mutation's base keeps the server's value), the business rules checked
again (the appointment state machine, signed forms and their seal), and the conflict record
kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table

from frontdesk.domain.appointment_states import ALLOWED, ENDED_STATUSES, REINSTATABLE_TO
from frontdesk.domain.enums import AppointmentStatus, FormStatus, Role
from frontdesk.domain.form_signature import content_hash
from frontdesk.domain.ids import new_id
from frontdesk.domain.write_rules import (
    BOOKKEEPING,
    ORGANIZATION_WIDE,
    WRITE_RULES,
    RowScope,
    specialist_row_refusal,
    write_refusal,
)
from frontdesk.i18n.text import T_, Text
from frontdesk.services.forms import signed_content
from frontdesk.store.unit_of_work import to_json_value
from frontdesk.store.wire import column_kinds, from_json
from frontdesk.sync.protocol import Mutation
from frontdesk.sync.tables import HIDDEN_COLUMNS, SERVER_KEEPS


class Rejected(Exception):
    """A business rule refuses the write (the words say which, translated on the desk that
    reads the conflict)."""

    def __init__(self, words: Text) -> None:
        super().__init__(words.english())
        self.words = words


class OutOfScope(Rejected):
    """A specialist's write to a row outside their appointments: the conflict carries none of
    the server's values (the row is not theirs to see), and their desk drops its copy."""


@dataclass(frozen=True)
class Pusher:
    """Who pushes: the organization, the signed-in user and device, and the server's now."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    device_id: uuid.UUID
    now: datetime
    role: Role
    # Who the pusher is as a specialist, from the server's records at sign-in: what they may
    # write follows facts only the front desk and admins change.
    specialist_id: uuid.UUID | None = None


SpecialistOf = Callable[[uuid.UUID], uuid.UUID | None]
"""The specialist an appointment (by id) is assigned to on the server."""


def authorize(
    target: Table,
    pusher: Pusher,
    operation: str,
    fields: set[str],
    rows: tuple[Mapping[str, Any], ...],
    specialist_of: SpecialistOf,
) -> None:
    """Refuses (Rejected, in plain words) a change the pusher's role may not make: the
    table and fields by `domain.write_rules`; for a specialist also the row, before and after
    the change (`rows`), which must be on appointments of theirs."""
    if pusher.role == Role.SPECIALIST:
        # The row first: a refusal about a colleague's row must not carry its values.
        refusal = specialist_row_refusal(
            target.name, pusher.specialist_id, _row_specialists(target.name, rows, specialist_of)
        )
        if refusal is not None:
            raise OutOfScope(refusal)
    refusal = write_refusal(pusher.role, target.name, operation, fields)
    if refusal is None and operation == "update" and pusher.role not in ORGANIZATION_WIDE:
        refusal = _own_row_refusal(target.name, pusher, rows)
    if refusal is not None:
        raise Rejected(refusal)


def _own_row_refusal(
    table_name: str, pusher: Pusher, rows: tuple[Mapping[str, Any], ...]
) -> Text | None:
    """Rows a specialist may change only when they are their own: the conflicts they caused
    (the front desk and admins resolve anyone's, as the conflicts service allows)."""
    if table_name == "sync_conflicts" and any(
        row.get("author_user_id") != pusher.user_id for row in rows
    ):
        return T_(
            "A specialist resolves only the conflicts their own changes caused: ask the front "
            "desk or an admin to resolve this one."
        )
    return None


def _row_specialists(
    table_name: str, rows: tuple[Mapping[str, Any], ...], specialist_of: SpecialistOf
) -> list[uuid.UUID | None]:
    rule = WRITE_RULES.get(table_name)
    if rule is None or rule.scope == RowScope.ANY:
        return []
    if rule.scope == RowScope.OWN_APPOINTMENT:
        return [row.get("specialist_id") for row in rows]
    return [specialist_of(row["appointment_id"]) for row in rows if row.get("appointment_id")]


def insert_values(
    target: Table, mutation: Mutation, pusher: Pusher, specialist_of: SpecialistOf
) -> dict[str, Any]:
    """The row an insert creates: the desk's values, the server's bookkeeping; refused
    (Rejected) when the pusher may not create it."""
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
    authorize(target, pusher, "insert", set(values), (values,), specialist_of)
    if target.name == "appointments":
        _check_new_appointment(values)
    if target.name == "form_instances" and values.get("status") == FormStatus.SIGNED:
        values.update(_seal_signed_here(values, pusher))
    return values


def decide_update(
    target: Table,
    current: Mapping[str, Any],
    mutation: Mutation,
    others: set[str],
    pusher: Pusher,
    specialist_of: SpecialistOf,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Which fields to write, and which lose to the server (field → mine/theirs): a field
    another side changed since the mutation's base keeps the server's value. Refused
    (Rejected) when the pusher may not change a field it differs in, or that row."""
    kinds = column_kinds(target)
    keeps = SERVER_KEEPS.get(target.name, frozenset())
    hidden = HIDDEN_COLUMNS.get(target.name, frozenset())
    to_write: dict[str, Any] = {}
    lost: dict[str, dict[str, Any]] = {}
    for name, value in mutation.changed.items():
        if name not in kinds or name in BOOKKEEPING or name in hidden:
            continue
        mine = from_json(kinds[name], value)
        if mine == current[name]:
            continue
        if name in others:
            if name not in keeps:
                lost[name] = {"mine": value, "theirs": json_value(current[name])}
            continue
        to_write[name] = mine
    if to_write or lost:
        after = {**current, **to_write}
        authorize(target, pusher, "update", {*to_write, *lost}, (current, after), specialist_of)
    if target.name == "form_instances":
        _check_form_write(current, to_write, lost, others)
        if to_write.get("status") == FormStatus.SIGNED:
            to_write.update(_seal_signed_here({**current, **to_write}, pusher))
    if target.name == "appointments" and "status" in to_write:
        _check_status_change(AppointmentStatus(current["status"]), to_write["status"])
    if target.name == "sync_conflicts" and "resolved_by_user_id" in to_write:
        to_write["resolved_by_user_id"] = pusher.user_id  # who resolved it is who pushed it
    return to_write, lost


def _seal_signed_here(form: Mapping[str, Any], pusher: Pusher) -> dict[str, Any]:
    """A form signed on a desk: its seal must be the hash of what it holds (recomputed
    here, never taken on trust), the signing account is the desk's own user or none (an
    admin may name another), and the staff member at that desk is recorded as its witness."""
    signer = form.get("signed_by_user_id")
    if signer is not None and signer != pusher.user_id and pusher.role != Role.ADMIN:
        raise Rejected(
            T_("A form is signed as the person at the desk, or by the patient; sign it again.")
        )
    if any(form.get(name) is None for name in ("signed_at", "signer_name", "signature_svg")):
        raise Rejected(T_("A signed form needs its signer's name, signature and signing time."))
    expected = content_hash(signed_content(SimpleNamespace(**form)))  # type: ignore[arg-type]
    if form.get("content_hash") != expected:
        raise Rejected(
            T_("The signature does not match what the form holds; check it and sign it again.")
        )
    return {"witnessed_by_user_id": pusher.user_id}


def rejected_fields(
    target: Table, mutation: Mutation, current: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """What a refused mutation wanted, beside the server's values (none for a row the
    server does not have): the conflict's fields, and what the desk puts back."""
    kinds = column_kinds(target)
    return {
        name: {
            "mine": value,
            "theirs": None if current is None or name not in kinds else json_value(current[name]),
        }
        for name, value in mutation.changed.items()
        if (name not in BOOKKEEPING or mutation.operation == "insert")
        and name not in HIDDEN_COLUMNS.get(target.name, ())
    }


def _check_form_write(
    current: Mapping[str, Any],
    to_write: dict[str, Any],
    lost: dict[str, dict[str, Any]],
    others: set[str],
) -> None:
    if current["status"] == FormStatus.SIGNED and (to_write or lost):
        raise Rejected(T_("The form was signed at another desk and can no longer change."))
    if to_write.get("status") == FormStatus.SIGNED and (lost or others):
        # A signature seals the whole form: merging it with changes the signer never saw
        # would seal content nobody signed.
        raise Rejected(
            T_(
                "The form was changed at another desk before it was signed here; read it "
                "again and sign it again."
            )
        )


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


FIELD_CONFLICT_REASON = T_("Changed at another desk too: the other desk's values were kept.")


def _check_status_change(current: AppointmentStatus, target: str) -> None:
    wanted = AppointmentStatus(target)
    if wanted in ALLOWED[current]:
        return
    if current in ENDED_STATUSES and wanted in REINSTATABLE_TO:
        return  # a reinstatement
    raise Rejected(
        T_(
            "The appointment is “{current}” at another desk already, so it cannot become "
            "“{wanted}”.",
            current=current.text,
            wanted=wanted.text,
        )
    )


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
    reason: Text,
    row_missing: bool = False,
) -> dict[str, Any]:
    """A `sync_conflicts` row for what the mutation lost. The reason is stored
    language-neutral (`Text.dumps`): each desk reads it in its own language."""
    return {
        "id": new_id(),
        "organization_id": pusher.organization_id,
        "table_name": _storable(mutation.table[:60]),
        "row_id": mutation.row_id,
        "kind": kind,
        "reason": _storable(reason.dumps()),
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
