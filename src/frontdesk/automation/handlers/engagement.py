"""Handlers for the access-control and segment actions: block_booking, grant_access,
require_consent and update_segment.

Each works through its service inside the execution's transaction, and every row it creates
takes its id from `run.row_id()`, so an occurrence that runs twice blocks, grants, asks and
adds once.
"""

from __future__ import annotations

import uuid

from frontdesk.automation.handlers.base import ActionResult, ActionRun, handles
from frontdesk.automation.handlers.support import patient_id, text
from frontdesk.automation.keys import action_field, execution_id_for
from frontdesk.domain.enums import FormSource
from frontdesk.domain.rules.actions import BlockBooking, GrantAccess, RequireConsent, UpdateSegment
from frontdesk.services.access_grants import grant_access_in
from frontdesk.services.booking_blocks import block_booking_in
from frontdesk.services.consents import give_through_form, is_given, require_consent_in
from frontdesk.services.forms import add_form
from frontdesk.services.references import resolve_form_template, resolve_segment
from frontdesk.services.segments import add_member_in, remove_member_in
from frontdesk.store.models import Consent


@handles("block_booking")
def block_booking(run: ActionRun) -> ActionResult:
    """Booking is refused until staff lift the block (services.blocking)."""
    action = run.action
    assert isinstance(action, BlockBooking)
    block = block_booking_in(
        run.tx,
        patient_id(run),
        text(run, action.reason, "reason"),
        block_id=run.row_id(),
        automation_execution_id=execution_id_for(run.execution_key),
    )
    return ActionResult("success", {"booking_block_id": str(block.id)})


@handles("grant_access")
def grant_access(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, GrantAccess)
    grant = grant_access_in(
        run.tx,
        patient_id(run),
        action.feature,
        duration_days=action.duration_days,
        grant_id=run.row_id(),
        automation_execution_id=execution_id_for(run.execution_key),
    )
    expires = grant.expires_at.isoformat() if grant.expires_at else None
    return ActionResult(
        "success",
        {"access_grant_id": str(grant.id), "feature": grant.feature, "expires_at": expires},
    )


@handles("require_consent")
def require_consent(run: ActionRun) -> ActionResult:
    """A required consent blocks booking until given. With `form_template_id`, the patient
    is also asked for that form, and signing it gives the consent."""
    action = run.action
    assert isinstance(action, RequireConsent)
    consent = require_consent_in(
        run.tx,
        patient_id(run),
        action.consent_type,
        consent_id=run.row_id(),
        automation_execution_id=execution_id_for(run.execution_key),
    )
    details = {"consent_id": str(consent.id), "consent_type": consent.consent_type}
    if action.form_template_id is not None and not is_given(consent):
        details["form_id"] = str(_ask_through_form(run, action, consent))
    return ActionResult("success", details)


def _ask_through_form(run: ActionRun, action: RequireConsent, consent: Consent) -> uuid.UUID:
    if consent.form_instance_id is not None:
        return consent.form_instance_id
    assert action.form_template_id is not None
    template = resolve_form_template(
        run.tx.session,
        run.tx.organization_id,
        action.form_template_id,
        field=action_field(run.action_path, "form_template_id"),
    )
    form = add_form(
        run.tx,
        template_key=template.template_key,
        patient_person_id=consent.patient_person_id,
        source=FormSource.AUTOMATION,
        # The consent blocks booking already; a blocking form would list it twice.
        blocking=False,
        form_id=run.row_id(":form"),
        automation_execution_id=execution_id_for(run.execution_key),
    )
    give_through_form(run.tx, consent, form)
    return form.id


@handles("update_segment")
def update_segment(run: ActionRun) -> ActionResult:
    action = run.action
    assert isinstance(action, UpdateSegment)
    segment = resolve_segment(
        run.tx.session,
        run.tx.organization_id,
        action.segment_id,
        field=action_field(run.action_path, "segment_id"),
    )
    person_id = patient_id(run)
    if action.action == "add":
        _member, changed = add_member_in(run.tx, segment, person_id, member_id=run.row_id())
    else:
        changed = remove_member_in(run.tx, segment, person_id) is not None
    return ActionResult(
        "success",
        {
            "segment_id": str(segment.id),
            "segment_reference": segment.reference,
            "action": action.action,
            "changed": changed,
        },
    )
