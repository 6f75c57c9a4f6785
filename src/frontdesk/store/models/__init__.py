"""Every table of the schema. Import from here so the metadata is complete."""

from frontdesk.store.models.appointments import Appointment, AppointmentStatusChange, Review
from frontdesk.store.models.automation import AutomationExecution, AutomationRule, Timer
from frontdesk.store.models.catalog import (
    Calendar,
    CalendarForm,
    FormTemplate,
    Service,
    ServiceForm,
    ServiceSpecialist,
)
from frontdesk.store.models.engagement import (
    AccessGrant,
    Alert,
    BookingBlock,
    Consent,
    MessageTemplate,
    Notification,
    OutboundMessage,
    Segment,
    SegmentMember,
)
from frontdesk.store.models.forms import FormInstance
from frontdesk.store.models.hours import ClosedDay, HoursOverride, WorkingHours
from frontdesk.store.models.journal import (
    AnalyticsEvent,
    AuditEntry,
    DomainEvent,
    LocalSetting,
    OutboxMutation,
)
from frontdesk.store.models.organizations import Membership, Organization, Specialist, User
from frontdesk.store.models.people import Patient, PatientPerson
from frontdesk.store.models.plans import (
    PatientServicePlan,
    PatientTreatmentPlan,
    ServicePlan,
    TreatmentPlan,
    TreatmentSession,
)
from frontdesk.store.models.sync import SyncConflict

__all__ = [
    "AccessGrant",
    "Alert",
    "AnalyticsEvent",
    "Appointment",
    "AppointmentStatusChange",
    "AuditEntry",
    "AutomationExecution",
    "AutomationRule",
    "BookingBlock",
    "Calendar",
    "CalendarForm",
    "ClosedDay",
    "Consent",
    "DomainEvent",
    "FormInstance",
    "FormTemplate",
    "HoursOverride",
    "LocalSetting",
    "Membership",
    "MessageTemplate",
    "Notification",
    "Organization",
    "OutboundMessage",
    "OutboxMutation",
    "Patient",
    "PatientPerson",
    "PatientServicePlan",
    "PatientTreatmentPlan",
    "Review",
    "Segment",
    "SegmentMember",
    "Service",
    "ServiceForm",
    "ServicePlan",
    "ServiceSpecialist",
    "Specialist",
    "SyncConflict",
    "Timer",
    "TreatmentPlan",
    "TreatmentSession",
    "User",
    "WorkingHours",
]
