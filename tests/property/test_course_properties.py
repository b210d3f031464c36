"""Issue 12 properties: course balancing against brute force, and alternatives that claim to resolve
a warning do resolve it when applied."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ivig_desktop.engine.formulary import bundled_formulary
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, make_plan
from ivig_desktop.engine.units import Q_
from ivig_desktop.engine.vials import pick_course, pick_vials
from tests.unit.engine.brute_force_vials import expected_pick, fewest_vials_per_total

FORMULARY = bundled_formulary()
PRODUCTS = sorted(p.id for p in FORMULARY.products.values() if p.vials)
RULES = ["fewest-vials", "nearest"]


def _sizes(pid: str) -> tuple[int, ...]:
    return tuple(round(v.size.m_as("mg")) for v in FORMULARY.product(pid).vials)


@settings(max_examples=80, deadline=None)
@given(
    pid=st.sampled_from(PRODUCTS),
    daily_mg=st.integers(min_value=2_000, max_value=60_000),
    n=st.integers(min_value=1, max_value=5),
    rule=st.sampled_from(RULES),
)
def test_course_total_within_one_smallest_vial_whenever_the_sizes_allow(
    pid: str, daily_mg: int, n: int, rule: str
) -> None:
    vials = FORMULARY.product(pid).vials
    sizes = _sizes(pid)
    best = fewest_vials_per_total(sizes, 60_000 * 1.2 + max(sizes))
    course_mg = daily_mg * n
    picks = pick_course(Q_(course_mg, "mg"), n, vials, 0.10, rule)
    assert len(picks) == n
    window = [t for t in best if abs(t - daily_mg) <= 0.10 * daily_mg + 1e-6]
    if not window:
        assert all(not p.within_tolerance for p in picks)
        return
    # Every day is a whole-vial amount within the tolerance, and days use at most two amounts.
    amounts = {round(p.opened.m_as("mg")) for p in picks}
    assert amounts <= set(window)
    assert len(amounts) <= 2
    total = sum(round(p.opened.m_as("mg")) for p in picks)
    # "Whenever the vial sizes allow": amounts within the tolerance on both sides of the daily dose.
    # A one-day course is the rule's own pick, not held to this bound: under "fewest-vials" it may
    # be further than one smallest vial from the dose (11.1 g of Gamunex-C is 10 g, 1 vial, not
    # 11 g, 2 vials); balancing is across days.
    if n > 1 and any(t <= daily_mg for t in window) and any(t >= daily_mg for t in window):
        assert abs(total - course_mg) <= min(sizes) + 1e-6
    # The rule's own single-day pick is kept every day when that is close enough.
    single = expected_pick(daily_mg, best, 0.10, rule)
    if abs(single.opened_mg * n - course_mg) <= min(sizes) + 1e-6:
        assert amounts == {single.opened_mg}
    # A one-day course is exactly the single-day pick: the brute-force rule's and pick_vials'.
    if n == 1:
        assert amounts == {single.opened_mg}
        one = pick_vials(Q_(daily_mg, "mg"), vials, 0.10, rule)
        assert round(one.opened.m_as("mg")) == total


def test_gbs_82_kg_is_35_35_30_35_30() -> None:
    # 2 g/kg × 82 kg = 164 g over 5 days = 32.8 g/day of Privigen (5, 10, 20, 40 g). Fewest vials within
    # 29.52–36.08 g: 20 + 10 = 30 g (2 vials); 5 × 30 = 150 g is 14 g short (more than a 5 g vial), so
    # days mix 30 g with 35 g (20 + 10 + 5): 150 + 5k nearest 164 → k = 3 → 165 g, spread 35/35/30/35/30.
    p = make_plan(
        Patient(Q_(82, "kg"), Q_(180, "cm"), Sex.MALE, Q_(50, "year")), Order("privigen", "gbs", start=None)
    )
    assert [d.dose.m_as("g") for d in p.days] == [35, 35, 30, 35, 30]
    assert p.total_dose.m_as("g") == 165
    assert [d.volume.m_as("mL") for d in p.days] == [350, 350, 300, 350, 300]
    w = next(w for w in p.warnings if w.code == "rounding")
    assert "35/35/30/35/30 g = 165 g for 164 g prescribed (+0.6 %)" in w.message


def test_gbs_82_kg_octagam_10_days_differ_by_one_vial() -> None:
    # 32.8 g/day of Octagam 10 % (2, 5, 10, 20, 30 g). Fewest vials within 29.52–36.08 g: one 30 g
    # vial; 5 × 30 = 150 g is 14 g short. The partner opens at most one vial more: 30 + 5 = 35 g
    # (2 vials); 150 + 5k nearest 164 → k = 3 → 165 g, 8 vials in all. (The nearest amount above
    # the daily dose, 33 g = 20 + 5 + 4 × 2, is six vials: it once was every day's pick, 30 vials.)
    p = make_plan(
        Patient(Q_(82, "kg"), Q_(178, "cm"), Sex.MALE, Q_(60, "year")), Order("octagam-10", "gbs", start=None)
    )
    assert [d.dose.m_as("g") for d in p.days] == [35, 35, 30, 35, 30]
    assert [sorted((c.vial.size.m_as("g"), c.count) for c in d.pick.counts) for d in p.days[:3]] == [
        [(5, 1), (30, 1)],
        [(5, 1), (30, 1)],
        [(30, 1)],
    ]
    assert sum(c.count for d in p.days for c in d.pick.counts) == 8
    assert p.total_dose.m_as("g") == 165


@st.composite
def eventful(draw: st.DrawFn) -> tuple[Patient, Order]:
    kg = draw(st.integers(min_value=400, max_value=1600).map(lambda n: n / 10))
    cm = draw(st.integers(min_value=150, max_value=200))
    assume(12 <= kg / (cm / 100) ** 2 <= 80)
    pt = Patient(
        Q_(kg, "kg"),
        Q_(cm, "cm"),
        draw(st.sampled_from([Sex.MALE, Sex.FEMALE])),
        Q_(draw(st.integers(min_value=18, max_value=90)), "year"),
    )
    product = draw(st.sampled_from(["octagam-5", "flebogamma-5", "privigen", "gamunex-c", "bivigam"]))
    indication = draw(st.sampled_from(["itp", "gbs", "cidp-loading", "pid"]))
    risks = draw(st.sets(st.sampled_from(["heart-failure", "diabetes", "immobilisation"]), max_size=2))
    return pt, Order(product, indication, risks=frozenset(risks))


@settings(max_examples=40, deadline=None)
@given(case=eventful())
def test_alternatives_that_claim_to_resolve_a_warning_resolve_it_when_applied(
    case: tuple[Patient, Order],
) -> None:
    pt, order = case
    p = make_plan(pt, order)
    calling = {w.code for w in p.warnings if w.remedies}
    if not calling:
        assert p.alternatives == ()
        return
    for alt in p.alternatives:
        applied = make_plan(pt, alt.order)
        still = {w.code for w in applied.warnings if w.remedies}
        for code in alt.resolves:
            assert code not in still, (alt.description, code)
        for code in alt.unresolved:
            assert code in still, (alt.description, code)
        # It changes something, and says what it shows.
        assert applied.max_day_volume.m_as("mL") != pytest.approx(p.max_day_volume.m_as("mL")) or max(
            d.schedule.minutes for d in applied.days
        ) != pytest.approx(max(d.schedule.minutes for d in p.days))
        assert applied.max_day_volume.m_as("mL") == pytest.approx(alt.volume_per_day.m_as("mL"))
