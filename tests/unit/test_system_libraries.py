"""The system libraries Qt's window needs are checked before the desk or the demo starts
anything: a missing one is named with its Debian/Ubuntu and Fedora packages, the command exits
with 2, and no server, database or profile was made."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from frontdesk import cli, cli_demo, system_libraries
from frontdesk.gui import app as gui_app
from frontdesk.i18n.catalogs import activate
from frontdesk.system_libraries import (
    explain,
    missing_libraries,
    needs_xcb,
    unresolved,
    window_problem,
)

# What `ldd libqxcb.so` prints on a Debian without libxcb-icccm4 and libxcb-keysyms1.
LDD_TWO_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd3a1f1000)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f2a1c000000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f2a1bff0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2a1bfc0000)
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f2a1c4f0000)
"""
LDD_ALL_FOUND = """\
\tlinux-vdso.so.1 (0x00007ffd3a1f1000)
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2a1bfc0000)
"""


def fake_ldd(folder: Path, output: str, *, status: int = 0) -> tuple[Path, Path]:
    """An `ldd` that prints `output` and notes each call in the returned marker file."""
    marker = folder / "ldd-called"
    (folder / "ldd-output").write_text(output)
    script = folder / "ldd"
    script.write_text(
        f'#!/bin/sh\necho "$1" >> "{marker}"\ncat "{folder / "ldd-output"}"\nexit {status}\n'
    )
    script.chmod(0o755)
    return script, marker


@pytest.fixture
def xcb_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A desktop session on this Linux: Qt would use its xcb plugin."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)


def test_ldd_lines_that_are_not_found_are_the_missing_libraries() -> None:
    assert unresolved(LDD_TWO_MISSING) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert unresolved(LDD_ALL_FOUND) == []
    assert unresolved("\tstatically linked\n") == []


@pytest.mark.parametrize(
    ("chosen", "platform", "wanted"),
    [
        (None, "linux", True),
        ("xcb", "linux", True),
        ("xcb:display=:1", "linux", True),
        ("offscreen", "linux", False),
        ("minimal", "linux", False),
        ("wayland;xcb", "linux", False),
        (None, "darwin", False),
        (None, "win32", False),
    ],
)
def test_the_xcb_plugin_is_checked_only_where_qt_will_use_it(
    chosen: str | None, platform: str, wanted: bool
) -> None:
    environ = {} if chosen is None else {"QT_QPA_PLATFORM": chosen}
    assert needs_xcb(environ, platform) is wanted


