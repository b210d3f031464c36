"""The command line: every bad input exits 2 with one line naming the field and nothing on stdout;
a good plan's JSON carries the documented keys in fixed units with hand-checked numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivig_desktop.cli import main
from tests.helpers import CLI_PLAN, PRODUCT_IDS, REGIMEN_IDS, cli_argv, run_cli

ROOT = Path(__file__).resolve().parents[2]
GOOD = list(CLI_PLAN)


_with = cli_argv


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


BAD = [
    (_with(weight=""), "weight: is empty"),
    (_with(weight="kg"), "weight: 'kg' has no number"),
    (_with(weight="70"), "weight: '70' has no unit"),
    (_with(weight="70 m"), "weight: 'm' is not a unit of weight"),
    (_with(weight="70*2 kg"), "weight: '70*2 kg' is an expression"),
    (_with(weight="-5 kg"), "weight: must be greater than zero"),
    (_with(weight="0 kg"), "weight: must be greater than zero"),
    (_with(weight="400 kg"), "weight: 400 kg is outside the accepted range 0.3–350 kg"),
    (_with(weight="0.2 kg"), "weight: 0.2 kg is outside the accepted range"),
    (_with(weight="1,500 kg"), "weight: '1,500' is ambiguous"),
    (_with(height="20 cm"), "height: 20 cm is outside the accepted range 25–250 cm"),
    (_with(height="260 cm"), "height: 260 cm is outside"),
    (_with(height="175 kg"), "height: 'kg' is not a unit of height"),
    (_with(age="130 y"), "age: 130 y is outside the accepted range 0–120 y"),
    (_with(age="0 y"), "age: must be greater than zero"),
    (_with(age="50 yeers"), "age: 'yeers' is not a unit of age"),  # a bare 50 is 50 y (issue 11)
    (_with(scr="25 mg/dL"), "serum creatinine: 25 mg/dL is outside the accepted range 0.1–20 mg/dL"),
    (_with(scr="0.05 mg/dL"), "serum creatinine: 0.05 mg/dL is outside"),
    (_with(scr="5000 µmol/L"), "serum creatinine: 56.56 mg/dL is outside"),
    (_with(sex="X"), "sex: 'X' is not male or female"),
    (_with(dose="3 g/kg", days="2"), "dose: 3 g/kg of dosing weight is above the site's hard limit of 2.4"),
    (_with(dose="2 mL"), "dose: 'mL' is not a unit of dose"),
    (_with(days="0"), "days: must be at least 1"),
    (_with(days="two"), "days: 'two' is not a whole number of days"),
    (_with(days="11"), "days: 11 days is more than the 10"),
    (_with(start="25:00"), "start: '25:00' is not a valid time of day"),
    (_with(start="8"), "start: '8' is not a time as HH:MM"),
    (_with(product="nope"), "product: 'nope' is not in the formulary"),
    (_with(indication="nope"), "indication: 'nope' is not a known indication"),
    (_with(weight_policy="nope"), "weight policy: 'nope' is not a known policy"),
    ([*GOOD, "--risk", "bogus"], "risk: 'bogus' is not a known risk factor"),
    ([*_with(sex="F", weight_policy="ontario"), "--pregnant"], "pre-pregnancy weight: is required"),
    ([*_with(sex="F"), "--pre-pregnancy-weight", "60 kg"], "pre-pregnancy weight: was given but"),
    (_with(indication="mmn"), "dose: the Multifocal motor neuropathy (MMN) regimen has no single dose"),
    (_with(indication="stiff-person-syndrome"), "dose: the Stiff person syndrome regimen has no single dose"),
    (_with(max_rate="fast"), "max-rate: 'fast' has no number"),
    (_with(weight=None), "the following arguments are required: --weight"),
    (_with(output="/nonexistent-folder/plan.json"), "output: folder '/nonexistent-folder' does not exist"),
    (_with(format="pdf"), "output: --format pdf needs --output FILE"),
    (_with(output=""), "output: is empty"),
    (_with(height="5 ft 13 in"), "height: '5 ft 13 in' has 13 inches"),
    (_with(weight="٧٠ kg"), "weight: '٧٠ kg' is not one number followed by a unit"),
    ([*GOOD, "--pregnant", "--pre-pregnancy-weight", "60 kg"], "pregnant: is ticked for a male patient"),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[m.split(":")[0] + "|" + m[-24:] for _, m in BAD])
def test_bad_input_exit_2_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, argv)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ivig-desktop: error: ")
    assert message in lines[0]
    assert "Traceback" not in err


def test_output_that_is_a_folder_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, _with(output=str(tmp_path)))
    assert (code, out) == (2, "")
    assert f"output: '{tmp_path}' is a folder" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_site_formulary_names_file_product_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (ROOT / "resources" / "formulary.toml").read_text(encoding="utf-8")
    bad = tmp_path / "site.toml"
    bad.write_text(text.replace("{ size = 5, volume = 50,", "{ size = -5, volume = 50,", 1), encoding="utf-8")
    code, out, err = _run(capsys, [*GOOD, "--formulary", str(bad)])
    assert (code, out) == (2, "")
    assert f"{bad} [privigen.vials[1]] size: must be greater than zero" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("revision = [", encoding="utf-8")
    code, out, err = _run(capsys, [*GOOD, "--formulary", str(broken)])
    assert (code, out) == (2, "")
    assert f"{broken}: not valid TOML" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (_with(weight="70 m"), "weight: 'm' is not a unit of weight"),
        (_with(days="0"), "days: must be at least 1"),
    ],
)
def test_real_process_exit_status_and_streams(argv: list[str], needle: str) -> None:
    done = run_cli(argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


def _m(q: dict[str, object], units: str) -> float:
    assert q["units"] == units
    value = q["magnitude"]
    assert isinstance(value, int | float)
    return float(value)


def test_json_plan_octagam_itp_hand_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, [*GOOD, "--start", "08:00", "--format", "json"])
    assert (code, err) == (0, "")
    doc = json.loads(out)
    for key in (
        "patient",
        "dosing_weight",
        "dosing_weight_basis",
        "weight_policy",
        "product",
        "course_dose",
        "days",
        "warnings",
        "alternatives",
    ):
        assert key in doc
    p = doc["patient"]
    assert _m(p["actual_weight"], "kg") == 70
    # Devine: 50 + 2.3 × (175/2.54 − 60) = 70.4646 kg; adjusted 70.4646 + 0.4 × (70 − 70.4646)
    assert _m(p["ideal_weight"], "kg") == pytest.approx(70.464567, abs=1e-5)
    assert _m(p["adjusted_weight"], "kg") == pytest.approx(70.278740, abs=1e-5)
    assert _m(p["bmi"], "kg/m²") == pytest.approx(22.857143, abs=1e-5)
    assert p["creatinine_clearance"] is None
    assert doc["dosing_weight_basis"] == "actual" and doc["weight_policy"] == "auto"
    assert _m(doc["dosing_weight"], "kg") == 70
    assert doc["product"]["id"] == "octagam-10"
    assert _m(doc["product"]["concentration"], "mg/mL") == 100
    assert _m(doc["course_dose"], "g") == 140  # 2 g/kg × 70 kg
    assert len(doc["days"]) == 2
    for day in doc["days"]:
        assert _m(day["prescribed_dose"], "g") == 70 and _m(day["dose"], "g") == 70
        assert sorted((_m(v["size"], "g"), v["count"]) for v in day["vials"]) == [(10, 1), (30, 2)]
        assert _m(day["volume"], "mL") == 700
        steps = day["steps"]
        assert [s["start"] for s in steps] == ["08:00", "08:30", "09:00", "09:30", "10:00"]
        assert [_m(s["rate"], "mL/h") for s in steps] == [42, 84, 168, 336, 504]
        assert [_m(s["dose_rate"], "mg/kg/min") for s in steps] == pytest.approx([1, 2, 4, 8, 12])
        assert [_m(s["duration"], "min") for s in steps][:4] == [30, 30, 30, 30]
        # last step: (700 − 315) mL at 504 mL/h = 45.83 min
        assert _m(steps[-1]["duration"], "min") == pytest.approx(385 / 504 * 60)
        assert sum(_m(s["volume"], "mL") for s in steps) == pytest.approx(700)
        assert _m(steps[-1]["cumulative_volume"], "mL") == pytest.approx(700)
        assert day["end"] == "10:46"
        assert _m(day["duration"], "min") == pytest.approx(120 + 385 / 504 * 60)
    codes = {w["code"] for w in doc["warnings"]}
    assert "maltose" in codes
    assert all(w["severity"] in ("info", "caution", "critical") for w in doc["warnings"])


def test_pounds_give_the_same_numbers_as_kilograms(capsys: pytest.CaptureFixture[str]) -> None:
    _, kg_out, _ = _run(capsys, [*GOOD, "--format", "json"])
    _, lb_out, _ = _run(capsys, [*_with(weight=f"{70 / 0.45359237} lb"), "--format", "json"])
    a, b = json.loads(kg_out), json.loads(lb_out)
    for da, db in zip(a["days"], b["days"], strict=True):
        assert _m(db["dose"], "g") == pytest.approx(_m(da["dose"], "g"))
        assert [_m(s["rate"], "mL/h") for s in db["steps"]] == [_m(s["rate"], "mL/h") for s in da["steps"]]


def test_output_file_gets_the_same_json_and_stdout_stays_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, printed, _ = _run(capsys, [*GOOD, "--format", "json"])
    target = tmp_path / "plan.json"
    code, out, err = _run(capsys, [*GOOD, "--format", "json", "--output", str(target)])
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(printed)


def test_text_and_listings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, [*GOOD, "--start", "08:00"])
    assert code == 0
    assert "VERIFY" in out and "DAY 1 of 2" in out and "504" in out
    code, out, _ = _run(capsys, ["products"])
    for pid in sorted(PRODUCT_IDS):
        assert pid in out
    code, out, _ = _run(capsys, ["indications"])
    for rid in REGIMEN_IDS:
        assert rid in out
    # Each regimen's dose as regimens.toml gives it (by hand: GBS 2 g/kg ÷ 5 days = 0.4 g/kg/day).
    assert (
        "  gbs                    Guillain–Barré syndrome: 2 g/kg course = 0.4 g/kg/day over 5 day(s)\n"
        in out
    )
    assert "Kawasaki disease: 2 g/kg course = 2 g/kg/day over 1 day(s)\n" in out
    assert "Multifocal motor neuropathy (MMN): dose and days to be entered\n" in out
    code, out, _ = _run(capsys, ["products"])
    assert (
        "  octagam-5          Octagam 5 % (5 %): label rates for pid; vials 1 g, 2.5 g, 5 g, 10 g, 25 g\n"
        in out
    )


def test_without_start_times_are_elapsed(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, [*GOOD, "--format", "json"])
    doc = json.loads(out)
    assert doc["clock"] == "elapsed"
    assert [s["start"] for s in doc["days"][0]["steps"]][:3] == ["+0:00", "+0:30", "+1:00"]


def test_misspelt_formulary_field_is_refused_not_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (ROOT / "resources" / "formulary.toml").read_text(encoding="utf-8")
    # "maximum" instead of "max" for Privigen PI: silently ignored it would keep the old limit.
    bad = tmp_path / "site.toml"
    bad.write_text(
        text.replace('max = { value = 8, unit = "mg/kg/min"', 'maximum = { value = 4, unit = "mg/kg/min"', 1),
        encoding="utf-8",
    )
    code, out, err = _run(capsys, [*GOOD, "--formulary", str(bad)])
    assert (code, out) == (2, "")
    assert f"{bad} [privigen.indications.pid] maximum: is not a field here" in err
