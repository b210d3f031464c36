"""Signed checks in plan files: written without touching the plan, read strictly, kept while
the plan is unchanged, lost (and said so) when it changes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.plan import make_plan
from ivig_desktop.store import signed_check as sc
from ivig_desktop.store.plan_file import PlanFileError, load_plan_inputs, save_plan
from tests.helpers import patient, plan

AT = datetime(2026, 12, 1, 10, 5, 30)


def _saved(tmp_path: Path, preparer: str = "A. Preparer") -> tuple[Path, object]:
    p = plan("privigen", "itp", dose="2 g/kg", days=2, pt=patient(kg=80))
    path = tmp_path / "p.ivig"
    save_plan(p, path, prepared_by=preparer)
    return path, p


def _reopen(path: Path):
    patient_, order, doc = load_plan_inputs(path)
    return make_plan(patient_, order), doc


def test_the_preparer_cannot_check_their_own_plan(tmp_path: Path) -> None:
    _, p = _saved(tmp_path)
    with pytest.raises(InputError) as exc:
        sc.sign(p, " a.  PREPARER ", "A. Preparer")
    assert exc.value.field == "checker"
    assert "prepared this plan" in exc.value.message


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "B\x07C"])
def test_a_name_must_be_typed(name: str) -> None:
    with pytest.raises(InputError) as exc:
        sc.clean_name(name, "checker")
    assert exc.value.field == "checker"


def test_a_signed_check_is_written_beside_the_plan_and_survives_reopening(tmp_path: Path) -> None:
    path, p = _saved(tmp_path)
    before = json.loads(path.read_text("utf-8"))
    check = sc.sign(p, "B. Checker", "A. Preparer", when=AT)
    sc.write_check(path, p, check)
    after = json.loads(path.read_text("utf-8"))
    # Only the check block is new: the inputs, results and everything else are as saved.
    assert {k: v for k, v in after.items() if k != "check"} == before
    assert after["check"] == {
        "result": "match",
        "checked_by": "B. Checker",
        "prepared_by": "A. Preparer",
        "checked_at": "2026-12-01T10:05:30",
        "formulary_revision": p.formulary_revision,
        "settings_revision": p.settings_revision,
        "fingerprint": sc.fingerprint(p),
    }
    again, doc = _reopen(path)
    state = sc.check_state(doc, again, str(path))
    assert state.checked and not state.lost
    assert state.signed == check
    assert state.signed.sentence() == (
        f"Independently checked by B. Checker on 2026-12-01 10:05 "
        f"(prepared by A. Preparer; formulary {p.formulary_revision})"
    )
    # Saved again unchanged, the check is kept.
    assert sc.kept_check(state, again) == check


def test_a_plan_changed_after_its_check_loses_it(tmp_path: Path) -> None:
    path, p = _saved(tmp_path)
    sc.write_check(path, p, sc.sign(p, "B. Checker", "A. Preparer", when=AT))
    doc = json.loads(path.read_text("utf-8"))
    doc["inputs"]["patient"]["weight"]["magnitude"] = 81.0  # edited after the check
    path.write_text(json.dumps(doc), "utf-8")
    changed, doc = _reopen(path)
    state = sc.check_state(doc, changed, str(path))
    assert not state.checked
    assert state.lost == (
        "CHECK LOST: the plan changed after B. Checker checked it on 2026-12-01 10:05; "
        "it must be checked again"
    )
    assert sc.kept_check(state, changed) is None


def test_another_preparer_named_in_the_file_loses_the_check(tmp_path: Path) -> None:
    path, p = _saved(tmp_path)
    sc.write_check(path, p, sc.sign(p, "B. Checker", "A. Preparer", when=AT))
    doc = json.loads(path.read_text("utf-8"))
    doc["prepared_by"] = "C. Other"
    path.write_text(json.dumps(doc), "utf-8")
    again, doc = _reopen(path)
    assert "not A. Preparer" in sc.check_state(doc, again, str(path)).lost


def test_a_check_is_not_written_over_a_plan_changed_meanwhile(tmp_path: Path) -> None:
    path, p = _saved(tmp_path)
    other = plan("privigen", "itp", dose="2 g/kg", days=2, pt=patient(kg=81))
    save_plan(other, path, prepared_by="A. Preparer")
    before = path.read_bytes()
    with pytest.raises(PlanFileError) as exc:
        sc.write_check(path, p, sc.sign(p, "B. Checker", "A. Preparer"))
    assert "changed while it was being checked" in exc.value.message
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (lambda c: c.update(result="mismatch"), "check.result", "only a match is signed"),
        (lambda c: c.update(extra="x"), "check.extra", "is not a field of a check"),
        (lambda c: c.pop("fingerprint"), "check.fingerprint", "is missing"),
        (lambda c: c.update(checked_at="yesterday"), "check.checked_at", "must be a date and time"),
        (lambda c: c.update(checked_by=7), "check.checked_by", "must be a short text"),
    ],
)
def test_a_damaged_check_block_is_refused_with_its_key(tmp_path: Path, change, where: str, says: str) -> None:
    path, p = _saved(tmp_path)
    sc.write_check(path, p, sc.sign(p, "B. Checker", "A. Preparer", when=AT))
    doc = json.loads(path.read_text("utf-8"))
    change(doc["check"])
    with pytest.raises(PlanFileError) as exc:
        sc.check_from_document(doc, "p.ivig")
    assert exc.value.field == f"plan file p.ivig {where}"
    assert says in exc.value.message


def test_a_file_without_a_check_or_preparer_has_neither(tmp_path: Path) -> None:
    p = plan()
    path = tmp_path / "old.ivig"
    save_plan(p, path)
    again, doc = _reopen(path)
    assert "prepared_by" not in doc and "check" not in doc
    assert sc.prepared_by(doc, str(path)) is None
    assert sc.check_state(doc, again, str(path)) == sc.CheckState()


def test_opening_a_file_with_a_damaged_check_is_refused(tmp_path: Path) -> None:
    path, p = _saved(tmp_path)
    sc.write_check(path, p, sc.sign(p, "B. Checker", "A. Preparer", when=AT))
    doc = json.loads(path.read_text("utf-8"))
    doc["check"]["checked_by "] = "typo"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(PlanFileError) as exc:
        load_plan_inputs(path)
    assert exc.value.field == f"plan file {path} check.checked_by "
