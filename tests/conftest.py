"""Shared fixtures: an isolated keyring, a fresh encrypted mirror, a seeded clinic."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import settings

from frontdesk.i18n import DEFAULT_LANGUAGE
from frontdesk.i18n.catalogs import activate
from frontdesk.store.mirror import Mirror, open_mirror
from frontdesk.store.profile import Profile
from tests.support.clinic import Clinic, build_clinic
from tests.support.memory_keyring import MemoryKeyring
from tests.support.postgres import (  # noqa: F401  (fixtures: real PostgreSQL, live server)
    live_server,
    pg_template,
    pg_url,
    server_database,
)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests read the desk in English whatever the machine's language; a test of another language
# sets LANGUAGE itself (frontdesk.i18n.languages reads it first).
os.environ["LANGUAGE"] = "en"

# Tests are not timed (benchmarks in tests/bench are): a busy CI machine must not fail an
# example for being slow.
settings.register_profile("frontdesk", deadline=None, print_blob=True)
settings.load_profile("frontdesk")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts, and leaves the process, speaking English."""
    activate(DEFAULT_LANGUAGE)
    yield
    activate(DEFAULT_LANGUAGE)


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[Mirror]:
    opened = open_mirror(Profile.resolve(tmp_path / "profile"))
    yield opened
    opened.close()


@pytest.fixture
def clinic(mirror: Mirror) -> Clinic:
    return build_clinic(mirror.sessions)
