"""Alerts: raised inside another service's transaction, read and acknowledged by admins."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.domain.enums import AlertKind, Role
from frontdesk.domain.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.events import DeskEventName
from frontdesk.services import alerts
from frontdesk.store.models import Alert
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint


def _raise(clinic: Clinic, kind: AlertKind = AlertKind.DELIVERY_FAILED) -> Alert:
    with clinic.ctx.transaction() as tx:
        return alerts.raise_alert(tx, kind=kind, title=f"{kind} happened")


def test_raising_an_alert_announces_it(clinic: Clinic) -> None:
    subject = uuid.uuid4()
    with clinic.ctx.transaction() as tx:
        alert = alerts.raise_alert(
            tx,
            kind=AlertKind.LOOP_GUARD,
            title="  Rule 'welcome' stopped: chain deeper than 5  ",
            severity="critical",
            subject_type="automation_rule",
            subject_id=subject,
            details={"rule_id": subject, "depth": 6},
        )
        changes = tx.changes

    assert changes.events == [DeskEventName.ALERT_RAISED]
    assert changes.created["alerts"] == {alert.id}
    [stored] = alerts.open_alerts(clinic.as_(clinic.admin))
    assert stored.title == "Rule 'welcome' stopped: chain deeper than 5"
    assert (stored.kind, stored.severity) == (AlertKind.LOOP_GUARD, "critical")
    assert stored.details == {"rule_id": str(subject), "depth": 6}


def test_an_over_long_title_is_shortened_not_refused(clinic: Clinic) -> None:
    with clinic.ctx.transaction() as tx:
        alert = alerts.raise_alert(tx, kind=AlertKind.SYNC_CONFLICT, title="x" * 500)

    assert len(alert.title) == 300
    assert alert.title.endswith("…")


def test_an_unknown_severity_is_refused(clinic: Clinic) -> None:
    before = fingerprint(clinic.ctx.sessions)

    def raise_with_unknown_severity() -> None:
        with clinic.ctx.transaction() as tx:
            alerts.raise_alert(tx, kind=AlertKind.RATE_ANOMALY, title="t", severity="panic")

    with pytest.raises(InvalidInput) as exc:
        raise_with_unknown_severity()
    assert exc.value.field == "severity"
    assert fingerprint(clinic.ctx.sessions) == before


def test_an_admin_acknowledges_an_alert_once(clinic: Clinic) -> None:
    alert = _raise(clinic)
    admin = clinic.as_(clinic.admin)
    clinic.clock.advance(timedelta(hours=2))

    outcome = alerts.acknowledge(admin, alert.id)

    assert outcome.value.acknowledged_at == clinic.clock.now()
    assert outcome.value.acknowledged_by_user_id == clinic.admin.user_id
    assert outcome.changes.updated["alerts"] == {alert.id}
    assert alerts.open_alerts(admin) == []

    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(AlreadyExists) as exc:
        alerts.acknowledge(admin, alert.id)
    assert exc.value.field == "alert_id"
    assert "acknowledged already" in str(exc.value)
    assert fingerprint(clinic.ctx.sessions) == before


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.SPECIALIST, Role.PATIENT, None])
def test_only_admins_acknowledge_or_read_alerts(clinic: Clinic, role: Role | None) -> None:
    alert = _raise(clinic)
    ctx = clinic.as_(Actor(role, uuid.uuid4(), "someone"))
    before = fingerprint(clinic.ctx.sessions)

    with pytest.raises(PermissionDenied) as exc:
        alerts.acknowledge(ctx, alert.id)
    assert exc.value.field == "actor"
    with pytest.raises(PermissionDenied):
        alerts.open_alerts(ctx)
    assert fingerprint(clinic.ctx.sessions) == before


def test_an_unknown_alert_is_not_found(clinic: Clinic) -> None:
    with pytest.raises(NotFound) as exc:
        alerts.acknowledge(clinic.as_(clinic.admin), uuid.uuid4())
    assert exc.value.field == "alert_id"


def test_open_alerts_are_newest_first_and_filter_by_kind(clinic: Clinic) -> None:
    first = _raise(clinic, AlertKind.LOW_RATING)
    second = _raise(clinic, AlertKind.DELIVERY_FAILED)
    third = _raise(clinic, AlertKind.LOW_RATING)
    admin = clinic.as_(clinic.admin)

    assert [a.id for a in alerts.open_alerts(admin)] == [third.id, second.id, first.id]
    assert [a.id for a in alerts.open_alerts(admin, kind=AlertKind.LOW_RATING)] == [
        third.id,
        first.id,
    ]
