"""Accounts are the server's: a desk asks for a patient's login by setting
`patient_persons.account_requested_at`, and here, in the push that carries the request, the
server makes the account or links the one the address already has.

Which of the two happened is told to nobody at the desk: the push answers the same, the link
(`user_id`) is never sent to a desk, and a new account's id is random (a UUIDv7 would carry
when it was made). So a clinic cannot learn whether a person is a patient, or staff, at
another clinic, and no clinic can claim an address first to keep another from it: both
clinics' records of the person end on the same account.

A link follows the record: an address corrected later moves the record to that address's
account, and a record without an address (or removed) lets go of its account, so a typo
never leaves a clinic's records on a stranger's login.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, text

from frontdesk.domain.contact import normalize_email
from frontdesk.domain.errors import InvalidInput
from frontdesk.server import rls

log = logging.getLogger(__name__)

# Requested rows whose link is missing or no longer matches their address (or who lost it).
_STALE = text(
    "SELECT p.id, p.email, p.first_name, p.last_name, p.deleted_at, p.user_id "
    "FROM patient_persons p LEFT JOIN users u ON u.id = p.user_id "
    "WHERE p.id = ANY(:ids) AND p.account_requested_at IS NOT NULL AND ("
    "  (p.user_id IS NULL AND p.email IS NOT NULL AND p.deleted_at IS NULL)"
    "  OR (p.user_id IS NOT NULL AND (p.email IS NULL OR p.deleted_at IS NOT NULL"
    "      OR u.id IS NULL OR lower(u.email) <> lower(p.email)))"
    ") ORDER BY lower(p.email)"  # one order for every push: two never wait on each other
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
    made when there is none (or take it away when they have no address any more). Runs
    inside the push's transaction, under its organization; a person whose link fails keeps
    their request for the next push and does not fail this one."""
    if not person_ids:
        return
    for person in connection.execute(_STALE, {"ids": list(person_ids)}).all():
        try:
            with connection.begin_nested():
                connection.execute(
                    _LINK, {"user": _account_for(connection, person, now), "person": person.id}
                )
        except Exception:
            log.exception("could not link the account of person %s", person.id)


def _account_for(connection: Connection, person: Row[Any], now: datetime) -> uuid.UUID | None:
    """The account the person's record should point at: none without a usable address."""
    if person.email is None or person.deleted_at is not None:
        return None
    try:
        address = normalize_email(person.email)
    except InvalidInput:
        return None  # a desk's typo: no account for it
    connection.execute(_CREATE, _new_account(address, now))
    # The address's account is visible here only while it is being linked (row-level
    # security keeps other clinics' accounts out of this organization's requests).
    _see_address(connection, address)
    try:
        found: uuid.UUID | None = connection.scalar(_FIND, {"email": address})
    finally:
        _see_address(connection, "")
    if found is None:
        raise LookupError(f"no account for {address} after making one")
    return found


def _new_account(address: str, now: datetime) -> dict[str, object]:
    # No name: the account is the person's, and what one clinic calls them is its own record.
    return {"id": uuid.uuid4(), "email": address, "name": "", "now": now}


def _see_address(connection: Connection, email: str) -> None:
    connection.execute(select(func.set_config(rls.LOGIN_EMAIL_SETTING, email, True)))
