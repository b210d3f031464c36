"""Start the desktop application. ``QApplication`` is created here and nowhere else."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences


def main(argv: list[str] | None = None) -> int:
    """Show the window; ``argv`` may name one plan file (``ivig-desktop FILE.ivig``) to open."""
    files = [a for a in (argv or []) if not a.startswith("-")]
    app = QApplication([sys.argv[0]])
    app.setApplicationName("ivig_desktop")
    app.setOrganizationName("ivig_desktop")
    window = MainWindow(Preferences())
    window.show()
    if files:
        # Opened once the event loop runs, so a refusal is shown in the window, not lost.
        QTimer.singleShot(0, window, lambda: window.open_plan(Path(files[0])))
    return app.exec()
