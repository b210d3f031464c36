"""risk.py and checks.py: the risk screen and every warning code a plan can carry."""

from __future__ import annotations

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import creatinine_clearance
from ivig_desktop.engine.plan import Plan
from ivig_desktop.engine.risk import RiskProfile, Severity, Warning, assess, check_factors
from ivig_desktop.engine.settings import bundled_settings
from tests.helpers import patient, plan


def _assess(age: float = 50, scr: float | None = None, factors: frozenset[str] = frozenset()) -> RiskProfile:
    pt = patient(age=age, scr=scr)
    return assess(pt, creatinine_clearance(pt), factors, bundled_settings())


def _codes(p: Plan) -> set[str]:
    return {w.code for w in p.warnings}


def _one(p: Plan, code: str) -> Warning:
    found = [w for w in p.warnings if w.code == code]
    assert len(found) == 1, [(w.code, w.message) for w in p.warnings]
    return found[0]


# ----------------------------------------------------------------------------- risk screen


def test_age_above_65_is_renal_and_thrombotic_risk() -> None:
    r = _assess(age=70)
    assert r.renal == ("age 70 y > 65 (boxed warning)",)
    assert r.thrombosis == ("age 70 y > 65 ('advanced age', site setting)",)
    assert r.kinds == frozenset({"renal", "thrombosis"})
    assert r.strict_volume == ()  # 70 is not above the strict age 75
    assert _assess(age=65).kinds == frozenset()  # "greater than 65"


def test_ticked_factors_by_group() -> None:
    r = _assess(factors=frozenset({"diabetes", "immobilisation"}))
    assert r.renal == ("diabetes mellitus",)
    assert r.thrombosis == ("prolonged immobilisation",)
    hf = _assess(factors=frozenset({"heart-failure"}))
    assert hf.kinds == frozenset()
    assert hf.strict_volume == ("heart failure / reduced cardiac function",)


def test_creatinine_clearance_thresholds() -> None:
    # male 70 kg 175 cm 50 y: CrCl = 90 × 70 / (72 × SCr): SCr 2.0 → 43.75; SCr 4.0 → 21.875.
    moderate = _assess(scr=2.0)
    assert moderate.renal == ("CrCl 44 mL/min < 60 (site setting)",)
    assert moderate.strict_volume == ()
    severe = _assess(scr=4.0)
    assert severe.strict_volume == ("CrCl 22 mL/min < 30",)
    assert _assess(scr=1.0).renal == ()  # 87.5 mL/min
    assert _assess(age=80).strict_volume == ("age 80 y > 75",)


def test_volume_limit_follows_the_strict_reasons() -> None:
    s = bundled_settings()
    assert _assess().volume_limit(s).per_day.m_as("mL") == 1400
    strict = _assess(factors=frozenset({"heart-failure"})).volume_limit(s)
    assert (strict.per_day.m_as("mL"), strict.per_kg.m_as("mL/kg")) == (700, 10)


def test_unknown_risk_factor() -> None:
    with pytest.raises(InputError) as err:
        check_factors(["diabetes", "gout"])
    assert err.value.field == "risk"
    assert "'gout' is not a known risk factor" in err.value.message


# ----------------------------------------------------------------------------- warning codes


def test_renal_warning_for_age_over_65() -> None:
    p = plan("privigen", "pid", pt=patient(age=70))
    w = _one(p, "renal")
    assert w.severity is Severity.CAUTION
    assert "age 70 y > 65" in w.message
    assert "thrombosis" in _codes(p)


def test_renal_warning_for_diabetes_with_crcl_shown() -> None:
    p = plan("privigen", "pid", pt=patient(scr=2.0), risks=frozenset({"diabetes"}))
    w = _one(p, "renal")
    assert "diabetes mellitus" in w.message
    assert "CrCl 44 mL/min < 60" in w.message  # 90 × 70 / 144 = 43.75


def test_thrombosis_warning_for_ticked_factor() -> None:
    w = _one(plan("privigen", "pid", risks=frozenset({"hyperviscosity"})), "thrombosis")
    assert w.severity is Severity.CAUTION
    assert "hyperviscosity" in w.message
    assert "assess blood viscosity" in w.message


def test_label_without_numeric_cap_says_so() -> None:
    p = plan("privigen", "pid", pt=patient(age=70))
    w = _one(p, "rate-capped")
    assert "no numeric rate for at-risk patients" in w.message
    assert "label maximum 8 mg/kg/min" in w.message
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(8)


