"""Issue 12: the label audit's corrections (../shared/reference/label-audit.md, 2026-12-01), each
with its source and date in the data, and the safer start-rate default."""

from __future__ import annotations

import pytest

from ivig_desktop.engine.formulary import bundled_formulary
from ivig_desktop.engine.regimens import bundled_regimens
from ivig_desktop.engine.risk import Severity
from ivig_desktop.engine.weight_policy import bundled_policies
from tests.helpers import patient, plan

F = bundled_formulary()


def test_1_gammaplex_10_has_the_uk_smpc_vials() -> None:
    vials = F.product("gammaplex-10").vials
    assert [(v.size.m_as("g"), v.volume.m_as("mL")) for v in vials] == [(5, 50), (10, 100), (20, 200)]
    for v in vials:
        assert "medicines.org.uk/emc/product/11857/smpc" in v.provenance.source
        assert "05-Apr-2023" in v.provenance.source
    # It can now be planned in whole vials: 0.4 g/kg × 70 kg = 28 g → 30 g (20 + 10, 2 vials).
    p = plan("gammaplex-10", "pid")
    assert p.days[0].dose.m_as("g") == 30 and p.days[0].pick.vial_total == 2


def test_2_gammaplex_5_sorbitol_secondary_source_warns_fail_safe() -> None:
    prov = F.product("gammaplex-5").contains["sorbitol"]
    assert prov.evidence == "secondary"
    assert "Harriet Lane" in prov.source and "2026-12-01" in prov.source
    w = next(w for w in plan("gammaplex-5", "pid", risks=frozenset({"fructose-intolerance"})).warnings)
    assert (w.code, w.severity) == ("sorbitol", Severity.CRITICAL)
    assert "a secondary source: not found in the label text read" in w.message
    info = [w for w in plan("gammaplex-5", "pid").warnings if w.code == "sorbitol"]
    assert [x.severity for x in info] == [Severity.INFO]


@pytest.mark.parametrize(
    ("pid", "mcg", "word"), [("gammaplex-5", 10, "less than"), ("bivigam", 200, "less than")]
)
def test_3_and_8_iga_from_a_secondary_source_is_shown_as_such(pid: str, mcg: float, word: str) -> None:
    iga = F.product(pid).iga
    assert iga is not None and iga.quantity.m_as("mcg/mL") == mcg
    assert iga.provenance.evidence == "secondary"
    w = next(w for w in plan(pid, "pid", risks=frozenset({"iga-deficiency"})).warnings if w.code == "iga")
    assert f"{word} {mcg} mcg/mL IgA [secondary: Harriet Lane Handbook" in w.message


def test_4_gammaplex_5_small_vial_kept_with_a_note() -> None:
    small = F.product("gammaplex-5").vials[0]
    assert small.size.m_as("g") == 2.5
    assert "may no longer be marketed" in small.provenance.source


def test_5_6_9_13_14_evidence_tags_say_what_the_source_is() -> None:
    g5, g10 = F.product("gammaplex-5"), F.product("gammaplex-10")
    assert g5.titrations["pid"].rates_figure is not None
    assert g5.titrations["pid"].rates_figure.evidence == "calc"  # from the label's start, max, interval
    sub = g10.titrations["pid"].subsequent_start
    assert sub is not None and sub.provenance.evidence == "protocol"  # trial protocol page
    assert g10.titrations["pid"].rates_figure is not None
    assert g10.titrations["pid"].rates_figure.evidence == "protocol"
    (cap,) = F.product("panzyga").caps
    assert cap.provenance.evidence == "READ-mfr" and "manufacturer page" in cap.provenance.source
    for ind in ("pid", "itp", "cidp"):
        gam = F.product("gamunex-c").titrations[ind].step_provenance
        priv = F.product("privigen").titrations[ind].step_provenance
        assert gam is not None and gam.evidence == "protocol"
        assert priv is not None and priv.evidence == "protocol"


def test_5_gammaplex_5_label_example_still_2_h_15_min() -> None:
    # The label's own example: 70 kg × 400 mg/kg = 28 g = 560 mL at 5 %. Rungs 0.01, 0.02, 0.04, 0.06,
    # 0.08 mL/kg/min × 70 kg × 60 = 42, 84, 168, 252, 336 mL/h for 15 min each: 10.5 + 21 + 42 + 63 =
    # 136.5 mL in 60 min; 423.5 mL at 336 mL/h = 75.625 min → 135.6 min ≈ 2 h 15 min.
    from datetime import datetime

    from ivig_desktop.engine.schedule import build_ladder, schedule_day
    from ivig_desktop.engine.units import Q_

    t = F.product("gammaplex-5").titrations["pid"]
    ladder = build_ladder(t, cap=None, default_step=Q_(30, "min"))
    day = schedule_day(
        Q_(560, "mL"), Q_(70, "kg"), t.concentration, ladder, Q_(0.1, "mL/h"), datetime(2000, 1, 1)
    )
    assert [s.rate.m_as("mL/h") for s in day.steps] == [42, 84, 168, 252, 336]
    assert day.duration.m_as("min") == pytest.approx(60 + 423.5 / 336 * 60)


def test_7_bivigam_unverified_cap_stays_unapplied() -> None:
    (cap,) = F.product("bivigam").caps
    assert cap.provenance.evidence == "BELIEVED"
    assert plan("bivigam", "pid", risks=frozenset({"immobilisation"})).ladder.ceiling.m_as("mg/kg/min") == 6


