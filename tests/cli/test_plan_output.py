"""A valid plan on the command line: the JSON contract of README.md (keys, fixed units) with numbers
checked by hand, the --output file, the text format and the two listings."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ivig_desktop.cli import main
from tests.helpers import CLI_PLAN, PRODUCT_IDS, REGIMEN_IDS, cli_argv

GOOD = list(CLI_PLAN)  # 70 kg / 175 cm man, 50 y, Octagam 10 % for ITP
ROOT = Path(__file__).resolve().parents[2]


_argv = cli_argv


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return out


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    return json.loads(_run(capsys, [*argv, "--format", "json"]))


def _m(q: Any, units: str) -> float:
    """The magnitude of a quantity object, after checking its shape and its fixed unit."""
    assert isinstance(q, dict) and set(q) == {"magnitude", "units"}, q
    assert q["units"] == units, q
    value = q["magnitude"]
    assert isinstance(value, int | float) and not isinstance(value, bool), q
    assert math.isfinite(value), q
    return float(value)


# --- the documented keys --------------------------------------------------------------------------

TOP_KEYS = {
    "schema",
    "app_version",
    "formulary_revision",
    "settings_revision",
    "patient",
    "dosing_weight",
    "dosing_weight_basis",
    "dosing_weight_reason",
    "weight_policy",
    "rate_weight",
    "volume_weight",
    "volume_weight_basis",
    "start_rate",
    "policy_comparison",
    "product",
    "indication",
    "titration",
    "max_dose_rate",
    "course_dose",
    "course_dose_per_kg",
    "total_dose",
    "total_volume",
    "clock",
    "days",
    "overrides",  # README: "Overrides also appear as overrides: [{kind, reason}]"
    "warnings",
    "alternatives",
    "daily_dose_per_kg",  # issue 11: the dose per kg per day beside the course
    "inputs",  # issue 11: every input as typed, as entered and as parsed
}
PATIENT_KEYS = {
    "actual_weight",
    "height",
    "sex",
    "age",
    "ideal_weight",
    "adjusted_weight",
    "bmi",
    "devine",
    "creatinine_clearance",
    "creatinine_clearance_basis",
    "creatinine_clearance_formula",
}
DAY_KEYS = {
    "day",
    "prescribed_dose",
    "dose",
    "vials",
    "opened",
    "waste",
    "waste_volume",
    "volume",
    "volume_per_kg",
    "steps",
    "end",
    "duration",
}
STEP_KEYS = {"start", "duration", "dose_rate", "rate", "volume", "cumulative_volume"}
ALTERNATIVE_KEYS = {
    "kind",
    "description",
    "product",
    "days",
    "max_dose_rate",
    "volume_per_day",
    "volume_per_kg",
    "duration_per_day",
    "resolves",
    "unresolved",
    "effect",
}

#: The fixed unit of every quantity field, by key (README "JSON output").
UNITS = {
    "actual_weight": "kg",
    "ideal_weight": "kg",
    "adjusted_weight": "kg",
    "dosing_weight": "kg",
    "rate_weight": "kg",
    "volume_weight": "kg",
    "waste_volume": "mL",
    "height": "cm",
    "age": "y",
    "bmi": "kg/m²",
    "creatinine_clearance": "mL/min",
    "concentration": "mg/mL",
    "max_dose_rate": "mg/kg/min",
    "dose_rate": "mg/kg/min",
    "course_dose": "g",
    "total_dose": "g",
    "prescribed_dose": "g",
    "dose": "g",
    "opened": "g",
    "waste": "g",
    "size": "g",
    "course_dose_per_kg": "g/kg",
    "total_volume": "mL",
    "volume": "mL",
    "cumulative_volume": "mL",
    "volume_per_day": "mL",
    "volume_per_kg": "mL/kg",
    "rate": "mL/h",
    "duration": "min",
    "duration_per_day": "min",
    # inputs.parsed (issue 11): each quantity in its key's fixed unit
    "daily_dose_per_kg": "g/kg",
    "weight": "kg",
    "pre_pregnancy_weight": "kg",
    "scr": "mg/dL",
    "dose_per_kg": "g/kg",
    "max_rate": "mg/kg/min",
}

#: Plans that between them reach every part of the document.
PLANS = {
    "octagam-itp": [*GOOD, "--start", "08:00"],
    "gbs-5-days-risks-alternatives": [
        "plan",
        "--weight",
        "130 kg",
        "--height",
        "178 cm",
        "--sex",
        "M",
        "--age",
        "78 y",
        "--scr",
        "1.6 mg/dL",
        "--product",
        "octagam-5",
        "--indication",
        "gbs",
        "--risk",
        "heart-failure",
        "diabetes",
    ],
    "pregnant-pre-pregnancy-weight": [
        # Ontario doses on pre-pregnancy weight (auto follows BloodSTAR 2026: actual; label audit #17).
        *_argv(sex="F", product="privigen", indication="itp"),
        "--weight-policy",
        "ontario",
        "--pregnant",
        "--pre-pregnancy-weight",
        "60 kg",
    ],
    "max-rate-first-infusion-lb": [
        *_argv(weight="180 lb", height="5 ft 9 in", scr="97 µmol/L", max_rate="4 mg/kg/min"),
        "--first-infusion",
    ],
}


def _walk(node: Any, key: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every quantity object in the document with the key it sits under."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if "magnitude" in node or "units" in node:
            return [(key, node)]
        for k, v in node.items():
            found += _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            found += _walk(v, key)
    return found


@pytest.mark.parametrize("name", list(PLANS))
def test_documented_keys_and_every_quantity_in_its_fixed_unit(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    doc = _json(capsys, PLANS[name])
    assert set(doc) == TOP_KEYS
    assert doc["schema"] == 1
    assert set(doc["patient"]) == PATIENT_KEYS
    assert set(doc["product"]) == {"id", "name", "concentration"}
    assert doc["dosing_weight_basis"] in {"actual", "adjusted", "ideal", "pre-pregnancy"}
    assert doc["clock"] in {"clock", "elapsed"}
    assert [d["day"] for d in doc["days"]] == list(range(1, len(doc["days"]) + 1))
    for day in doc["days"]:
        assert set(day) == DAY_KEYS
        assert day["vials"] and all(set(v) == {"size", "count"} for v in day["vials"])
        assert all(isinstance(v["count"], int) and v["count"] > 0 for v in day["vials"])
        assert day["steps"] and all(set(s) == STEP_KEYS for s in day["steps"])
    for w in doc["warnings"]:
        assert set(w) == {"code", "severity", "message"}
        assert w["severity"] in {"info", "caution", "critical"}
        assert isinstance(w["message"], str) and w["message"]
    rank = {"critical": 0, "caution": 1, "info": 2}
    severities = [rank[w["severity"]] for w in doc["warnings"]]
    assert severities == sorted(severities), "warnings are most severe first"
    for a in doc["alternatives"]:
        assert set(a) == ALTERNATIVE_KEYS
        assert a["kind"] in {"product", "days", "rate"}
    quantities = _walk(doc)
    assert len(quantities) > 20
    for key, q in quantities:
        assert key in UNITS, f"quantity under an undocumented key {key!r}: {q}"
        _m(q, UNITS[key])
    # Quantities that may be absent are null, never a bare number or a half object.
    for key in ("creatinine_clearance",):
        assert doc["patient"][key] is None or _m(doc["patient"][key], UNITS[key]) > 0


def test_gbs_plan_with_risks_has_crcl_and_the_volume_alternatives(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, PLANS["gbs-5-days-risks-alternatives"])
    p = doc["patient"]
    # Devine (male): 50 + 2.3 × (178/2.54 − 60) = 73.26 kg; 130 kg is > 130 % of it → Cockcroft–Gault
    # on adjusted weight 73.26 + 0.4 × (130 − 73.26) = 95.96 kg.
    ibw = 50 + 2.3 * (178 / 2.54 - 60)
    adj = ibw + 0.4 * (130 - ibw)
    assert _m(p["ideal_weight"], "kg") == pytest.approx(ibw, abs=1e-5)
    assert _m(p["creatinine_clearance"], "mL/min") == pytest.approx((140 - 78) * adj / (72 * 1.6), abs=1e-5)
    assert "adjusted weight" in p["creatinine_clearance_basis"]
    assert len(doc["days"]) == 5
    # Issue 12: alternatives only when a warning asks; the volume load asks for a 10 % product or more
    # days; the label cap 3.3 mg/kg/min (renal risk) is applied, so no lower-rate alternative.
    assert {a["kind"] for a in doc["alternatives"]} == {"product", "days"}
    assert all(a["resolves"] == ["volume-load"] for a in doc["alternatives"])
    codes = {w["code"] for w in doc["warnings"]}
    assert {"renal", "volume-load"} <= codes
    per_day = max(_m(d["volume"], "mL") for d in doc["days"])
    product_alt = next(a for a in doc["alternatives"] if a["kind"] == "product")
    # A 10 % product halves the 5 % volume of the same grams; each product rounds to its own vials
    # (Octagam 5 % and 10 % sizes differ), so the grams may differ by up to a vial.
    assert _m(product_alt["volume_per_day"], "mL") == pytest.approx(per_day / 2, rel=0.1)
    days_alt = next(a for a in doc["alternatives"] if a["kind"] == "days")
    assert days_alt["days"] > 5


# --- numbers checked by hand ----------------------------------------------------------------------


def test_octagam_itp_hand_checked(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, PLANS["octagam-itp"])
    p = doc["patient"]
    assert _m(p["actual_weight"], "kg") == 70
    assert _m(p["height"], "cm") == 175
    assert p["sex"] == "male"
    assert _m(p["bmi"], "kg/m²") == pytest.approx(70 / 1.75**2, abs=1e-5)  # 22.9
    ibw = 50 + 2.3 * (175 / 2.54 - 60)  # 70.46 kg
    assert _m(p["ideal_weight"], "kg") == pytest.approx(ibw, abs=1e-5)
    assert _m(p["adjusted_weight"], "kg") == pytest.approx(ibw + 0.4 * (70 - ibw), abs=1e-5)
    assert p["creatinine_clearance"] is None and p["creatinine_clearance_basis"] is None
    # BMI 22.9, policy auto → actual weight.
    assert doc["weight_policy"] == "auto"
    assert doc["dosing_weight_basis"] == "actual"
    assert _m(doc["dosing_weight"], "kg") == 70
    assert _m(doc["rate_weight"], "kg") == 70
    assert doc["product"] == {
        "id": "octagam-10",
        "name": "Octagam 10 %",
        "concentration": {"magnitude": 100.0, "units": "mg/mL"},
    }
    assert doc["indication"] == "itp"
    assert _m(doc["max_dose_rate"], "mg/kg/min") == 12
    assert _m(doc["course_dose_per_kg"], "g/kg") == 2
    assert _m(doc["course_dose"], "g") == 140
    assert _m(doc["total_dose"], "g") == 140
    assert _m(doc["total_volume"], "mL") == 1400
    assert doc["clock"] == "clock"
    assert doc["overrides"] == []
    assert doc["alternatives"] == []
    assert "maltose" in {w["code"] for w in doc["warnings"]}
    assert len(doc["days"]) == 2
    last = 385 / 504 * 60  # (700 − 315) mL at 504 mL/h = 45.83 min
    for day in doc["days"]:
        assert _m(day["prescribed_dose"], "g") == 70
        assert _m(day["dose"], "g") == 70
        assert sum(_m(v["size"], "g") * v["count"] for v in day["vials"]) == 70
        assert _m(day["opened"], "g") == 70 and _m(day["waste"], "g") == 0
        assert _m(day["volume"], "mL") == 700
        assert _m(day["volume_per_kg"], "mL/kg") == 10
        steps = day["steps"]
        assert [s["start"] for s in steps] == ["08:00", "08:30", "09:00", "09:30", "10:00"]
        # mL/h = mg/kg/min × 70 kg ÷ 100 mg/mL × 60
        assert [_m(s["rate"], "mL/h") for s in steps] == [42, 84, 168, 336, 504]
        assert [_m(s["dose_rate"], "mg/kg/min") for s in steps] == pytest.approx([1, 2, 4, 8, 12])
        assert [_m(s["duration"], "min") for s in steps] == pytest.approx([30, 30, 30, 30, last], abs=1e-5)
        assert [_m(s["volume"], "mL") for s in steps] == pytest.approx([21, 42, 84, 168, 385])
        assert [_m(s["cumulative_volume"], "mL") for s in steps] == pytest.approx([21, 63, 147, 315, 700])
        assert sum(_m(s["volume"], "mL") for s in steps) == pytest.approx(700)
        assert _m(day["duration"], "min") == pytest.approx(120 + last, abs=1e-5)  # 165.83 min
        assert day["end"] == "10:46"


@pytest.mark.parametrize("name", list(PLANS))
def test_steps_add_up(capsys: pytest.CaptureFixture[str], name: str) -> None:
    """Within each day: step volume = rate × duration, running totals, starts follow durations."""
    # One value per option (issue 11): the plan's own --start is replaced, not repeated.
    argv = list(PLANS[name])
    if "--start" in argv:
        del argv[argv.index("--start") : argv.index("--start") + 2]
    doc = _json(capsys, [*argv, "--start", "06:15"])
    for day in doc["days"]:
        total = 0.0
        clock = datetime(2000, 1, 1, 6, 15)
        minutes = 0.0
        for s in day["steps"]:
            start = clock + timedelta(minutes=round(minutes))
            assert s["start"] == start.strftime("%H:%M")
            rate, duration = _m(s["rate"], "mL/h"), _m(s["duration"], "min")
            assert _m(s["volume"], "mL") == pytest.approx(rate * duration / 60, rel=1e-5)
            total += _m(s["volume"], "mL")
            assert _m(s["cumulative_volume"], "mL") == pytest.approx(total, abs=1e-4)
            minutes += duration
        assert total == pytest.approx(_m(day["volume"], "mL"), abs=1e-4)
        assert _m(day["duration"], "min") == pytest.approx(minutes, abs=1e-4)
        assert day["end"] == (clock + timedelta(minutes=round(minutes))).strftime("%H:%M")
    assert _m(doc["total_volume"], "mL") == pytest.approx(sum(_m(d["volume"], "mL") for d in doc["days"]))
    assert _m(doc["total_dose"], "g") == pytest.approx(sum(_m(d["dose"], "g") for d in doc["days"]))


def test_pregnant_doses_on_pre_pregnancy_weight(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, PLANS["pregnant-pre-pregnancy-weight"])
    assert doc["dosing_weight_basis"] == "pre-pregnancy"
    assert _m(doc["dosing_weight"], "kg") == 60
    assert _m(doc["course_dose"], "g") == pytest.approx(2 * 60)  # ITP 2 g/kg


IBW_F_165 = 45.5 + 2.3 * (165 / 2.54 - 60)  # female Devine at 165 cm: 56.91 kg


@pytest.mark.parametrize(
    ("policy", "basis", "kg"),
    [
        ("actual", "actual", 80.0),
        ("ideal", "ideal", IBW_F_165),
        ("adjusted", "adjusted", IBW_F_165 + 0.4 * (80 - IBW_F_165)),  # 66.15 kg
    ],
)
def test_named_policies_dose_on_their_weight(
    capsys: pytest.CaptureFixture[str], policy: str, basis: str, kg: float
) -> None:
    argv = _argv(weight="80 kg", height="165 cm", sex="F", age="30 y", product="privigen", indication="pid")
    doc = _json(capsys, [*argv, "--weight-policy", policy])
    assert doc["weight_policy"] == policy
    assert doc["dosing_weight_basis"] == basis
    # The dosing weight is used as printed, to 0.1 kg (issue 12).
    assert _m(doc["dosing_weight"], "kg") == round(kg, 1)
    assert _m(doc["course_dose"], "g") == pytest.approx(0.4 * round(kg, 1), abs=1e-9)


def test_female_creatinine_clearance_on_adjusted_weight(capsys: pytest.CaptureFixture[str]) -> None:
    argv = _argv(weight="80 kg", height="170 cm", sex="F", age="72 y", product="privigen", indication="pid")
    mg = _json(capsys, [*argv, "--scr", "1.3 mg/dL"])
    umol = _json(capsys, [*argv, "--scr", f"{1.3 * 88.42:.2f} µmol/L"])
    ibw = 45.5 + 2.3 * (170 / 2.54 - 60)
    adjusted = ibw + 0.4 * (80 - ibw)  # 80 kg is > 130 % of ideal
    crcl = (140 - 72) * adjusted / (72 * 1.3) * 0.85
    assert _m(mg["patient"]["creatinine_clearance"], "mL/min") == pytest.approx(crcl, abs=1e-4)
    assert _m(umol["patient"]["creatinine_clearance"], "mL/min") == pytest.approx(crcl, rel=1e-3)
    assert "adjusted" in mg["patient"]["creatinine_clearance_basis"]


def test_pounds_give_the_same_dose_numbers_as_kilograms(capsys: pytest.CaptureFixture[str]) -> None:
    kg = _json(capsys, PLANS["octagam-itp"])
    lb = _json(capsys, [*_argv(weight="154.32 lb"), "--start", "08:00"])  # 70 kg = 154.3236 lb
    assert _m(lb["patient"]["actual_weight"], "kg") == pytest.approx(70, abs=0.01)
    assert _m(lb["dosing_weight"], "kg") == pytest.approx(70, abs=0.01)
    assert _m(lb["course_dose"], "g") == pytest.approx(140, abs=0.01)
    for a, b in zip(kg["days"], lb["days"], strict=True):
        assert _m(b["prescribed_dose"], "g") == pytest.approx(_m(a["prescribed_dose"], "g"), abs=0.01)
        assert _m(b["dose"], "g") == _m(a["dose"], "g")  # the same whole vials
        assert b["vials"] == a["vials"]
        assert _m(b["volume"], "mL") == _m(a["volume"], "mL")
        assert [s["start"] for s in b["steps"]] == [s["start"] for s in a["steps"]]
        assert b["end"] == a["end"]
        # Pump rates are rounded down to the 0.1 mL/h pump resolution: 41.9 vs 42 is one click.
        for sa, sb in zip(a["steps"], b["steps"], strict=True):
            assert _m(sb["rate"], "mL/h") == pytest.approx(_m(sa["rate"], "mL/h"), abs=0.1 + 1e-9)
    exact = _json(capsys, [*_argv(weight=f"{70 / 0.45359237} lb"), "--start", "08:00"])
    assert [_m(s["rate"], "mL/h") for s in exact["days"][0]["steps"]] == [42, 84, 168, 336, 504]


def test_start_near_midnight_carries_a_day_suffix(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, [*GOOD, "--start", "23:00"])
    for day in doc["days"]:
        assert [s["start"] for s in day["steps"]] == [
            "23:00",
            "23:30",
            "00:00 (+1 d)",
            "00:30 (+1 d)",
            "01:00 (+1 d)",
        ]
        assert day["end"] == "01:46 (+1 d)"


def test_without_start_times_are_elapsed(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, GOOD)
    assert doc["clock"] == "elapsed"
    for day in doc["days"]:
        assert [s["start"] for s in day["steps"]] == ["+0:00", "+0:30", "+1:00", "+1:30", "+2:00"]
        assert day["end"] == "+2:46"


# --- output file, text, listings -------------------------------------------------------------------


def test_output_file_gets_the_same_json_and_stdout_stays_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    printed = _run(capsys, [*GOOD, "--start", "08:00", "--format", "json"])
    target = tmp_path / "plan.json"
    assert _run(capsys, [*GOOD, "--start", "08:00", "--format", "json", "--output", str(target)]) == ""
    written = target.read_text(encoding="utf-8")
    assert json.loads(written) == json.loads(printed)
    assert written == printed
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary file left
    # Writing again replaces the file whole.
    target.write_text("x" * 100_000, encoding="utf-8")
    assert _run(capsys, [*GOOD, "--start", "08:00", "--format", "json", "--output", str(target)]) == ""
    assert target.read_text(encoding="utf-8") == printed


def test_text_output_file_matches_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    printed = _run(capsys, [*GOOD, "--start", "08:00"])
    target = tmp_path / "plan.txt"
    assert _run(capsys, [*GOOD, "--start", "08:00", "--output", str(target)]) == ""
    assert target.read_text(encoding="utf-8") == printed


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, [*GOOD, "--start", "08:00"])
    assert "VERIFY" in out
    assert "DAY 1 of 2" in out and "DAY 2 of 2" in out and "DAY 3" not in out
    assert "504" in out
    assert "Dosing weight:  70 kg (actual)" in out
    assert "2 g/kg × 70 kg = 140 g over 2 day(s)" in out
    step_rows = [line.split() for line in out.splitlines() if line.strip().startswith(("08:", "09:", "10:"))]
    assert len(step_rows) == 10  # five steps on each of two days
    assert [row[0] for row in step_rows[:5]] == ["08:00", "08:30", "09:00", "09:30", "10:00"]
    assert step_rows[4][-3:] == ["504", "385", "700"]  # mL/h, step mL, total mL
    assert "08:00 to 10:46 (2 h 46 min)" in out


PRODUCTS = set(PRODUCT_IDS)
INDICATIONS = list(REGIMEN_IDS)


def _listed_ids(out: str) -> list[str]:
    """The first word of every indented line (the header line is not indented)."""
    return [line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.strip()]


def test_products_lists_all_twelve(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, ["products"])
    assert out.splitlines()[0].startswith("Formulary ")
    ids = _listed_ids(out)
    assert len(ids) == 12
    assert set(ids) == PRODUCTS


def test_products_reads_a_site_formulary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = (ROOT / "resources" / "formulary.toml").read_text(encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(text.replace('revision = "2026-12-01 label audit"', 'revision = "site 7"', 1), "utf-8")
    out = _run(capsys, ["products", "--formulary", str(site)])
    assert out.splitlines()[0] == "Formulary site 7"
    assert set(_listed_ids(out)) == PRODUCTS
    doc = _json(capsys, [*GOOD, "--formulary", str(site)])
    assert doc["formulary_revision"] == "site 7"


def test_indications_lists_all_ten(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, ["indications"])
    assert _listed_ids(out) == INDICATIONS


def test_save_writes_the_plan_file_records_it_and_still_prints(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from ivig_desktop.store.history import History

    before = History().count()
    saved = tmp_path / "plan.ivig"
    out = _run(capsys, [*GOOD, "--start", "08:00", "--save", str(saved)])
    assert "DAY 1 of 2" in out
    doc = json.loads(saved.read_text(encoding="utf-8"))
    assert doc["format"] == "ivig_desktop plan" and doc["schema"] == 2  # 2: dose_per_day (issue 11)
    assert History().count() == before + 1
    assert [e.action for e in History().search()][:1] == ["save"]
    assert [p.name for p in tmp_path.iterdir()] == ["plan.ivig"]