def test_octagam_10_renal_risk_caps_the_ladder_at_3_3() -> None:
    p = plan("octagam-10", "itp", risks=frozenset({"diabetes"}))
    w = _one(p, "rate-capped")
    # 3.3 mg/kg/min × 70 kg × 60 ÷ 100 mg/mL = 138.6 mL/h. The plan applied the label's cap, so the
    # note is info (issue 12: severity in proportion; nothing is left for the user to do).
    assert w.severity is Severity.INFO
    assert "Maximum rate 3.3 mg/kg/min (138.6 mL/h at 70 kg)" in w.message
    assert "label's 12 mg/kg/min" in w.message
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    for step in p.days[0].schedule.steps:
        assert step.dose_rate.m_as("mg/kg/min") <= 3.3 + 1e-9
        assert step.rate.m_as("mL/h") <= 138.6 + 1e-9
    assert p.days[0].schedule.peak_rate.m_as("mL/h") == pytest.approx(138.6)


def test_rate_cap_override_is_critical_and_lifts_the_cap() -> None:
    p = plan(
        "octagam-10",
        "itp",
        risks=frozenset({"diabetes"}),
        overrides=(Override("rate-cap", "agreed with nephrology"),),
    )
    w = next(w for w in p.warnings if w.code == "rate-capped")
    assert w.severity is Severity.CRITICAL
    assert "OVERRIDE rate-cap" in w.message and "agreed with nephrology" in w.message
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(12)


def test_unverified_cap_is_reported_not_applied() -> None:
    # Issue 12: one warning per cause. Bivigam with a thrombotic risk used to show two rate-capped
    # cautions (no numeric cap; unverified cap not applied) when nothing was capped: now one.
    p = plan("bivigam", "pid", risks=frozenset({"immobilisation"}))
    w = _one(p, "rate-capped")
    assert w.severity is Severity.CAUTION
    assert "no numeric rate for at-risk patients" in w.message
    assert "An unverified figure, less than 2 mg/kg/min for thrombosis risk [BELIEVED" in w.message
    assert "is not applied" in w.message
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(6)


def test_volume_load_critical_for_octagam_5_with_heart_failure() -> None:
    # 2 g/kg × 70 kg over 2 days = 70 g/day of a 5 % product; heart failure → strict limit 700 mL
    # and 10 mL/kg. Octagam 5 % vials 1, 2.5, 5, 10, 25 g: the fewest vials within 63–77 g is
    # 25 + 25 + 25 = 75 g (3 vials); its partner on the other side is 70 g itself (25 + 25 + 10 + 10);
    # the course total nearest 140 g is 70 + 70 g = 1400 mL/day = 20 mL/kg.
    p = plan("octagam-5", "itp", risks=frozenset({"heart-failure"}))
    w = _one(p, "volume-load")
    assert w.severity is Severity.CRITICAL
    assert "1,400 mL/day > 700 mL" in w.message
    assert "20 mL/kg/day (of dosing weight 70 kg) > 10 mL/kg (100 % over)" in w.message
    assert [d.dose.m_as("g") for d in p.days] == [70, 70]
    assert p.warnings[0].severity is Severity.CRITICAL  # warnings are sorted, most severe first


def test_volume_within_strict_limit_is_info() -> None:
    w = [w for w in plan("privigen", "pid", pt=patient(age=80)).warnings if w.code == "volume-load"]
    assert [x.severity for x in w] == [Severity.INFO]
    assert "300 mL/day" in w[0].message  # 28 g → 30 g = 300 mL


def test_maltose_caution_and_critical_with_a_sensitive_meter() -> None:
    assert _one(plan("octagam-10", "itp"), "maltose").severity is Severity.CAUTION
    crit = _one(plan("octagam-10", "itp", risks=frozenset({"maltose-meter"})), "maltose")
    assert crit.severity is Severity.CRITICAL
    assert "maltose-sensitive meter" in crit.message
    assert "maltose" not in _codes(plan("privigen", "pid"))


def test_sorbitol_severity_follows_evidence() -> None:
    fructose = frozenset({"fructose-intolerance"})
    flebo = _one(plan("flebogamma-5", "pid", risks=fructose), "sorbitol")
    assert flebo.severity is Severity.CRITICAL
    assert "Choose a sorbitol-free product" in flebo.message
    # Label audit #2: Gammaplex 5 % sorbitol is from secondary sources; warned fail safe (critical
    # with fructose intolerance, info without), saying the source is secondary.
    gammaplex = _one(plan("gammaplex-5", "pid", risks=fructose), "sorbitol")
    assert gammaplex.severity is Severity.CRITICAL
    assert "a secondary source" in gammaplex.message
    assert _one(plan("flebogamma-10", "itp"), "sorbitol").severity is Severity.INFO
    assert _one(plan("gammaplex-5", "pid"), "sorbitol").severity is Severity.INFO


