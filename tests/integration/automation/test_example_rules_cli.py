"""The nine example files of resources/rules/examples, as written, imported in one go through
`frontdesk rules import` into a profile's mirror and exported back equal to the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import AutomationRule
from tests.integration.automation.helpers import rows
from tests.support.automation import EXAMPLES_DIR
from tests.support.automation_catalog import ExampleCatalog
from tests.support.clinic import Clinic


def test_the_nine_examples_import_at_once_and_export_as_written(
    capsys: pytest.CaptureFixture[str],
    mirror: Mirror,
    clinic: Clinic,
    example_catalog: ExampleCatalog,
    tmp_path: Path,
) -> None:
    files = sorted(EXAMPLES_DIR.glob("*.json"))
    assert [f.name[:3] for f in files] == [f"{n:02d}_" for n in range(1, 10)]
    # One list of the nine documents, each exactly as its file has it.
    texts = [f.read_text(encoding="utf-8") for f in files]
    all_rules = tmp_path / "examples.json"
    all_rules.write_text("[\n" + ",\n".join(texts) + "\n]\n", encoding="utf-8")
    home = ("--home", str(mirror.profile.home))

    assert main([*home, "rules", "import", str(all_rules)]) == 0
    imported = capsys.readouterr().out.splitlines()
    names = [json.loads(text)["name"] for text in texts]
    assert [line.split(" (")[0] for line in imported] == [f"created: {name}" for name in names]
    saved = rows(clinic, AutomationRule, AutomationRule.organization_id == clinic.organization_id)
    assert sorted(r.name for r in saved) == sorted(names)
    assert all(r.enabled for r in saved)

    exported = tmp_path / "exported.json"
    assert main([*home, "rules", "export", "--out", str(exported)]) == 0
    capsys.readouterr()
    assert json.loads(exported.read_text(encoding="utf-8")) == [json.loads(t) for t in texts]
