"""`POST /v1/claims`: a desk asks which automation occurrences it may run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StringConstraints

from frontdesk.server.claims import claim
from frontdesk.server.deps import CurrentPrincipal, OrgSession
from frontdesk.server.state import ServerState, server_state
from frontdesk.server.tokens import Principal

router = APIRouter(prefix="/v1/claims", tags=["automation"])

ExecutionKey = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class ClaimsIn(BaseModel):
    keys: list[ExecutionKey] = Field(max_length=500)


class ClaimsOut(BaseModel):
    granted: list[str]
    taken: list[str]


def node_of(principal: Principal) -> str:
    """A desk is named by its device (a user on two desks has two nodes)."""
    if principal.device_id is not None:
        return f"device:{principal.device_id}"
    return f"user:{principal.user_id}"


@router.post("", responses={401: {"description": "No valid access token"}})
def claim_occurrences(
    body: ClaimsIn,
    principal: CurrentPrincipal,
    session: OrgSession,
    state: Annotated[ServerState, Depends(server_state)],
) -> ClaimsOut:
    """Claim occurrences before running them: `granted` ones are this desk's to run (claimed
    now or by it before); `taken` ones ran or run elsewhere."""
    granted = claim(
        session, principal.organization_id, body.keys, node=node_of(principal), clock=state.clock
    )
    return ClaimsOut(granted=sorted(granted), taken=sorted(set(body.keys) - granted))
