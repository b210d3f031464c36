"""Issue 15, history robust: a damaged or foreign history file is named in one line, left exactly
as it was, and the plan file and PDF asked for are still written."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ivig_desktop.cli import main
from ivig_desktop.store.history import History
from tests.helpers import CLI_PLAN, plan


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)


def _truncated_header(path: Path) -> None:
    History(path.with_name("donor.sqlite3")).record(plan(), "save")
    path.write_bytes(path.with_name("donor.sqlite3").read_bytes()[:60])


def _foreign_sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()


def _newer_schema(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()


def _schema_1_foreign_columns(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE record (id INTEGER PRIMARY KEY, note TEXT); PRAGMA user_version = 1;")
    con.close()


def _malformed_pages(path: Path) -> None:
    h = History(path)
    for i in range(40):
        h.record(plan(), "save", f"r{i}")
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for p in range(1, len(data) // page):
        data[p * page : p * page + 200] = b"\xff" * 200  # every page but the header one
    path.write_bytes(bytes(data))


def _a_folder(path: Path) -> None:
    path.mkdir()


KINDS: dict[str, Callable[[Path], None]] = {
    "not a database": _not_a_database,
    "truncated header": _truncated_header,
    "foreign sqlite": _foreign_sqlite,
    "newer schema": _newer_schema,
    "schema 1, foreign columns": _schema_1_foreign_columns,
    "malformed pages": _malformed_pages,
    "a folder": _a_folder,
}


def _snapshot(path: Path) -> object:
    if path.is_dir():
        return sorted(os.listdir(path))
    return path.read_bytes()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_damaged_history_stops_neither_the_pdf_nor_the_plan_file(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("IVIG_DESKTOP_DATA_DIR", str(data))
    history = data / "history.sqlite3"
    KINDS[kind](history)
    before = _snapshot(history)
    saved, pdf = tmp_path / "p.ivig", tmp_path / "s.pdf"
    code = main([*CLI_PLAN, "--format", "pdf", "--output", str(pdf), "--save", str(saved)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("ivig-desktop: error: history: ") and err.count("\n") == 1, err
    assert str(history) in err and str(pdf) in err and str(saved) in err
    assert pdf.read_bytes().startswith(b"%PDF") and saved.stat().st_size > 0
    assert _snapshot(history) == before, "the damaged history was changed"
    leftovers = {p.name for p in data.iterdir()} - {"history.sqlite3", "donor.sqlite3"}
    assert not {n for n in leftovers if not n.startswith("donor")}, leftovers
