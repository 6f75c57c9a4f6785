"""Names derived from an execution key, the same on every desk: the execution's own id, the
JSON path of an action for error messages, and the claim key of a message."""

from __future__ import annotations

import uuid
from functools import lru_cache

from frontdesk.domain.ids import derived_id


@lru_cache(maxsize=1024)  # asked for by the execution and each of its actions' rows
def execution_id_for(execution_key: str) -> uuid.UUID:
    """The id of the execution row of `execution_key` (rows created by its actions point at
    it, and two desks running the same occurrence give it the same id)."""
    return derived_id(execution_key, "execution")


def action_field(action_path: str, name: str = "") -> str:
    """The JSON path of an action's key: ("1.action", "email_template") →
    "actions[1].action.email_template"."""
    first, *rest = action_path.split(".")
    parts = [f"actions[{first}]", *rest]
    if name:
        parts.append(name)
    return ".".join(parts)


def message_claim_key(idempotency_key: str) -> str:
    """The claim key of an outbound message: one node (server or desk) hands it over."""
    return f"message:{idempotency_key}"
