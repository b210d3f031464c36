"""double_check.py: each slip a blind re-entry is meant to catch is named, with both values.

Figures are hand-computed: Privigen 10 % (100 mg/mL), ITP 2 g/kg over 2 days, a 175 cm
50-year-old man; pump rate = dose rate × weight × 60 / 100 (floored to 0.1 mL/h).
"""

from __future__ import annotations

from datetime import time

from hypothesis import given, settings
from hypothesis import strategies as st

from ivig_desktop.engine.double_check import (
    Difference,
    Figure,
    compare,
    compare_figures,
    plan_figures,
    same_person,
)
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, Plan, make_plan
from ivig_desktop.engine.quantities import DOSE, WEIGHT, parse_quantity
from ivig_desktop.engine.units import Q_

LB = 0.45359237  # kg per pound, exact by definition


def _plan(
    weight: str = "80 kg",
    product: str = "privigen",
    indication: str | None = "itp",
    dose: str | None = "2 g/kg",
    days: int | None = 2,
    start_low: frozenset[str] = frozenset(),
    start: time | None = time(9, 0),
) -> Plan:
    patient = Patient(parse_quantity(weight, WEIGHT), Q_(175, "cm"), Sex.MALE, Q_(50, "year"))
    order = Order(
        product=product,
        indication=indication,
        dose=parse_quantity(dose, DOSE) if dose else None,
        days=days,
        start=start,
        start_low=start_low,
    )
    return make_plan(patient, order)


def _diffs(a: Plan, b: Plan) -> dict[str, Difference]:
    return {x.field: x for x in compare(a, b).differences}


def test_identical_re_entry_matches() -> None:
    c = compare(_plan(), _plan())
    assert c.matched and c.result == "match"
    assert c.differences == ()
    # 19 course figures; per day 5 + 4 steps × 4 + end and infusion time = 23; two days → 65.
    assert c.fields == len(plan_figures(_plan())) == 19 + 2 * 23


def test_weight_typed_in_lb_by_the_checker_and_kg_by_the_preparer_matches() -> None:
    # The chart says 198 lb; the preparer typed 89.8 kg, the checker 198 lb (= 89.811 kg).
    # Dosing weight (adjusted, 175 cm man, IBW 70.46 kg): 70.46 + 0.4 × (89.8 − 70.46) = 78.20 kg
    # either way; PID 0.4 g/kg → 31.28 g, 30 g given; 0.5 mg/kg/min × 78.2 × 0.6 = 23.4 mL/h.
    preparer = _plan("89.8 kg", indication="pid", dose=None, days=None)
    checker = _plan("198 lb", indication="pid", dose=None, days=None)
    assert compare(preparer, checker).matched
    figures = {f.field: f for f in plan_figures(checker)}
    # What the checker typed is shown in their unit beside the figure compared.
    assert (figures["weight"].key, figures["weight"].words) == ("89.8 kg", "198 lb (89.8 kg)")
    assert figures["dosing weight"].key == "78.2 kg"
    assert figures["course dose"].key == "31.28 g"
    assert figures["day 1 step 1 pump rate"].key == "23.4 mL/h"


def test_a_hand_rounded_conversion_that_moves_a_printed_figure_is_a_difference() -> None:
    # Issue 12: the dosing weight is used as printed (0.1 kg), so 89.8 kg and 198 lb (89.81 kg) both
    # dose on 78.2 kg: 2 × 78.2 = 156.4 g on both sheets, no difference (it used to be 156.41 g).
    d = _diffs(_plan("89.8 kg"), _plan("198 lb"))
    assert d == {}


def test_eight_kg_for_eighty_is_named() -> None:
    d = _diffs(_plan("80 kg"), _plan("8 kg"))
    assert d["weight"] == Difference("weight", "80 kg", "8 kg")
    assert d["dosing weight"] == Difference("dosing weight", "80 kg", "8 kg")
    assert d["course dose"] == Difference("course dose", "160 g", "16 g")  # 2 g/kg × 80 / × 8
    assert d["days 1–2 daily dose prescribed"].plan == "80 g"
    assert d["days 1–2 daily dose prescribed"].check == "8 g"
    # 0.5 mg/kg/min × 80 kg × 60 / 100 mg/mL = 24 mL/h; at 8 kg 2.4 mL/h.
    assert d["days 1–2 step 1 pump rate"] == Difference("days 1–2 step 1 pump rate", "24 mL/h", "2.4 mL/h")
    assert "course dose per kg" not in d  # 2 g/kg in both: the per-kg order was the same


def test_80_lb_read_as_80_kg_is_named() -> None:
    d = _diffs(_plan("80 kg"), _plan("80 lb"))
    # 80 lb = 36.287 kg, dosing weight 36.3 kg as printed; course 2 × 36.3 = 72.6 g.
    assert d["weight"] == Difference("weight", "80 kg", "80 lb (36.3 kg)")
    assert d["dosing weight"] == Difference("dosing weight", "80 kg", "36.3 kg")
    assert d["course dose"] == Difference("course dose", "160 g", "72.6 g")


