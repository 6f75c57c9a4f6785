"""Which rows of each synced table a desk receives, by its user's role: one rule per table.

The write rules (`domain.write_rules`) say what a desk may change; these say what it may see.
Admins receive the whole organization. Receptionists too, except the alerts (an admin's to
read) other than `template_limit`: their desk's engine looks for the open one before raising
another. A specialist receives the appointments assigned to them and what hangs off those,
the notifications addressed to them, the automation runs whose trigger they receive, the
conflicts about rows they receive (and their own refused writes), and the rest of the
organization (patients, catalog, rules, plans); no outbound messages and, like receptionists,
only the `template_limit` alerts. Any other role (a patient) is read like a specialist with
no specialist record: it receives nothing of the narrowed tables.

Each rule is turned into a SQL condition on a row `alias` of its table, with the bind
parameters `:specialist` (the reader's specialist id) and `:user` (the reader's account).
"""

from __future__ import annotations

from enum import StrEnum

from frontdesk.domain.enums import AlertKind, Role


class Receives(StrEnum):
    WHOLE = "every row, for every staff role"
    OWN_APPOINTMENT = (
        "admins, receptionists: every row; specialists: the appointments assigned to them"
    )
    THROUGH_APPOINTMENT = (
        "admins, receptionists: every row; specialists: the rows on an appointment of theirs"
    )
    THROUGH_APPOINTMENT_OR_NONE = (
        "admins, receptionists: every row; specialists: the rows on an appointment of theirs "
        "or on none"
    )
    ADDRESSED = (
        "admins, receptionists: every row; specialists: those addressed to them "
        "(target 'specialist', their specialist id)"
    )
    FRONT_DESK = "admins, receptionists: every row; specialists: none"
    ENGINE_ALERTS = "admins: every row; receptionists, specialists: `template_limit` alerts"
    FOLLOWS_TRIGGER = "whoever receives the row that triggered the run"
    FOLLOWS_ROW = "whoever receives the row it is about; and its author, for a refused write"


RECEIVE_RULES: dict[str, Receives] = {
    # The clinic's set-up, its people and plans: every desk works with them.
    "organizations": Receives.WHOLE,
    "memberships": Receives.WHOLE,
    "specialists": Receives.WHOLE,
    "services": Receives.WHOLE,
    "service_specialists": Receives.WHOLE,
    "service_forms": Receives.WHOLE,
    "calendars": Receives.WHOLE,
    "calendar_forms": Receives.WHOLE,
    "working_hours": Receives.WHOLE,
    "hours_overrides": Receives.WHOLE,
    "closed_days": Receives.WHOLE,
    "form_templates": Receives.WHOLE,
    "message_templates": Receives.WHOLE,
    "automation_rules": Receives.WHOLE,
    "segments": Receives.WHOLE,
    "segment_members": Receives.WHOLE,
    "service_plans": Receives.WHOLE,
    "treatment_plans": Receives.WHOLE,
    "patient_persons": Receives.WHOLE,
    "patients": Receives.WHOLE,
    "patient_service_plans": Receives.WHOLE,
    "patient_treatment_plans": Receives.WHOLE,
    "treatment_sessions": Receives.WHOLE,
    "access_grants": Receives.WHOLE,
    "booking_blocks": Receives.WHOLE,
    "consents": Receives.WHOLE,
    # Appointments and what hangs off them.
    "appointments": Receives.OWN_APPOINTMENT,
    "appointment_status_history": Receives.THROUGH_APPOINTMENT,
    "reviews": Receives.THROUGH_APPOINTMENT,
    "form_instances": Receives.THROUGH_APPOINTMENT_OR_NONE,
    # What the engine, delivery and the server write.
    "notifications": Receives.ADDRESSED,
    "outbound_messages": Receives.FRONT_DESK,
    "alerts": Receives.ENGINE_ALERTS,
    "automation_executions": Receives.FOLLOWS_TRIGGER,
    "sync_conflicts": Receives.FOLLOWS_ROW,
}

# An execution's trigger entity type → the table its row is in. A run of a type not named
# here (or of none) goes to the front desk alone.
TRIGGER_TABLES: dict[str, str] = {
    "appointment": "appointments",
    "form": "form_instances",
    "review": "reviews",
    "patient": "patient_persons",
    "treatment_plan": "treatment_plans",
    "patient_treatment_plan": "patient_treatment_plans",
    "service_plan_enrolment": "patient_service_plans",
    "organization": "organizations",
    "alert": "alerts",
}

# The tables whose rows hang off one appointment: the SQL of that appointment's id for a row
# `{a}`. A specialist's scope over these moves with the appointment.
ON_APPOINTMENT = ("appointment_status_history", "reviews", "form_instances")
APPOINTMENT_ANCHORS: dict[str, str] = {
    "appointments": "{a}.id",
    **{name: "{a}.appointment_id" for name in ON_APPOINTMENT},
}


