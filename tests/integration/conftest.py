"""Fixtures for the integration tests of whole commands."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def demo_dir() -> Iterator[Path]:
    """A directory for a demo's profile and server. Not under pytest's tmp_path: the embedded
    PostgreSQL runs as its own user when tests run as root (it opens the path's parents for
    it), and other pytest runs on the machine prune old tmp_path directories."""
    directory = Path(tempfile.mkdtemp(prefix="frontdesk-demo-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