def test_proline_iga_and_corn_are_critical() -> None:
    p = plan("privigen", "pid", risks=frozenset({"hyperprolinaemia", "iga-deficiency"}))
    assert _one(p, "proline").severity is Severity.CRITICAL
    iga = _one(p, "iga")
    assert iga.severity is Severity.CRITICAL
    assert "at most 25 mcg/mL IgA" in iga.message
    corn = _one(plan("octagam-10", "itp", risks=frozenset({"corn-allergy"})), "corn")
    assert corn.severity is Severity.CRITICAL
    assert "proline" not in _codes(plan("privigen", "pid"))
    assert "corn" not in _codes(plan("octagam-10", "itp"))


def test_rounding_warnings() -> None:
    # 0.4 g/kg × 70 kg = 28 g → 30 g of Privigen: +7.1 %.
    rounded = _one(plan("privigen", "pid"), "rounding")
    assert rounded.severity is Severity.INFO
    assert "prescribed 28 g, given 30 g (+7.1 %, within ±10 %; site rule: fewest vials" in rounded.message
    # 0.2 g/kg × 10 kg = 2 g: no whole-vial amount within 10 %; 5 g opened, 3 g waste.
    child = patient(kg=10, cm=80, age=1)
    exact = _one(plan("privigen", "pid", dose="0.2 g/kg", pt=child), "rounding")
    assert exact.severity is Severity.CAUTION
    # Waste in mL as the nurse discards it: 3 g of a 10 % product = 30 mL.
    assert "give the exact dose from 5 g opened; discard 30 mL (3 g) per day" in exact.message
    assert "rounding" not in _codes(plan("octagam-10", "itp"))  # 70 g/day = 30 + 30 + 10


@pytest.mark.parametrize("indication", ["kawasaki", "gbs"])
def test_off_label_when_the_product_has_no_rates_for_the_indication(indication: str) -> None:
    w = _one(plan("privigen", indication, pt=patient(kg=20, cm=110, age=4)), "off-label")
    assert w.severity is Severity.CAUTION
    assert "Privigen is not labelled for" in w.message
    assert "using its itp rates (lowest labelled maximum)" in w.message


def test_no_indication_is_an_info() -> None:
    w = _one(plan("privigen", None, dose="0.4 g/kg", days=1), "off-label")
    assert w.severity is Severity.INFO
    assert "No indication chosen" in w.message


def test_dose_check_outside_the_regimen() -> None:
    # Issue 12: the regimen range check is the dose-check; dose-limit is the site's hard limit only.
    # 1 g/kg against PID 0.2–0.8 g/kg: 1 / 0.8 = 1.25× above (shown 1.2×, less than 4×: a caution).
    w = _one(plan("privigen", "pid", dose="1 g/kg"), "dose-check")
    assert w.severity is Severity.CAUTION
    assert (
        "course 1 g/kg is 1.2× above the Primary immunodeficiency (replacement) regimen's 0.2–0.8 g/kg"
        in (w.message)
    )
    days = [x for x in plan("privigen", "pid", days=2).warnings if x.code == "dose-check"]
    assert any("2 day(s) is outside" in x.message for x in days)
    assert "dose-check" not in _codes(plan("privigen", "pid"))
    assert "dose-limit" not in _codes(plan("privigen", "pid", dose="1 g/kg"))


def test_schwartz_replaces_cockcroft_gault_under_18() -> None:
    # Issue 12: under 18 the bedside Schwartz eGFR is calculated instead (0.413 × 175 / 1.0 = 72.3),
    # labelled as such; 72 is not below the renal threshold 60, so no renal warning.
    p = plan("privigen", "pid", pt=patient(age=17, scr=1.0))
    assert p.crcl is not None and p.crcl.formula == "schwartz"
    assert p.crcl.value.m_as("mL/min") == pytest.approx(72.275)
    assert "renal" not in _codes(p)


def test_start_low_and_site_default_step_notes() -> None:
    start_low = plan("privigen", "pid", start_low=frozenset({"first-infusion"}))
    notes = [w.message for w in start_low.warnings if w.code == "titration"]
    assert any("Starts at 0.5 mg/kg/min" in m and "start-low: first infusion" in m for m in notes)
    flebo = [w.message for w in plan("flebogamma-10", "itp").warnings if w.code == "titration"]
    assert any("no step interval for itp: steps are held 30 min" in m for m in flebo)
