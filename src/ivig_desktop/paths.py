"""Every folder the program writes to, in one place, so tests and sites can redirect them.

``IVIG_DESKTOP_DATA_DIR`` moves the user data folder (history database) elsewhere; without
it the platform's user data folder is used (platformdirs). ``IVIG_DESKTOP_DATABASE`` names a
database (a clinic's PostgreSQL server) that takes the history's place.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "IVIG_DESKTOP_DATA_DIR"
ENV_DATABASE = "IVIG_DESKTOP_DATABASE"


def data_dir() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("ivig_desktop", appauthor=False))


def history_db() -> Path:
    return data_dir() / "history.sqlite3"


def database_url(given: str | None = None) -> str | None:
    """The database URL in force: the one given, else ``IVIG_DESKTOP_DATABASE``, else none
    (the workstation's own history file)."""
    if given is not None:
        return given
    return os.environ.get(ENV_DATABASE) or None
