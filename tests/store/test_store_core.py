"""Plans that last: plan files round-trip and refuse bad files, saving is atomic, history is
append-only and safe with two writers, overrides need reasons, the site formulary validates."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from datetime import time
from pathlib import Path

import pytest

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.formulary import load_formulary
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.plan import Catalogue, bundled_catalogue, make_plan
from ivig_desktop.engine.units import Q_
from ivig_desktop.store import files, plan_file, site_formulary
from ivig_desktop.store.history import SCHEMA_VERSION, History, HistoryError
from tests.helpers import patient, plan

ROOT = Path(__file__).resolve().parents[2]


def _rich_plan():
    pt = patient(
        180 * 0.45359237, 70 * 2.54, "female", 68, 1.2, pregnant=True, pre_pregnancy_weight=Q_(75, "kg")
    )
    return plan(
        "octagam-10",
        "itp",
        dose="1800 mg/kg",
        days=2,
        start=time(7, 45),
        pt=pt,
        risks=frozenset({"diabetes", "central-catheter"}),
        start_low=frozenset({"product-switch"}),
        max_rate=Q_(4, "mg/kg/min"),
        overrides=(Override("actual-weight", "weight-based team decision"),),
    )


def test_save_and_open_round_trip_exactly(tmp_path: Path) -> None:
    original = _rich_plan()
    path = tmp_path / "a.ivig"
    plan_file.save_plan(original, path)
    pt, order, doc = plan_file.load_plan_inputs(path)
    assert pt == original.patient
    assert order == original.order
    assert doc["schema"] == plan_file.SCHEMA and doc["format"] == plan_file.FORMAT
    again = make_plan(pt, order)
    assert plan_to_dict(again) == plan_to_dict(original)
    assert plan_file.changes(doc["results"], again) == []


def test_pounds_stay_pounds_in_the_file(tmp_path: Path) -> None:
    original = plan(pt=patient(154 * 0.45359237))
    original = make_plan(
        original.patient.__class__(Q_(154, "lb"), Q_(69, "in"), original.patient.sex, Q_(40, "year")),
        original.order,
    )
    path = tmp_path / "lb.ivig"
    plan_file.save_plan(original, path)
    saved = json.loads(path.read_text(encoding="utf-8"))["inputs"]["patient"]
    assert saved["weight"] == {"magnitude": 154.0, "units": "lb"}
    assert saved["height"] == {"magnitude": 69.0, "units": "in"}


def test_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.ivig"
    plan_file.save_plan(plan(), path)
    before = path.read_bytes()

    def crash(*_a: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", crash)
    with pytest.raises(InputError, match="plan file: cannot write"):
        plan_file.save_plan(_rich_plan(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.ivig"]


def _valid_doc(tmp_path: Path) -> dict:
    path = tmp_path / "ok.ivig"
    plan_file.save_plan(plan(), path)
    return json.loads(path.read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def _patched(doc: dict, where: list[str], value: object) -> str:
    d = json.loads(json.dumps(doc))
    target = d
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return json.dumps(d)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda doc: json.dumps(doc)[: len(json.dumps(doc)) // 2], "not complete, valid JSON"),
        (lambda doc: "", "not complete, valid JSON"),
        (lambda doc: b"\xff\xfe\x00garbage", "not UTF-8"),
        (lambda doc: _patched(doc, ["format"], "something else"), "format: is not an ivig_desktop plan"),
        (lambda doc: _patched(doc, ["schema"], 3), "schema: version 3 is not supported"),
        (lambda doc: _patched(doc, ["schema"], "1"), "schema: version '1' is not supported"),
        (lambda doc: _patched(doc, ["inputs"], None), "inputs: must be a JSON object"),
        (
            lambda doc: _patched(doc, ["inputs", "patient", "weight", "magnitude"], 1e308),
            "weight: 1e+308 kg is outside",
        ),
        (
            lambda doc: _patched(doc, ["inputs", "patient", "weight", "magnitude"], -5),
            "weight: must be greater than zero",
        ),
        (
            lambda doc: _patched(doc, ["inputs", "patient", "weight", "magnitude"], "70"),
            "magnitude must be a finite number",
        ),
        (
            lambda doc: _patched(doc, ["inputs", "patient", "weight", "magnitude"], True),
            "magnitude must be a finite number",
        ),
        (
            lambda doc: _patched(doc, ["inputs", "patient", "weight", "units"], "stone"),
            "units must be one of kg, lb",
        ),
        (lambda doc: _patched(doc, ["inputs", "patient", "sex"], "other"), 'sex: must be "male" or "female"'),
        (
            lambda doc: _patched(doc, ["inputs", "order", "days"], 0),
            "days: must be a whole number from 1 to 10",
        ),
        (
            lambda doc: _patched(doc, ["inputs", "order", "days"], 2.5),
            "days: must be a whole number from 1 to 10",
        ),
        (
            lambda doc: _patched(doc, ["inputs", "order", "start"], "25:00"),
            "start: '25:00' is not a valid time",
        ),
        (
            lambda doc: _patched(
                doc, ["inputs", "order", "overrides"], [{"kind": "x", "reason": "y"}] * 1000
            ),
            "overrides: must be a list",
        ),
        (lambda doc: json.dumps(doc).replace('"magnitude": 70.0', '"magnitude": NaN', 1), "finite number"),
        (
            lambda doc: (
                '{"format": "ivig_desktop plan", "schema": 1, "inputs": ' + "[" * 5000 + "]" * 5000 + "}"
            ),
            "nested too deeply",
        ),
    ],
)
def test_bad_plan_files_are_refused_and_left_alone(tmp_path: Path, mutate, needle: str) -> None:
    content = mutate(_valid_doc(tmp_path))
    path = _write(tmp_path, "bad.ivig", content)
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        plan_file.load_plan_inputs(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)
    assert path.read_bytes() == before


def test_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.ivig"
    with path.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    with pytest.raises(InputError, match="a plan file is at most 1,000,000"):
        plan_file.load_plan_inputs(path)


def test_newer_formulary_shows_what_changed(tmp_path: Path) -> None:
    saved_plan = plan("privigen", "pid", pt=patient(70, 175))
    path = tmp_path / "p.ivig"
    plan_file.save_plan(saved_plan, path)
    text = (ROOT / "resources" / "formulary.toml").read_text(encoding="utf-8")
    text = text.replace('revision = "2026-12-01 label audit"', 'revision = "site 2027-01"', 1)
    old_max = 'max = { value = 8, unit = "mg/kg/min", evidence = "READ-L", source = "privigen.com Dosing'
    assert old_max in text
    text = text.replace(old_max, old_max.replace("value = 8", "value = 4"), 1)
    site = _write(tmp_path, "site.toml", text)
    base = bundled_catalogue()
    cat = Catalogue(load_formulary(site), base.regimens, base.policies, base.settings)
    pt, order, doc = plan_file.load_plan_inputs(path)
    now = make_plan(pt, order, cat)
    changed = plan_file.changes(doc["results"], now)
    assert any("formulary: 2026-12-01 label audit → site 2027-01" in c for c in changed)
    assert any("pump rates" in c for c in changed)
    assert any("duration" in c for c in changed)


# -- history ---------------------------------------------------------------------------------------
def test_history_records_and_reopens(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    p = _rich_plan()
    first = h.record(p, "save", "/plans/a.ivig")
    second = h.record(plan(), "print", "")
    assert (first, second, h.count()) == (1, 2, 2)
    assert [e.id for e in h.search("octagam")] == [1]
    assert [e.id for e in h.search("weight-based team")] == [1]
    entry = h.search("a.ivig")[0]
    assert entry.overrides == [{"kind": "actual-weight", "reason": "weight-based team decision"}]
    pt, order = h.inputs(1)
    assert (pt, order) == (p.patient, p.order)
    assert h.results(1) == plan_to_dict(p)


def test_history_is_append_only_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).record(plan(), "save")
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for sql in ("UPDATE record SET user = 'x'", "DELETE FROM record"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(sql)
    con.close()
    assert History(path).count() == 1


def test_newer_history_schema_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(HistoryError, match="schema 99, newer than this version"):
        History(path).record(plan(), "save")
    con = sqlite3.connect(path)
    assert con.execute("SELECT name FROM sqlite_master").fetchall() == []
    con.close()


def test_two_processes_writing_at_once_lose_no_row(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from ivig_desktop.store.history import History
        from tests.helpers import plan
        h = History(Path({str(path)!r}))
        p = plan()
        for i in range(40):
            h.record(p, "save", f"{{sys.argv[1]}}-{{i}}")
        """
    )
    # The database is created and migrated first, so the test is about concurrent writers, not
    # about who wins the race to create it (that case is tests/store/test_history.py's).
    assert History(path).count() == 0
    procs = [subprocess.Popen([sys.executable, "-c", script, name]) for name in ("a", "b", "c")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    con = sqlite3.connect(path)
    labels = [r[0] for r in con.execute("SELECT label FROM record")]
    assert len(labels) == 120 == len(set(labels))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


# -- overrides -------------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["", "   ", "ok"])
def test_override_without_a_reason_is_refused(reason: str) -> None:
    with pytest.raises(InputError) as err:
        plan(overrides=(Override("actual-weight", reason),))
    assert err.value.field == "override reason"


def test_overrides_take_effect_and_are_reported() -> None:
    heavy = patient(100, 175, age=70)
    normal = plan("octagam-10", "itp", pt=heavy, risks=frozenset({"diabetes"}))
    assert normal.dosing.basis == "adjusted" and normal.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    over = plan(
        "octagam-10",
        "itp",
        pt=heavy,
        risks=frozenset({"diabetes"}),
        overrides=(Override("actual-weight", "renal team asked"), Override("rate-cap", "tolerated before")),
    )
    assert over.dosing.basis == "actual" and over.dosing.weight.m_as("kg") == 100
    assert over.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(12)
    messages = " ".join(w.message for w in over.warnings)
    assert "OVERRIDE actual-weight" in messages and "renal team asked" in messages
    assert "OVERRIDE rate-cap" in messages and "tolerated before" in messages
    with pytest.raises(InputError, match="dose: 3 g/kg"):
        plan(dose="3 g/kg", days=2)
    allowed = plan(dose="3 g/kg", days=2, overrides=(Override("dose-limit", "protocol 2026-14"),))
    assert any(w.code == "dose-limit" and "protocol 2026-14" in w.message for w in allowed.warnings)


# -- site formulary --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (
            lambda d: d["product"][0]["vials"][0].update(size=-5),
            "[privigen.vials[1]] size: must be greater than zero",
        ),
        (
            lambda d: d["product"][0]["indications"]["pid"]["start"].update(value=9),
            "[privigen.indications.pid] start: is above max",
        ),
        (
            lambda d: d["product"][0]["concentration"].update(unit="kg"),
            "[privigen.concentration] concentration: 'kg' is not a unit of concentration",
        ),
        (
            lambda d: d["product"][0]["vials"].append(dict(d["product"][0]["vials"][0])),
            "[privigen] vials: lists the same size twice",
        ),
    ],
)
def test_site_formulary_refuses_invalid_edits(tmp_path: Path, edit, needle: str) -> None:
    data = site_formulary.bundled_data()
    edit(data)
    target = tmp_path / "site.toml"
    with pytest.raises(DataError) as err:
        site_formulary.save(data, target)
    assert needle in str(err.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_site_formulary_valid_edit_is_saved_with_site_provenance(tmp_path: Path) -> None:
    data = site_formulary.bundled_data()
    data["revision"] = "site 2026-12"
    data["product"][0]["vials"].insert(
        0, {"size": 2.5, "volume": 25, **site_formulary.site_provenance("tester")}
    )
    target = tmp_path / "site.toml"
    site_formulary.save(data, target)
    form = load_formulary(target)
    assert form.revision == "site 2026-12"
    small = form.products["privigen"].vials[0]
    assert small.size.m_as("g") == 2.5 and small.provenance.evidence == "site"
    assert "edited by tester" in small.provenance.source


def test_a_kill_during_writes_loses_nothing_committed(tmp_path: Path) -> None:
    """The writer reports each committed row on a pipe; a progress file rewritten in place
    (truncate, then write) could be caught empty by the kill."""
    import os
    import signal

    path = tmp_path / "h.sqlite3"
    assert History(path).count() == 0  # created before the writer starts: one writer, no race
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from ivig_desktop.store.history import History
        from tests.helpers import plan
        h = History(Path({str(path)!r}))
        p = plan()
        i = 0
        while True:
            i += 1
            h.record(p, "save", f"row-{{i}}")
            print(i, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    seen: list[int] = []
    try:
        assert proc.stdout is not None
        while len(seen) < 15:
            line = proc.stdout.readline()
            assert line, "the writer stopped before committing 15 rows"
            seen.append(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
    # print() sends "i\n" in one write of a few bytes, which a pipe delivers whole or not at all.
    seen += [int(x) for x in rest.split()]
    assert proc.returncode == -signal.SIGKILL
    committed = max(seen)
    assert seen == list(range(1, committed + 1))
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    labels = {r[0] for r in con.execute("SELECT label FROM record")}
    con.close()
    # every row the writer saw committed is there; at most the one in flight may be too
    assert {f"row-{i}" for i in range(1, committed + 1)} <= labels
    assert len(labels) in (committed, committed + 1)
    assert History(path).record(plan(), "print") == len(labels) + 1
