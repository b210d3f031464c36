"""The history database: an append-only record of every saved or printed plan.

SQLite in WAL mode with a busy timeout, one transaction per write (BEGIN IMMEDIATE), so two
app instances can write at once and a kill during a write loses nothing already committed.
Triggers refuse UPDATE and DELETE. The schema is versioned with ``PRAGMA user_version``.
"""

from __future__ import annotations

import getpass
import json
import socket
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ivig_desktop import __version__, paths
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.patient import Patient
from ivig_desktop.engine.plan import Order, Plan
from ivig_desktop.engine.risk_factors import Warning
from ivig_desktop.store.plan_file import inputs_from_document, inputs_to_dict

ACTIONS = ("save", "print", "export-pdf")

#: Migrations in order; index + 1 is the schema version each one produces.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE record (
        id INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        user TEXT NOT NULL,
        workstation TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('save', 'print', 'export-pdf')),
        label TEXT NOT NULL,
        product TEXT NOT NULL,
        indication TEXT,
        inputs_json TEXT NOT NULL,
        results_json TEXT NOT NULL,
        overrides_json TEXT NOT NULL,
        formulary_revision TEXT NOT NULL,
        app_version TEXT NOT NULL
    );
    CREATE INDEX record_time ON record (recorded_at);
    CREATE TRIGGER record_no_update BEFORE UPDATE ON record
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER record_no_delete BEFORE DELETE ON record
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    recorded_at: str
    user: str
    workstation: str
    action: str
    label: str
    product: str
    indication: str | None
    overrides: list[dict[str, str]]
    formulary_revision: str


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.history_db()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA busy_timeout = 30000")
            # The version is checked before anything is set, so a newer file stays untouched.
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"history database {self.path} has schema {version}, newer than this version "
                    f"({SCHEMA_VERSION}); it is left untouched"
                )
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise HistoryError(f"history database {self.path} could not switch to WAL ({mode})")
            con.execute("PRAGMA synchronous = FULL")
            self._migrate(con)
            yield con
        finally:
            con.close()

    def _migrate(self, con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"history database {self.path} has schema {version}, newer than this version "
                f"({SCHEMA_VERSION}); it is left untouched"
            )
        if version == SCHEMA_VERSION:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {number + 1}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def record(
        self,
        plan: Plan,
        action: str,
        label: str = "",
        *,
        when: datetime | None = None,
        acknowledged: Mapping[Warning, str] | None = None,
    ) -> int:
        """Append one record in its own transaction; returns its id.

        ``acknowledged`` (critical warning → the reason typed for it) goes into the record's
        results as ``critical_acknowledgements``, so a printed critical plan says who accepted what.
        """
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}")
        results = plan_to_dict(plan)
        if acknowledged:
            results["critical_acknowledgements"] = [
                {"code": w.code, "message": w.message, "reason": reason} for w, reason in acknowledged.items()
            ]
        row = (
            (when or datetime.now()).isoformat(timespec="seconds"),
            _user(),
            socket.gethostname(),
            action,
            label,
            plan.product.id,
            plan.regimen.id if plan.regimen else None,
            json.dumps(inputs_to_dict(plan.patient, plan.order), ensure_ascii=False),
            json.dumps(results, ensure_ascii=False),
            json.dumps(
                [{"kind": o.kind, "reason": o.reason} for o in plan.order.overrides], ensure_ascii=False
            ),
            plan.formulary_revision,
            __version__,
        )
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "INSERT INTO record (recorded_at, user, workstation, action, label, product, indication, "
                    "inputs_json, results_json, overrides_json, formulary_revision, app_version) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return int(cur.lastrowid or 0)

    def search(self, text: str = "", limit: int = 200) -> list[Entry]:
        like = f"%{text.strip()}%"
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, recorded_at, user, workstation, action, label, product, indication, "
                "overrides_json, formulary_revision FROM record WHERE label LIKE ? OR product LIKE ? "
                "OR COALESCE(indication, '') LIKE ? OR user LIKE ? OR recorded_at LIKE ? "
                "OR overrides_json LIKE ? ORDER BY id DESC LIMIT ?",
                (like, like, like, like, like, like, limit),
            ).fetchall()
        return [Entry(*r[:8], json.loads(r[8]), r[9]) for r in rows]

    def inputs(self, entry_id: int) -> tuple[Patient, Order]:
        with self._connect() as con:
            row = con.execute("SELECT inputs_json FROM record WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no history record {entry_id}")
        return inputs_from_document({"inputs": json.loads(row[0])}, f"history record {entry_id}")

    def results(self, entry_id: int) -> dict[str, Any]:
        with self._connect() as con:
            row = con.execute("SELECT results_json FROM record WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no history record {entry_id}")
        return json.loads(row[0])

    def count(self) -> int:
        with self._connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM record").fetchone()[0])


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined)
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out
