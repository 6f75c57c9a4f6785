"""Multi-session service plans and treatment plans, with patients' enrolments in them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.domain.enums import (
    EnrolmentStatus,
    PatientPlanStatus,
    TreatmentPlanStatus,
    TreatmentPlanType,
)
from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class ServicePlan(OrgOwned, SoftDeletable, Base):
    __tablename__ = "service_plans"

    name: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    session_count: Mapped[int] = mapped_column(Integer)
    has_exercise_tracking: Mapped[bool] = mapped_column(default=False)
    price_cents: Mapped[int | None] = mapped_column(Integer, default=None)


class PatientServicePlan(OrgOwned, SoftDeletable, Base):
    """A patient's enrolment in a service plan ("session 3 of 10")."""

    __tablename__ = "patient_service_plans"

    service_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_plans.id"))
    patient_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_persons.id"), index=True
    )
    status: Mapped[EnrolmentStatus] = mapped_column(String(20), default=EnrolmentStatus.ACTIVE)
    enrolled_at: Mapped[datetime]
    sessions_completed: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class TreatmentPlan(OrgOwned, SoftDeletable, Base):
    __tablename__ = "treatment_plans"
    __table_args__ = (UniqueConstraint("organization_id", "reference"),)

    # The short number rules may cite ("treatment_plan_id": 7), as segments and forms have.
    reference: Mapped[int | None] = mapped_column(Integer, default=None)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[TreatmentPlanType] = mapped_column(String(20))
    status: Mapped[TreatmentPlanStatus] = mapped_column(
        String(20), default=TreatmentPlanStatus.DRAFT
    )
    specialist_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("specialists.id"), default=None
    )
    requires_approval: Mapped[bool] = mapped_column(default=False)
    frequency_per_week: Mapped[int] = mapped_column(Integer, default=3)
    duration_weeks: Mapped[int] = mapped_column(Integer, default=6)
    session_estimated_minutes: Mapped[int] = mapped_column(Integer, default=20)
    followup_service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id"), default=None
    )


class PatientTreatmentPlan(OrgOwned, SoftDeletable, Base):
    __tablename__ = "patient_treatment_plans"

    treatment_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_plans.id"))
    patient_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_persons.id"), index=True
    )
    status: Mapped[PatientPlanStatus] = mapped_column(
        String(20), default=PatientPlanStatus.ASSIGNED
    )
    self_assigned: Mapped[bool] = mapped_column(default=False)
    assigned_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )
    start_date: Mapped[date]
    end_date: Mapped[date]
    sessions_total: Mapped[int] = mapped_column(Integer)
    sessions_completed: Mapped[int] = mapped_column(Integer, default=0)
    pain_baseline: Mapped[float | None] = mapped_column(Float, default=None)
    pain_latest: Mapped[float | None] = mapped_column(Float, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class TreatmentSession(OrgOwned, Base):
    """One scheduled session of a patient's treatment plan."""

    __tablename__ = "treatment_sessions"

    patient_treatment_plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_treatment_plans.id"), index=True
    )
    scheduled_on: Mapped[date]
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    pain_level: Mapped[float | None] = mapped_column(Float, default=None)
    duration_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
