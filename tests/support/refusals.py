"""Asserting that a refused call names its field and wrote nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from frontdesk.domain.errors import DomainError
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint


def refused(
    clinic: Clinic, error: type[DomainError], field: str, call: Callable[[], object]
) -> DomainError:
    """Assert `call` fails with `error` naming `field` and writes nothing at all."""
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(error) as exc:
        call()
    assert exc.value.field == field, exc.value
    assert fingerprint(clinic.ctx.sessions) == before
    return exc.value
