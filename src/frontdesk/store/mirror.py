"""Opening a profile's local mirror: key, encrypted engine, schema upgrade, device identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.ids import new_id
from frontdesk.store.engine import mirror_engine, session_factory
from frontdesk.store.keys import MirrorKey, load_or_create_key
from frontdesk.store.migrate import upgrade_mirror
from frontdesk.store.models import LocalSetting
from frontdesk.store.profile import Profile
from frontdesk.store.unit_of_work import DEVICE_SETTING


@dataclass(frozen=True)
class Mirror:
    profile: Profile
    engine: Engine
    sessions: sessionmaker[Session]
    key_storage: str
    device_id: uuid.UUID

    def close(self) -> None:
        self.engine.dispose()


def prepare_database(engine: Engine) -> uuid.UUID:
    """Upgrade the schema and make sure this database has a device identity; return it."""
    upgrade_mirror(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        device = session.execute(
            select(LocalSetting).where(LocalSetting.key == DEVICE_SETTING)
        ).scalar_one_or_none()
        if device is None:
            device = LocalSetting(
                key=DEVICE_SETTING, value={"device_id": str(new_id()), "next_seq": 1}
            )
            session.add(device)
        return uuid.UUID(device.value["device_id"])


def open_mirror(profile: Profile, key: MirrorKey | None = None) -> Mirror:
    key = key or load_or_create_key(profile.home)
    engine = mirror_engine(profile.prepare_mirror_file(), key)
    device_id = prepare_database(engine)
    return Mirror(profile, engine, session_factory(engine), key.storage, device_id)
