"""Sessions whose transactions carry the request's row-level-security settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.server import rls
from frontdesk.store.guards import install_guards


@dataclass(frozen=True)
class Scope:
    """What a transaction may see. Unset fields are empty settings (which match nothing)."""

    organization_id: uuid.UUID | None = None
    role: str | None = None
    user_id: uuid.UUID | None = None
    login_user_id: uuid.UUID | None = None
    login_email: str | None = None
    public_slug: str | None = None

    def settings(self) -> dict[str, str]:
        values = {
            rls.ORGANIZATION_SETTING: self.organization_id,
            rls.ROLE_SETTING: self.role,
            rls.USER_SETTING: self.user_id,
            rls.LOGIN_USER_SETTING: self.login_user_id,
            rls.LOGIN_EMAIL_SETTING: self.login_email,
            rls.PUBLIC_SLUG_SETTING: self.public_slug,
        }
        return {name: "" if value is None else str(value) for name, value in values.items()}


_APPLY = text(
    "SELECT "
    + ", ".join(f"set_config('{name}', :v{i}, true)" for i, name in enumerate(Scope().settings()))
)


class ScopedSession(Session):
    """A session that applies `info["scope"]` at the start of every transaction."""


@event.listens_for(ScopedSession, "after_begin")
def _apply_scope(session: Session, _transaction: Any, connection: Any) -> None:
    apply_scope(connection, session.info["scope"])


def apply_scope(connection: Any, scope: Scope) -> None:
    """Set `scope` on the connection's current transaction (for Core work without a session,
    such as the per-request access check)."""
    values = scope.settings()
    connection.execute(_APPLY, {f"v{i}": value for i, value in enumerate(values.values())})


def scoped_sessions(engine: Engine, scope: Scope) -> sessionmaker[Session]:
    """Sessions (with the store's guards) whose every transaction acts within `scope`."""
    sessions = sessionmaker(
        engine, class_=ScopedSession, info={"scope": scope}, expire_on_commit=False
    )
    install_guards(sessions)
    return sessions