def test_the_message_names_each_library_and_its_packages_for_both_systems() -> None:
    message = explain(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert "libxcb-icccm.so.4" in message
    assert "libxcb-keysyms.so.1" in message
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in message
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms" in message
    assert "Nothing was started" in message


def test_in_romanian_the_message_is_romanian() -> None:
    activate("ro")
    message = explain(["libxcb-icccm.so.4", "libxcb-future.so.9"])
    assert message.startswith("eroare: recepția nu își poate deschide fereastra: ")
    assert "pachet necunoscut: îl aflați cu `apt-file search libxcb-future.so.9`" in message
    assert "Instalați-le, apoi porniți din nou:\n  Debian/Ubuntu: sudo apt install" in message
    assert message.endswith("funcționează și fără ele.")


def test_a_library_without_a_known_package_is_named_with_how_to_find_its_package() -> None:
    message = explain(["libxcb-future.so.9"])
    assert "libxcb-future.so.9" in message
    assert "apt-file search libxcb-future.so.9" in message
    assert "dnf provides '*/libxcb-future.so.9'" in message
    assert "sudo apt install" not in message  # nothing known to install


def test_libraries_sharing_a_package_ask_for_it_once() -> None:
    message = explain(["libxcb-shm.so.0", "libxcb-sync.so.1"])
    assert "sudo dnf install libxcb\n" in message
    assert "sudo apt install libxcb-shm0 libxcb-sync1" in message


def test_ldd_is_asked_about_the_plugin(tmp_path: Path) -> None:
    ldd, marker = fake_ldd(tmp_path, LDD_TWO_MISSING)
    plugin = tmp_path / "libqxcb.so"
    assert missing_libraries(plugin, str(ldd)) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert marker.read_text().strip() == str(plugin)


def test_without_a_working_ldd_qt_is_left_to_judge(tmp_path: Path) -> None:
    assert missing_libraries(tmp_path / "libqxcb.so", str(tmp_path / "no-ldd")) is None
    failing, _ = fake_ldd(tmp_path, "ldd: not a dynamic executable\n", status=1)
    assert missing_libraries(tmp_path / "libqxcb.so", str(failing)) is None


def test_the_real_plugin_is_found_without_importing_qt() -> None:
    plugin = system_libraries.xcb_plugin()
    assert plugin is not None
    assert plugin.name == "libqxcb.so"
    assert plugin.is_file()


def test_offscreen_skips_the_check(tmp_path: Path) -> None:
    ldd, marker = fake_ldd(tmp_path, LDD_TWO_MISSING)
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", str(ldd)) is None
    assert not marker.exists()


def test_all_libraries_present_means_no_problem(tmp_path: Path) -> None:
    ldd, marker = fake_ldd(tmp_path, LDD_ALL_FOUND)
    assert window_problem({}, "linux", str(ldd)) is None
    assert marker.exists()


class Spy:
    """Stands in for what starts the demo or the desk: records whether the command got there."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def __call__(self, *args: object, **kwargs: object) -> int:
        self.calls.append((args, kwargs))
        return 0


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> dict[str, Spy]:
    """The demo's two ways to start and the desk's, replaced by spies."""
    spies = {"server": Spy(), "standalone": Spy(), "desk": Spy()}
    monkeypatch.setattr(cli_demo, "_server_demo", spies["server"])
    monkeypatch.setattr(cli_demo, "_standalone_demo", spies["standalone"])
    monkeypatch.setattr(gui_app, "run_app", spies["desk"])
    return spies


def _postgres_children() -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if child.name().startswith("postgres")
    ]


@pytest.mark.parametrize("argv", [["demo"], ["demo", "--standalone"], []])
def test_a_window_command_with_a_missing_library_exits_2_having_started_nothing(
    argv: list[str],
    tmp_path: Path,
    xcb_wanted: None,
    starts: dict[str, Spy],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ldd, _ = fake_ldd(tmp_path, LDD_TWO_MISSING)
    monkeypatch.setattr(system_libraries, "LDD", str(ldd))
    home = tmp_path / "home"

    assert cli.main(["--home", str(home), *argv]) == 2

    error = capsys.readouterr().err
    for name in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1"):
        assert name in error
    for package in ("libxcb-icccm4", "libxcb-keysyms1", "xcb-util-wm", "xcb-util-keysyms"):
        assert package in error
    assert {name: spy.calls for name, spy in starts.items()} == {
        "server": [],
        "standalone": [],
        "desk": [],
    }
    assert not home.exists()  # no profile, no mirror, no server data directory
    assert _postgres_children() == []


def test_the_real_demo_stops_before_its_server_when_a_library_is_missing(
    tmp_path: Path, xcb_wanted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ldd, _ = fake_ldd(tmp_path, LDD_TWO_MISSING)
    monkeypatch.setattr(system_libraries, "LDD", str(ldd))
    home = tmp_path / "home"
    assert cli.main(["--home", str(home), "demo"]) == 2
    assert not home.exists()
    assert _postgres_children() == []


@pytest.mark.parametrize(
    ("argv", "way"),
    [(["demo", "--no-window"], "server"), (["demo", "--no-window", "--standalone"], "standalone")],
)
def test_commands_without_a_window_do_not_check(
    argv: list[str],
    way: str,
    tmp_path: Path,
    xcb_wanted: None,
    starts: dict[str, Spy],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ldd, marker = fake_ldd(tmp_path, LDD_TWO_MISSING)
    monkeypatch.setattr(system_libraries, "LDD", str(ldd))
    assert cli.main(["--home", str(tmp_path / "home"), *argv]) == 0
    assert [kwargs for _, kwargs in starts[way].calls] == [{"window": False}]
    assert not marker.exists()


def test_a_window_command_with_every_library_present_starts(
    tmp_path: Path, xcb_wanted: None, starts: dict[str, Spy], monkeypatch: pytest.MonkeyPatch
) -> None:
    ldd, marker = fake_ldd(tmp_path, LDD_ALL_FOUND)
    monkeypatch.setattr(system_libraries, "LDD", str(ldd))
    assert cli.main(["--home", str(tmp_path / "home"), "demo"]) == 0
    assert [kwargs for _, kwargs in starts["server"].calls] == [{"window": True}]
    assert marker.exists()
