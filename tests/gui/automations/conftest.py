"""The admin's desk over a clinic holding what the specification's examples cite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from tests.support.automation_catalog import ExampleCatalog, create_example_catalog
from tests.support.clinic import Clinic


@pytest.fixture
def example_catalog(clinic: Clinic) -> ExampleCatalog:
    return create_example_catalog(clinic)


@pytest.fixture
def admin_desk(desk_as: Callable[[Role], Desk], example_catalog: ExampleCatalog) -> Desk:
    return desk_as(Role.ADMIN)
