"""What the specification's nine example rules cite, created through the services: form
templates with the reference numbers 42, 43, 50, 51, 60, 61, 70 and 72, and segments 15 and
20. (Their message templates are the defaults shipped in resources/messages/.)"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.domain.enums import FormType
from frontdesk.services import catalog, segments
from frontdesk.services.context import ServiceContext
from tests.support.clinic import Clinic

EXAMPLE_FORM_TEMPLATES: dict[int, tuple[str, str, FormType, bool]] = {
    42: ("privacy_policy", "Privacy Policy & GDPR Consent", FormType.DISCLAIMER, True),
    43: ("terms_of_service", "Terms of Service", FormType.DISCLAIMER, True),
    50: ("video_consent", "Video Recording Consent", FormType.DISCLAIMER, True),
    51: ("medical_history", "Medical History Questionnaire", FormType.SURVEY, False),
    60: ("biometric_consent", "Biometric Data Consent", FormType.DISCLAIMER, True),
    61: ("baseline_assessment", "Baseline Assessment", FormType.SURVEY, False),
    70: (
        "pose_tracking_consent",
        "Biometric Data Consent (pose tracking)",
        FormType.DISCLAIMER,
        True,
    ),
    72: ("outcome_assessment", "Post-Treatment Outcome Assessment", FormType.SURVEY, False),
}
EXAMPLE_SEGMENTS: dict[int, str] = {15: "Birthday This Month", 20: "Completed Rehab"}


@dataclass(frozen=True)
class ExampleCatalog:
    form_templates: dict[int, uuid.UUID]
    segments: dict[int, uuid.UUID]


def _fields(form_type: FormType) -> list[dict[str, object]]:
    if form_type == FormType.DISCLAIMER:
        return [{"key": "agree", "label": "I agree", "type": "boolean", "required": True}]
    return [{"key": "notes", "label": "Notes", "type": "textarea"}]


def create_example_catalog(clinic: Clinic, *, skip: tuple[int, ...] = ()) -> ExampleCatalog:
    """Everything the examples cite, except the reference numbers in `skip`."""
    setup: ServiceContext = clinic.as_(clinic.admin)
    forms = {
        reference: catalog.add_form_template(
            setup,
            key=key,
            title=title,
            form_type=form_type,
            blocking=blocking,
            fields=_fields(form_type),
            reference=reference,
        ).value.id
        for reference, (key, title, form_type, blocking) in EXAMPLE_FORM_TEMPLATES.items()
        if reference not in skip
    }
    groups = {
        reference: segments.create_segment(setup, name, reference=reference).value.id
        for reference, name in EXAMPLE_SEGMENTS.items()
        if reference not in skip
    }
    return ExampleCatalog(forms, groups)
