"""Fixtures for the window tests: private preferences and history in tmp_path, one shown window."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.store.history import History
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences


@pytest.fixture
def prefs_path(tmp_path: Path) -> Path:
    return tmp_path / "prefs.ini"


@pytest.fixture
def prefs(prefs_path: Path) -> Preferences:
    return Preferences(prefs_path)


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "history.sqlite3")


@pytest.fixture
def window(qtbot, prefs: Preferences, history: History) -> MainWindow:
    w = MainWindow(prefs, history)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    # The first recompute (which loads the engine) runs just after the window is shown.
    first = getattr(w, "_first", None)
    if first is not None:
        qtbot.waitUntil(lambda: not first.isActive(), timeout=10000)
    return w
