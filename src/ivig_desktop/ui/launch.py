"""Starting the window from the command line: check what it needs before Qt is asked.

Without a display, or with Qt's X11 libraries missing, Qt prints several lines and aborts the
process (SIGABRT, a core dump on some systems). A clinic's IT person needs one line that says
what is wrong and what to install instead, so those two conditions are checked first, here, with
no Qt import. The same goes for a plan file named on the command line that does not exist.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

PROG = "ivig-desktop"

#: The X11 libraries Qt's xcb platform plugin loads (``ldd libQt6XcbQpa.so.6`` for PySide6 6.11),
#: with the Debian/Ubuntu package that provides each. A desktop Linux has them all; a minimal or
#: server installation often lacks the first six.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}


def missing_libraries(names: dict[str, str] = XCB_LIBRARIES) -> list[str]:
    """The libraries of ``names`` that the dynamic loader cannot find."""
    import ctypes

    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def display_problem(env: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why Qt could not open a window here, in one sentence with the fix, or None."""
    env = dict(os.environ) if env is None else env
    if not platform.startswith("linux"):
        return None  # Windows and macOS always have their platform plugin
    qpa = env.get("QT_QPA_PLATFORM", "").strip()
    if qpa and not qpa.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: Qt's own choice, nothing to pre-check
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return (
            "cannot open the window: no display (DISPLAY is not set). Run it in a desktop session, "
            "or use the command line (ivig-desktop help); for a headless check set QT_QPA_PLATFORM=offscreen"
        )
    local = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if local and not Path(f"/tmp/.X11-unix/X{local[1]}").exists():
        return f"cannot open the window: no X server is running on display {display}"
    missing = missing_libraries()
    if missing:
        packages = " ".join(XCB_LIBRARIES[m] for m in missing)
        return (
            f"cannot open the window: Qt's X11 libraries are missing ({', '.join(missing)}). "
            f"On Debian or Ubuntu: sudo apt-get install {packages}"
        )
    return None


def main(args: list[str]) -> int:
    """Check, then start the application (ui/app.py) with an optional plan file to open."""
    if len(args) > 1:
        sys.stderr.write(f"{PROG}: error: the window opens one plan file at a time (got {len(args)})\n")
        return 2
    plan_file = Path(args[0]) if args else None
    if plan_file is not None and not plan_file.is_file():
        sys.stderr.write(f"{PROG}: error: plan file '{plan_file}' does not exist or is not a file\n")
        return 2
    problem = display_problem()
    if problem:
        sys.stderr.write(f"{PROG}: error: {problem}\n")
        return 1
    from ivig_desktop.ui.app import main as app_main

    return app_main([str(plan_file)] if plan_file else [])
