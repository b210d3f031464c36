"""A real PostgreSQL server for the tests, from the ``pgserver`` wheel (binaries included).

One server per test session (``postgres`` fixture in tests/conftest.py); each test gets its own
database. As root (CI), pgserver runs the server as an unprivileged system user it creates
(``pgserver``), since PostgreSQL refuses to run as root. The server listens on a Unix socket
in its data folder only, with trust authentication: a login needs no password, so the tests
can act as a nurse or a pharmacist login by name.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote


def _pgserver() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI); pgserver then uses /tmp.
        warnings.simplefilter("ignore")
        import pgserver

    return pgserver


@dataclass
class Postgres:
    server: Any
    folder: Path

    @property
    def socket_dir(self) -> str:
        return str(self.server.get_postmaster_info().socket_dir)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{quote(user)}@/{database}?host={quote(self.socket_dir)}"

    def sql(self, statement: str, database: str = "postgres", user: str = "postgres") -> list[tuple]:
        """Run one statement as ``user`` in autocommit; rows if it returns any."""
        import psycopg

        with psycopg.connect(self.url(database, user), autocommit=True) as con:
            cur = con.execute(statement)
            return cur.fetchall() if cur.description else []

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name}")
        return name

    def stop(self) -> None:
        """Stop the server (an outage); ``start`` brings the same one back on the same socket."""
        pg = _pgserver()
        pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        try:
            self.server.cleanup()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Postgres:
    """A new server in a folder of its own under the system's temporary folder: not under
    pytest's ``pytest-of-<user>``, which every pytest run (another one at the same time
    included) makes private again, so the server's own user could no longer reach its data."""
    pg = _pgserver()
    folder = Path(tempfile.mkdtemp(prefix="ivig-pg-"))
    server = pg.get_server(folder / "pgdata", cleanup_mode="delete")
    return Postgres(server, folder)


@contextmanager
def running() -> Iterator[Postgres]:
    """A started server, closed and removed however the block ends (a fixture's whole life)."""
    server = start()
    try:
        yield server
    finally:
        server.close()
