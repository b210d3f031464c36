"""Plan files (.ivig): exact round trips, atomic saves, strict refusal of bad files, and
the list of what changed when a saved plan is reopened under another formulary."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivig_desktop.cli.options import build_parser
from ivig_desktop.cli.refusals import Collect
from ivig_desktop.cli.run import Run
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, Plan, make_plan
from ivig_desktop.engine.units import Q_
from ivig_desktop.store import files, plan_file, site_formulary
from ivig_desktop.store.plan_file import PlanFileError, load_plan_inputs, save_plan
from ivig_desktop.store.toml_writer import dumps
from tests.helpers import patient, plan

ROOT = Path(__file__).resolve().parents[2]


def _lb_in_plan() -> Plan:
    """Pounds, inches, µmol/L, pregnancy, mg/kg dose and every order option at once."""
    pt = Patient(
        actual_weight=Q_(176.5, "pound"),
        height=Q_(65.5, "inch"),
        sex=Sex.FEMALE,
        age=Q_(34, "year"),
        serum_creatinine=Q_(88.4, "micromole / liter"),
        pregnant=True,
        pre_pregnancy_weight=Q_(150, "pound"),
    )
    order = Order(
        product="octagam-10",
        indication="itp",
        dose=Q_(1000, "milligram / kilogram"),
        days=2,
        weight_policy="adjusted",
        start=time(7, 45),
        start_low=frozenset({"product-switch", "first-infusion"}),
        risks=frozenset({"diabetes", "central-catheter"}),
        max_rate=Q_(4, "milligram / kilogram / minute"),
        overrides=(Override("actual-weight", "obstetric team: dose on booking weight"),),
    )
    return make_plan(pt, order)


def _saved(tmp_path: Path, p: Plan, name: str = "a.ivig") -> Path:
    path = tmp_path / name
    save_plan(p, path)
    return path


def _assert_same_plan(original: Plan, path: Path) -> None:
    pt, order, doc = load_plan_inputs(path)
    assert pt == original.patient
    assert order == original.order
    again = make_plan(pt, order)
    assert plan_to_dict(again) == plan_to_dict(original)
    # The results are the JSON document without its inputs echo: the file's inputs block has them.
    assert doc["results"] == plan_to_dict(original, inputs=False)
    assert plan_file.changes(doc["results"], again) == []


# -- round trips -----------------------------------------------------------------------------------
def test_round_trip_keeps_pounds_inches_micromoles_pregnancy_and_every_order_option(tmp_path: Path) -> None:
    original = _lb_in_plan()
    path = _saved(tmp_path, original)
    _assert_same_plan(original, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "ivig_desktop plan" and doc["schema"] == 2  # 2: dose_per_day (issue 11)
    p, o = doc["inputs"]["patient"], doc["inputs"]["order"]
    assert p["weight"] == {"magnitude": 176.5, "units": "lb"}
    assert p["height"] == {"magnitude": 65.5, "units": "in"}
    assert p["serum_creatinine"] == {"magnitude": 88.4, "units": "µmol/L"}
    assert p["pre_pregnancy_weight"] == {"magnitude": 150.0, "units": "lb"}
    assert p["sex"] == "female" and p["pregnant"] is True
    assert p["age"] == {"magnitude": 34.0, "units": "y"}
    assert o["dose"] == {"magnitude": 1000.0, "units": "mg/kg"}
    assert o["days"] == 2 and o["weight_policy"] == "adjusted" and o["start"] == "07:45"
    assert o["start_low"] == ["first-infusion", "product-switch"]
    assert o["risks"] == ["central-catheter", "diabetes"]
    assert o["max_rate"] == {"magnitude": 4.0, "units": "mg/kg/min"}
    assert o["overrides"] == [{"kind": "actual-weight", "reason": "obstetric team: dose on booking weight"}]
    assert doc["formulary_revision"] == original.formulary_revision


@pytest.mark.parametrize(
    ("dose", "days"),
    [("2 g/kg", 5), ("400 mg/kg", 1), ("30 g", 1), ("1,5 g/kg", 3)],
)
def test_round_trip_for_each_dose_unit(tmp_path: Path, dose: str, days: int) -> None:
    original = plan("privigen", "pid", dose=dose, days=days, start=None)
    path = _saved(tmp_path, original)
    _assert_same_plan(original, path)
    saved = json.loads(path.read_text(encoding="utf-8"))["inputs"]["order"]
    assert saved["dose"]["units"] == dose.split()[-1]
    assert saved["start"] is None


def test_round_trip_with_months_old_child_and_no_indication(tmp_path: Path) -> None:
    pt = Patient(Q_(9.5, "kilogram"), Q_(74, "centimeter"), Sex.MALE, Q_(11, "month"))
    original = make_plan(pt, Order("gamunex-c", None, Q_(1, "gram / kilogram"), 1, start=time(23, 30)))
    _assert_same_plan(original, _saved(tmp_path, original))


def test_round_trip_with_every_override_kind(tmp_path: Path) -> None:
    pt = patient(100, 175, "female", 78)
    original = plan(
        "octagam-5",
        "itp",
        dose="2.5 g/kg",
        days=2,
        pt=pt,
        risks=frozenset({"heart-failure", "diabetes"}),
        overrides=(
            Override("volume-limit", "cardiology reviewed"),
            Override("rate-cap", "tolerated 6 mg/kg/min in 2025"),
            Override("dose-limit", "protocol 14, haematology"),
            Override("actual-weight", "team decision, see notes"),
        ),
    )
    _assert_same_plan(original, _saved(tmp_path, original))


@pytest.mark.parametrize("height", ["1.75 m", "6 ft", "1750 mm"])
def test_a_plan_whose_height_was_typed_in_metres_or_feet_can_be_reopened(tmp_path: Path, height: str) -> None:
    """The parser accepts m, mm and ft for height (and g for weight); a plan saved from such
    an entry must open again, as the window and `--input` promise."""
    pt = Patient(Q_(70, "kilogram"), fields.parse_quantity(height, fields.HEIGHT), Sex.MALE, Q_(50, "year"))
    original = make_plan(pt, Order("privigen", "pid", start=time(8, 0)))
    path = _saved(tmp_path, original)
    _assert_same_plan(original, path)


def test_a_plan_whose_weight_was_typed_in_grams_can_be_reopened(tmp_path: Path) -> None:
    pt = Patient(fields.parse_quantity("3500 g", fields.WEIGHT), Q_(50, "cm"), Sex.FEMALE, Q_(2, "week"))
    original = make_plan(pt, Order("privigen", None, Q_(1, "g/kg"), 1))
    path = _saved(tmp_path, original)
    _assert_same_plan(original, path)


_PRODUCTS = ["privigen", "gamunex-c", "gammagard-liquid", "octagam-10", "panzyga", "flebogamma-10"]


@st.composite
def _inputs(draw: st.DrawFn) -> tuple[Patient, Order]:
    weight_kg = draw(st.floats(40, 150, allow_nan=False))
    in_lb = draw(st.booleans())
    weight = Q_(round(weight_kg / 0.45359237, 2), "pound") if in_lb else Q_(round(weight_kg, 3), "kilogram")
    height_cm = draw(st.floats(150, 200))
    height = Q_(round(height_cm / 2.54, 2), "inch") if draw(st.booleans()) else Q_(round(height_cm, 2), "cm")
    age = Q_(draw(st.integers(18, 95)), "year")
    sex = draw(st.sampled_from(list(Sex)))
    scr = draw(
        st.one_of(
            st.none(),
            st.floats(0.5, 3).map(lambda v: Q_(round(v, 2), "mg/dL")),
            st.floats(45, 250).map(lambda v: Q_(round(v, 1), "micromole / liter")),
        )
    )
    dose = draw(
        st.one_of(
            st.none(),
            st.floats(0.2, 2).map(lambda v: Q_(round(v, 3), "gram / kilogram")),
            st.integers(200, 2000).map(lambda v: Q_(v, "milligram / kilogram")),
            st.integers(10, 60).map(lambda v: Q_(v, "gram")),
        )
    )
    product = draw(st.sampled_from(_PRODUCTS))
    order = Order(
        product=product,
        indication=draw(st.sampled_from(["pid", "itp", "kawasaki"])) if dose is None else None,
        dose=dose,
        days=draw(st.integers(1, 5)) if dose is not None else draw(st.one_of(st.none(), st.integers(1, 5))),
        weight_policy=draw(st.sampled_from(["auto", "actual", "adjusted", "ideal"])),
        start=draw(st.one_of(st.none(), st.builds(time, st.integers(0, 23), st.integers(0, 59)))),
        start_low=frozenset(draw(st.sets(st.sampled_from(["first-infusion", "over-8-weeks"])))),
        risks=frozenset(draw(st.sets(st.sampled_from(["diabetes", "sepsis", "estrogens"]), max_size=2))),
    )
    return Patient(weight, height, sex, age, scr), order


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_inputs())
def test_property_save_then_load_gives_the_same_inputs_and_plan(tmp_path: Path, inputs) -> None:
    pt, order = inputs
    try:
        original = make_plan(pt, order)
    except InputError:  # e.g. an absolute dose above the hard limit for a light patient
        return
    path = tmp_path / "p.ivig"
    save_plan(original, path)
    _assert_same_plan(original, path)


# -- atomic saves ----------------------------------------------------------------------------------
def _crash(*_a: object, **_k: object) -> None:
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = _saved(tmp_path, plan())
    before = path.read_bytes()
    monkeypatch.setattr(files.os, step, _crash)
    with pytest.raises(InputError) as err:
        save_plan(_lb_in_plan(), path)
    monkeypatch.undo()
    assert err.value.field == "plan file"
    assert "cannot write" in err.value.message and "No space left" in err.value.message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ivig"]
    load_plan_inputs(path)  # still a good plan file


def test_a_failed_first_save_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files.os, "replace", _crash)
    with pytest.raises(InputError):
        save_plan(plan(), tmp_path / "new.ivig")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_saving_into_a_missing_folder_or_over_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        save_plan(plan(), tmp_path / "nowhere" / "a.ivig")
    (tmp_path / "dir.ivig").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        save_plan(plan(), tmp_path / "dir.ivig")
    assert [p.name for p in tmp_path.iterdir()] == ["dir.ivig"]


def test_a_process_killed_between_fsync_and_rename_leaves_the_old_file(tmp_path: Path) -> None:
    path = _saved(tmp_path, plan())
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from ivig_desktop.store import files, plan_file
        from tests.helpers import plan
        p = plan("octagam-10", "itp")
        files.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        plan_file.save_plan(p, Path({str(path)!r}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert path.read_bytes() == before
    _pt, order, _ = load_plan_inputs(path)
    assert order.product == "privigen"
    # The killed writer's temporary is a hidden sibling, never the plan file itself.
    assert all(p.name.startswith(".a.ivig.") for p in tmp_path.iterdir() if p != path)


def test_saved_file_keeps_a_plain_file_mode(tmp_path: Path) -> None:
    path = _saved(tmp_path, plan())
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# -- refusing bad files ----------------------------------------------------------------------------
def _doc(tmp_path: Path) -> dict[str, Any]:
    path = _saved(tmp_path, _lb_in_plan(), "source.ivig")
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    return doc


def _set(doc: dict[str, Any], where: str, value: object) -> str:
    d = json.loads(json.dumps(doc))
    target = d
    keys = where.split(".")
    for key in keys[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return json.dumps(d, ensure_ascii=False)


_DELETE = object()
_NESTED = '{"format": "ivig_desktop plan", "schema": 1, "inputs": ' + "[" * 5000 + "]" * 5000 + "}"
_NESTED_DICTS = (
    '{"format": "ivig_desktop plan", "schema": 1, "inputs": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"
)
_SHALLOW_BUT_TOO_DEEP = '{"format": "ivig_desktop plan", "schema": 1, "inputs": ' + "[" * 40 + "]" * 40 + "}"
_BAD = [
    ("truncated", lambda d: json.dumps(d)[: len(json.dumps(d)) // 2], "", "not complete, valid JSON"),
    ("not-json", lambda d: "this is not a plan", "", "not complete, valid JSON"),
    ("not-utf8", lambda d: json.dumps(d).encode("utf-16"), "", "is not UTF-8 text"),
    (
        "latin1",
        lambda d: json.dumps(d, ensure_ascii=False).encode("latin-1", "replace"),
        "",
        "is not UTF-8 text",
    ),
    ("empty", lambda d: b"", "", "not complete, valid JSON"),
    ("top-level-list", lambda d: "[1, 2]", "", "must be a JSON object"),
    ("format", lambda d: _set(d, "format", "other plan"), "format", "is not an ivig_desktop plan"),
    ("no-format", lambda d: _set(d, "format", _DELETE), "format", "is not an ivig_desktop plan"),
    ("schema-3", lambda d: _set(d, "schema", 3), "schema", "version 3 is not supported"),
    ("schema-string", lambda d: _set(d, "schema", "1"), "schema", "version '1' is not supported"),
    ("schema-missing", lambda d: _set(d, "schema", _DELETE), "schema", "version None is not supported"),
    ("no-inputs", lambda d: _set(d, "inputs", _DELETE), "inputs", "must be a JSON object"),
    ("inputs-list", lambda d: _set(d, "inputs", []), "inputs", "must be a JSON object"),
    ("no-patient", lambda d: _set(d, "inputs.patient", _DELETE), "inputs.patient", "must be a JSON object"),
    ("no-order", lambda d: _set(d, "inputs.order", "x"), "inputs.order", "must be a JSON object"),
    (
        "no-weight",
        lambda d: _set(d, "inputs.patient.weight", _DELETE),
        "inputs.patient.weight",
        "must be a JSON object",
    ),
    (
        "weight-1e308",
        lambda d: _set(d, "inputs.patient.weight.magnitude", 1e308),
        "inputs.patient.weight",
        "outside the accepted range",
    ),
    (
        "weight-negative",
        lambda d: _set(d, "inputs.patient.weight.magnitude", -5),
        "inputs.patient.weight",
        "must be greater than zero",
    ),
    (
        "weight-string",
        lambda d: _set(d, "inputs.patient.weight.magnitude", "70"),
        "inputs.patient.weight",
        "magnitude must be a finite number",
    ),
    (
        "weight-bool",
        lambda d: _set(d, "inputs.patient.weight.magnitude", True),
        "inputs.patient.weight",
        "magnitude must be a finite number",
    ),
    (
        "weight-nan",
        lambda d: _set(d, "inputs.patient.weight.magnitude", float("nan")),
        "inputs.patient.weight",
        "magnitude must be a finite number",
    ),
    (
        "weight-infinity",
        lambda d: _set(d, "inputs.patient.weight.magnitude", float("-inf")),
        "inputs.patient.weight",
        "magnitude must be a finite number",
    ),
    (
        "weight-stone",
        lambda d: _set(d, "inputs.patient.weight.units", "stone"),
        "inputs.patient.weight",
        "units must be one of kg, lb",
    ),
    (
        "height-in-kg",
        lambda d: _set(d, "inputs.patient.height.units", "kg"),
        "inputs.patient.height",
        "units must be one of cm, in",
    ),
    (
        "scr-range",
        lambda d: _set(d, "inputs.patient.serum_creatinine.magnitude", 50000),
        "inputs.patient.serum_creatinine",
        "outside the accepted range",
    ),
    ("sex", lambda d: _set(d, "inputs.patient.sex", "other"), "inputs.patient.sex", '"male" or "female"'),
    ("sex-missing", lambda d: _set(d, "inputs.patient.sex", _DELETE), "inputs.patient.sex", "male"),
    (
        "pregnant-string",
        lambda d: _set(d, "inputs.patient.pregnant", "yes"),
        "inputs.patient.pregnant",
        "must be true or false",
    ),
    (
        "pre-pregnancy-not-pregnant",
        lambda d: _set(d, "inputs.patient.pregnant", False),
        "inputs.patient",
        "not marked pregnant",
    ),
    ("days-0", lambda d: _set(d, "inputs.order.days", 0), "inputs.order.days", "whole number from 1 to 10"),
    ("days-11", lambda d: _set(d, "inputs.order.days", 11), "inputs.order.days", "whole number from 1 to 10"),
    (
        "days-2.5",
        lambda d: _set(d, "inputs.order.days", 2.5),
        "inputs.order.days",
        "whole number from 1 to 10",
    ),
    (
        "days-true",
        lambda d: _set(d, "inputs.order.days", True),
        "inputs.order.days",
        "whole number from 1 to 10",
    ),
    ("start-25", lambda d: _set(d, "inputs.order.start", "25:00"), "inputs.order.start", "not a valid time"),
    ("start-word", lambda d: _set(d, "inputs.order.start", "noon"), "inputs.order.start", "HH:MM"),
    (
        "dose-units",
        lambda d: _set(d, "inputs.order.dose.units", "mL"),
        "inputs.order.dose",
        "units must be one of g/kg, mg/kg, g",
    ),
    (
        "max-rate-negative",
        lambda d: _set(d, "inputs.order.max_rate.magnitude", -1),
        "inputs.order.max_rate",
        "must be greater than zero",
    ),
    ("no-product", lambda d: _set(d, "inputs.order.product", _DELETE), "inputs.order.product", "short text"),
    (
        "huge-product",
        lambda d: _set(d, "inputs.order.product", "x" * 200_000),
        "inputs.order.product",
        "must be a short text",
    ),
    (
        "huge-indication",
        lambda d: _set(d, "inputs.order.indication", "i" * 5000),
        "inputs.order.indication",
        "must be a short text",
    ),
    (
        "huge-policy",
        lambda d: _set(d, "inputs.order.weight_policy", "p" * 300),
        "inputs.order.weight_policy",
        "must be a short text",
    ),
    (
        "huge-start",
        lambda d: _set(d, "inputs.order.start", "0" * 100_000),
        "inputs.order.start",
        "short text",
    ),
    (
        "huge-reason",
        lambda d: _set(d, "inputs.order.overrides", [{"kind": "rate-cap", "reason": "r" * 300_000}]),
        "inputs.order.overrides[0].reason",
        "must be a text",
    ),
    (
        "overrides-1000",
        lambda d: _set(d, "inputs.order.overrides", [{"kind": "rate-cap", "reason": "because"}] * 1000),
        "inputs.order.overrides",
        "must be a list",
    ),
    (
        "overrides-object",
        lambda d: _set(d, "inputs.order.overrides", {"kind": "rate-cap"}),
        "inputs.order.overrides",
        "must be a list",
    ),
    (
        "override-not-object",
        lambda d: _set(d, "inputs.order.overrides", ["rate-cap"]),
        "inputs.order.overrides[0]",
        "must be a JSON object",
    ),
    (
        "risks-many",
        lambda d: _set(d, "inputs.order.risks", ["diabetes"] * 51),
        "inputs.order.risks",
        "must be a list of names",
    ),
    (
        "risks-numbers",
        lambda d: _set(d, "inputs.order.risks", [1, 2]),
        "inputs.order.risks",
        "must be a list of names",
    ),
    ("deep-lists", lambda d: _NESTED, "", "nested too deeply"),
    ("deep-dicts", lambda d: _NESTED_DICTS, "", "nested too deeply"),
    ("forty-deep", lambda d: _SHALLOW_BUT_TOO_DEEP, "", "nested too deeply"),
]


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "bad.ivig"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _refused(path: Path) -> PlanFileError:
    before = path.read_bytes()
    listing = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(PlanFileError) as err:
        load_plan_inputs(path)
    assert isinstance(err.value, InputError)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing
    return err.value


@pytest.mark.parametrize(("mutate", "where", "reason"), [b[1:] for b in _BAD], ids=[b[0] for b in _BAD])
def test_a_bad_plan_file_is_refused_with_the_reason_and_left_alone(
    tmp_path: Path, mutate, where: str, reason: str
) -> None:
    path = _write(tmp_path, mutate(_doc(tmp_path)))
    exc = _refused(path)
    assert exc.field.startswith(f"plan file {path}")
    assert exc.field.endswith(where)
    assert reason in exc.message
    assert str(path) in str(exc)


def test_a_file_over_the_size_limit_is_refused_without_being_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A valid plan padded with whitespace: only the size check can refuse it.
    text = json.dumps(_doc(tmp_path)) + " " * (2 * 1024 * 1024)
    path = _write(tmp_path, text)

    def no_parsing(*_a: object, **_k: object) -> None:
        raise AssertionError("an oversized file must not be parsed")

    monkeypatch.setattr(plan_file.json, "loads", no_parsing)
    monkeypatch.setattr(Path, "read_bytes", no_parsing)
    with pytest.raises(PlanFileError) as err:
        load_plan_inputs(path)
    monkeypatch.undo()
    assert "a plan file is at most 1,000,000" in err.value.message
    assert f"{path.stat().st_size:,} bytes" in err.value.message


def test_a_file_just_under_the_size_limit_with_padding_is_read(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    text = json.dumps(doc)
    text += " " * (plan_file.MAX_BYTES - len(text.encode("utf-8")))
    path = _write(tmp_path, text)
    assert path.stat().st_size == plan_file.MAX_BYTES
    _pt, order, _ = load_plan_inputs(path)
    assert order.product == "octagam-10"


def test_a_missing_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot be read"):
        load_plan_inputs(tmp_path / "gone.ivig")


def test_a_huge_integer_magnitude_is_refused_as_a_plan_file_error(tmp_path: Path) -> None:
    """JSON integers are unbounded: 1 followed by 400 zeros is not a finite float."""
    text = _set(_doc(tmp_path), "inputs.patient.weight.magnitude", 10**400)
    exc = _refused(_write(tmp_path, text))
    assert exc.field.endswith("inputs.patient.weight")
    assert "finite number" in exc.message


def test_an_integer_literal_too_long_to_convert_is_refused_as_a_plan_file_error(tmp_path: Path) -> None:
    """Python refuses to convert integer literals over 4300 digits (ValueError from json.loads)."""
    text = _set(_doc(tmp_path), "inputs.order.days", 0).replace('"days": 0', '"days": ' + "9" * 5000)
    assert len(text.encode("utf-8")) < plan_file.MAX_BYTES
    exc = _refused(_write(tmp_path, text))
    assert str(tmp_path / "bad.ivig") in exc.field


@pytest.mark.parametrize(
    ("edit", "where", "reason"),
    [
        (lambda d: d.update(comment="by hand"), "comment", "is not a field of a plan file"),
        (lambda d: d["inputs"]["patient"].update(mrn="123"), "inputs.patient.mrn", "is not a field"),
        (
            lambda d: d["inputs"]["order"].update(max_rates=d["inputs"]["order"].pop("max_rate")),
            "inputs.order.max_rates",
            "did you mean 'max_rate'?",
        ),
        (
            lambda d: d["inputs"]["patient"]["weight"].update(unit="kg"),
            "inputs.patient.weight.unit",
            "did you mean 'units'?",
        ),
        (lambda d: d["results"].update(dose_rate=1), "results.dose_rate", "is not a field"),
        (
            lambda d: d["results"]["days"][0]["steps"][0].update(rat=1),
            "results.days[0].steps[0].rat",
            "'rate'",
        ),
    ],
)
def test_unknown_and_misspelt_keys_are_refused_with_the_nearest_known_key(
    tmp_path: Path, edit, where: str, reason: str
) -> None:
    """Changed on purpose (issue 15): an unknown key used to be ignored, so a misspelt
    max_rate was silently dropped and the plan made without its cap."""
    doc = _doc(tmp_path)
    edit(doc)
    exc = _refused(_write(tmp_path, json.dumps(doc)))
    assert exc.field.endswith(where)
    assert reason in exc.message


# -- reopening under another formulary -------------------------------------------------------------
def _site_formulary(tmp_path: Path) -> Path:
    data = site_formulary.bundled_data()
    privigen = next(p for p in data["product"] if p["id"] == "privigen")
    assert privigen["indications"]["pid"]["max"]["value"] == 8
    privigen["indications"]["pid"]["max"]["value"] = 4
    data["revision"] = "site 2027-01"
    path = tmp_path / "site.toml"
    path.write_text(dumps(data), encoding="utf-8")
    return path


def test_reopening_under_a_changed_formulary_lists_what_changed(tmp_path: Path) -> None:
    original = plan("privigen", "pid", pt=patient(70, 175))
    path = _saved(tmp_path, original)
    args = build_parser().parse_args(["plan", "--formulary", str(_site_formulary(tmp_path))])
    cat = Run.of(args).catalogue(args, Collect())
    assert cat.formulary.revision == "site 2027-01"
    pt, order, doc = load_plan_inputs(path)
    now = make_plan(pt, order, cat)
    changed = plan_file.changes(doc["results"], now)
    assert f"formulary: {original.formulary_revision} → site 2027-01" in changed
    assert any(c.startswith("max dose rate: 8.0 → 4.0") for c in changed)
    rates = [c for c in changed if c.startswith("day 1 pump rates (mL/h):")]
    assert len(rates) == 1
    old_rates = [s["rate"]["magnitude"] for s in doc["results"]["days"][0]["steps"]]
    assert str(old_rates) in rates[0]
    assert any(c.startswith("day 1 duration:") for c in changed)
    # The dose, the volume and the day count did not change, and are not listed.
    assert not any(c.startswith(("course dose", "day 1 dose", "day 1 volume", "days:")) for c in changed)


def test_reopening_under_the_same_formulary_lists_nothing(tmp_path: Path) -> None:
    original = _lb_in_plan()
    pt, order, doc = load_plan_inputs(_saved(tmp_path, original))
    assert plan_file.changes(doc["results"], make_plan(pt, order)) == []


def test_changes_with_missing_or_odd_saved_results() -> None:
    now = plan()
    assert plan_file.changes("junk", now) == ["the file holds no saved results to compare"]  # type: ignore[arg-type]
    listed = plan_file.changes({"days": "x", "warnings": [1]}, now)
    assert any(c.startswith("formulary: None →") for c in listed)
    assert f"days: 0 → {len(now.days)}" in listed


def test_a_plan_with_a_non_finite_figure_is_not_saved_and_nothing_is_written(tmp_path: Path) -> None:
    """A 400-digit --max-rate once parsed to infinity and was saved as `Infinity` (not JSON), a file
    the program then refused to open. JSON has no infinity: the save is refused, naming the field."""
    import math
    from dataclasses import replace

    original = plan("privigen", "pid")
    hostile = replace(original, order=replace(original.order, max_rate=Q_(math.inf, "mg/kg/min")))
    target = tmp_path / "p.ivig"
    with pytest.raises(InputError) as err:
        save_plan(hostile, target)
    assert err.value.field == "plan file"
    assert "inputs.order.max_rate.magnitude is not a finite number" in err.value.message
    assert list(tmp_path.iterdir()) == []
