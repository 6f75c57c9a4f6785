"""The embedded PostgreSQL starts whatever language the user runs in: a desk in Romanian on
a machine that has only the C locale installed (initdb refuses a LANG it cannot load)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.server.embedded import start_embedded, stop_embedded


@pytest.fixture
def pg_dir() -> Iterator[Path]:
    # Not under tmp_path: PostgreSQL runs as its own user when the tests run as root.
    base = Path(tempfile.mkdtemp(prefix="frontdesk-locale-"))
    base.chmod(0o755)
    yield base / "pg"
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("lc_all", [None, "C.UTF-8"])
def test_postgres_starts_under_a_language_the_system_lacks_and_the_locale_is_restored(
    pg_dir: Path, monkeypatch: pytest.MonkeyPatch, lc_all: str | None
) -> None:
    monkeypatch.setenv("LANG", "ro_RO.UTF-8")
    if lc_all is None:
        monkeypatch.delenv("LC_ALL", raising=False)
    else:
        monkeypatch.setenv("LC_ALL", lc_all)
    server = start_embedded(pg_dir)
    try:
        assert (pg_dir / "PG_VERSION").exists()
        assert os.environ.get("LC_ALL") == lc_all  # the desk's language is left alone
    finally:
        stop_embedded(server)