def _anchored(table_name: str, row_id: str) -> str:
    """The appointment id of the row `row_id` of an anchored table, as SQL."""
    if table_name == "appointments":
        return row_id
    return f"(SELECT x.appointment_id FROM {table_name} x WHERE x.id = {row_id})"


def _case(kind: str, row_id: str, tables: dict[str, str]) -> str:
    whens = " ".join(
        f"WHEN '{key}' THEN {_anchored(name, row_id)}"
        for key, name in tables.items()
        if name == "appointments" or name in ON_APPOINTMENT
    )
    return f"CASE {kind} {whens} END"


# The same for the rows that follow another row (an execution, a conflict) to an appointment.
APPOINTMENT_ANCHORS["automation_executions"] = _case(
    "{a}.trigger_entity_type", "{a}.trigger_entity_id", TRIGGER_TABLES
)
APPOINTMENT_ANCHORS["sync_conflicts"] = _case(
    "{a}.table_name", "{a}.row_id", {name: name for name in ("appointments", *ON_APPOINTMENT)}
)


def _level(role: Role) -> str:
    if role == Role.ADMIN:
        return "admin"
    if role == Role.RECEPTIONIST:
        return "front_desk"
    return "specialist"


def narrowed_tables(role: Role) -> tuple[str, ...]:
    """The tables of which `role` does not receive every row."""
    return tuple(name for name in RECEIVE_RULES if receive_clause(role, name, "t") != "TRUE")


def receive_clause(role: Role, table_name: str, alias: str) -> str:
    """SQL true for a row `alias` of `table_name` that a desk of `role` receives."""
    rule = RECEIVE_RULES.get(table_name)
    if rule is None:
        raise KeyError(f"{table_name} has no receive rule")
    level = _level(role)
    if level == "admin" or rule == Receives.WHOLE:
        return "TRUE"
    if rule == Receives.ENGINE_ALERTS:
        return f"{alias}.kind = '{AlertKind.TEMPLATE_LIMIT.value}'"
    if rule == Receives.FOLLOWS_TRIGGER:
        return _follows(
            role,
            f"{alias}.trigger_entity_type",
            f"{alias}.trigger_entity_id",
            TRIGGER_TABLES,
            default="TRUE" if level == "front_desk" else "FALSE",
        )
    if rule == Receives.FOLLOWS_ROW:
        followed = _follows(
            role,
            f"{alias}.table_name",
            f"{alias}.row_id",
            {name: name for name in RECEIVE_RULES if name != "sync_conflicts"},
            default="TRUE",
        )
        # A refused write to a row outside the author's scope holds only the author's values.
        own_refused = f"({alias}.row_missing AND {alias}.author_user_id = :user)"
        return f"({followed} OR {own_refused})"
    if level == "front_desk":
        return "TRUE"
    return _specialist_clause(rule, alias)


def _specialist_clause(rule: Receives, alias: str) -> str:
    if rule == Receives.OWN_APPOINTMENT:
        return f"{alias}.specialist_id = :specialist"
    if rule == Receives.ADDRESSED:
        return f"({alias}.target = 'specialist' AND {alias}.specialist_id = :specialist)"
    if rule == Receives.FRONT_DESK:
        return "FALSE"
    mine = (
        f"EXISTS (SELECT 1 FROM appointments {alias}_a WHERE {alias}_a.id = {alias}.appointment_id "
        f"AND {alias}_a.specialist_id = :specialist)"
    )
    if rule == Receives.THROUGH_APPOINTMENT_OR_NONE:
        return f"({alias}.appointment_id IS NULL OR {mine})"
    assert rule == Receives.THROUGH_APPOINTMENT, rule
    return mine


def _follows(role: Role, kind: str, row_id: str, tables: dict[str, str], *, default: str) -> str:
    """True when the row of table `tables[kind]` with id `row_id` is one `role` receives;
    `default` for a kind not named (or a table received whole)."""
    inner = f"{kind.split('.')[0]}_r"  # an alias of its own, however deep the nesting
    whens = []
    for key, name in tables.items():
        clause = receive_clause(role, name, inner)
        if clause == "TRUE":
            if default != "TRUE":
                whens.append(f"WHEN '{key}' THEN TRUE")
            continue
        whens.append(
            f"WHEN '{key}' THEN EXISTS "
            f"(SELECT 1 FROM {name} {inner} WHERE {inner}.id = {row_id} AND {clause})"
        )
    if not whens:
        return default
    return f"(CASE {kind} {' '.join(whens)} ELSE {default} END)"