def test_course_entered_as_daily_dose_is_named() -> None:
    # GBS 0.4 g/kg/day × 5 days: the preparer enters the course 2 g/kg, the checker 0.4 g/kg.
    right = _plan(indication="gbs", dose="2 g/kg", days=5)
    slip = _plan(indication="gbs", dose="0.4 g/kg", days=5)
    d = _diffs(right, slip)
    assert d["course dose per kg"] == Difference("course dose per kg", "2 g/kg", "0.4 g/kg")
    assert d["course dose"] == Difference("course dose", "160 g", "32 g")  # 2 × 80, 0.4 × 80
    # per day 160 / 5 = 32 g against 32 / 5 = 6.4 g
    assert d["days 1–5 daily dose prescribed"] == Difference(
        "days 1–5 daily dose prescribed", "32 g", "6.4 g"
    )


def test_another_product_is_named() -> None:
    d = _diffs(_plan(product="privigen"), _plan(product="gamunex-c"))
    assert d["product"] == Difference("product", "Privigen 10 %", "Gamunex-C 10 %")


def test_another_day_count_is_named_and_missing_days_read_none() -> None:
    d = _diffs(_plan(days=2), _plan(days=5))
    assert d["days"] == Difference("days", "2 days", "5 days")
    # 160 g over 2 days = 80 g/day; over 5 days = 32 g/day.
    assert d["days 1–2 daily dose prescribed"] == Difference("days 1–2 daily dose prescribed", "80 g", "32 g")
    # Days 3-5 exist only in the check.
    assert d["days 3–5 daily dose prescribed"] == Difference("days 3–5 daily dose prescribed", "none", "32 g")


def test_a_different_start_low_reason_is_named_alone() -> None:
    first = _plan(start_low=frozenset({"first-infusion"}))
    switch = _plan(start_low=frozenset({"product-switch"}))
    c = compare(first, switch)
    # Both start low, so every rate is the same: the reason is the one difference.
    assert c.differences == (
        Difference("start low", "first infusion", "switch from another immune globulin product"),
    )
    assert c.differences[0].sentence() == (
        "start low: plan first infusion; check switch from another immune globulin product"
    )


def test_a_missing_start_low_reason_changes_the_steps_where_the_label_allows_a_later_start() -> None:
    c = compare(_plan(start_low=frozenset({"first-infusion"})), _plan())
    fields = [x.field for x in c.differences]
    assert fields[0] == "start low"
    assert c.differences[0] == Difference("start low", "first infusion", "none")


def test_different_start_time_is_named_per_step() -> None:
    d = _diffs(_plan(start=time(9, 0)), _plan(start=time(10, 0)))
    assert d["days 1–2 step 1 start"] == Difference("days 1–2 step 1 start", "09:00", "10:00")


def test_differences_are_symmetric() -> None:
    a, b = _plan("80 kg"), _plan("8 kg", product="gamunex-c")
    ab = compare(a, b).differences
    ba = {x.field: x for x in compare(b, a).differences}
    assert {x.field for x in ab} == set(ba)
    for x in ab:
        assert (ba[x.field].plan, ba[x.field].check) == (x.check, x.plan)


def test_figures_that_differ_on_one_day_only_name_that_day() -> None:
    common = [Figure("day 1 volume", "1", "1 mL"), Figure("day 2 volume", "1", "1 mL")]
    other = [Figure("day 1 volume", "1", "1 mL"), Figure("day 2 volume", "2", "2 mL")]
    c = compare_figures(common, other)
    assert c.differences == (Difference("day 2 volume", "1 mL", "2 mL"),)
    spread = [Figure(f"day {n} volume", "2", "2 mL") for n in (1, 3)] + [Figure("day 2 volume", "1", "1 mL")]
    c = compare_figures([Figure(f"day {n} volume", "1", "1 mL") for n in (1, 2, 3)], spread)
    assert c.differences == (Difference("days 1, 3 volume", "1 mL", "2 mL"),)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=300, max_value=1500).map(lambda n: n / 10), st.sampled_from(["itp", "pid"]))
def test_the_same_weight_in_pounds_always_matches(kg: float, indication: str) -> None:
    dose = "2 g/kg" if indication == "itp" else None
    days = 2 if indication == "itp" else None
    preparer = _plan(f"{kg} kg", indication=indication, dose=dose, days=days)
    checker = make_plan(Patient(Q_(kg / LB, "lb"), Q_(175, "cm"), Sex.MALE, Q_(50, "year")), preparer.order)
    assert compare(preparer, checker).matched


def test_same_person_ignores_case_spacing_and_punctuation() -> None:
    assert same_person("J Smith", "  j   SMITH ")
    assert same_person("A. Smith", "a smith") and same_person("A.Smith", "A Smith")
    assert not same_person("J Smith", "J Smyth")
