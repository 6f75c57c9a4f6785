"""Who may write which synced table, which of its fields, and which of its rows: one rule set.

The desk's unit of work applies it to every write a person makes through the services, and the
server applies it to every change a desk pushes (with the pusher's role), so a crafted push can
do nothing the desk's own screens could not. The services keep their finer business checks
(the state machine, double booking, a patient acting for the people they manage); these rules
are the floor under them that both sides share.

A rule names, per table: the roles that may insert a row, the roles that may change each field
afterwards, the fields written only when the row is born (`fixed`), and for specialists which
rows (their own appointments and what hangs off them). Deleting is setting `deleted_at`, a
field like any other. No role (the automation engine, the sync applier, the public booking
page) is a trusted in-process caller and is not checked here; what the engine writes on a
desk reaches the server under that desk's role, so the tables the engine writes are open to
every staff role.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from frontdesk.domain.enums import Role
from frontdesk.domain.field_names import field_name
from frontdesk.i18n import N_
from frontdesk.i18n.text import T_, Text

ADMIN = frozenset({Role.ADMIN})
ORGANIZATION_WIDE = frozenset({Role.ADMIN, Role.RECEPTIONIST})
STAFF = frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.SPECIALIST})
ORGANIZATION_WIDE_AND_PATIENTS = ORGANIZATION_WIDE | {Role.PATIENT}
EVERYONE = STAFF | {Role.PATIENT}
NOBODY: frozenset[Role] = frozenset()

# Identity and bookkeeping: kept by whoever stores the row, never a desk's to choose.
BOOKKEEPING = frozenset({"id", "organization_id", "row_version", "created_at", "updated_at"})


class RowScope(StrEnum):
    """Which rows of a table a specialist may write (other roles: every row of the clinic)."""

    ANY = "any"
    OWN_APPOINTMENT = "own_appointment"  # the appointment's specialist is them
    THROUGH_APPOINTMENT = "through_appointment"  # on one of their appointments, or on none


@dataclass(frozen=True)
class TableRule:
    insert: frozenset[Role]
    fields: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    scope: RowScope = RowScope.ANY
    what: str = N_("record")  # how a person calls one row, for refusals in plain words
    # Written when the row is born and never changed from a desk (what it is about, who made
    # it, what it said). Every column is bookkeeping, in `fields` or here: a catalog test
    # makes a new column's author decide.
    fixed: frozenset[str] = frozenset()


def _fields(*groups: tuple[Iterable[str], frozenset[Role]]) -> dict[str, frozenset[Role]]:
    return {name: roles for names, roles in groups for name in names}


def _configuration(what: str, *names: str, roles: frozenset[Role] = ADMIN) -> TableRule:
    """A table of the clinic's set-up: its admins write it (the catalog: the front desk too)."""
    return TableRule(insert=roles, fields=_fields((names, roles)), what=what)


_APPOINTMENT_STATUS = (
    "status",
    "onboarded_at",
    "checked_in_at",
    "session_started_at",
    "completed_at",
    "cancelled_at",
    "cancelled_by_user_id",
    "cancellation_reason",
)
_APPOINTMENT_SCHEDULE = (
    "service_id",
    "calendar_id",
    "started_at",
    "ended_at",
    "type",
    "additional_service_ids",
    "additional_product_ids",
    "patient_service_plan_id",
    "plan_session_number",
    "double_booking_override_reason",
)
SIGNATURE_FIELDS = (
    "signed_at",
    "signed_by_user_id",
    "signer_name",
    "signed_on_behalf_by_person_id",
    "signature_svg",
    "content_hash",
    "witnessed_by_user_id",
)
_PATIENT_CONTACT = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "country",
    "city",
    "manager_person_id",
)

