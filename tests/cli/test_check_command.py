"""``ivig-desktop check``: exit 0 and a signed check on a match, 3 and the differences on a
mismatch, 2 for bad input; the signed check lasts in the file and the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivig_desktop.cli import main
from ivig_desktop.store.history import History
from tests.helpers import CLI_PLAN

# CLI_PLAN: 70 kg / 175 cm man, 50 y, Octagam 10 % for ITP (2 g/kg over 2 days).
ORDER = list(CLI_PLAN[1:])


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _with(args: list[str], **changes: str) -> list[str]:
    out = list(args)
    for key, value in changes.items():
        flag = "--" + key.replace("_", "-")
        out[out.index(flag) + 1] = value
    return out


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "plan.ivig"
    code, _, err = _run(capsys, ["plan", *ORDER, "--save", str(path), "--prepared-by", "A. Preparer"])
    assert code == 0, err
    return path


def _checks() -> list:
    return [e for e in History().search() if e.action == "check"]


def test_a_matching_re_entry_exits_0_and_signs_the_plan(saved: Path, capsys) -> None:
    before = json.loads(saved.read_text("utf-8"))
    code, out, err = _run(capsys, ["check", str(saved), "--checker", "B. Checker", *ORDER])
    assert (code, err) == (0, "")
    assert out.startswith(f"MATCH: B. Checker's entry gives the same plan as {saved}")
    assert "Independently checked by B. Checker on " in out
    after = json.loads(saved.read_text("utf-8"))
    assert {k: v for k, v in after.items() if k != "check"} == before  # the plan itself untouched
    assert after["prepared_by"] == "A. Preparer"
    assert after["check"]["checked_by"] == "B. Checker"
    assert after["check"]["prepared_by"] == "A. Preparer"
    assert after["check"]["formulary_revision"] == before["formulary_revision"]
    [entry] = _checks()
    assert "match · checked by B. Checker · prepared by A. Preparer" in entry.label
    assert entry.formulary_revision == before["formulary_revision"]
    # Reopened, the plan says it is checked, in place of the verify banner.
    code, out, _ = _run(capsys, ["plan", "--input", str(saved)])
    assert code == 0
    assert "\nIVIG infusion plan\nCHECKED: Independently checked by B. Checker on " in out
    assert "VERIFY:" not in out
    code, out, _ = _run(capsys, ["plan", "--input", str(saved), "--format", "json"])
    assert json.loads(out)["check"]["status"] == "checked"


def test_a_mismatch_exits_3_lists_each_difference_and_signs_nothing(saved: Path, capsys) -> None:
    before = saved.read_bytes()
    slip = _with(ORDER, weight="7 kg")  # 7 kg for 70
    code, out, err = _run(capsys, ["check", str(saved), "--checker", "B. Checker", *slip])
    assert (code, err) == (3, "")
    assert out.startswith("MISMATCH: ")
    assert "  - weight: plan 70 kg; check 7 kg\n" in out
    assert "  - course dose: plan 140 g; check 14 g\n" in out  # 2 g/kg × 70 / × 7
    assert "a mismatch cannot be signed" in out
    assert saved.read_bytes() == before
    [entry] = _checks()
    assert " · mismatch (" in entry.label
    code, out, _ = _run(capsys, ["check", str(saved), "--checker", "B. Checker", *slip, "--format", "json"])
    doc = json.loads(out)
    assert code == 3
    assert doc["result"] == "mismatch" and doc["signed"] is False and doc["check"] is None
    assert {"field": "weight", "plan": "70 kg", "check": "7 kg"} in doc["differences"]
    assert {"field": "dosing weight", "plan": "70 kg", "check": "7 kg"} in doc["differences"]
    assert all(set(x) == {"field", "plan", "check"} for x in doc["differences"])


def test_json_match(saved: Path, capsys) -> None:
    code, out, _ = _run(capsys, ["check", str(saved), "--checker", "B", *ORDER, "--format", "json"])
    doc = json.loads(out)
    assert code == 0
    assert doc["result"] == "match" and doc["differences"] == [] and doc["signed"] is True
    assert doc["check"]["checked_by"] == "B" and doc["prepared_by"] == "A. Preparer"


def test_weight_in_lb_by_the_checker_matches_kg_by_the_preparer(tmp_path: Path, capsys) -> None:
    # 198 lb = 89.81 kg against the preparer's 89.8 kg: every printed figure agrees (PID).
    order = _with(ORDER, weight="89.8 kg", indication="pid", product="privigen")
    path = tmp_path / "p.ivig"
    assert main(["plan", *order, "--save", str(path), "--prepared-by", "A"]) == 0
    code, out, _ = _run(capsys, ["check", str(path), "--checker", "B", *_with(order, weight="198 lb")])
    assert code == 0, out


def test_the_preparer_cannot_check_their_own_plan(saved: Path, capsys) -> None:
    before = saved.read_bytes()
    code, out, err = _run(capsys, ["check", str(saved), "--checker", "a. preparer", *ORDER])
    assert code == 2 and out == ""
    assert err.startswith("ivig-desktop: error: checker: 'a. preparer' prepared this plan")
    assert saved.read_bytes() == before
    assert _checks() == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--checker", "B"], "the following arguments are required: --weight"),
        (["--checker", "", *ORDER], "checker: is empty"),
        (["--checker", "B", *_with(ORDER, weight="70")], "weight: '70' has no unit"),
        (["--checker", "B", "--prepared-by", "C", *ORDER], "the plan file names its preparer (A. Preparer)"),
    ],
)
def test_bad_input_exits_2_with_one_line(saved: Path, capsys, argv: list[str], says: str) -> None:
    code, out, err = _run(capsys, ["check", str(saved), *argv])
    assert code == 2 and out == ""
    assert says in err and err.count("\n") == 1


def test_a_file_naming_no_preparer_needs_one(tmp_path: Path, capsys) -> None:
    path = tmp_path / "old.ivig"
    doc_path = tmp_path / "made.ivig"
    assert main(["plan", *ORDER, "--save", str(doc_path)]) == 0
    doc = json.loads(doc_path.read_text("utf-8"))
    del doc["prepared_by"]  # as saved before preparers were named
    path.write_text(json.dumps(doc), "utf-8")
    code, _, err = _run(capsys, ["check", str(path), "--checker", "B", *ORDER])
    assert code == 2 and "names no preparer; give --prepared-by NAME" in err
    code, _, _ = _run(capsys, ["check", str(path), "--checker", "B", "--prepared-by", "A", *ORDER])
    assert code == 0
    assert json.loads(path.read_text("utf-8"))["prepared_by"] == "A"


def test_a_missing_plan_file_exits_2(tmp_path: Path, capsys) -> None:
    code, out, err = _run(capsys, ["check", str(tmp_path / "none.ivig"), "--checker", "B", *ORDER])
    assert code == 2 and out == "" and "cannot be read" in err


def test_a_changed_plan_loses_its_check_and_history_holds_both(saved: Path, tmp_path: Path, capsys) -> None:
    assert main(["check", str(saved), "--checker", "B. Checker", *ORDER]) == 0
    capsys.readouterr()
    doc = json.loads(saved.read_text("utf-8"))
    doc["inputs"]["order"]["days"] = 3  # changed after the check (the course now over 3 days)
    saved.write_text(json.dumps(doc), "utf-8")
    code, out, _ = _run(capsys, ["plan", "--input", str(saved)])
    assert code == 0
    assert out.startswith("CHECK LOST: the plan changed after B. Checker checked it on ")
    assert "VERIFY: this plan must be independently checked" in out
    resaved = tmp_path / "resaved.ivig"
    assert main(["plan", "--input", str(saved), "--save", str(resaved)]) == 0
    assert "check" not in json.loads(resaved.read_text("utf-8"))
    checks = _checks()
    assert [e.label.split(" · ")[1] for e in reversed(checks)] == ["match", "lost"]


def test_an_unchanged_plan_saved_again_keeps_its_check(saved: Path, tmp_path: Path, capsys) -> None:
    assert main(["check", str(saved), "--checker", "B. Checker", *ORDER]) == 0
    again = tmp_path / "again.ivig"
    assert main(["plan", "--input", str(saved), "--save", str(again)]) == 0
    assert json.loads(again.read_text("utf-8"))["check"] == json.loads(saved.read_text("utf-8"))["check"]
    # Saved under another preparer's name, it is no longer the plan that was checked.
    other = tmp_path / "other.ivig"
    capsys.readouterr()
    code, out, _ = _run(capsys, ["plan", "--input", str(saved), "--save", str(other), "--prepared-by", "C"])
    assert code == 0 and out.startswith("CHECK LOST on saving: the preparer is now C")
    assert "check" not in json.loads(other.read_text("utf-8"))


def test_the_check_is_recorded_in_the_database_the_command_names(saved: Path, tmp_path: Path, capsys) -> None:
    """``check --database URL`` records in that database, as ``plan --database`` does; the check
    once went to the workstation's own file whatever --database said (found splitting cli.py)."""
    clinic = tmp_path / "clinic.sqlite3"
    url = f"sqlite:///{clinic}"
    code, _, err = _run(capsys, ["check", str(saved), "--checker", "B. Checker", "--database", url, *ORDER])
    assert (code, err) == (0, "")
    [entry] = [e for e in History(database=url).search() if e.action == "check"]
    assert "match · checked by B. Checker · prepared by A. Preparer" in entry.label
    assert _checks() == []  # not in the workstation's own history


def test_an_empty_database_is_refused_with_the_other_bad_fields(saved: Path, capsys) -> None:
    """Not read as "the workstation's own file": refused as plan refuses it, all lines at once."""
    before = saved.read_bytes()
    argv = ["check", str(saved), "--checker", "B. Checker", "--database", " ", *_with(ORDER, weight="70 m")]
    code, out, err = _run(capsys, argv)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert "ivig-desktop: error: database: is empty; give a URL or leave --database out [--database]" in lines
    assert any(line.startswith("ivig-desktop: error: weight: ") for line in lines), lines
    assert saved.read_bytes() == before and _checks() == []
