"""History schema 3: the "check" action, added to an existing file with every row kept and the
append-only guard and the action constraint still in force."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ivig_desktop.store.history import HEAD, SCHEMA_VERSION, History
from tests.helpers import plan

_INSERT = (
    'INSERT INTO record (recorded_at, "user", workstation, action, label, product, inputs_json, '
    "results_json, overrides_json, formulary_revision, app_version) "
    "VALUES ('2026-01-01T00:00:00', 'u', 'w', '{}', 'old.ivig', 'privigen', '{{}}', '{{}}', '[]', 'r', '0')"
)


def test_a_schema_1_history_gains_the_check_action_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(
        """
        CREATE TABLE record (
            id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, user TEXT NOT NULL,
            workstation TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('save', 'print', 'export-pdf')),
            label TEXT NOT NULL, product TEXT NOT NULL, indication TEXT, inputs_json TEXT NOT NULL,
            results_json TEXT NOT NULL, overrides_json TEXT NOT NULL,
            formulary_revision TEXT NOT NULL, app_version TEXT NOT NULL
        );
        CREATE INDEX record_time ON record (recorded_at);
        CREATE TRIGGER record_no_update BEFORE UPDATE ON record
            BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        CREATE TRIGGER record_no_delete BEFORE DELETE ON record
            BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        PRAGMA user_version = 1;
        """
    )
    con.execute(_INSERT.format("save"))
    con.close()
    hist = History(path)
    hist.record(plan(), "check", "plan.ivig · match · checked by B · prepared by A")
    assert hist.count() == 2
    assert [e.action for e in hist.search()] == ["check", "save"]
    con = sqlite3.connect(path, isolation_level=None)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)] == [("0003",)]
        assert con.execute("SELECT label FROM record ORDER BY id").fetchall()[0] == ("old.ivig",)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE record SET label = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM record")
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(_INSERT.format("erase"))
    finally:
        con.close()
