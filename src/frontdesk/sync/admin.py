"""An administrator's calls from the desk (`/v1/admin`): the organization's desks, revoking
one, deactivating an account. The server refuses them (403) for any other role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.i18n.text import T_
from frontdesk.sync.account import Account
from frontdesk.sync.transport import raise_for_answer


@dataclass(frozen=True)
class DeviceInfo:
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    label: str
    registered_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> DeviceInfo:
        revoked = data.get("revoked_at")
        return cls(
            id=uuid.UUID(data["id"]),
            user_id=uuid.UUID(data["user_id"]),
            email=str(data["email"]),
            label=str(data["label"]),
            registered_at=datetime.fromisoformat(data["registered_at"]),
            last_seen_at=datetime.fromisoformat(data["last_seen_at"]),
            revoked_at=datetime.fromisoformat(revoked) if revoked else None,
        )


def list_devices(account: Account) -> list[DeviceInfo]:
    response = account.request("GET", "/v1/admin/devices")
    raise_for_answer(response, T_("Listing the devices"))
    return [DeviceInfo.of(row) for row in response.json()]


def revoke_device(account: Account, device_id: uuid.UUID) -> DeviceInfo:
    response = account.request("POST", f"/v1/admin/devices/{device_id}/revoke")
    raise_for_answer(response, T_("Revoking the device"))
    return DeviceInfo.of(response.json())


def deactivate_user(account: Account, user_id: uuid.UUID) -> None:
    response = account.request("POST", f"/v1/admin/users/{user_id}/deactivate")
    raise_for_answer(response, T_("Deactivating the account"))
