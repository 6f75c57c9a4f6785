"""Accounts are the server's: a desk asks for a patient's login by setting
`patient_persons.account_requested_at`, and here, in the push that carries the request, the
server makes the account or links the one the address already has.

Which of the two happened is told to nobody at the desk: the push answers the same, the link
(`user_id`) is never sent to a desk, and a new account's id is random (a UUIDv7 would carry
when it was made). So a clinic cannot learn whether a person is a patient, or staff, at
another clinic, and no clinic can claim an address first to keep another from it: both
clinics' records of the person end on the same account.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, text

from frontdesk.server import rls

_REQUESTED = text(
    "SELECT id, email, first_name, last_name FROM patient_persons "
    "WHERE id = ANY(:ids) AND account_requested_at IS NOT NULL AND user_id IS NULL "
    "AND email IS NOT NULL AND deleted_at IS NULL"
)
# Any unique violation (another request for the address committed first) leaves that one's.
_CREATE = text(
    "INSERT INTO users (id, email, display_name, is_active, created_at, updated_at, row_version) "
    "VALUES (:id, :email, :name, true, :now, :now, 1) ON CONFLICT DO NOTHING"
)
_FIND = text("SELECT id FROM users WHERE lower(email) = lower(:email)")
_LINK = text("UPDATE patient_persons SET user_id = :user WHERE id = :person")


def link_requested_accounts(
    connection: Connection, person_ids: Collection[uuid.UUID], now: datetime
) -> None:
    """Give each of these persons whose login was asked for the account of their address,
    made when there is none. Runs inside the push's transaction, under its organization."""
    if not person_ids:
        return
    for person in connection.execute(_REQUESTED, {"ids": list(person_ids)}).all():
        connection.execute(_CREATE, _new_account(person, now))
        # The address's account is visible here only while it is being linked (row-level
        # security keeps other clinics' accounts out of this organization's requests).
        _see_address(connection, person.email)
        user_id = connection.scalar(_FIND, {"email": person.email})
        _see_address(connection, "")
        connection.execute(_LINK, {"user": user_id, "person": person.id})


def _new_account(person: Row[Any], now: datetime) -> dict[str, object]:
    name = f"{person.first_name} {person.last_name}".strip()[:200]  # users.display_name
    return {"id": uuid.uuid4(), "email": person.email, "name": name, "now": now}


def _see_address(connection: Connection, email: str) -> None:
    connection.execute(select(func.set_config(rls.LOGIN_EMAIL_SETTING, email, True)))
