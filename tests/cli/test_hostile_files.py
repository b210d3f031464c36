"""Hostile and mistaken files and options (issue 15): refused with a reason, never planned, never a crash.

Every case runs the real program in a child process with a time limit (a hang is a failure,
not a slow test) and checks the same contract: exit status 2, exactly one line on stderr naming
the file or option and the field, nothing on stdout, and every file in the folder byte for byte
as it was (the output and saved-plan targets included).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ivig_desktop.store import site_formulary
from ivig_desktop.store.plan_file import save_plan
from ivig_desktop.store.toml_writer import dumps
from tests.helpers import cli_argv, plan, run_cli

ROOT = Path(__file__).resolve().parents[2]
TIME_LIMIT = 60  # seconds; a refusal takes about one; a hang on a FIFO would take for ever
#: The shared valid command line, on Privigen for PID.
PLAN = cli_argv(product="privigen", indication="pid")


def _snapshot(folder: Path) -> dict[str, object]:
    """Every entry of ``folder``: a regular file by its bytes, anything else by its kind and target."""
    out: dict[str, object] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            out[entry.name] = ("link", os.readlink(entry))
        elif entry.is_file():
            out[entry.name] = entry.read_bytes()
        else:
            out[entry.name] = ("other", entry.lstat().st_mode)
    return out


def _run(folder: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return run_cli(argv, cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=TIME_LIMIT)


def _refused(folder: Path, argv: list[str], *needles: str) -> str:
    """Run ``argv`` with an existing --output and --save (unless given) and check the contract."""
    argv = list(argv)
    if "--output" not in argv:
        (folder / "out.txt").write_text("the report from before\n", encoding="utf-8")
        argv += ["--output", "out.txt"]
    if "--save" not in argv:
        (folder / "saved.ivig").write_text('{"a plan": "from before"}\n', encoding="utf-8")
        argv += ["--save", "saved.ivig"]
    before = _snapshot(folder)
    done = _run(folder, argv)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert line.startswith("ivig-desktop: error: ")
    assert "Traceback" not in line
    assert "\x1b" not in done.stderr  # no escape sequence reaches the terminal
    for needle in needles:
        assert needle in line, line
    assert _snapshot(folder) == before  # nothing written, nothing replaced
    return line


# -- site data --------------------------------------------------------------------------------------
def _product(data: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in data["product"] if p["id"] == pid)


def _formulary(folder: Path, edit: Callable[[dict[str, Any]], None], text_edit=None) -> Path:
    data = copy.deepcopy(site_formulary.bundled_data())
    edit(data)
    text = dumps(data)
    if text_edit is not None:
        text = text_edit(text)
    path = folder / "site formulary.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _set_max(pid: str, ind: str, value: float, unit: str) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        _product(data, pid)["indications"][ind]["max"].update(value=value, unit=unit)
        _product(data, pid)["indications"][ind]["escalation"] = "doubling"
        _product(data, pid)["indications"][ind].pop("rates", None)

    return edit


def _vials(n: int) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        _product(data, "privigen")["vials"] = [
            {"size": 0.5 + i / 1000, "volume": (0.5 + i / 1000) * 10, "evidence": "site", "source": "s"}
            for i in range(n)
        ]

    return edit


def _rename(table: dict[str, Any], old: str, new: str) -> None:
    table[new] = table.pop(old)


_SITE_FORMULARY = [
    (
        "max-in-mL/kg/min",  # 4 mL/kg/min of a 10 % product is 400 mg/kg/min
        _set_max("privigen", "pid", 4, "mL/kg/min"),
        None,
        ("[privigen.indications.pid] max:", "400 mg/kg/min", "above 14 mg/kg/min", "Panzyga"),
    ),
    (
        "max-80-for-8",
        _set_max("privigen", "pid", 80, "mg/kg/min"),
        None,
        ("[privigen.indications.pid] max:", "80 mg/kg/min is above 14 mg/kg/min"),
    ),
    (
        "subsequent-start-above-max",
        lambda d: _product(d, "gammaplex-10")["indications"]["pid"]["subsequent_start"].update(value=0.1),
        None,
        ("[gammaplex-10.indications.pid] subsequent_start:", "is above max"),
    ),
    (
        "concentration-1000",
        lambda d: _product(d, "privigen")["concentration"].update(value=1000),
        None,
        ("[privigen] concentration:", "1000 mg/mL", "3 % to 12 %"),
    ),
    (
        "misspelt-escalation",
        lambda d: _rename(_product(d, "privigen")["indications"]["pid"], "escalation", "escalaton"),
        None,
        ("[privigen.indications.pid] escalaton:", "did you mean 'escalation'?"),
    ),
    (
        "negative-rate-is-a-sign-not-a-unit",
        lambda d: _product(d, "privigen")["indications"]["pid"]["start"].update(value=-1),
        None,
        ("[privigen.indications.pid.start] start:", "must be greater than zero (got -1 mg/kg/min)"),
    ),
    (
        "5000-digit-number",
        lambda d: None,
        lambda text: text.replace("size = 5,", "size = 5" + "0" * 5000 + ",", 1),
        ("site formulary.toml", "holds a value that cannot be read", "digits"),
    ),
    (
        "5000-vial-sizes",
        _vials(5000),
        None,
        ("[privigen] vials:", "lists 5000 sizes; at most 12"),
    ),
    (
        "increment-1e-7",
        lambda d: _product(d, "bivigam")["indications"]["pid"]["increment"].update(value=1e-7),
        None,
        ("[bivigam.indications.pid] increment:", "at most 12"),
    ),
    (
        "at-risk-cap-above-every-maximum",
        lambda d: _product(d, "octagam-5")["at_risk_caps"][0]["rate"].update(value=10),
        None,
        ("[octagam-5.at_risk_caps[1]] rate:", "above every maximum rate of octagam-5"),
    ),
]


@pytest.mark.parametrize(
    ("edit", "text_edit", "needles"), [c[1:] for c in _SITE_FORMULARY], ids=[c[0] for c in _SITE_FORMULARY]
)
def test_a_mistaken_site_formulary_is_refused_naming_file_record_and_field(
    tmp_path: Path, edit, text_edit, needles: tuple[str, ...]
) -> None:
    path = _formulary(tmp_path, edit, text_edit)
    line = _refused(tmp_path, [*PLAN, "--formulary", path.name], *needles)
    assert path.name in line


def _settings(folder: Path, edit: Callable[[str], str]) -> Path:
    text = (ROOT / "resources" / "site_settings.toml").read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    path = folder / "settings.toml"
    path.write_text(changed, encoding="utf-8")
    return path


_SITE_SETTINGS = [
    (
        "strict-looser-than-standard",
        lambda t: t.replace("per_kg = { value = 10,", "per_kg = { value = 30,"),
        ("[volume_limit] strict.per_kg:", "30 mL/kg is above the standard limit 20 mL/kg"),
    ),
    (
        "tolerance-40",
        lambda t: t.replace('value = 10\nunit = "percent"', 'value = 40\nunit = "percent"'),
        ("[rounding_tolerance] value:", "40 % is outside 0–25 %", "clinical-anchors"),
    ),
    (
        "misspelt-pump-resolution",
        lambda t: t.replace("[pump_resolution]", "[pump_resolutoin]"),
        ("pump_resolutoin:", "did you mean 'pump_resolution'?"),
    ),
    (
        "unknown-field-in-a-setting",
        lambda t: t.replace('unit = "mL/h"', 'unit = "mL/h"\nunits = "mL/h"'),
        ("[pump_resolution] units:", "did you mean 'unit'?"),
    ),
    (
        "course-dose-in-mL",
        lambda t: t.replace('value = 2.4\nunit = "g/kg"', 'value = 2.4\nunit = "mL"'),
        ("[max_course_dose] max_course_dose:", "'mL' is not a unit of dose per kg"),
    ),
    (
        "coarse-pump",
        lambda t: t.replace('value = 0.1\nunit = "mL/h"', 'value = 10\nunit = "mL/h"'),
        ("pump_resolution:", "10 mL/h is coarser than 1 mL/h"),
    ),
]


@pytest.mark.parametrize(
    ("edit", "needles"), [c[1:] for c in _SITE_SETTINGS], ids=[c[0] for c in _SITE_SETTINGS]
)
def test_mistaken_site_settings_are_refused_naming_file_record_and_field(
    tmp_path: Path, edit, needles: tuple[str, ...]
) -> None:
    path = _settings(tmp_path, edit)
    line = _refused(tmp_path, [*PLAN, "--settings", path.name], *needles)
    assert path.name in line


# -- plan files -------------------------------------------------------------------------------------
def _plan_file(folder: Path, edit: Callable[[dict[str, Any]], Any] | None = None, text_edit=None) -> Path:
    path = folder / "p.ivig"
    save_plan(plan("privigen", "pid"), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    if edit is not None:
        edit(doc)
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    if text_edit is not None:
        text = text_edit(text)
    path.write_text(text, encoding="utf-8")
    return path


def _dup(text: str) -> str:
    return text.replace('"days": null,', '"days": null,\n"days": 3,', 1)


_PLAN_FILES = [
    ("duplicate-key", None, _dup, (), ("p.ivig", "has the key 'days' twice")),
    ("schema-1.0", lambda d: d.update(schema=1.0), None, (), ("p.ivig schema:", "1.0 is not supported")),
    (
        "results-steps-a-text",
        lambda d: d["results"]["days"][0].update(steps="x"),
        None,
        (),
        ("p.ivig results.days[0].steps:", "must be a list"),
    ),
    (
        "results-magnitude-a-text",
        lambda d: d["results"]["total_volume"].update(magnitude="300"),
        None,
        (),
        ("p.ivig results.total_volume.magnitude:", "must be a number"),
    ),
    (
        "results-nan",
        lambda d: d["results"]["total_dose"].update(magnitude=float("nan")),
        None,
        (),
        ("p.ivig results.total_dose.magnitude:", "finite"),
    ),
    (
        "misspelt-dose",
        lambda d: d["inputs"]["order"].update(doze=d["inputs"]["order"].pop("dose")),
        None,
        (),
        ("p.ivig inputs.order.doze:", "did you mean 'dose'?"),
    ),
    ("input-with-dose", None, None, ("--dose", "1 g/kg"), ("--input", "remove --dose")),
    ("input-with-max-rate", None, None, ("--max-rate", "4 mg/kg/min"), ("remove --max-rate",)),
    ("input-with-risk", None, None, ("--risk", "diabetes"), ("remove --risk",)),
    (
        "output-over-input",
        None,
        None,
        ("--output", "p.ivig"),
        ("output:", "'p.ivig' is the file given to --input"),
    ),
]


@pytest.mark.parametrize(
    ("edit", "text_edit", "extra", "needles"), [c[1:] for c in _PLAN_FILES], ids=[c[0] for c in _PLAN_FILES]
)
def test_a_hostile_or_misused_plan_file_is_refused_with_the_key_path(
    tmp_path: Path, edit, text_edit, extra: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    _plan_file(tmp_path, edit, text_edit)
    _refused(tmp_path, ["plan", "--input", "p.ivig", *extra], *needles)


def test_a_report_over_the_site_formulary_is_refused(tmp_path: Path) -> None:
    path = _formulary(tmp_path, lambda d: None)
    _refused(tmp_path, [*PLAN, "--formulary", path.name, "--output", path.name], "output:", "--formulary")
    _refused(tmp_path, [*PLAN, "--formulary", path.name, "--save", path.name], "save:", "--formulary")


def test_saving_a_reopened_plan_back_to_its_own_file_is_allowed(tmp_path: Path) -> None:
    path = _plan_file(tmp_path)
    done = _run(tmp_path, ["plan", "--input", path.name, "--save", path.name])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Unchanged since saved.")
    assert json.loads(path.read_text(encoding="utf-8"))["inputs"]["order"]["product"] == "privigen"


# -- special files ----------------------------------------------------------------------------------
def _fifo(folder: Path, name: str) -> str:
    os.mkfifo(folder / name)
    return name


def _link(folder: Path, name: str, target: str) -> str:
    (folder / name).symlink_to(target)
    return name


_SPECIAL = [
    ("input-fifo", lambda f: ["plan", "--input", _fifo(f, "p.ivig")], ("plan file p.ivig", "a pipe (FIFO)")),
    ("input-dev-zero", lambda f: ["plan", "--input", "/dev/zero"], ("plan file /dev/zero", "is a device")),
    (
        "input-link-to-dev-zero",
        lambda f: ["plan", "--input", _link(f, "z.ivig", "/dev/zero")],
        ("plan file z.ivig", "is a device"),
    ),
    ("formulary-folder", lambda f: [*PLAN, "--formulary", "."], (".: is a folder",)),
    ("settings-fifo", lambda f: [*PLAN, "--settings", _fifo(f, "s.toml")], ("s.toml", "a pipe (FIFO)")),
    ("output-fifo", lambda f: [*PLAN, "--output", _fifo(f, "o.txt")], ("output:", "a pipe (FIFO)")),
    ("output-device", lambda f: [*PLAN, "--output", "/dev/null"], ("output:", "/dev/null' is a device")),
    (
        "output-link-to-a-device",
        lambda f: [*PLAN, "--output", _link(f, "o.txt", "/dev/null")],
        ("output:", "is a device"),
    ),
    ("save-fifo", lambda f: [*PLAN, "--save", _fifo(f, "s.ivig")], ("plan file:", "a pipe (FIFO)")),
    (
        "output-dangling-link",
        lambda f: [*PLAN, "--output", _link(f, "o.txt", "gone/nowhere.txt")],
        ("output:", "which does not exist"),
    ),
]


@pytest.mark.parametrize(("argv", "needles"), [c[1:] for c in _SPECIAL], ids=[c[0] for c in _SPECIAL])
def test_special_files_are_refused_before_reading_or_writing(tmp_path: Path, argv, needles) -> None:
    _refused(tmp_path, argv(tmp_path), *needles)


def test_an_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "today.txt"
    target.write_text("old\n", encoding="utf-8")
    (tmp_path / "latest.txt").symlink_to("reports/today.txt")
    done = _run(tmp_path, [*PLAN, "--output", "latest.txt"])
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "latest.txt").is_symlink()
    assert os.readlink(tmp_path / "latest.txt") == "reports/today.txt"
    assert "Privigen" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["today.txt"]


# -- text -------------------------------------------------------------------------------------------
def _toml_key(text: str) -> str:
    return text.replace("[product.indications.pid]", '[product.indications."pid\\u001b[2J"]', 1)


_TEXT = [
    (
        "escape-in-a-product-name",
        lambda f: [
            *PLAN,
            "--formulary",
            _formulary(f, lambda d: _product(d, "privigen").update(name="Privigen\x1b[2J")).name,
        ],
        ("[privigen] name:", "control character (U+001B)"),
    ),
    (
        "right-to-left-override-in-a-source",
        lambda f: [
            *PLAN,
            "--formulary",
            _formulary(
                f, lambda d: _product(d, "privigen")["concentration"].update(source="label\u202e")
            ).name,
        ],
        ("privigen.concentration", "source:", "U+202E"),
    ),
    (
        "escape-in-an-indication-id",
        lambda f: [*PLAN, "--formulary", _formulary(f, lambda d: None, _toml_key).name],
        ("pid\\x1b[2J: is not a usable indication id",),
    ),
    (
        "bell-in-a-settings-reason",
        lambda f: [
            *PLAN,
            "--settings",
            _settings(f, lambda t: t.replace("Round each day's dose", "Round\\u0007 each day's dose")).name,
        ],
        ("[rounding_tolerance] reason:", "U+0007"),
    ),
    (
        "escape-in-an-override-reason",
        lambda f: [
            "plan",
            "--input",
            _plan_file(
                f,
                lambda d: d["inputs"]["order"].update(
                    overrides=[{"kind": "rate-cap", "reason": "\x1b[31mtolerated before"}]
                ),
            ).name,
        ],
        ("inputs.order.overrides[0].reason:", "U+001B"),
    ),
    (
        "zero-width-space-in-a-product-id",
        lambda f: [
            "plan",
            "--input",
            _plan_file(f, lambda d: d["inputs"]["order"].update(product="privi\u200bgen")).name,
        ],
        ("inputs.order.product:", "U+200B"),
    ),
    (
        "escape-in-a-file-name",
        lambda f: ["plan", "--input", "\x1b[31mred.ivig"],
        ("input:", "U+001B", "[--input]"),
    ),
]


@pytest.mark.parametrize(("argv", "needles"), [c[1:] for c in _TEXT], ids=[c[0] for c in _TEXT])
def test_control_characters_in_files_are_refused_and_never_printed_raw(tmp_path: Path, argv, needles) -> None:
    _refused(tmp_path, argv(tmp_path), *needles)
