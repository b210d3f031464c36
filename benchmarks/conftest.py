"""Benchmarks run offscreen, with user data in a temporary folder, like the tests."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVIG_DESKTOP_DATA_DIR", str(tmp_path_factory.mktemp("data")))
