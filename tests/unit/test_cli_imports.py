"""Each command imports only what it needs: `--version`, `--help` and the commands that read
files alone never load Qt, the database layer or the server (timings: tests/bench/
bench_startup.py and docs/performance.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import frontdesk
from tests.support.repository import EXAMPLES_DIR

SOURCE = Path(frontdesk.__file__).resolve().parents[1]
HEAVY = (
    "PySide6",
    "sqlalchemy",
    "sqlcipher3",
    "alembic",
    "fastapi",
    "uvicorn",
    "httpx",
    "psycopg",
)
# Translation (Babel) loads once a command runs, to speak the user's language; asking the
# program its version or its options needs none of it.
ANSWERED_AT_ONCE = ("--version", "--help")
PROBE = """
import json, sys
from {module} import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def _loaded_by(module: str, *args: str, cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, heavy=(*HEAVY, "babel")), *args],
        # No OS keyring: a mirror command keeps its key in the profile, not the user's keyring.
        env={
            **os.environ,
            "PYTHONPATH": str(SOURCE),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        },
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), result.stderr
    return list(report["loaded"])


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["demo", "--help"],
        ["rules", "validate", str(EXAMPLES_DIR / "02_first_video_appointment.json")],
        [
            "schedule",
            "forecast",
            str(EXAMPLES_DIR / "07_daily_session_reminder.json"),
            "--from",
            "2026-03-28T00:00",
            "--days",
            "7",
        ],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_light_desk_commands_load_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    loaded = _loaded_by("frontdesk.cli", *args, cwd=tmp_path)
    if set(ANSWERED_AT_ONCE) & set(args):
        assert loaded == []
    else:
        assert loaded in ([], ["babel"])


def test_a_dry_run_loads_no_heavy_module(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "event": "appointment.first_booked",
                "occurred_at": "2026-11-22T09:00:00+02:00",
                "context": {"appointment": {"type": "video"}},
            }
        )
    )
    rule = str(EXAMPLES_DIR / "02_first_video_appointment.json")
    args = ["rules", "dry-run", rule, "--event", str(event)]
    assert _loaded_by("frontdesk.cli", *args, cwd=tmp_path) in ([], ["babel"])


def test_server_help_loads_no_heavy_module(tmp_path: Path) -> None:
    assert _loaded_by("frontdesk.server.cli", "--help", cwd=tmp_path) == []
    assert _loaded_by("frontdesk.server.cli", "run", "--help", cwd=tmp_path) == []


def test_the_probe_sees_what_a_mirror_command_loads(tmp_path: Path) -> None:
    # The check above would pass if the probe saw nothing: a command on the mirror shows it can.
    loaded = _loaded_by(
        "frontdesk.cli", "--home", str(tmp_path / "p"), "db", "upgrade", cwd=tmp_path
    )
    assert {"sqlalchemy", "sqlcipher3", "alembic"} <= set(loaded)
    assert "PySide6" not in loaded
