"""Issue 12: children (no negative or extrapolated figures, bedside Schwartz in the renal screen),
the policies side by side, and issue 15's bound on the engine: the vial search and the ladder stay
bounded in time and memory whatever the data."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from ivig_desktop.engine import display
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.formulary import Figure, Vial, bundled_formulary
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Catalogue, bundled_catalogue, make_plan
from ivig_desktop.engine.risk import Severity
from ivig_desktop.engine.schedule import build_ladder
from ivig_desktop.engine.units import Q_
from ivig_desktop.engine.vials import pick_course, pick_vials
from ivig_desktop.report.text import render_text
from tests.helpers import patient, plan


def _child(cm: float = 95, kg: float = 14, age: float = 3, scr: float | None = None) -> Patient:
    return Patient(Q_(kg, "kg"), Q_(cm, "cm"), Sex.FEMALE, Q_(age, "year"), Q_(scr, "mg/dL") if scr else None)


def test_a_95_cm_child_has_no_devine_figures_anywhere() -> None:
    # Devine would give 45.5 + 2.3 × (95 / 2.54 − 60) = −6.5 kg ideal, 2.1 kg adjusted.
    p = plan("privigen", "itp", pt=_child())
    assert p.patient.ideal_weight is None and p.patient.adjusted_weight is None
    line = display.body_size(p.patient)
    assert (
        "ideal and adjusted weight not applicable: Devine is defined from 152.4 cm (60 in); height 95.0 cm"
        in (line)
    )
    doc = plan_to_dict(p)
    assert doc["patient"]["ideal_weight"] is None and doc["patient"]["adjusted_weight"] is None
    assert "not applicable" in doc["patient"]["devine"]
    text = render_text(p)
    assert "−6.5" not in text and "-6.5" not in text and "2.1 kg" not in text
    # Paediatric dosing on actual weight under every policy that has a child rule, and every
    # policy's weight is positive (the adjusted and ideal policies fall back to actual weight).
    assert p.dosing.basis == "actual" and p.dosing.weight.m_as("kg") == 14
    for row in p.policy_comparison:
        assert row.weight is not None and row.weight.m_as("kg") == 14, row


def test_schwartz_replaces_cockcroft_gault_in_the_renal_screen() -> None:
    # 4 y, 104 cm, SCr 0.8 mg/dL: 0.413 × 104 / 0.8 = 53.69 mL/min/1.73 m², below the site's 60:
    # a renal risk, named as the bedside Schwartz eGFR.
    p = plan("privigen", "pid", pt=_child(cm=104, kg=17, age=4, scr=0.8))
    assert p.crcl is not None and p.crcl.value is not None
    assert p.crcl.value.m_as("mL/min") == pytest.approx(53.69)
    renal = next(w for w in p.warnings if w.code == "renal")
    assert "eGFR 54 mL/min/1.73 m² < 60 (site setting)" in renal.message
    assert "bedside Schwartz eGFR, 0.413 × 104.0 cm ÷ 0.80 mg/dL" in renal.message
    assert "Cockcroft" not in renal.message.split("(age < 18")[0]


def test_policies_side_by_side_for_an_obese_adult() -> None:
    # 120 kg, 175 cm man, ITP 2 g/kg. IBW 70.4646, adjusted 90.2787 → 90.3 kg; ideal 70.5 kg.
    p = plan("privigen", "itp", pt=patient(kg=120, cm=175))
    rows = {r.policy: r for r in p.policy_comparison}
    assert list(rows) == ["auto", "actual", "adjusted", "ideal", "australia-2026", "ontario", "uk"]
    want = {
        "auto": (90.3, "adjusted"),
        "actual": (120.0, "actual"),
        "adjusted": (90.3, "adjusted"),
        "ideal": (70.5, "ideal"),
        "australia-2026": (90.3, "adjusted"),
        "ontario": (90.3, "adjusted"),
        "uk": (90.3, "adjusted"),
    }
    for pid, (kg, basis) in want.items():
        assert rows[pid].weight is not None and rows[pid].weight.m_as("kg") == kg
        assert rows[pid].basis == basis
        assert rows[pid].course_dose is not None
        assert rows[pid].course_dose.m_as("g") == pytest.approx(2 * kg)
    doc = plan_to_dict(p)
    assert [r["policy"] for r in doc["policy_comparison"]] == list(want)
    assert doc["policy_comparison"][1]["dosing_weight"] == {"magnitude": 120.0, "units": "kg"}
    text = render_text(p)
    assert "POLICIES SIDE BY SIDE" in text and "auto *" in text


def test_a_policy_that_cannot_apply_says_why() -> None:
    # Pregnant, no pre-pregnancy weight: Ontario needs it; the others do not.
    pt = Patient(Q_(80, "kg"), Q_(165, "cm"), Sex.FEMALE, Q_(30, "year"), pregnant=True)
    rows = {r.policy: r for r in plan("privigen", "itp", pt=pt).policy_comparison}
    assert rows["ontario"].weight is None and rows["ontario"].basis == "not applicable"
    assert "pre-pregnancy weight" in rows["ontario"].reason
    assert rows["auto"].weight is not None and rows["auto"].weight.m_as("kg") == 80


# --- bounds (issue 15, the engine's part) -----------------------------------------------------------


def _bounded(seconds: float, fn, *args, **kw):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    try:
        return fn(*args, **kw)
    finally:
        assert time.perf_counter() - t0 < seconds, "not bounded in time"


def test_a_huge_dose_with_an_override_is_refused_not_a_memory_error() -> None:
    with pytest.raises(InputError) as err:
        _bounded(
            5,
            plan,
            "privigen",
            "pid",
            dose="1000000000000 g/kg",
            overrides=(Override("dose-limit", "red-team test of a huge dose"),),
        )
    assert err.value.field == "dose"
    assert "cannot be counted in whole vials" in err.value.message


def _with_vials(pid: str, vials: tuple[Vial, ...]) -> Catalogue:
    cat = bundled_catalogue()
    product = replace(cat.formulary.product(pid), vials=vials)
    products = {**cat.formulary.products, pid: product}
    return replace(cat, formulary=replace(cat.formulary, products=products))


def test_a_1e9_g_vial_is_set_aside_and_the_plan_is_made() -> None:
    base = bundled_formulary().product("privigen").vials
    giant = Vial(Q_(1e9, "g"), Q_(1e10, "mL"), base[0].provenance)
    vials = (*base, giant)
    pick = _bounded(5, pick_vials, Q_(28, "g"), vials, 0.1)
    assert pick.dose.m_as("g") == 30  # 20 + 10, the giant vial never used
    # Below every normal vial the giant one would cover alone, but a 5 g vial covers more cheaply.
    small = _bounded(5, pick_vials, Q_(2, "g"), vials, 0.1)
    assert small.opened.m_as("g") == 5


def test_five_thousand_vial_sizes_are_bounded() -> None:
    base = bundled_formulary().product("privigen").vials[0]
    vials = tuple(Vial(Q_(1 + i / 1000, "g"), Q_(10 + i / 100, "mL"), base.provenance) for i in range(5000))
    try:
        _bounded(5, pick_vials, Q_(28, "g"), vials, 0.1)
    except InputError as err:
        assert err.field == "dose" and "bound" in err.message
    try:
        _bounded(10, pick_course, Q_(140, "g"), 5, vials, 0.1)
    except InputError as err:
        assert "bound" in err.message


def test_a_tiny_increment_is_refused_before_the_ladder_is_built() -> None:
    t = bundled_formulary().product("bivigam").titrations["pid"]
    tiny = replace(t, increment=Figure(Q_(1e-7, "mg/kg/min"), t.increment.provenance))  # type: ignore[union-attr]
    with pytest.raises(InputError) as err:
        _bounded(2, build_ladder, tiny, cap=None, default_step=Q_(30, "min"))
    assert err.value.field == "titration"
    assert "steps (bound 100)" in err.value.message


def test_warnings_are_one_per_cause() -> None:
    for p in (
        plan("bivigam", "pid", risks=frozenset({"immobilisation", "diabetes"})),
        plan("octagam-5", "itp", risks=frozenset({"heart-failure", "diabetes"}), pt=patient(age=80)),
        plan("privigen", "pid", pt=_child()),
    ):
        for code in ("rate-capped", "volume-load", "rounding", "dose-check", "weight-check"):
            assert len([w for w in p.warnings if w.code == code and "day(s)" not in w.message]) <= 1, code
        assert [w.severity for w in p.warnings] == sorted((w.severity for w in p.warnings), reverse=True)
    assert Severity.CRITICAL not in {w.severity for w in plan("privigen", "pid").warnings}


def test_no_alternatives_on_an_uneventful_plan() -> None:
    assert plan("privigen", "pid").alternatives == ()
    assert make_plan(patient(), replace(plan("octagam-10", "itp").order)).alternatives == ()
