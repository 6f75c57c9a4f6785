"""The request's database session, inside a transaction scoped to the caller's organization.

Use `OrgSession` in handlers: its transaction commits when the handler returns, before the
response is sent, so a client never sees success for a commit that failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from frontdesk.server.auth import Principal, current_principal, proven_device
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.state import ServerState, server_state


def principal_scope(principal: Principal) -> Scope:
    return Scope(
        organization_id=principal.organization_id,
        role=principal.role.value,
        user_id=principal.user_id,
    )


def org_session(
    state: Annotated[ServerState, Depends(server_state)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> Iterator[Session]:
    """A session in one transaction with `app.organization_id`, `app.role` and `app.user_id`
    set from the token; committed at the end, rolled back on an error."""
    sessions = scoped_sessions(state.database.engine, principal_scope(principal))
    with sessions.begin() as session:
        yield session


OrgSession = Annotated[Session, Depends(org_session, scope="function")]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
# Push and pull: the session's device also proved itself with its key.
DevicePrincipal = Annotated[Principal, Depends(proven_device)]
