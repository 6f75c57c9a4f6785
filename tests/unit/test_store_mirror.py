from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select

from frontdesk.domain.errors import NotFound
from frontdesk.services import catalog
from frontdesk.store.keys import KEY_FILE_NAME, KEYRING_SERVICE
from frontdesk.store.mirror import open_mirror
from frontdesk.store.models import AuditEntry, OutboxMutation, Specialist
from frontdesk.store.profile import Profile
from tests.support.clinic import Clinic


def test_mirror_file_is_encrypted_and_key_lives_in_keyring(tmp_path: Path) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    mirror = open_mirror(profile)
    mirror.close()
    assert mirror.key_storage == "keyring"
    assert keyring.get_password(KEYRING_SERVICE, str(profile.home.resolve()))
    plain = sqlite3.connect(profile.mirror_path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("select count(*) from organizations").fetchall()


def test_reopening_keeps_device_identity(tmp_path: Path) -> None:
    profile = Profile.resolve(tmp_path / "desk")
    first = open_mirror(profile)
    first.close()
    second = open_mirror(profile)
    assert second.device_id == first.device_id


def test_without_a_keyring_the_key_goes_to_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())
    profile = Profile.resolve(tmp_path / "desk")
    mirror = open_mirror(profile)
    mirror.close()
    key_file = profile.home / KEY_FILE_NAME
    assert mirror.key_storage == "file"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert open_mirror(profile).device_id == mirror.device_id


def test_every_write_appends_outbox_and_audit_in_order(clinic: Clinic) -> None:
    with clinic.ctx.sessions() as session:
        before = session.scalar(select(func.max(OutboxMutation.device_seq)))
    outcome = catalog.add_specialist(clinic.ctx, name="Dr New", specialty="osteopathy")
    with clinic.ctx.sessions() as session:
        rows = session.scalars(
            select(OutboxMutation).where(OutboxMutation.device_seq > before)
        ).all()
        assert [(r.table_name, r.operation) for r in rows] == [("specialists", "insert")]
        assert rows[0].changed["specialty"] == "osteopathy"
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "specialist.added")
            )
            == 3
        )
    assert outcome.changes.created["specialists"] == {outcome.value.id}


def test_failed_call_writes_nothing(clinic: Clinic) -> None:
    with clinic.ctx.sessions() as session:
        count = session.scalar(select(func.count()).select_from(Specialist))
        outbox = session.scalar(select(func.count()).select_from(OutboxMutation))
    with pytest.raises(NotFound, match="no form template “missing”"):
        catalog.add_calendar(clinic.ctx, name="Bad", form_keys=["intake", "missing"])
    with clinic.ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Specialist)) == count
        assert session.scalar(select(func.count()).select_from(OutboxMutation)) == outbox


def test_template_reference_numbers_are_kept_across_versions_and_unique(clinic: Clinic) -> None:
    from frontdesk.domain.enums import FormType
    from frontdesk.domain.errors import InvalidInput, NotFound
    from frontdesk.services.references import resolve_form_template

    fields = [{"key": "agree", "label": "Agree", "type": "boolean", "required": True}]
    first = catalog.add_form_template(
        clinic.ctx,
        key="gdpr",
        title="GDPR",
        form_type=FormType.DISCLAIMER,
        fields=fields,
        reference=42,
    ).value
    second = catalog.add_form_template(
        clinic.ctx, key="gdpr", title="GDPR v2", form_type=FormType.DISCLAIMER, fields=fields
    ).value
    assert second.reference == 42
    with pytest.raises(InvalidInput, match="Number 42 is used by “gdpr” already"):
        catalog.add_form_template(
            clinic.ctx,
            key="other",
            title="Other",
            form_type=FormType.SURVEY,
            fields=fields,
            reference=42,
        )
    with clinic.ctx.sessions() as session:
        org = clinic.organization_id
        assert resolve_form_template(session, org, 42, field="f").id == second.id
        assert resolve_form_template(session, org, str(first.id), field="f").id == second.id
        assert resolve_form_template(session, org, "gdpr", field="f").id == second.id
        with pytest.raises(NotFound, match="no form template “999”") as missing:
            resolve_form_template(session, org, 999, field="actions[0].form_template_id")
        assert missing.value.field == "actions[0].form_template_id"
