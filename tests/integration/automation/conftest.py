"""Fixtures of the automation engine tests: the clinic with what the examples cite."""

from __future__ import annotations

import uuid

import pytest

from tests.support.automation import add_example_templates
from tests.support.automation_catalog import ExampleCatalog, create_example_catalog
from tests.support.clinic import Clinic


@pytest.fixture
def templates(clinic: Clinic) -> dict[int, uuid.UUID]:
    return add_example_templates(clinic)


@pytest.fixture
def example_catalog(clinic: Clinic) -> ExampleCatalog:
    """The form templates and segments the nine examples cite, so they import verbatim."""
    return create_example_catalog(clinic)
