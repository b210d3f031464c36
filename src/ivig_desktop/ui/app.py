"""Start the desktop application. ``QApplication`` is created here and nowhere else."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences


def main(argv: list[str] | None = None) -> int:
    app = QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationName("ivig_desktop")
    app.setOrganizationName("ivig_desktop")
    window = MainWindow(Preferences())
    window.show()
    return app.exec()