WRITE_RULES: dict[str, TableRule] = {
    # --- the clinic's set-up -----------------------------------------------------------------
    "organizations": TableRule(
        insert=NOBODY,  # made on the server (`frontdesk-server create-org`)
        fields=_fields(
            (
                (
                    "name",
                    "timezone",
                    "country",
                    "template_policy_id",
                    "template_terms_id",
                    "booking_horizon_days",
                    "slot_interval_minutes",
                    "minimum_notice_minutes",
                ),
                ADMIN,
            )
        ),
        what=N_("organization"),
        fixed=frozenset(("slug",)),
    ),
    # Accounts join a clinic on the server (`create-user`, an invitation): a desk naming an
    # account id would learn whether it exists. An admin changes a member's role.
    "memberships": TableRule(
        insert=NOBODY,
        fields=_fields((("role",), ADMIN)),
        what=N_("membership"),
        fixed=frozenset(("user_id",)),
    ),
    "specialists": _configuration(
        N_("specialist"),
        "user_id",
        "name",
        "specialty",
        "email",
        "phone",
        "is_active",
        roles=ORGANIZATION_WIDE,
    ),
    # What the clinic sells, its price and who performs it: the admins' (the Services screen).
    "services": _configuration(
        N_("service"),
        "name",
        "reference",
        "description",
        "duration_minutes",
        "appointment_type",
        "price_cents",
        "currency",
        "followup_service_id",
        "is_public",
        "deleted_at",
    ),
    "service_specialists": _configuration(
        N_("service's specialist"), "service_id", "specialist_id", "deleted_at"
    ),
    "service_forms": _configuration(
        N_("service's form"), "service_id", "template_key", "position", "deleted_at"
    ),
    "calendars": _configuration(
        N_("calendar"), "name", "specialist_id", "is_public", "deleted_at", roles=ORGANIZATION_WIDE
    ),
    "calendar_forms": _configuration(
        N_("calendar's form"), "calendar_id", "template_key", "position", roles=ORGANIZATION_WIDE
    ),
    "form_templates": _configuration(
        N_("form template"),
        "template_key",
        "reference",
        "version",
        "is_current",
        "title",
        "form_type",
        "blocking",
        "fields",
        "body",
        "deleted_at",
        roles=ORGANIZATION_WIDE,
    ),
    # When specialists work: only admins change hours (as `services.hours` checks).
    "working_hours": _configuration(
        N_("working hours interval"),
        "specialist_id",
        "weekday",
        "start_minute",
        "end_minute",
        "deleted_at",
    ),
    "hours_overrides": _configuration(
        N_("override of hours"),
        "specialist_id",
        "day",
        "start_minute",
        "end_minute",
        "note",
        "deleted_at",
    ),
    "closed_days": _configuration(N_("closed day"), "day", "note", "deleted_at"),
    "message_templates": _configuration(
        N_("message template"), "key", "channel", "subject", "body", "deleted_at"
    ),
    "automation_rules": TableRule(
        insert=ADMIN,
        fields=_fields(
            (
                (
                    "name",
                    "description",
                    "enabled",
                    "trigger_event",
                    "trigger_config",
                    "conditions",
                    "actions",
                    "definition",
                    "deleted_at",
                ),
                ADMIN,
            ),
            # Every node's engine counts its runs (the server keeps its own count).
            (("execution_count", "last_executed_at"), STAFF),
        ),
        what=N_("automation rule"),
    ),
    # Segments and plans are made by any staff member (the services allow it); the engine
    # adds and removes members.
    "segments": TableRule(
        insert=STAFF,
        fields=_fields((("reference", "name", "description"), STAFF), (("deleted_at",), ADMIN)),
        what=N_("segment"),
    ),
    "service_plans": TableRule(
        insert=STAFF,
        fields=_fields(
            (("name", "service_id", "session_count", "has_exercise_tracking"), ADMIN),
            (("price_cents", "deleted_at"), ADMIN),
        ),
        what=N_("service plan"),
    ),
    "treatment_plans": TableRule(
        insert=STAFF,
        fields=_fields(
            (
                (
                    "reference",
                    "name",
                    "type",
                    "specialist_id",
                    "frequency_per_week",
                    "duration_weeks",
                    "session_estimated_minutes",
                    "followup_service_id",
                    "status",
                ),
                STAFF,
            ),
            (("requires_approval", "deleted_at"), ADMIN),
        ),
        what=N_("treatment plan"),
    ),
    # --- people ------------------------------------------------------------------------------
    "patient_persons": TableRule(
        insert=STAFF,
        fields=_fields(
            # A patient edits their own (the profiles service checks whose).
            (_PATIENT_CONTACT, ORGANIZATION_WIDE_AND_PATIENTS),
            # Whoever onboards may complete it (a specialist, for their own appointment).
            (("date_of_birth",), EVERYONE),
            (("profile",), EVERYONE),
            # Onboarding asks the server for the person's login; the server links it (hidden
            # from desks, and what a desk sends of it is ignored).
            (("account_requested_at",), STAFF),
            (("user_id",), NOBODY),
            (("deleted_at",), ORGANIZATION_WIDE),
        ),
        what=N_("patient's details"),
    ),
    "patients": TableRule(
        insert=STAFF,
        fields=_fields(
            (("onboarded_at", "onboarded_by_user_id"), STAFF), (("deleted_at",), ORGANIZATION_WIDE)
        ),
        what=N_("patient"),
        fixed=frozenset(("patient_person_id",)),
    ),
    # --- appointments and what hangs off them -----------------------------------------------
    "appointments": TableRule(
        insert=EVERYONE,  # a patient books for themself (the booking service checks for whom)
        fields=_fields(
            (("specialist_id", "patient_person_id"), ORGANIZATION_WIDE),
            (_APPOINTMENT_SCHEDULE, STAFF),
            (_APPOINTMENT_STATUS, EVERYONE),
            # Confirming a video appointment opens its room, whoever confirms.
            (("video_room_name", "video_room_url", "video_room_expires_at"), EVERYONE),
            (("notes",), STAFF),
            (("deleted_at",), ADMIN),
        ),
        scope=RowScope.OWN_APPOINTMENT,
        what=N_("appointment"),
        fixed=frozenset(
            (
                "booking_client_id",
                "contact_email",
                "created_by_user_id",
                "idempotency_key",
                "source",
            )
        ),
    ),
    "appointment_status_history": TableRule(
        insert=EVERYONE,
        scope=RowScope.THROUGH_APPOINTMENT,
        what=N_("status change"),
        fixed=frozenset(
            (
                "actor_label",
                "actor_user_id",
                "appointment_id",
                "changed_at",
                "from_status",
                "reason",
                "to_status",
            )
        ),
    ),
    "reviews": TableRule(
        insert=ORGANIZATION_WIDE_AND_PATIENTS,
        fields=_fields((("rating", "comment"), ORGANIZATION_WIDE_AND_PATIENTS)),
        scope=RowScope.THROUGH_APPOINTMENT,
        what=N_("review"),
        fixed=frozenset(("appointment_id", "patient_person_id")),
    ),
    "form_instances": TableRule(
        insert=STAFF,
        fields=_fields(
            (("values", "status", "completed_at"), EVERYONE),
            (SIGNATURE_FIELDS, EVERYONE),
            (("deleted_at",), STAFF),
        ),
        scope=RowScope.THROUGH_APPOINTMENT,
        what=N_("form"),
        fixed=frozenset(
            (
                "appointment_id",
                "automation_execution_id",
                "blocking",
                "fields",
                "form_type",
                "patient_person_id",
                "source",
                "template_id",
                "template_key",
                "template_version",
                "title",
            )
        ),
    ),
    # --- what the engine and the desks' delivery write ----------------------------------------
    "automation_executions": TableRule(
        insert=STAFF,
        fields=_fields(
            (("status", "actions_executed", "error_message", "trace", "executed_at"), STAFF)
        ),
        what=N_("automation run"),
        fixed=frozenset(
            (
                "automation_rule_id",
                "event_id",
                "execution_key",
                "trigger_entity_id",
                "trigger_entity_type",
                "trigger_event",
            )
        ),
    ),
    "alerts": TableRule(
        insert=EVERYONE,  # a patient's low rating raises one
        fields=_fields((("acknowledged_at", "acknowledged_by_user_id"), ADMIN)),
        what=N_("alert"),
        fixed=frozenset(
            ("body", "details", "kind", "severity", "subject_id", "subject_type", "title")
        ),
    ),
    "notifications": TableRule(
        insert=EVERYONE,  # a patient's booking tells the desk
        fields=_fields((("read_at",), STAFF)),
        what=N_("notification"),
        fixed=frozenset(
            (
                "automation_execution_id",
                "cta_url",
                "expires_at",
                "message",
                "patient_person_id",
                "priority",
                "specialist_id",
                "target",
            )
        ),
    ),
    "outbound_messages": TableRule(
        insert=STAFF,
        fields=_fields((("status", "attempts", "next_attempt_at", "last_error", "sent_at"), STAFF)),
        what=N_("message"),
        fixed=frozenset(
            (
                "automation_execution_id",
                "body_html",
                "body_text",
                "channel",
                "idempotency_key",
                "not_before",
                "patient_person_id",
                "recipient",
                "subject",
                "template",
            )
        ),
    ),
    "access_grants": TableRule(
        insert=STAFF,
        fields=_fields((("expires_at", "revoked_at"), STAFF)),
        what=N_("access grant"),
        fixed=frozenset(("automation_execution_id", "feature", "granted_at", "patient_person_id")),
    ),
    "booking_blocks": TableRule(
        insert=STAFF,
        fields=_fields((("lifted_at",), STAFF)),
        what=N_("booking block"),
        fixed=frozenset(("automation_execution_id", "patient_person_id", "reason")),
    ),
    "consents": TableRule(
        insert=STAFF,
        fields=_fields((("required", "granted_at", "revoked_at", "form_instance_id"), EVERYONE)),
        what=N_("consent"),
        fixed=frozenset(("automation_execution_id", "consent_type", "patient_person_id")),
    ),
    "segment_members": TableRule(
        insert=STAFF,
        fields=_fields((("added_at", "removed_at"), STAFF)),
        what=N_("segment membership"),
        fixed=frozenset(("patient_person_id", "segment_id")),
    ),
    "patient_service_plans": TableRule(
        insert=STAFF,
        fields=_fields(
            (("status", "sessions_completed", "completed_at"), STAFF), (("deleted_at",), ADMIN)
        ),
        what=N_("service plan enrolment"),
        fixed=frozenset(("enrolled_at", "patient_person_id", "service_plan_id")),
    ),
    "patient_treatment_plans": TableRule(
        insert=EVERYONE,  # a patient may take a plan themself
        fields=_fields(
            (
                (
                    "status",
                    "start_date",
                    "end_date",
                    "sessions_total",
                    "sessions_completed",
                    "pain_baseline",
                    "pain_latest",
                    "completed_at",
                ),
                EVERYONE,
            ),
            (("deleted_at",), ADMIN),
        ),
        what=N_("treatment plan"),
        fixed=frozenset(
            ("assigned_by_user_id", "patient_person_id", "self_assigned", "treatment_plan_id")
        ),
    ),
    "treatment_sessions": TableRule(
        insert=EVERYONE,
        fields=_fields(
            (("scheduled_on", "completed_at", "pain_level", "duration_minutes"), EVERYONE)
        ),
        what=N_("treatment session"),
        fixed=frozenset(("patient_treatment_plan_id",)),
    ),
    # --- sync bookkeeping --------------------------------------------------------------------
    "sync_conflicts": TableRule(
        insert=NOBODY,  # the server records them
        fields=_fields((("status", "resolution", "resolved_at", "resolved_by_user_id"), STAFF)),
        what=N_("sync conflict"),
        fixed=frozenset(
            (
                "author_user_id",
                "device_id",
                "device_seq",
                "fields",
                "kind",
                "reason",
                "row_id",
                "row_missing",
                "table_name",
            )
        ),
    ),
}


