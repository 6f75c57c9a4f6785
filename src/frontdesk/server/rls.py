"""Row-level security: the SQL of the policies, shared by the migrations that create tables.

Every request runs in a transaction whose settings (`set_config(..., true)`, so they end with
the transaction) say which organization it acts for. Policies compare rows with them; with no
setting nothing is visible. A table with an `organization_id` column gets `org_isolation`;
organizations, users and credentials have their own rules (see `docs/server.md`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

# Settings a transaction may carry (names of `current_setting`).
ORGANIZATION_SETTING = "app.organization_id"
ROLE_SETTING = "app.role"
USER_SETTING = "app.user_id"
LOGIN_USER_SETTING = "app.login_user_id"  # during sign-in: the account being checked
LOGIN_EMAIL_SETTING = "app.login_email"  # during sign-in / account creation: the address
PUBLIC_SLUG_SETTING = "app.public_slug"  # the public booking page: the organization's slug
ENGINE_ROLE = "engine"  # `app.role` of the server's automation engine

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION app_setting(name text) RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting(name, true), '') $$;
CREATE OR REPLACE FUNCTION app_organization_id() RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT app_setting('app.organization_id')::uuid $$;
CREATE OR REPLACE FUNCTION app_user_id() RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT app_setting('app.user_id')::uuid $$;
CREATE OR REPLACE FUNCTION app_login_user_id() RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT app_setting('app.login_user_id')::uuid $$;
"""

DROP_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS app_login_user_id();
DROP FUNCTION IF EXISTS app_user_id();
DROP FUNCTION IF EXISTS app_organization_id();
DROP FUNCTION IF EXISTS app_setting(text);
"""


def _secure(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
    ]


def org_owned_policy_sql(table: str) -> list[str]:
    """RLS for one table with an `organization_id` column: rows of the request's organization
    only, for reading and writing alike."""
    return [
        *_secure(table),
        f"CREATE POLICY org_isolation ON {table} "
        "USING (organization_id = app_organization_id()) "
        "WITH CHECK (organization_id = app_organization_id())",
    ]


def enable_org_rls(connection: Connection, tables: Iterable[str]) -> None:
    """For migrations that add org-owned tables (the sync revision too)."""
    for table in tables:
        for statement in org_owned_policy_sql(table):
            connection.execute(text(statement))


SPECIAL_POLICIES_SQL = [
    # Organizations: the request's own; one found by slug for the public page; during sign-in,
    # the ones the account is a member of.
    *_secure("organizations"),
    "CREATE POLICY own_organization ON organizations "
    "USING (id = app_organization_id()) WITH CHECK (id = app_organization_id())",
    "CREATE POLICY public_page ON organizations FOR SELECT "
    "USING (slug = app_setting('app.public_slug'))",
    "CREATE POLICY sign_in ON organizations FOR SELECT "
    "USING (id IN (SELECT organization_id FROM memberships WHERE user_id = app_login_user_id()))",
    # The server's automation engine lists the organizations, then works in each one's scope.
    f"CREATE POLICY engine_listing ON organizations FOR SELECT "
    f"USING (app_setting('app.role') = '{ENGINE_ROLE}')",
    # Memberships during sign-in: the account's own (any organization).
    "CREATE POLICY sign_in ON memberships FOR SELECT USING (user_id = app_login_user_id())",
    # Users are shared by organizations: visible when they belong to the request's one (staff
    # or patient), are the requester, or are being signed in / created by address.
    *_secure("users"),
    "CREATE POLICY visible_users ON users "
    "USING (id = app_user_id() OR id = app_login_user_id() "
    "OR lower(email) = lower(app_setting('app.login_email')) "
    "OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id) "
    "OR EXISTS (SELECT 1 FROM patient_persons p WHERE p.user_id = users.id))",
    "CREATE POLICY new_users ON users FOR INSERT WITH CHECK (true)",
    # Password hashes: only the account being signed in or acted for.
    *_secure("credentials"),
    "CREATE POLICY own_credential ON credentials "
    "USING (user_id IN (app_user_id(), app_login_user_id())) "
    "WITH CHECK (user_id IN (app_user_id(), app_login_user_id()))",
    # Node-local bookkeeping (a desk's device id; the server engine's per-organization marks,
    # whose keys name the organization): only the server's automation engine uses it.
    *_secure("local_settings"),
    f"CREATE POLICY engine_only ON local_settings "
    f"USING (app_setting('app.role') = '{ENGINE_ROLE}') "
    f"WITH CHECK (app_setting('app.role') = '{ENGINE_ROLE}')",
]

# Where an account signed in from (migration 0007): like its password hash, only while that
# account is being signed in or acts.
SIGN_IN_SOURCES_POLICY_SQL = [
    *_secure("sign_in_sources"),
    "CREATE POLICY own_sources ON sign_in_sources "
    "USING (user_id IN (app_user_id(), app_login_user_id())) "
    "WITH CHECK (user_id IN (app_user_id(), app_login_user_id()))",
]

ACTIVE_APPOINTMENT_STATUSES = ("booked", "upcoming", "confirmed", "inprogress")

NO_OVERLAP_SQL = (
    "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap "
    "EXCLUDE USING gist (specialist_id WITH =, tstzrange(started_at, ended_at) WITH &&) "
    "WHERE (status IN ({statuses}) AND deleted_at IS NULL "
    "AND double_booking_override_reason IS NULL)"
).format(statuses=", ".join(f"'{s}'" for s in ACTIVE_APPOINTMENT_STATUSES))
NO_OVERLAP_CONSTRAINT = "ex_appointments_no_overlap"
