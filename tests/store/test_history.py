"""The history database: append-only, WAL, versioned, safe with several writers and a kill."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, time
from pathlib import Path

import pytest

from ivig_desktop import paths
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, make_plan
from ivig_desktop.engine.units import Q_
from ivig_desktop.store.history import HEAD, SCHEMA_VERSION, History, HistoryError
from tests.helpers import patient, plan

ROOT = Path(__file__).resolve().parents[2]


def _override_plan():
    return plan(
        "octagam-10",
        "itp",
        pt=patient(100, 175, "female", 60, 1.1),
        risks=frozenset({"diabetes"}),
        start=time(9, 15),
        overrides=(Override("rate-cap", "tolerated 8 mg/kg/min at ward 7B"),),
    )


def _sql(path: Path, query: str, *args: object) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def test_record_count_search_and_inputs_round_trip(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    first = _override_plan()
    second = plan("privigen", "pid")
    when = datetime(2026, 3, 4, 5, 6, 7)
    assert h.record(first, "save", "/plans/mrs-a.ivig", when=when) == 1
    assert h.record(second, "print", "") == 2
    assert h.record(second, "export-pdf", "/tmp/s.pdf") == 3
    assert h.count() == 3
    entries = h.search()
    assert [e.id for e in entries] == [3, 2, 1]  # newest first
    e1 = entries[-1]
    assert (e1.action, e1.label, e1.product, e1.indication) == (
        "save",
        "/plans/mrs-a.ivig",
        "octagam-10",
        "itp",
    )
    assert e1.recorded_at == "2026-03-04T05:06:07"
    assert e1.overrides == [{"kind": "rate-cap", "reason": "tolerated 8 mg/kg/min at ward 7B"}]
    assert e1.formulary_revision == first.formulary_revision
    assert e1.user and e1.workstation
    pt, order = h.inputs(1)
    assert (pt, order) == (first.patient, first.order)
    assert plan_to_dict(make_plan(pt, order)) == plan_to_dict(first)
    assert h.results(1) == plan_to_dict(first)
    assert h.inputs(2) == (second.patient, second.order)


def test_pounds_inches_and_micromoles_come_back_from_history(tmp_path: Path) -> None:
    pt = Patient(Q_(200, "pound"), Q_(70, "inch"), Sex.MALE, Q_(40, "year"), Q_(120, "micromole / liter"))
    p = make_plan(pt, Order("privigen", "pid", Q_(800, "milligram / kilogram"), 2))
    h = History(tmp_path / "h.sqlite3")
    h.record(p, "save")
    assert h.inputs(1) == (p.patient, p.order)


def test_a_record_of_a_plan_typed_in_metres_can_be_reopened(tmp_path: Path) -> None:
    """The history window reopens a record through History.inputs; a height the planner
    accepted ("1.8 m") must come back."""
    pt = Patient(Q_(80, "kg"), fields.parse_quantity("1.8 m", fields.HEIGHT), Sex.MALE, Q_(45, "year"))
    p = make_plan(pt, Order("privigen", "pid"))
    h = History(tmp_path / "h.sqlite3")
    h.record(p, "print")
    assert h.inputs(1) == (p.patient, p.order)


def test_unknown_record_and_action_are_refused_and_write_nothing(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    with pytest.raises(HistoryError, match="no history record 7"):
        h.inputs(7)
    with pytest.raises(HistoryError, match="no history record 7"):
        h.results(7)
    with pytest.raises(ValueError, match="action must be one of"):
        h.record(plan(), "delete")
    assert h.count() == 0


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("octagam", [1]),
        ("privigen", [3, 2]),
        ("itp", [1]),
        ("pid", [3, 2]),
        ("ward 7B", [1]),
        ("TOLERATED", [1]),  # LIKE is case-insensitive for ASCII
        ("mrs-a.ivig", [1]),
        ("/tmp/s.pdf", [3]),
        ("2026-03-04", [1]),
        ("  octagam  ", [1]),
        ("nothing like this", []),
        ("", [3, 2, 1]),
    ],
)
def test_search_by_product_indication_override_reason_label_and_date(
    tmp_path: Path, needle: str, expected: list[int]
) -> None:
    h = History(tmp_path / "h.sqlite3")
    h.record(_override_plan(), "save", "/plans/mrs-a.ivig", when=datetime(2026, 3, 4, 10, 0))
    p = plan("privigen", "pid")
    h.record(p, "print", "", when=datetime(2026, 5, 1, 10, 0))
    h.record(p, "export-pdf", "/tmp/s.pdf", when=datetime(2026, 5, 2, 10, 0))
    assert [e.id for e in h.search(needle)] == expected


def test_search_limit(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    p = plan()
    for i in range(5):
        h.record(p, "save", f"f{i}")
    assert [e.label for e in h.search(limit=2)] == ["f4", "f3"]


def test_history_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).record(_override_plan(), "save", "kept")
    before = _sql(path, "SELECT * FROM record")
    con = sqlite3.connect(path)
    try:
        for sql in (
            "UPDATE record SET label = 'changed'",
            "UPDATE record SET overrides_json = '[]' WHERE id = 1",
            "DELETE FROM record",
            "DELETE FROM record WHERE id = 1",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="history is append-only"):
                con.execute(sql)
        con.commit()
    finally:
        con.close()
    assert _sql(path, "SELECT * FROM record") == before
    assert History(path).count() == 1


def test_history_uses_wal_and_records_its_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).record(plan(), "save")
    assert _sql(path, "PRAGMA journal_mode") == [("wal",)]
    assert _sql(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION == 3  # 3: the "check" action (issue 14)
    assert _sql(path, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    names = {r[0] for r in _sql(path, "SELECT name FROM sqlite_master")}
    assert {"record", "record_no_update", "record_no_delete", "record_time", "record_uid"} <= names


def test_a_newer_schema_is_refused_and_nothing_is_added(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    h = History(path)
    for call in (lambda: h.record(plan(), "save"), h.count, h.search, lambda: h.inputs(1)):
        with pytest.raises(HistoryError, match="schema 99, newer than this version"):
            call()
    assert _sql(path, "SELECT name FROM sqlite_master") == []
    assert _sql(path, "PRAGMA user_version") == [(99,)]


def test_a_newer_schema_database_file_is_left_byte_for_byte_untouched(tmp_path: Path) -> None:
    """The refusal says "it is left untouched": opening it must not rewrite its header
    (e.g. by switching its journal mode to WAL) nor add -wal/-shm files."""
    path = tmp_path / "h.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError):
        History(path).record(plan(), "save")
    assert path.read_bytes() == before
    assert _sql(path, "PRAGMA journal_mode") == [("delete",)]


def test_migration_from_an_empty_file_and_from_no_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    h = History(empty)
    assert h.count() == 0
    assert _sql(empty, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert h.record(plan(), "save") == 1
    deep = tmp_path / "a" / "b" / "history.sqlite3"
    assert History(deep).count() == 0
    assert deep.exists()


def test_migration_from_version_zero_keeps_going_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).record(plan(), "save", "one")
    History(path).record(plan(), "save", "two")  # a second open does not migrate again
    assert [e.label for e in History(path).search()] == ["two", "one"]


def test_default_location_follows_the_data_dir_variable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "data"))
    h = History()
    assert h.path == tmp_path / "data" / "history.sqlite3"
    h.record(plan(), "save")
    assert (tmp_path / "data" / "history.sqlite3").exists()


def test_a_database_that_is_not_sqlite_is_an_error_not_a_wipe(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    # Issue 15: one line naming the file, and the file kept for inspection.
    with pytest.raises(HistoryError, match=r"h\.sqlite3 is not usable \(file is not a database\); it is "):
        History(path).count()
    assert path.read_bytes() == before


# -- several writers and a kill --------------------------------------------------------------------
_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from ivig_desktop.store.history import History
from tests.helpers import plan
h = History(Path({db!r}))
p = plan()
go = Path({go!r})
while not go.exists():
    time.sleep(0.01)
for i in range({n}):
    row = h.record(p, "save", f"{{sys.argv[1]}}-{{i}}")
    print(row, flush=True)
"""


