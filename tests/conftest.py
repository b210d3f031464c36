"""Shared test set-up: Qt runs offscreen, and no test touches the user's real settings."""

from __future__ import annotations

import os

# Before any PySide6 import: there is no display in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """History and other user data go to a temporary folder, also for subprocesses."""
    monkeypatch.setenv("IVIG_DESKTOP_DATA_DIR", str(tmp_path_factory.mktemp("data")))
