"""Alerts: things an admin must look at (a low rating, a loop-guard trip, a failed delivery),
raised by other services inside their own transaction and acknowledged by an admin."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from frontdesk.domain.enums import AlertKind, Role
from frontdesk.domain.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.events import DeskEventName
from frontdesk.domain.ids import new_id
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.models import Alert
from frontdesk.store.unit_of_work import Actor, UnitOfWork, to_json_value

SEVERITIES = ("info", "warning", "critical")
TITLE_MAX = 300


def raise_alert(
    tx: UnitOfWork,
    *,
    kind: AlertKind,
    title: str,
    body: str = "",
    severity: str = "warning",
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> Alert:
    """Add an alert in the caller's transaction and announce it (`alert.raised`)."""
    if severity not in SEVERITIES:
        raise InvalidInput.single("severity", f"use one of {', '.join(SEVERITIES)}")
    alert = Alert(
        id=new_id(),
        organization_id=tx.organization_id,
        kind=AlertKind(kind),
        severity=severity,
        # An alert must never fail the work that raises it: an over-long title is shortened.
        title=_shorten(title.strip() or str(kind), TITLE_MAX),
        body=body,
        subject_type=subject_type,
        subject_id=subject_id,
        details={key: to_json_value(value) for key, value in (details or {}).items()},
    )
    tx.session.add(alert)
    tx.emit(
        DeskEventName.ALERT_RAISED,
        "alert",
        alert.id,
        {
            "alert_id": alert.id,
            "kind": alert.kind,
            "severity": severity,
            "subject_type": subject_type,
            "subject_id": subject_id,
        },
    )
    tx.audit("alert.raised", "alert", alert.id, {"kind": alert.kind, "severity": severity})
    return alert


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def acknowledge(ctx: ServiceContext, alert_id: uuid.UUID) -> Outcome[Alert]:
    """An admin has looked at the alert: record who and when. Only once."""
    _require_admin(ctx.actor, "acknowledge alerts")
    with ctx.transaction() as tx:
        alert = tx.session.get(Alert, alert_id)
        if alert is None or alert.organization_id != ctx.organization_id:
            raise NotFound(f"no alert {alert_id}", field="alert_id")
        if alert.acknowledged_at is not None:
            raise AlreadyExists(
                f"the alert was already acknowledged on {alert.acknowledged_at:%Y-%m-%d %H:%M} UTC",
                field="alert_id",
            )
        alert.acknowledged_at = tx.now
        alert.acknowledged_by_user_id = ctx.actor.user_id
        tx.audit("alert.acknowledged", "alert", alert.id, {"kind": alert.kind})
    return Outcome(alert, tx.changes)


def open_alerts(ctx: ServiceContext, *, kind: AlertKind | None = None) -> list[Alert]:
    """The organization's unacknowledged alerts, newest first (optionally of one kind)."""
    _require_admin(ctx.actor, "read alerts")
    query = select(Alert).where(
        Alert.organization_id == ctx.organization_id, Alert.acknowledged_at.is_(None)
    )
    if kind is not None:
        query = query.where(Alert.kind == AlertKind(kind))
    with ctx.sessions() as session:
        # UUIDv7 ids are time-ordered, so the newest id is the newest alert.
        return list(session.scalars(query.order_by(Alert.id.desc())))


def _require_admin(actor: Actor, what: str) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(f"only an admin can {what}", field="actor")
