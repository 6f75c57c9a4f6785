"""The one write-rule set: every table a desk may push has a rule, every column a decision,
and refusals read as plain words."""

from __future__ import annotations

import uuid

import pytest

from frontdesk.domain.enums import Role
from frontdesk.domain.write_rules import (
    BOOKKEEPING,
    WRITE_RULES,
    specialist_row_refusal,
    write_refusal,
)
from frontdesk.sync.tables import PUSHABLE_TABLES, table


def test_every_pushable_table_has_a_rule_and_no_rule_names_another() -> None:
    assert set(WRITE_RULES) == set(PUSHABLE_TABLES)


@pytest.mark.parametrize("name", sorted(PUSHABLE_TABLES))
def test_every_column_is_bookkeeping_changeable_or_fixed_at_birth(name: str) -> None:
    rule = WRITE_RULES[name]
    columns = {column.name for column in table(name).c}
    undecided = columns - BOOKKEEPING - set(rule.fields) - rule.fixed
    assert undecided == set(), f"{name}: say who may change {sorted(undecided)}"
    assert not set(rule.fields) & rule.fixed
    assert set(rule.fields) | rule.fixed <= columns  # no rule for a column that is gone


def _said(refusal: object) -> str | None:
    return None if refusal is None else str(refusal)


def test_refusals_name_what_and_whom_to_ask() -> None:
    assert _said(write_refusal(Role.SPECIALIST, "appointments", "update", {"specialist_id"})) == (
        "You are not allowed to change this (appointment: Specialist): ask the front desk or "
        "an admin to change it."
    )
    assert _said(write_refusal(Role.RECEPTIONIST, "automation_rules", "insert")) == (
        "You are not allowed to add this (automation rule): ask an admin to add it."
    )
    assert write_refusal(Role.RECEPTIONIST, "patients", "update", {"deleted_at"}) is None
    assert _said(write_refusal(Role.SPECIALIST, "patients", "update", {"deleted_at"})) == (
        "You are not allowed to remove this (patient): ask the front desk or an admin to remove it."
    )


def test_bookkeeping_and_fixed_fields() -> None:
    # Bookkeeping is the store's, never judged; a field fixed at birth changes for nobody.
    assert write_refusal(Role.SPECIALIST, "appointments", "update", {"updated_at"}) is None
    assert _said(write_refusal(Role.ADMIN, "appointments", "update", {"idempotency_key"})) == (
        "Nobody can change this at a desk (appointment: Request key); it is kept as it was made."
    )


def test_a_specialist_writes_only_rows_of_their_own_appointments() -> None:
    me, colleague = uuid.uuid4(), uuid.uuid4()
    assert specialist_row_refusal("appointments", me, [me, me]) is None
    assert specialist_row_refusal("appointments", me, [colleague, me]) is not None
    assert specialist_row_refusal("form_instances", me, []) is None  # on no appointment
    assert _said(specialist_row_refusal("form_instances", me, [colleague])) == (
        "You are not allowed to change this (form): a specialist changes only what belongs to "
        "their own appointments; ask the front desk to do it."
    )
    assert specialist_row_refusal("patient_persons", me, [colleague]) is None  # not narrowed
    assert specialist_row_refusal("appointments", None, [colleague]) is not None
