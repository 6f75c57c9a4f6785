"""Signed forms stay sealed through sync: a signature never merges with unseen changes."""

from __future__ import annotations

from frontdesk.domain.enums import FormStatus, FormType, Role
from frontdesk.services import catalog, conflicts, forms
from frontdesk.services.forms import verify_signature
from frontdesk.store.models import FormInstance
from tests.sync.conftest import Clinic, Desk, DeskFactory, seed_catalog
from tests.sync.snapshots import differences, mirror_snapshot, server_snapshot

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1 C 5 9, 9 1, 14 8"/></svg>'
FIELDS = [
    {"key": "agree", "label": "I agree", "type": "boolean", "required": True},
    {"key": "notes", "label": "Notes", "type": "textarea"},
]


def _completed_form(front: Desk, back: Desk) -> FormInstance:
    seeded = seed_catalog(front)
    catalog.add_form_template(
        front.ctx, key="consent", title="Consent", form_type=FormType.DISCLAIMER, fields=FIELDS
    )
    form = forms.create_form(
        front.ctx, template_key="consent", patient_person_id=seeded.patient_ids[0]
    ).value
    forms.save_values(front.ctx, form.id, {"agree": True, "notes": "first"})
    forms.complete(front.ctx, form.id)
    front.sync()
    back.sync()
    return form


def _form(desk: Desk, form: FormInstance) -> FormInstance:
    with desk.mirror.sessions() as session:
        found = session.get(FormInstance, form.id)
        assert found is not None
        return found


def test_a_signature_made_over_content_changed_elsewhere_is_refused(
    make_desk: DeskFactory, sync_clinic: Clinic
) -> None:
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    form = _completed_form(front, back)

    # Offline: one desk corrects the answers, the other has the patient sign its copy.
    forms.save_values(front.ctx, form.id, {"notes": "corrected at the front"})
    forms.sign(back.ctx, form.id, signer_name="Patient Zero", signature_svg=SVG)
    front.sync()
    report = back.sync()
    front.sync()

    [refusal] = [c for c in report.conflicts if c.row_id == form.id]
    assert refusal.kind == "rejected"
    assert "changed at another desk before it was signed here" in refusal.reason
    server = server_snapshot(sync_clinic.server.database.engine, sync_clinic.organization_id)
    assert server["form_instances"][str(form.id)]["status"] == FormStatus.COMPLETED
    assert server["form_instances"][str(form.id)]["values"]["notes"] == "corrected at the front"
    # The signature is not lost: it waits in the conflict, and every copy is the server's.
    [open_one] = [c for c in conflicts.list_open(back.ctx) if c.row_id == form.id]
    assert {f.name: f.mine for f in open_one.fields}["signer_name"] == "Patient Zero"
    assert differences(mirror_snapshot(back.mirror.sessions), server) == []
    assert differences(mirror_snapshot(front.mirror.sessions), server) == []


def test_a_signed_form_arrives_sealed_and_stays_so(make_desk: DeskFactory) -> None:
    front = make_desk("front", Role.ADMIN)
    back = make_desk("back")
    form = _completed_form(front, back)
    forms.sign(front.ctx, form.id, signer_name="Patient Zero", signature_svg=SVG)
    front.sync()
    back.sync()

    copy = _form(back, form)
    assert copy.status == FormStatus.SIGNED
    assert verify_signature(copy)

    # A late edit from a desk that had not seen the signature is refused, not merged.
    with back.mirror.engine.begin() as connection:  # as if it had missed the signature
        connection.exec_driver_sql(
            "UPDATE form_instances SET status = 'completed' WHERE id = ?", (form.id.hex,)
        )
    forms.save_values(back.ctx, form.id, {"notes": "too late"})
    report = back.sync()
    assert [c.kind for c in report.conflicts] == ["rejected"]
    again = _form(back, form)
    assert again.status == FormStatus.SIGNED
    assert again.values["notes"] == "first"
    assert verify_signature(again)
