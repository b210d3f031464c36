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


@pytest.fixture(autouse=True)
def _no_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own IVIG_DESKTOP_DATABASE must not send test records to a real server."""
    monkeypatch.delenv("IVIG_DESKTOP_DATABASE", raising=False)


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL server for the whole session (tests/pg.py), removed at the end."""
    from tests.pg import running

    with running() as server:
        yield server


@pytest.fixture
def pg_url(postgres) -> str:
    """A fresh, empty database of the session's server, as its superuser's URL."""
    return postgres.url(postgres.new_database())
