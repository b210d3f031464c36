"""Properties of every day schedule, for random patients, products, indications, doses and days."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ivig_desktop.engine.formulary import bundled_formulary
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, Plan, make_plan
from ivig_desktop.engine.schedule import build_ladder, schedule_day
from ivig_desktop.engine.units import Q_

FORMULARY = bundled_formulary()
PRODUCTS = sorted(p.id for p in FORMULARY.products.values() if p.vials)
#: The regimen whose titration is each label indication.
REGIMEN = {
    "pid": "pid",
    "itp": "itp",
    "cidp": "cidp-loading",
    "mmn": "mmn",
    "dermatomyositis": "dermatomyositis",
}


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    pid = draw(st.sampled_from(PRODUCTS))
    indication = draw(st.sampled_from(sorted(FORMULARY.product(pid).titrations)))
    kg, cm = draw(st.floats(min_value=3, max_value=200)), draw(st.floats(min_value=100, max_value=210))
    assume(2 <= kg / (cm / 100) ** 2 <= 250)  # the site's possible BMI range refuses the rest
    pt = Patient(
        Q_(kg, "kg"),
        Q_(cm, "cm"),
        draw(st.sampled_from([Sex.MALE, Sex.FEMALE])),
        Q_(draw(st.floats(min_value=18, max_value=90)), "year"),
    )
    order = Order(
        product=pid,
        indication=REGIMEN[indication],
        dose=Q_(draw(st.floats(min_value=0.2, max_value=2.0)), "g/kg"),
        days=draw(st.integers(min_value=1, max_value=5)),
        start_low=draw(st.sampled_from([frozenset(), frozenset({"first-infusion"})])),
    )
    return make_plan(pt, order)


@settings(max_examples=60, deadline=None)
@given(p=plans())
def test_volumes_add_up(p: Plan) -> None:
    for day in p.days:
        total = day.volume.m_as("mL")
        steps = day.schedule.steps
        assert math.fsum(s.volume.m_as("mL") for s in steps) == pytest.approx(total, abs=1e-6)
        assert steps[-1].cumulative_volume.m_as("mL") == pytest.approx(total, abs=1e-6)
        running = 0.0
        for s in steps:
            assert s.volume.m > 0
            running += s.volume.m_as("mL")
            assert s.cumulative_volume.m_as("mL") == pytest.approx(running, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(p=plans())
def test_no_step_exceeds_the_ceiling_or_the_label(p: Plan) -> None:
    ceiling = p.ladder.ceiling.m_as("mg/kg/min")
    label = p.titration.max_rate.m_as("mg/kg/min")
    assert ceiling <= label + 1e-9
    for s in p.days[0].schedule.steps:
        delivered = s.dose_rate.m_as("mg/kg/min")
        assert delivered <= ceiling + 1e-9
        assert delivered <= label + 1e-9
        # The delivered rate is what the programmed pump rate gives at the rate weight.
        ml_h = delivered * p.rate_weight.m_as("kg") * 60 / p.product.conc.m_as("mg/mL")
        assert ml_h == pytest.approx(s.rate.m_as("mL/h"), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(p=plans())
def test_pump_rates_are_multiples_of_the_resolution(p: Plan) -> None:
    for s in p.days[0].schedule.steps:
        tenths = s.rate.m_as("mL/h") * 10  # site resolution 0.1 mL/h
        assert tenths >= 1 - 1e-9
        assert abs(tenths - round(tenths)) < 1e-6


@settings(max_examples=60, deadline=None)
@given(p=plans())
def test_steps_follow_each_other_and_the_end_is_true(p: Plan) -> None:
    for day in p.days:
        sched = day.schedule
        steps = sched.steps
        assert steps[0].offset.m_as("min") == 0
        for a, b in itertools.pairwise(steps):
            assert b.offset > a.offset
            assert b.offset.m_as("min") == pytest.approx(a.offset.m_as("min") + a.duration.m_as("min"))
            assert b.rate > a.rate  # each step is a rate increase
        last = steps[-1]
        assert last.offset.m_as("min") + last.duration.m_as("min") == pytest.approx(
            sched.duration.m_as("min")
        )
        assert sched.end == sched.start + timedelta(minutes=sched.duration.m_as("min"))
        assert sched.start.time() == datetime(2000, 1, 1).time()
        assert sched.start.day == day.day


@settings(max_examples=60, deadline=None)
@given(
    pid=st.sampled_from(PRODUCTS),
    data=st.data(),
    ml=st.floats(min_value=5, max_value=4000),
    kg=st.floats(min_value=3, max_value=200),
    cap=st.one_of(st.none(), st.floats(min_value=0.3, max_value=15)),
    subsequent=st.booleans(),
)
def test_capped_ladders(
    pid: str, data: st.DataObject, ml: float, kg: float, cap: float | None, subsequent: bool
) -> None:
    product = FORMULARY.product(pid)
    titration = product.titrations[data.draw(st.sampled_from(sorted(product.titrations)))]
    ladder = build_ladder(
        titration,
        subsequent=subsequent,
        cap=Q_(cap, "mg/kg/min") if cap is not None else None,
        default_step=Q_(30, "min"),
    )
    label = titration.max_rate.m_as("mg/kg/min")
    top = min(cap, label) if cap is not None else label
    assert ladder.ceiling.m_as("mg/kg/min") == pytest.approx(top)
    rungs = [r.dose_rate.m_as("mg/kg/min") for r in ladder.rungs]
    assert all(b > a for a, b in itertools.pairwise(rungs))
    assert max(rungs) <= top * (1 + 1e-9)
    assert ladder.rungs[-1].hold is None
    assert all(r.hold is not None for r in ladder.rungs[:-1])
    day = schedule_day(
        Q_(ml, "mL"), Q_(kg, "kg"), product.conc, ladder, Q_(0.1, "mL/h"), datetime(2000, 1, 1)
    )
    assert math.fsum(s.volume.m_as("mL") for s in day.steps) == pytest.approx(ml, rel=1e-9)
    assert all(s.dose_rate.m_as("mg/kg/min") <= top + 1e-9 for s in day.steps)
