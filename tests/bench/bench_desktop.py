"""Desktop benchmark (issue 5): start-up to a usable main window, switching weeks, memory,
with 100,000 appointments in the mirror.

Run: python tests/bench/bench_desktop.py [--appointments N] [--starts N] [--switches N]
     [--home DIR]  (keep the seeded profile there; reused when it exists)

Seeds a fresh encrypted mirror as `bench_calendar.py` does (key in a key file, as on a headless
machine), signs the profile in as a receptionist, then starts the desktop in a NEW PROCESS
(offscreen Qt) several times. "Start" is measured by this process from spawning the child to the
child's "ready": Python and Qt start-up, opening the mirror, building the main window and loading
today's flow board. The last child then opens the calendar's week view and moves week by week
(time from the key action to the new week painted), first 400 ms apart (a person looking at
each week; the calendar reads the weeks either side meanwhile), then back to back, and reports
its resident memory (psutil). The target applies to the first series.
Targets: start ≤ 2 s, week switch ≤ 100 ms, resident memory ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Run as a script from anywhere: the project root holds the `tests` package reused here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

START_TARGET_S = 2.0
PAUSE_MS = 400
"""Between week switches: a person looks at a week before moving on."""
SWITCH_TARGET_MS = 100.0
MEMORY_TARGET_MB = 400.0


def main() -> int:
    args = _arguments()
    if args.child:
        return _child(Path(args.child), args.switches)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-desktop-") as scratch:
        home = args.home or scratch
        if not (Path(home) / "mirror.db").exists():
            _seed(Path(home), args.appointments)
        starts = []
        result: dict[str, object] = {}
        for _ in range(args.starts):
            seconds, result = _start_child(Path(home), args.switches)
            starts.append(seconds)
        switches = [float(ms) for ms in result["switch_ms"]]  # type: ignore[attr-defined]
        rss_mb = float(result["rss_mb"])  # type: ignore[arg-type]
        print(f"\nstart to a usable main window (s), {len(starts)} starts:")
        print("  " + ", ".join(f"{s:.2f}" for s in starts))
        print(f"  median {statistics.median(starts):.2f} s, max {max(starts):.2f} s")
        print(f"  of which in the child before its window was ready: {result['child_ready_s']} s")
        print(f"the engine's start-up catch-up took {result['engine_catch_up_s']} s")
        rushed = [float(ms) for ms in result["back_to_back_ms"]]  # type: ignore[attr-defined]
        print(f"week switches (ms), {len(switches)} runs after it, {PAUSE_MS} ms apart:")
        print(
            f"  median {statistics.median(switches):.1f}, "
            f"p95 {_p95(switches):.1f}, max {max(switches):.1f}"
        )
        print(f"the same back to back (no pause to read ahead), {len(rushed)} runs:")
        print(
            f"  median {statistics.median(rushed):.1f}, "
            f"p95 {_p95(rushed):.1f}, max {max(rushed):.1f}"
        )
        print(f"  appointments in a shown week: {result['week_appointments']}")
        print(f"resident memory after the switches: {rss_mb:.0f} MB")
        print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        met = (
            statistics.median(starts) <= START_TARGET_S
            and _p95(switches) <= SWITCH_TARGET_MS
            and rss_mb <= MEMORY_TARGET_MB
        )
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--switches", type=int, default=30)
    parser.add_argument("--home", help="keep the seeded profile here (reused when it exists)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def _seed(home: Path, appointments: int) -> None:
    import keyring
    import keyring.backends.fail
    from tests.bench.bench_calendar import _describe_machine
    from tests.bench.bench_calendar import _seed as seed_calendar

    from frontdesk.domain.enums import Role
    from frontdesk.services.desk_identity import DeskIdentity, remember
    from frontdesk.store.mirror import open_mirror
    from frontdesk.store.profile import Profile

    keyring.set_keyring(keyring.backends.fail.Keyring())  # no OS keyring: the key-file path
    mirror = open_mirror(Profile.resolve(home))
    try:
        _describe_machine(mirror)
        started = time.perf_counter()
        ctx = seed_calendar(mirror, appointments, random.Random(20260302))
        print(f"seeded {appointments:,} appointments in {time.perf_counter() - started:.1f} s")
        actor = ctx.actor
        assert actor.role is not None
        assert actor.user_id is not None
        identity = DeskIdentity(ctx.organization_id, actor.user_id, Role(actor.role), actor.label)
        remember(mirror.sessions, identity)
    finally:
        mirror.close()


def _start_child(home: Path, switches: int) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": _root()}
    command = [sys.executable, __file__, "--child", str(home), "--switches", str(switches)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    ready_at = None
    result: dict[str, object] = {}
    for line in child.stdout:
        if line.startswith("READY") and ready_at is None:
            ready_at = time.perf_counter() - started
        elif line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
    if child.wait() != 0 or ready_at is None:
        raise RuntimeError("the desktop child failed")
    return ready_at, result


def _root() -> str:
    return str(Path(__file__).resolve().parents[2])


def _child(home: Path, switches: int) -> int:
    began = time.perf_counter()
    import gc

    import keyring
    import keyring.backends.fail
    import psutil

    from frontdesk.gui.app import application, known_identity, open_desk
    from frontdesk.store.mirror import open_mirror
    from frontdesk.store.profile import Profile

    keyring.set_keyring(keyring.backends.fail.Keyring())
    application()
    mirror = open_mirror(Profile.resolve(home))
    identity = known_identity(mirror)
    assert identity is not None
    session = open_desk(mirror, identity)
    window = session.window
    today = window.pages["Today"]
    loaded = _waiter(today.sig_loaded)  # type: ignore[attr-defined]
    window.show()
    loaded()
    print("READY", flush=True)
    ready_s = time.perf_counter() - began
    session.start_automation()  # as the app does once the window is up
    # Week switches are measured once the engine's start-up catch-up is over (a sweep of every
    # timer ahead); while it runs it competes with the UI thread for the interpreter.
    catching_up = time.perf_counter()
    assert session.automation is not None
    session.automation.sweep()
    catch_up_s = time.perf_counter() - catching_up
    gc.freeze()

    calendar = window.show_page("Calendar")
    _waiter(calendar.sig_loaded)()  # type: ignore[attr-defined]
    paused = _switch(window, calendar, switches, pause_ms=PAUSE_MS)
    back_to_back = _switch(window, calendar, switches, pause_ms=0)
    rss_mb = psutil.Process().memory_info().rss / 1e6
    result = {
        "switch_ms": [round(t, 2) for t in paused],
        "back_to_back_ms": [round(t, 2) for t in back_to_back],
        "rss_mb": round(rss_mb, 1),
        "child_ready_s": round(ready_s, 2),
        "engine_catch_up_s": round(catch_up_s, 2),
        "week_appointments": len(calendar.schedule_model.entries),  # type: ignore[attr-defined]
    }
    print("RESULT " + json.dumps(result), flush=True)
    session.close()
    mirror.close()
    return 0


def _switch(window: Any, calendar: Any, switches: int, *, pause_ms: int) -> list[float]:
    """Half the switches forward, half back; each timed from the key's action to the new week
    painted. `pause_ms` between them: the calendar reads the weeks either side during it."""
    from PySide6.QtCore import QEventLoop, QTimer

    timings = []
    for run in range(switches):
        if pause_ms:
            loop = QEventLoop()
            QTimer.singleShot(pause_ms, loop.quit)
            loop.exec()
        move = window.next_week if run < switches // 2 else window.previous_week
        wait = _waiter(calendar.sig_loaded)
        tick = time.perf_counter()
        move()
        wait()
        calendar.repaint()  # the new week on screen, not just in the model
        timings.append((time.perf_counter() - tick) * 1000)
    return timings


def _waiter(signal: Any) -> Callable[[], None]:
    """Connect now, wait later: returns a function that runs the event loop until `signal`
    has fired (at once if it fired already)."""
    from PySide6.QtCore import QEventLoop

    fired: list[bool] = []
    loop = QEventLoop()

    def seen() -> None:
        fired.append(True)
        loop.quit()

    signal.connect(seen)

    def wait() -> None:
        if not fired:
            loop.exec()
        signal.disconnect(seen)

    return wait


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