def _who(roles: frozenset[Role]) -> Text:
    """Whom to ask, as the refusal's fix."""
    if roles >= STAFF:
        return T_("a member of staff")
    if roles >= ORGANIZATION_WIDE:
        return T_("the front desk or an admin")
    if Role.ADMIN in roles:
        return T_("an admin")
    return T_("someone whose role allows it")


def write_refusal(
    role: Role, table: str, operation: str, fields: Iterable[str] = ()
) -> Text | None:
    """Why `role` may not make this change to `table`, in plain words with the fix (None: it
    may). `fields`: the fields an update changes (bookkeeping fields are ignored)."""
    rule = WRITE_RULES.get(table)
    if rule is None:
        return T_("This kind of record cannot be changed from a desk.")
    what = Text(rule.what)
    if operation == "insert":
        if role in rule.insert:
            return None
        if not rule.insert:
            return T_("Nobody adds this ({what}) at a desk: the server does.", what=what)
        return T_(
            "You are not allowed to add this ({what}): ask {who} to add it.",
            what=what,
            who=_who(rule.insert),
        )
    refused = sorted(
        name for name in set(fields) - BOOKKEEPING if role not in rule.fields.get(name, NOBODY)
    )
    if not refused:
        return None
    allowed = rule.fields.get(refused[0], NOBODY)
    if not allowed:
        return T_(
            "Nobody can change this at a desk ({what}: {fields}); it is kept as it was made.",
            what=what,
            fields=tuple(field_name(name) for name in refused),
        )
    if refused == ["deleted_at"]:
        return T_(
            "You are not allowed to remove this ({what}): ask {who} to remove it.",
            what=what,
            who=_who(allowed),
        )
    return T_(
        "You are not allowed to change this ({what}: {fields}): ask {who} to change it.",
        what=what,
        fields=tuple(field_name(name) for name in refused),
        who=_who(allowed),
    )


def specialist_row_refusal(
    table: str,
    specialist_id: uuid.UUID | None,
    row_specialists: Iterable[uuid.UUID | None],
) -> Text | None:
    """Why a specialist may not write this row (None: they may). `row_specialists`: the
    specialist of each appointment the row belongs to, before and after the change (none for
    a row on no appointment)."""
    rule = WRITE_RULES.get(table)
    if rule is None or rule.scope == RowScope.ANY:
        return None
    owners = set(row_specialists) - {None}
    if not owners or owners == {specialist_id}:
        return None
    return T_(
        "You are not allowed to change this ({what}): a specialist changes only what belongs "
        "to their own appointments; ask the front desk to do it.",
        what=Text(rule.what),
    )
