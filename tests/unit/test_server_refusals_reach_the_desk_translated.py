"""A refusal the server gives reaches a desk in the desk's language: the server answers and
stores its words language-neutral, and the desk translates them when it shows them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.domain.field_names import required
from frontdesk.domain.ids import new_id
from frontdesk.domain.write_rules import write_refusal
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.text import T_
from frontdesk.server.errors import domain_error_response
from frontdesk.server.sync_rules import FIELD_CONFLICT_REASON, Pusher, conflict_row
from frontdesk.services import conflicts
from frontdesk.store.models import SyncConflict
from frontdesk.store.unit_of_work import Actor
from frontdesk.sync.protocol import Mutation
from frontdesk.sync.transport import SyncError, raise_for_answer
from tests.support.clinic import Clinic


def _answer(error: Exception) -> httpx.Response:
    served = domain_error_response(error)  # type: ignore[arg-type]
    return httpx.Response(served.status_code, content=served.body)


def test_a_refusal_the_server_answers_reads_romanian_on_a_romanian_desk() -> None:
    refusal = write_refusal(Role.SPECIALIST, "automation_rules", "insert")
    assert refusal is not None
    answer = _answer(PermissionDenied(refusal, field="actor"))  # the server speaks English
    activate("ro")
    with pytest.raises(SyncError) as refused:
        raise_for_answer(answer, T_("Sending changes"))
    assert refused.value.message == (
        "Trimiterea modificărilor nu a reușit: Nu aveți dreptul să adăugați aceasta "
        "(automatizare): rugați un administrator să o adauge. (HTTP 403)"
    )


def test_each_field_the_server_refuses_is_named_in_the_desks_language() -> None:
    answer = _answer(InvalidInput.single("email", required("email")))
    activate("ro")
    with pytest.raises(SyncError) as refused:
        raise_for_answer(answer, T_("Signing in"))
    assert "Câmpul „E-mail” este obligatoriu." in refused.value.message


def test_an_older_servers_plain_answer_is_shown_as_it_came() -> None:
    answer = httpx.Response(409, json={"detail": "the change conflicts with data already saved"})
    activate("ro")
    with pytest.raises(SyncError) as refused:
        raise_for_answer(answer, T_("Sending changes"))
    assert "the change conflicts with data already saved" in refused.value.message


def test_a_conflicts_stored_reason_is_language_neutral_and_read_in_romanian(
    clinic: Clinic,
) -> None:
    pusher = Pusher(
        organization_id=clinic.organization_id,
        user_id=uuid.uuid4(),
        device_id=uuid.uuid4(),
        now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        role=Role.RECEPTIONIST,
    )
    mutation = Mutation(seq=1, table="appointments", row_id=new_id(), operation="update",
                        changed={"status": AppointmentStatus.DONE.value})  # fmt: skip
    row = conflict_row(pusher, mutation, kind="field", fields={}, reason=FIELD_CONFLICT_REASON)
    assert "desk" in row["reason"]
    assert "recepți" not in row["reason"]  # stored in no reader's language
    with clinic.as_(Actor.system("sync")).transaction() as tx:  # as the sync applier
        tx.session.add(SyncConflict(**{k: v for k, v in row.items() if k != "row_version"}))
    activate("ro")
    (shown,) = conflicts.list_open(clinic.as_(clinic.admin))
    assert (
        shown.reason == "Modificat și la altă recepție: s-au păstrat valorile celeilalte recepții."
    )
    assert shown.label == "Programare: " + shown.reason
