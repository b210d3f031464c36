"""Near-valid site formularies (issue 15): every one is refused with a DataError or gives plans
that stay within that file's own label maxima, with finite figures. Nothing else may happen.

Each example takes the bundled formulary and changes one to three figures the way a site
pharmacist might mistype them: a value scaled by a power of ten, a unit swapped for another
rate unit, a sign flipped, a vial size changed, an escalation rule swapped, a key misspelt or
removed. An accepted file is then used for a plan of every product and indication it lists.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.formulary import formulary_from_data
from ivig_desktop.engine.plan import Catalogue, Order, bundled_catalogue, make_plan
from ivig_desktop.engine.units import Q_
from ivig_desktop.store import site_formulary
from tests.helpers import patient

BUNDLED = site_formulary.bundled_data()
BASE = bundled_catalogue()
N_PRODUCTS = len(BUNDLED["product"])
RATE_UNITS = ("mg/kg/min", "mL/kg/min", "mL/kg/h", "mg/kg/h", "mL/min", "mg/mL")
FACTORS = (-1.0, 0.0, 1e-7, 0.01, 0.1, 0.5, 0.99, 1.01, 2.0, 10.0, 100.0, 1e6, 1e300)
REGIMEN_FOR = {
    "pid": "pid",
    "itp": "itp",
    "cidp": "cidp-loading",
    "mmn": "mmn",
    "dermatomyositis": "dermatomyositis",
}
PATIENTS = (patient(70, 175, "male", 50), patient(9, 75, "female", 1), patient(140, 190, "male", 80, 2.5))


def _titrations(product: dict[str, Any]) -> list[dict[str, Any]]:
    return list(product.get("indications", {}).values())


def _mutation(data: dict[str, Any], draw: st.DrawFn) -> None:
    product = data["product"][draw(st.integers(0, N_PRODUCTS - 1))]
    titrations = _titrations(product)
    titration = titrations[draw(st.integers(0, len(titrations) - 1))] if titrations else {}
    kind = draw(
        st.sampled_from(
            (
                "scale",
                "unit",
                "vial",
                "escalation",
                "misspell",
                "remove",
                "concentration",
                "cap",
                "subsequent",
            )
        )
    )
    factor = draw(st.sampled_from(FACTORS))
    if kind in ("scale", "unit"):
        keys = [k for k in ("start", "max", "increment", "subsequent_start") if k in titration]
        if not keys:
            return
        figure = titration[draw(st.sampled_from(keys))]
        if kind == "scale":
            figure["value"] = figure["value"] * factor
        else:
            figure["unit"] = draw(st.sampled_from(RATE_UNITS))
    elif kind == "vial" and product.get("vials"):
        vial = product["vials"][draw(st.integers(0, len(product["vials"]) - 1))]
        vial["size"] = vial["size"] * factor
        if draw(st.booleans()):
            vial["volume"] = vial["volume"] * factor
    elif kind == "escalation" and titration:
        titration["escalation"] = draw(st.sampled_from(("list", "doubling", "increment", "tripling")))
        if titration["escalation"] == "increment" and "increment" not in titration and draw(st.booleans()):
            titration["increment"] = {
                "value": abs(factor),
                "unit": "mg/kg/min",
                "evidence": "site",
                "source": "s",
            }
    elif kind == "misspell" and titration:
        key = draw(st.sampled_from(sorted(titration)))
        titration[key + draw(st.sampled_from(("s", "_", "x")))] = titration.pop(key)
    elif kind == "remove" and titration:
        titration.pop(draw(st.sampled_from(sorted(titration))))
    elif kind == "concentration":
        product["concentration"]["value"] = product["concentration"]["value"] * factor
    elif kind == "cap" and product.get("at_risk_caps"):
        product["at_risk_caps"][0]["rate"]["value"] *= factor
    elif kind == "subsequent" and "max" in titration:
        titration["subsequent_start"] = {
            "value": titration["max"]["value"] * factor,
            "unit": titration["max"]["unit"],
            "evidence": "site",
            "source": "s",
        }


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BUNDLED)
    for _ in range(draw(st.integers(1, 3))):
        _mutation(data, draw)
    return data


def _finite(q: Any) -> bool:
    return math.isfinite(float(q.m))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid())
def test_every_accepted_near_valid_formulary_plans_within_its_own_label_maxima(data: dict[str, Any]) -> None:
    try:
        form = formulary_from_data(data, "site.toml")
    except DataError:
        return  # refused with a reason: the outcome for most mistypings
    cat = Catalogue(form, BASE.regimens, BASE.policies, BASE.settings)
    for product in form.products.values():
        if not product.vials:
            continue
        for ind, titration in product.titrations.items():
            regimen = REGIMEN_FOR.get(ind)
            if regimen is None:
                continue
            top = titration.max_rate.m_as("mg/kg/min")
            assert 0 < top <= 14  # the highest labelled maximum bounds every accepted file
            for pt in PATIENTS:
                order = Order(product.id, regimen, dose=Q_(0.4, "g/kg"), days=1)
                try:
                    plan = make_plan(pt, order, cat)
                except InputError:
                    continue  # refused with a reason (e.g. a child's dose limit)
                assert plan.ladder.ceiling.m_as("mg/kg/min") <= top * (1 + 1e-9)
                for day in plan.days:
                    assert _finite(day.dose) and _finite(day.volume)
                    for step in day.schedule.steps:
                        assert step.dose_rate.m_as("mg/kg/min") <= top * (1 + 1e-9)
                        for q in (step.rate, step.volume, step.duration, step.cumulative_volume):
                            assert _finite(q) and q.m >= 0
