"""Automation rules, their executions, and the durable timers of time-based triggers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class AutomationRule(OrgOwned, SoftDeletable, Base):
    """A rule as the specification's table has it, plus `definition`: the document exactly as
    written (keys left out stay out), which export gives back and the engine parses for the
    keys beyond the specification (`on_failure`, `misfire`). Deleting is a tombstone, since
    executions keep pointing at their rule."""

    __tablename__ = "automation_rules"
    __table_args__ = (Index("ix_automation_rules_trigger", "organization_id", "trigger_event"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    enabled: Mapped[bool] = mapped_column(default=True)
    trigger_event: Mapped[str] = mapped_column(String(60))
    trigger_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actions: Mapped[list[Any]] = mapped_column(default=list)
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    execution_count: Mapped[int] = mapped_column(Integer, default=0)
    last_executed_at: Mapped[datetime | None] = mapped_column(default=None)


class AutomationExecution(OrgOwned, Base):
    __tablename__ = "automation_executions"

    automation_rule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("automation_rules.id"), index=True
    )
    # (rule, event) or (rule, subject, occurrence): UNIQUE, so an occurrence runs once.
    execution_key: Mapped[str] = mapped_column(String(300), unique=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    trigger_event: Mapped[str] = mapped_column(String(60))
    trigger_entity_type: Mapped[str | None] = mapped_column(String(50), default=None)
    trigger_entity_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20))
    actions_executed: Mapped[list[Any]] = mapped_column(default=list)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    trace: Mapped[dict[str, Any]] = mapped_column(default=dict)
    executed_at: Mapped[datetime]


class Timer(OrgOwned, Base):
    """A durable wake-up: APScheduler only wakes the engine; this row is the truth."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at_utc"),)

    automation_rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("automation_rules.id"))
    rule_version: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str | None] = mapped_column(String(50), default=None)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    occurrence_key: Mapped[str] = mapped_column(String(300), unique=True)
    due_at_utc: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
