"""Issue 11's property: how an order is written does not change the plan.

For any valid order, the dose written as daily × days ("400 mg/kg/day", 5 days) or as the course
("2000 mg/kg", 5 days) gives the same plan; the weight written in lb or in kg gives the same plan.
Both are typed text through the one parser, as the window and the command line read it. "The same
plan" is every figure of the JSON document except ``inputs`` (which records how it was written) and,
for the dose, the dose-notation caution that exists precisely to flag a course that equals the
regimen's daily dose.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, make_plan
from ivig_desktop.engine.quantities import AGE, HEIGHT, WEIGHT, parse_dose, parse_quantity
from ivig_desktop.engine.units import Q_
from tests.helpers import PRODUCT_IDS, REGIMEN_IDS

PRODUCTS = sorted(PRODUCT_IDS)
INDICATIONS = [None, *REGIMEN_IDS]
POLICIES = ["auto", "actual", "adjusted", "ideal", "australia-2026", "ontario", "uk"]


def _patient(weight: str, height: float, sex: str, age: int) -> Patient:
    return Patient(
        parse_quantity(weight, WEIGHT),
        parse_quantity(f"{height} cm", HEIGHT),
        Sex(sex),
        parse_quantity(str(age), AGE),
    )


def _plan(pt: Patient, product: str, indication: str | None, dose: str, days: int, policy: str) -> Any:
    """The plan's document without its record of how it was typed, or the refusal."""
    q, per_day = parse_dose(dose)
    order = Order(product, indication, q, days, policy, start=time(8, 0), dose_per_day=per_day)
    try:
        doc = plan_to_dict(make_plan(pt, order))
    except InputError as exc:
        return ("refused", exc.field)
    doc.pop("inputs")
    return doc


def _without_notation(doc: Any) -> Any:
    if isinstance(doc, dict):
        doc = dict(doc, warnings=[w for w in doc["warnings"] if w["code"] != "dose-notation"])
    return doc


@settings(max_examples=60, deadline=None)
@given(
    daily_mg=st.integers(min_value=2, max_value=48).map(lambda n: n * 50),  # 100–2400 mg/kg, as written
    days=st.integers(min_value=1, max_value=5),
    weight=st.integers(min_value=300, max_value=1500).map(lambda n: n / 10),
    height=st.integers(min_value=140, max_value=200),
    sex=st.sampled_from(["male", "female"]),
    age=st.integers(min_value=1, max_value=90),
    product=st.sampled_from(PRODUCTS),
    indication=st.sampled_from(INDICATIONS),
    policy=st.sampled_from(POLICIES),
    unit=st.sampled_from(["mg/kg", "g"]),
)
@example(daily_mg=1000, days=2, weight=70, height=175, sex="male", age=50, product="privigen",
         indication="itp", policy="auto", unit="mg/kg")  # fmt: skip
def test_daily_times_days_is_the_course(
    daily_mg: int, days: int, weight: float, height: int, sex: str, age: int, product: str,
    indication: str | None, policy: str, unit: str,
) -> None:  # fmt: skip
    pt = _patient(f"{weight} kg", height, sex, age)
    if unit == "g":  # an absolute dose: whole grams a day
        daily, course = f"{daily_mg // 50} g/day", f"{daily_mg // 50 * days} g"
    else:
        daily, course = f"{daily_mg} mg/kg/day", f"{daily_mg * days} mg/kg"
    as_daily = _plan(pt, product, indication, daily, days, policy)
    as_course = _plan(pt, product, indication, course, days, policy)
    assert _without_notation(as_daily) == _without_notation(as_course)
    if isinstance(as_daily, dict):
        assert "dose-notation" not in {w["code"] for w in as_daily["warnings"]}
        assert (
            as_daily["daily_dose_per_kg"]["magnitude"] * days == (as_daily["course_dose_per_kg"]["magnitude"])
            or abs(
                as_daily["daily_dose_per_kg"]["magnitude"] * days
                - as_daily["course_dose_per_kg"]["magnitude"]
            )
            < 1e-5
        )


@settings(max_examples=60, deadline=None)
@given(
    pounds=st.integers(min_value=20, max_value=7700).map(lambda n: n / 10),  # 2–770 lb as typed
    height=st.integers(min_value=140, max_value=200),
    sex=st.sampled_from(["male", "female"]),
    age=st.integers(min_value=1, max_value=90),
    product=st.sampled_from(PRODUCTS),
    indication=st.sampled_from(INDICATIONS),
    policy=st.sampled_from(POLICIES),
    dose=st.sampled_from(["2 g/kg", "1 g/kg/day", "400 mg/kg/day", "30 g", "0.4 g/kg"]),
    days=st.integers(min_value=1, max_value=5),
)
@example(pounds=180, height=175, sex="female", age=45, product="privigen", indication="itp", policy="auto",
         dose="1 g/kg/day", days=2)  # fmt: skip
def test_pounds_or_kilograms_give_the_same_plan(
    pounds: float, height: int, sex: str, age: int, product: str, indication: str | None, policy: str,
    dose: str, days: int,
) -> None:  # fmt: skip
    kg = Q_(pounds, "lb").m_as("kg")  # exact: 1 lb = 0.45359237 kg; repr(kg) reads back to the same float
    try:
        in_lb = _patient(f"{pounds} lb", height, sex, age)
    except InputError as exc:  # over 350 kg: both are refused alike
        try:
            _patient(f"{kg!r} kg", height, sex, age)
        except InputError as exc_kg:
            assert exc_kg.field == exc.field == "weight"
            return
        raise AssertionError(f"{pounds} lb refused but {kg} kg accepted") from exc
    in_kg = _patient(f"{kg!r} kg", height, sex, age)
    assert _plan(in_lb, product, indication, dose, days, policy) == _plan(
        in_kg, product, indication, dose, days, policy
    )
