"""Start-up benchmark (issue "Installable", item 7): how long a `frontdesk` command takes from
process start to exit, for the commands that should answer at once.

Run: python tests/bench/bench_startup.py [--runs N]

Each figure is a fresh Python process (as the console script starts one) running the
worktree's source; one run first warms the file cache and the bytecode cache, then N runs are
timed and the median, minimum and maximum printed. Targets: `--version` and `--help` at most
0.3 s, the file-only commands (`rules validate`, `rules dry-run`, `schedule forecast`) at most
1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "rules" / "examples"
DESK = "import sys; from frontdesk.cli import main; sys.exit(main())"
SERVER = "import sys; from frontdesk.server.cli import main; sys.exit(main())"
EVENT = {
    "event": "appointment.first_booked",
    "occurred_at": "2026-11-22T09:00:00+02:00",
    "organization": {"timezone": "Europe/Bucharest"},
    "context": {"appointment": {"type": "video"}},
}


def commands(scratch: Path) -> list[tuple[str, list[str]]]:
    """Each timed command: its label and the interpreter's arguments (in English unless the
    label names a language: see `language_of`)."""
    event = scratch / "event.json"
    event.write_text(json.dumps(EVENT), encoding="utf-8")
    video = str(next(EXAMPLES.glob("02_*.json")))
    daily = str(next(EXAMPLES.glob("07_*.json")))
    forecast = ["--from", "2026-03-28T00:00", "--days", "7", "--tz", "Europe/Bucharest"]
    return [
        ("python -c pass (the interpreter alone)", ["-c", "pass"]),
        ("frontdesk --version", ["-c", DESK, "--version"]),
        ("frontdesk --help", ["-c", DESK, "--help"]),
        ("frontdesk --help (LANGUAGE=ro)", ["-c", DESK, "--help"]),
        ("frontdesk rules validate", ["-c", DESK, "rules", "validate", video]),
        ("frontdesk rules dry-run", ["-c", DESK, "rules", "dry-run", video, "--event", str(event)]),
        ("frontdesk schedule forecast", ["-c", DESK, "schedule", "forecast", daily, *forecast]),
        ("frontdesk-server --help", ["-c", SERVER, "--help"]),
        ("frontdesk-server --help (LANGUAGE=ro)", ["-c", SERVER, "--help"]),
    ]


def language_of(label: str) -> str:
    """Romanian reads its catalogue (Babel) before parsing; English needs none."""
    return "ro" if "LANGUAGE=ro" in label else "en"


def timed(arguments: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()}; Python {platform.python_version()}"
    )
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory() as scratch:
        print(f"\n{'command':<42} {'median':>7} {'min':>7} {'max':>7}   ({runs} runs, s)")
        for label, arguments in commands(Path(scratch)):
            speaking = {**environment, "LANGUAGE": language_of(label)}
            timed(arguments, speaking)  # warm the caches
            times = [timed(arguments, speaking) for _ in range(runs)]
            print(
                f"{label:<42} {statistics.median(times):7.3f} {min(times):7.3f} {max(times):7.3f}"
            )
    print("\nload average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