def test_three_processes_writing_at_once_lose_no_row(tmp_path: Path) -> None:
    db, go, n = tmp_path / "h.sqlite3", tmp_path / "go", 40
    script = textwrap.dedent(_WRITER.format(root=str(ROOT), db=str(db), go=str(go), n=n))
    names = ("a", "b", "c")
    procs = [
        subprocess.Popen([sys.executable, "-c", script, name], stdout=subprocess.PIPE, text=True)
        for name in names
    ]
    try:
        go.touch()  # every writer starts at once, also on a fresh (unmigrated) database
        outs = [p.communicate(timeout=300)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0, 0]
    reported = [int(line) for out in outs for line in out.split()]
    assert len(reported) == len(set(reported)) == 3 * n
    h = History(db)
    assert h.count() == 3 * n
    ids = [r[0] for r in _sql(db, "SELECT id FROM record ORDER BY id")]
    assert ids == sorted(reported) == list(range(1, 3 * n + 1))
    labels = {r[0] for r in _sql(db, "SELECT label FROM record")}
    assert labels == {f"{name}-{i}" for name in names for i in range(n)}
    assert _sql(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_writer_killed_mid_stream_loses_nothing_it_committed(tmp_path: Path) -> None:
    db, go = tmp_path / "h.sqlite3", tmp_path / "go"
    go.touch()
    script = textwrap.dedent(_WRITER.format(root=str(ROOT), db=str(db), go=str(go), n=10_000))
    proc = subprocess.Popen([sys.executable, "-c", script, "k"], stdout=subprocess.PIPE, text=True)
    committed: list[int] = []
    try:
        assert proc.stdout is not None
        while len(committed) < 12:
            line = proc.stdout.readline()
            assert line, "the writer stopped before recording anything"
            committed.append(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
    committed += [int(x) for x in rest.split()]
    assert proc.returncode == -signal.SIGKILL
    assert _sql(db, "PRAGMA integrity_check") == [("ok",)]
    h = History(db)
    # Every id the writer saw committed is readable; at most the one in flight may be there too.
    assert committed == list(range(1, len(committed) + 1))
    assert h.count() in (len(committed), len(committed) + 1)
    for row in committed:
        _pt, order = h.inputs(row)
        assert order.product == "privigen"
    labels = {e.label for e in h.search(limit=100_000)}
    assert {f"k-{i}" for i in range(len(committed))} <= labels
    # The database goes on working after the kill.
    assert h.record(plan(), "print", "after") == h.count()
