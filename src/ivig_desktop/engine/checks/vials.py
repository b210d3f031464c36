"""Whole-vial rounding: what was given against what was prescribed, per day and per course."""

from __future__ import annotations

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import number
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import ML, G

_RULE_WORDS = {
    "fewest-vials": "fewest vials within the tolerance, then the amount nearest the dose",
    "nearest": "the amount nearest the dose, then the fewest vials",
}


def warnings(plan: PlanFacts) -> list[Warning]:
    product, settings = plan.product, plan.settings
    picks = [d.pick for d in plan.days]
    first = picks[0]
    tol = settings.rounding_tolerance * 100
    if first.no_vials:
        return [
            Warning(
                "rounding",
                Severity.CAUTION,
                f"No vial sizes for {product.name} in the formulary (not found in the label text read): "
                f"give {number(first.dose.m_as(G), 2)} g per day and add the stocked sizes to a site "
                "formulary.",
            )
        ]
    if not first.within_tolerance:
        return [
            Warning(
                "rounding",
                Severity.CAUTION,
                f"No whole-vial amount within ±{number(tol, 1)} % of "
                f"{number(first.prescribed.m_as(G), 2)} g: "
                f"give the exact dose from {number(first.opened.m_as(G), 2)} g opened; discard "
                f"{number(first.waste_volume.m_as(ML), 1)} mL ({number(first.waste.m_as(G), 2)} g) per day.",
            )
        ]
    if not any(p.rounded for p in picks):
        return []
    grams: dict[int, tuple[float, float]] = {}
    for p in picks:  # a balanced course has at most two distinct picks: convert each once
        if id(p) not in grams:
            grams[id(p)] = (p.dose.m_as(G), p.prescribed.m_as(G))
    given = sum(grams[id(p)][0] for p in picks)
    prescribed = sum(grams[id(p)][1] for p in picks)
    rule = _RULE_WORDS.get(settings.vial_rule, settings.vial_rule)
    change = given / prescribed * 100 - 100
    amounts = {round(grams[id(p)][0], 6) for p in picks}
    if len(amounts) > 1:
        days = "/".join(number(grams[id(p)][0], 2) for p in picks)
        return [
            Warning(
                "rounding",
                Severity.INFO,
                f"Days differ by a vial so the course total stays nearest the prescribed course: {days} g = "
                f"{number(given, 2)} g for {number(prescribed, 2)} g prescribed ({change:+.1f} %); each day "
                f"within ±{number(tol, 1)} % of {number(first.prescribed.m_as(G), 2)} g (site rule: {rule}).",
            )
        ]
    return [
        Warning(
            "rounding",
            Severity.INFO,
            f"Each day's dose rounded to whole vials: prescribed {number(first.prescribed.m_as(G), 2)} g, "
            f"given {number(first.dose.m_as(G), 2)} g ({change:+.1f} %, within ±{number(tol, 1)} %; "
            "site rule: "
            f"{rule}).",
        )
    ]
