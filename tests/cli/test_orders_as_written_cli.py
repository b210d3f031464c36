"""Issue 11 (and the parser part of issue 15) through a real ``python -m ivig_desktop`` process:
orders as clinicians write them are planned; every refusal exits 2, names the field and the option
on stderr (one line per bad field, all at once) and leaves standard output empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import CLI_PLAN, cli_argv, run_cli

PREFIX = "ivig-desktop: error: "


def _refused(argv: list[str]) -> list[str]:
    """Exit 2, nothing on stdout, no traceback; the stderr lines after the prefix."""
    done = run_cli(argv)
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith(PREFIX) for line in lines), done.stderr
    return [line[len(PREFIX) :] for line in lines]


def _json(argv: list[str]) -> dict:
    done = run_cli([*argv, "--format", "json"])
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return json.loads(done.stdout)


# (id, argv, field the line starts with, option the line names, fragment of the reason)
REFUSED = [
    ("dose-ml-per-day", cli_argv(dose="2 mL/day"), "dose", "--dose", "'mL' is not a unit of dose"),
    ("dose-thousands-dot", cli_argv(dose="1.000 mg/kg"), "dose", "--dose", "1 with a decimal point, or 1000"),
    ("weight-thousands-comma", cli_argv(weight="1,000 kg"), "weight", "--weight", "'1,000' is ambiguous"),
    ("weight-rounded-onto-limit", cli_argv(weight="771.7 lb"), "weight", "--weight", "350.04 kg is outside"),
    ("weight-two-points", cli_argv(weight="70.5.5 kg"), "weight", "--weight", "more than one decimal point"),
    ("weight-400-digits", cli_argv(weight="9" * 400 + " kg"), "weight", "--weight", "has 400 digits"),
    (
        "max-rate-400-digits",
        cli_argv(max_rate="9" * 400 + " mg/kg/min"),
        "max-rate",
        "--max-rate",
        "400 digits",
    ),
    ("weight-zero-width", cli_argv(weight="70\u200b kg"), "weight", "--weight", "(U+200B)"),
    ("sex-escape", cli_argv(sex="F\x1b[2J"), "sex", "--sex", "control character (U+001B)"),
    ("height-decimal-feet", cli_argv(height="5.9 ft"), "height", "--height", "5 ft 9 in (175.3 cm)"),
    ("indication-two-meanings", cli_argv(indication="cidp"), "indication", "--indication", "cidp-loading or"),
    ("product-two-meanings", cli_argv(product="Octagam"), "product", "--product", "octagam-5 or octagam-10"),
    ("start-2500", cli_argv(start="2500"), "start", "--start", "'2500' is not a valid time of day"),
    (
        "max-rate-above-label",
        cli_argv(max_rate="0.2 mL/kg/min"),
        "max-rate",
        "--max-rate",
        "0.2 mL/kg/min (20 mg/kg/min at 100 mg/mL) is above the Octagam 10 % label maximum of 12 mg/kg/min",
    ),
    (
        "max-rate-below-pump",
        cli_argv(max_rate="0.001 mg/kg/min"),
        "max-rate",
        "--max-rate",
        "below the pump resolution",
    ),
    ("weight-repeated", [*CLI_PLAN, "--weight", "80 kg"], "weight", "--weight", "is given twice"),
    (
        "override-reason-escape",
        [*CLI_PLAN, "--override", "rate-cap", "reviewed \x1b[2J by Dr X"],
        "override reason",
        "--override",
        "control character (U+001B)",
    ),
    (
        "kawasaki-dose-too-small",
        cli_argv(indication="kawasaki", product="privigen", dose="0.01 g"),
        "dose",
        "--dose",
        "Kawasaki disease regimen's fixed 10 h",
    ),
    ("output-pdf-as-text", cli_argv(output="plan.pdf", format="text"), "output", "--format", "ends in .pdf"),
    ("save-empty", cli_argv(save=""), "save", "--save", "is empty"),
    ("output-empty", cli_argv(output=""), "output", "--output", "is empty"),
    ("formulary-empty", cli_argv(formulary=""), "formulary", "--formulary", "is empty"),
    ("settings-empty", cli_argv(settings=""), "settings", "--settings", "is empty"),
    (
        "override-short-reason",
        [*CLI_PLAN, "--override", "actual-weight", "ok"],
        "override reason",
        "--override",
        "",
    ),
    (
        "override-unknown",
        [*CLI_PLAN, "--override", "everything", "because I say"],
        "override",
        "--override",
        "",
    ),
    (
        "pregnant-way-out",
        # Ontario doses on pre-pregnancy weight (auto follows BloodSTAR 2026: actual; label audit #17).
        [*cli_argv(sex="F", weight_policy="ontario"), "--pregnant"],
        "pre-pregnancy weight",
        "--pre-pregnancy-weight, or --weight-policy actual",
        "is required",
    ),
    (
        "dose-limit-way-out",
        cli_argv(dose="1.5 g/kg/day", days="2"),
        "dose",
        "or --override dose-limit REASON",
        "3 g/kg of dosing weight (1.5 g/kg/day × 2 days) is above the site's hard limit",
    ),
]


@pytest.mark.parametrize(
    ("argv", "field", "option", "fragment"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused_exit_2_field_and_option_named_stdout_empty(
    argv: list[str], field: str, option: str, fragment: str
) -> None:
    lines = _refused(argv)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{field}:"), lines[0]
    assert f"[{option}" in lines[0] or f", {option}" in lines[0] or option in lines[0].split("[")[-1], lines[
        0
    ]
    assert fragment in lines[0]
    assert "\x1b" not in lines[0] and "\u200b" not in lines[0]


def test_every_bad_field_at_once_one_line_each() -> None:
    argv = cli_argv(weight="70 m", height="5.9 ft", age="130", dose="2 mL", start="25:00", indication="cidp")
    lines = _refused(argv)
    fields = [line.split(":")[0] for line in lines]
    assert fields == ["weight", "height", "age", "indication", "dose", "start"], lines
    assert all(line.endswith("]") and "[--" in line for line in lines), lines


def test_missing_options_and_bad_ones_are_reported_together() -> None:
    lines = _refused(["plan", "--weight", "70 m", "--sex", "X"])
    assert any("--height, --age, --product" in line for line in lines), lines
    assert any(line.startswith("weight:") for line in lines) and any(
        line.startswith("sex:") for line in lines
    )


def test_the_daily_order_of_the_issue_is_planned_as_written() -> None:
    """ITP 1 g/kg/day × 2 days, 180 lb: plans the 2 g/kg course and says so three ways."""
    argv = cli_argv(weight="180 lb", sex="F", age="45", indication="ITP", product="Privigen",
                    weight_policy="actual", dose="1 g/kg/day", days="2 days", start="0830")  # fmt: skip
    doc = _json(argv)
    kg = 180 * 0.45359237
    # The dosing weight is used as printed, 81.6 kg (issue 12): course 2 × 81.6 = 163.2 g.
    assert doc["course_dose_per_kg"] == {"magnitude": 2.0, "units": "g/kg"}
    assert doc["daily_dose_per_kg"] == {"magnitude": 1.0, "units": "g/kg"}
    assert doc["course_dose"]["magnitude"] == pytest.approx(2 * 81.6, abs=1e-6)
    assert doc["days"][0]["prescribed_dose"]["magnitude"] == pytest.approx(81.6, abs=1e-6)
    assert doc["days"][0]["steps"][0]["start"] == "08:30"
    assert doc["indication"] == "itp" and doc["product"]["id"] == "privigen"
    inputs = doc["inputs"]
    assert inputs["typed"]["dose"] == "1 g/kg/day" and inputs["typed"]["weight"] == "180 lb"
    assert inputs["entered"]["weight"] == "180 lb"
    assert inputs["parsed"]["weight"]["magnitude"] == pytest.approx(kg, abs=1e-6)
    assert inputs["parsed"]["dose_per_kg"] == {"magnitude": 1.0, "units": "g/kg"}
    assert inputs["parsed"]["dose_per"] == "day"
    assert inputs["parsed"]["age"] == {"magnitude": 45.0, "units": "y"}
    text = run_cli(argv).stdout
    assert "2 g/kg course = 1 g/kg/day × 2 days = 81.6 g/day (163.2 g course)" in text
    assert "Weight:" in text and "180 lb (81.6 kg)" in text


def test_risk_factors_that_trigger_nothing_are_still_shown() -> None:
    done = run_cli([*CLI_PLAN, "--risk", "Corn-Allergy"])  # Octagam 10 % has no corn: no warning
    assert done.returncode == 0, done.stderr
    assert "corn" not in {w.split(":")[0] for w in done.stdout.split("[CAUTION] ")}
    assert "Risk factors:" in done.stdout and "corn-allergy" in done.stdout


def test_an_infant_entered_in_days_prints_in_days() -> None:
    done = run_cli(
        cli_argv(weight="3.455 kg", height="50 cm", age="10 days", indication="pid", product="privigen")
    )
    assert done.returncode == 0, done.stderr
    assert "10 days" in done.stdout and " 0 y" not in done.stdout


def test_output_suffix_picks_the_format(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    done = run_cli([*CLI_PLAN, "--output", str(target)])
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == 1


def test_help_groups_required_options_and_lists_policies_and_formats() -> None:
    done = run_cli(["plan", "--help"])
    assert done.returncode == 0
    head = done.stdout.split("patient:")[0]
    for option in ("--weight", "--height", "--sex", "--age", "--product"):
        assert option in head.split("required")[1]
    for word in (
        "auto",
        "actual",
        "adjusted",
        "ideal",
        "australia-2026",
        "ontario",
        "uk",
        "text, json or pdf",
    ):
        assert word in done.stdout
    assert "--override KIND REASON" in done.stdout and "1 g/kg/day" in done.stdout


def test_risks_lists_every_id_with_what_it_covers() -> None:
    from ivig_desktop.engine.risk_factors import RISK_FACTORS

    done = run_cli(["risks"])
    assert done.returncode == 0, done.stderr
    for r in RISK_FACTORS:
        assert f"  {r.id} " in done.stdout
    assert "cardiovascular risk factors" in done.stdout.lower()


def test_products_prints_the_ids_indication_takes() -> None:
    done = run_cli(["products"])
    line = next(x for x in done.stdout.splitlines() if x.strip().startswith("privigen "))
    assert "label rates for pid, itp, cidp-loading, cidp-maintenance" in line
    assert (
        _json(cli_argv(product="privigen", indication="cidp-maintenance"))["indication"] == "cidp-maintenance"
    )


def test_an_override_on_the_command_line_is_applied_and_recorded() -> None:
    doc = _json(
        [*cli_argv(weight="150 kg", height="190 cm"), "--override", "Actual-Weight", "team decision 12"]
    )
    assert doc["overrides"] == [{"kind": "actual-weight", "reason": "team decision 12"}]
    assert doc["dosing_weight_basis"] == "actual" and doc["dosing_weight"]["magnitude"] == 150


def test_max_rate_in_ml_per_kg_per_min_is_planned_in_mg_per_kg_per_min() -> None:
    """0.04 mL/kg/min of Octagam 10 % (100 mg/mL) is 4 mg/kg/min."""
    doc = _json(cli_argv(max_rate="0.04 mL/kg/min"))
    assert doc["max_dose_rate"] == {"magnitude": 4.0, "units": "mg/kg/min"}  # below the label's 12
    assert doc["inputs"]["parsed"]["max_rate"] == {"magnitude": 4.0, "units": "mg/kg/min"}
    assert doc["inputs"]["entered"]["max_rate"] == "0.04 mL/kg/min"


def test_a_pdf_suffix_writes_a_pdf(tmp_path: Path) -> None:
    target = tmp_path / "schedule.pdf"
    done = run_cli([*CLI_PLAN, "--output", str(target)])
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert target.read_bytes().startswith(b"%PDF")