def test_11_octagam_5_cap_is_strict_less_than() -> None:
    # "less than 0.07 mL/kg/min [3.3 mg/kg/min]": at 70 kg, 3.3 × 70 × 60 / 50 mg/mL = 277.2 mL/h
    # exactly; a strict cap programs one pump step below: 277.1 mL/h (3.2988 mg/kg/min).
    (cap,) = F.product("octagam-5").caps
    assert cap.strict
    p = plan("octagam-5", "pid", risks=frozenset({"diabetes"}))
    assert p.ladder.strict
    top = p.days[0].schedule.steps[-1]
    assert top.rate.m_as("mL/h") == pytest.approx(277.1)
    assert top.dose_rate.m_as("mg/kg/min") < 3.3
    # Issue 12: a cap 1 % below the label maximum (3.3 vs 3.33) is info, not a caution.
    w = next(w for w in p.warnings if w.code == "rate-capped")
    assert w.severity is Severity.INFO
    assert "a 'less than' limit" in w.message


def test_16_17_19_policy_corrections() -> None:
    pol = bundled_policies()
    # 16: Ontario's paediatric rule; 12-year-old, 150 cm, 70 kg (BMI 31.1): actual weight.
    assert plan(
        "privigen", "itp", pt=patient(kg=70, cm=150, age=12), weight_policy="ontario"
    ).dosing.basis == ("actual")
    # 17: auto follows BloodSTAR 2026 (pregnant → actual weight).
    preg = next(r for r in pol["auto"].exclusions if r.test == "pregnant")
    assert preg.use == "actual" and "BloodSTAR 2026" in preg.source
    # 19: the 0.4 factor cited from the NBA.
    assert "nba.gov.au" in pol["ontario"].source and "0.4" in pol["ontario"].source
    # 18: the UK 132 cm threshold stays flagged as unverified.
    uk = next(r for r in pol["uk"].exclusions if r.test == "height_below")
    assert not uk.verified


def test_20_kawasaki_cites_aha_2017() -> None:
    assert "AHA 2017" in bundled_regimens().get("kawasaki").source


def test_23_pid_range_notes_the_narrower_label_ranges() -> None:
    assert "300–600 mg/kg" in bundled_regimens().get("pid").source


# --- the start rate -------------------------------------------------------------------------------


def test_gammaplex_10_starts_at_the_label_initial_rate_by_default() -> None:
    # Label initial 0.005 mL/kg/min = 0.5 mg/kg/min; the faster 0.01 mL/kg/min = 1 mg/kg/min start
    # only when the order says the patient has tolerated the product, and never with a start-low
    # reason. 0.5 × 70 × 60 / 100 = 21 mL/h; 1 mg/kg/min = 42 mL/h.
    first = plan("gammaplex-10", "pid")
    assert first.ladder.rungs[0].dose_rate.m_as("mg/kg/min") == pytest.approx(0.5)
    assert first.days[0].schedule.steps[0].rate.m_as("mL/h") == 21
    assert not first.start.subsequent
    assert "the label's initial rate (default" in first.start.reason
    later = plan("gammaplex-10", "pid", subsequent_infusion=True)
    assert later.ladder.rungs[0].dose_rate.m_as("mg/kg/min") == pytest.approx(1)
    assert later.start.subsequent and "tolerated" in later.start.reason
    assert "[protocol:" in later.start.reason
    both = plan("gammaplex-10", "pid", subsequent_infusion=True, start_low=frozenset({"product-switch"}))
    assert both.ladder.rungs[0].dose_rate.m_as("mg/kg/min") == pytest.approx(0.5)
    assert "start-low (switch from another immune globulin product)" in both.start.reason
    notes = [w.message for w in later.warnings if w.code == "titration"]
    assert any(m.startswith("Starts at 1 mg/kg/min: the subsequent-infusion rate") for m in notes)


def test_12_octagam_10_dermatomyositis_and_the_3_3_cap_is_a_visible_decision() -> None:
    p = plan("octagam-10", "dermatomyositis")
    assert p.ladder.ceiling.m_as("mg/kg/min") == 4  # the DM maximum, not silently capped
    w = next(w for w in p.warnings if w.code == "rate-capped")
    assert w.severity is Severity.CAUTION and w.message.startswith("Decide: ")
    assert (
        "tick a thrombotic risk factor to apply it, or keep the dermatomyositis maximum 4 mg/kg/min"
        in w.message
    )
    assert "label audit #12" in w.message
    # With a thrombotic risk ticked the cap applies and nothing is left to decide.
    at_risk = plan("octagam-10", "dermatomyositis", risks=frozenset({"immobilisation"}))
    assert at_risk.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    assert not [w for w in at_risk.warnings if w.message.startswith("Decide: ")]


@pytest.mark.parametrize("pid", ["privigen", "octagam-10", "panzyga", "gammaplex-5", "gammaplex-10"])
def test_21_itp_over_5_days_is_off_these_labels(pid: str) -> None:
    p = plan(pid, "itp", dose="2 g/kg", days=5)  # 0.4 g/kg × 5 days (Gamunex-C's regimen)
    w = [x for x in p.warnings if x.code == "off-label"]
    assert len(w) == 1 and w[0].severity is Severity.CAUTION
    assert "label gives the itp course over 2 day(s); this course is 5 day(s)" in w[0].message
    assert "label audit #21" in w[0].message
    assert not [x for x in plan(pid, "itp").warnings if x.code == "off-label"]  # 2 days: on label
    # Gamunex-C is labelled for 0.4 g/kg × 5 days too: no per-product note.
    assert not [x for x in plan("gamunex-c", "itp", dose="2 g/kg", days=5).warnings if x.code == "off-label"]


def test_22_panzyga_cidp_maintenance_over_one_day_is_off_its_label() -> None:
    w = [x for x in plan("panzyga", "cidp-maintenance").warnings if x.code == "off-label"]
    assert len(w) == 1 and "over 2 day(s); this course is 1 day(s)" in w[0].message
    assert "label audit #22" in w[0].message
