"""The bundle's run-time hook points the app at the data folders the spec put inside the
bundle's `frontdesk` package, but only those the package cannot find where it looks."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

import frontdesk.project_paths as paths

HOOK = Path(__file__).resolve().parents[2] / "installer" / "pyi_rth_frontdesk_data.py"


def test_a_data_folder_missing_where_the_package_looks_is_taken_from_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "frontdesk" / "migrations").mkdir(parents=True)
    (bundle / "frontdesk" / "resources").mkdir()
    found = tmp_path / "found-resources"
    found.mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setattr(paths, "MIGRATIONS_DIR", tmp_path / "outside" / "migrations", raising=False)
    monkeypatch.setattr(paths, "RESOURCES_DIR", found, raising=False)

    runpy.run_path(str(HOOK))

    assert bundle / "frontdesk" / "migrations" == paths.MIGRATIONS_DIR
    assert found == paths.RESOURCES_DIR  # found where the package looks: kept


def test_a_folder_the_bundle_lacks_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "outside" / "ui"
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    monkeypatch.setattr(paths, "UI_DIR", missing, raising=False)
    runpy.run_path(str(HOOK))
    assert missing == paths.UI_DIR
