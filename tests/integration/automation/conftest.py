"""Fixtures of the automation engine tests: the clinic with the examples' form templates."""

from __future__ import annotations

import uuid

import pytest

from tests.support.automation import add_example_templates
from tests.support.clinic import Clinic


@pytest.fixture
def templates(clinic: Clinic) -> dict[int, uuid.UUID]:
    return add_example_templates(clinic)
