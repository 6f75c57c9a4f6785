"""Alerts: things an admin must look at (a low rating, a loop-guard trip, a failed delivery),
raised by other services inside their own transaction and acknowledged by an admin.

An alert raised on one desk (or the server) is read on others, each in its own language: its
title and body are given as `Text`, kept language-neutral in the details (`WORDS_KEY`) and
rendered when read (`alert_title`, `alert_body`); the stored title and body hold them in
English, for any other reader and as the words of alerts made before."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from frontdesk.domain.enums import AlertKind, Role
from frontdesk.domain.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.events import DeskEventName
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_, Text
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.models import Alert
from frontdesk.store.unit_of_work import Actor, UnitOfWork, to_json_value

SEVERITIES = ("info", "warning", "critical")
TITLE_MAX = 300
WORDS_KEY = "_words"
"""The details' entry holding the title and body language-neutral (not a detail to show)."""


def raise_alert(
    tx: UnitOfWork,
    *,
    kind: AlertKind,
    title: str | Text,
    body: str | Text = "",
    severity: str = "warning",
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> Alert:
    """Add an alert in the caller's transaction and announce it (`alert.raised`)."""
    if severity not in SEVERITIES:
        raise InvalidInput.single(
            "severity", T_("Choose a severity: {choices}.", choices=", ".join(SEVERITIES))
        )
    alert = Alert(
        id=new_id(),
        organization_id=tx.organization_id,
        kind=AlertKind(kind),
        severity=severity,
        # An alert must never fail the work that raises it: an over-long title is shortened.
        title=_shorten(_english(title).strip() or str(kind), TITLE_MAX),
        body=_english(body),
        subject_type=subject_type,
        subject_id=subject_id,
        details={
            **{key: to_json_value(value) for key, value in (details or {}).items()},
            **_words(title, body),
        },
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


def _english(words: str | Text) -> str:
    return words.english() if isinstance(words, Text) else words


def _words(title: str | Text, body: str | Text) -> dict[str, Any]:
    wired = {
        name: words.to_wire()
        for name, words in (("title", title), ("body", body))
        if isinstance(words, Text)
    }
    return {WORDS_KEY: wired} if wired else {}


def alert_title(alert: Alert) -> str:
    """The alert's title in the reader's language (as stored, for an alert made before)."""
    return _read(alert, "title", alert.title)


def alert_body(alert: Alert) -> str:
    """The alert's body in the reader's language (as stored, for an alert made before)."""
    return _read(alert, "body", alert.body or "")


def alert_details(alert: Alert) -> dict[str, Any]:
    """The details to show (the words kept for translation left out)."""
    return {key: value for key, value in (alert.details or {}).items() if key != WORDS_KEY}


def _read(alert: Alert, name: str, stored: str) -> str:
    wired = (alert.details or {}).get(WORDS_KEY, {}).get(name)
    if isinstance(wired, dict):
        try:
            rendered = str(Text.from_wire(wired))
        except (ValueError, KeyError, IndexError):
            return stored  # words this version cannot read: the English kept beside them
        return _shorten(rendered, TITLE_MAX) if name == "title" else rendered
    return stored


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def acknowledge(ctx: ServiceContext, alert_id: uuid.UUID) -> Outcome[Alert]:
    """An admin has looked at the alert: record who and when. Only once."""
    _require_admin(ctx.actor, T_("You are not allowed to acknowledge alerts: ask an admin."))
    with ctx.transaction() as tx:
        alert = tx.session.get(Alert, alert_id)
        if alert is None or alert.organization_id != ctx.organization_id:
            raise NotFound(
                T_("This alert was not found; it may have been removed at another desk."),
                field="alert_id",
            )
        if alert.acknowledged_at is not None:
            raise AlreadyExists(
                T_(
                    "This alert was acknowledged already, on {when} UTC.",
                    when=f"{alert.acknowledged_at:%Y-%m-%d %H:%M}",
                ),
                field="alert_id",
            )
        alert.acknowledged_at = tx.now
        alert.acknowledged_by_user_id = ctx.actor.user_id
        tx.audit("alert.acknowledged", "alert", alert.id, {"kind": alert.kind})
    return Outcome(alert, tx.changes)


def open_alerts(ctx: ServiceContext, *, kind: AlertKind | None = None) -> list[Alert]:
    """The organization's unacknowledged alerts, newest first (optionally of one kind)."""
    _require_admin(ctx.actor, T_("You are not allowed to read the alerts: ask an admin."))
    query = select(Alert).where(
        Alert.organization_id == ctx.organization_id, Alert.acknowledged_at.is_(None)
    )
    if kind is not None:
        query = query.where(Alert.kind == AlertKind(kind))
    with ctx.sessions() as session:
        # UUIDv7 ids are time-ordered, so the newest id is the newest alert.
        return list(session.scalars(query.order_by(Alert.id.desc())))


def _require_admin(actor: Actor, refusal: Text) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(refusal, field="actor")
