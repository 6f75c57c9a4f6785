"""Whether this computer has the system libraries Qt needs to open a window, asked before the
desk or the demo starts anything (a server, a database, seeding).

PySide6's wheels carry Qt but not the X11 libraries its window plugin (`libqxcb.so`) links
against; where one is missing, Qt aborts only once it makes its application, after everything
else has run, and its message may name a library that is present. So `ldd` is asked which of
the plugin's libraries (and theirs) the dynamic loader cannot find, and the user is told those
and the packages that hold them. PySide6 is found without being imported: Qt stays out of
commands that open no window. Linux only; platforms other than xcb (`offscreen`, `minimal`,
`wayland`…) need none of these."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from frontdesk.i18n import _

LDD = "ldd"
"""The program that lists a library's dependencies and which of them the loader finds."""
LDD_TIMEOUT_SECONDS = 10.0
XCB_PLUGIN = Path("Qt", "plugins", "platforms", "libqxcb.so")
"""The xcb platform plugin, relative to the PySide6 package."""

# The libraries libqxcb.so loads that a bare system may lack → (Debian/Ubuntu, Fedora) package.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
}


def needs_xcb(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt will try its xcb plugin: on Linux, unless QT_QPA_PLATFORM chooses another
    first (`offscreen` for tests and headless runs, `minimal`, `wayland`…)."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if not chosen:
        return True
    first = chosen.split(";")[0].split(":")[0].strip()
    return first == "xcb"


def xcb_plugin() -> Path | None:
    """PySide6's xcb plugin, found without importing PySide6; None without one."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        plugin = Path(location) / XCB_PLUGIN
        if plugin.is_file():
            return plugin
    return None


def unresolved(ldd_output: str) -> list[str]:
    """The libraries `ldd` reports as `NAME => not found`, each once, in its order."""
    missing: list[str] = []
    for line in ldd_output.splitlines():
        name, arrow, where = line.strip().partition(" => ")
        if arrow and where.strip() == "not found" and name not in missing:
            missing.append(name)
    return missing


def missing_libraries(plugin: Path, ldd: str = LDD) -> list[str] | None:
    """The libraries the loader cannot find for `plugin` and the libraries it loads; None when
    `ldd` cannot tell (absent, failed), and then Qt is left to judge for itself."""
    try:
        result = subprocess.run(
            [ldd, str(plugin)],
            capture_output=True,
            text=True,
            timeout=LDD_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    missing = unresolved(result.stdout)
    if result.returncode != 0 and not missing:
        return None
    return missing


def explain(missing: list[str]) -> str:
    """What is missing and the packages that bring it, for Debian/Ubuntu and for Fedora."""
    width = max(len(name) for name in missing)
    lines = [
        _(
            "error: the desk cannot open its window: Qt's X11 plugin (xcb) needs system "
            "libraries this computer lacks:"
        ),
    ]
    debian: list[str] = []
    fedora: list[str] = []
    for name in missing:
        known = PACKAGES.get(name)
        if known is None:
            unknown = _(
                "package unknown: `apt-file search {library}` (Debian/Ubuntu) or "
                "`dnf provides '*/{library}'` (Fedora) names it"
            ).format(library=name)
            lines.append(f"  {name:<{width}}  {unknown}")
            continue
        lines.append(f"  {name:<{width}}  Debian/Ubuntu: {known[0]:<20} Fedora: {known[1]}")
        debian += [known[0]] if known[0] not in debian else []
        fedora += [known[1]] if known[1] not in fedora else []
    if debian:
        lines += [
            _("Install them, then start again:"),
            f"  Debian/Ubuntu: sudo apt install {' '.join(debian)}",
            f"  Fedora:        sudo dnf install {' '.join(fedora)}",
        ]
    lines.append(
        _(
            "Nothing was started. Commands without a window (`frontdesk demo --no-window`, "
            "`frontdesk sync`, `frontdesk agent`) work without them."
        )
    )
    return "\n".join(lines)


def window_problem(
    environ: Mapping[str, str] | None = None, platform: str | None = None, ldd: str | None = None
) -> str | None:
    """The message to print instead of opening the desk, or None when Qt can open its window
    (or when this cannot be told: then Qt judges)."""
    if not needs_xcb(os.environ if environ is None else environ, platform or sys.platform):
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin, ldd or LDD)
    return explain(missing) if missing else None
