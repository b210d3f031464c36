"""Dose against the indication: the course and the daily dose per kg against the usual range.

The usual ranges are data (``regimens.toml``: ``dose_range`` per course and
``daily_dose_range`` per day, with sources). With no indication chosen, the bounds of IVIG use
are the widest ranges of all bundled regimens. A dose the site's ``far_dose_factor`` outside
(a dropped '/kg', mg typed for g) is CRITICAL and leads the warnings; less far is a caution. A
course that reads as a daily dose entered as a course says so in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import number
from ivig_desktop.engine.regimens import Regimen, Regimens
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import G_PER_KG, KG, G, Quantity

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class UsualDose:
    """The usual course and daily dose per kg for this plan's indication (or for all IVIG use)."""

    course: tuple[Quantity, Quantity] | None
    daily: tuple[Quantity, Quantity] | None
    what: str
    """'the ITP regimen' or 'any bundled regimen'."""
    source: str


def usual_dose(regimen: Regimen | None, regimens: Regimens) -> UsualDose:
    if regimen is not None:
        course = (
            (regimen.dose_low, regimen.dose_high)
            if regimen.dose_low is not None and regimen.dose_high is not None
            else None
        )
        daily = (
            (regimen.daily_low, regimen.daily_high)
            if regimen.daily_low is not None and regimen.daily_high is not None
            else None
        )
        return UsualDose(course, daily, f"the {regimen.name} regimen", regimen.source)
    lows = [r.dose_low for r in regimens.regimens.values() if r.dose_low is not None]
    highs = [r.dose_high for r in regimens.regimens.values() if r.dose_high is not None]
    dlows = [r.daily_low for r in regimens.regimens.values() if r.daily_low is not None]
    dhighs = [r.daily_high for r in regimens.regimens.values() if r.daily_high is not None]
    return UsualDose(
        (min(lows), max(highs)) if lows and highs else None,
        (min(dlows), max(dhighs)) if dlows and dhighs else None,
        "any bundled regimen (no indication chosen)",
        f"regimens {regimens.revision}",
    )


def _factor(value: float, lo: float, hi: float) -> float:
    """How many times outside [lo, hi] ``value`` is (1.0 inside)."""
    if value < lo * (1 - _EPS):
        return lo / value
    if value > hi * (1 + _EPS):
        return value / hi
    return 1.0


def _g(q: Quantity) -> float:
    return float(q.m_as(G_PER_KG))


def _span(r: tuple[Quantity, Quantity], unit: str) -> str:
    lo, hi = _g(r[0]), _g(r[1])
    return f"{number(lo, 2)} {unit}" if lo == hi else f"{number(lo, 2)}–{number(hi, 2)} {unit}"


def warnings(plan: PlanFacts) -> list[Warning]:
    out: list[Warning] = []
    usual = plan.usual_dose
    n = len(plan.days)
    course = _g(plan.course_dose_per_kg)
    daily = course / n
    factor = 1.0
    parts: list[str] = []
    # The course against the regimen's course range, the daily dose against its daily range.
    for label, value, span, unit, whose in (
        ("course", course, usual.course, "g/kg", f"{usual.what}'s"),
        ("daily", daily, usual.daily, "g/kg/day", "its"),
    ):
        if span is None:
            continue
        f = _factor(value, _g(span[0]), _g(span[1]))
        if f > 1:
            side = "below" if value < _g(span[0]) else "above"
            parts.append(
                f"{label} {number(value, 3)} {unit} is {number(f, 1)}× {side} {whose} {_span(span, unit)}"
            )
        factor = max(factor, f)
    guess = _did_you_mean(plan, course)
    far = plan.settings.plausibility.far_dose_factor if plan.settings.plausibility else float("inf")
    if parts:
        critical = factor >= far * (1 - _EPS)
        head = (
            "Dose far outside the usual range — a dropped '/kg' or a mg/g slip? Re-enter the dose: "
            if critical
            else "Dose outside the usual range: "
        )
        out.append(
            Warning(
                "dose-check",
                Severity.CRITICAL if critical else Severity.CAUTION,
                head + "; ".join(parts) + f" [{usual.source}]." + (f" {guess}" if guess else ""),
            )
        )
    elif guess:
        out.append(Warning("dose-check", Severity.CAUTION, guess))
    reg = plan.regimen
    if reg is not None and reg.days_range is not None and not reg.days_range[0] <= n <= reg.days_range[1]:
        out.append(
            Warning(
                "dose-check",
                Severity.CAUTION,
                f"{n} day(s) is outside the {reg.name} regimen's "
                f"{reg.days_range[0]}–{reg.days_range[1]} days.",
            )
        )
    out.extend(_limit_and_label(plan))
    return out


def _did_you_mean(plan: PlanFacts, course: float) -> str:
    """An amount that reads as a dose per kg (a dropped '/kg'), in words.

    A per-kg course equal to the regimen's daily dose ("did you mean 1 g/kg/day?") is the
    dose-notation caution (engine/prescription.py): one warning for that cause.
    """
    entered = plan.order.dose
    usual = plan.usual_dose.course
    if entered is None or entered.dimensionality != G.dimensionality or usual is None:
        return ""
    # The amount read as a dose per kg, as a course (so "2 g/day × 2" and "4 g" read the same).
    n = len(plan.days)
    as_per_kg = float(entered.m_as(G)) * (n if plan.order.dose_per_day else 1)
    lo, hi = (_g(x) for x in usual)
    if _factor(as_per_kg, lo, hi) == 1.0 and _factor(course, lo, hi) > 1:
        w = plan.dosing.weight.m_as(KG)
        per_day = f" ({number(as_per_kg / n, 3)} g/kg/day)" if n > 1 else ""
        return (
            f"The dose was entered as an amount ({number(course, 3)} g/kg at {number(w, 1)} kg): did you "
            f"mean {number(as_per_kg, 3)} g/kg{per_day}?"
        )
    return ""
    # The amount read as a dose per kg, on the same footing as it was entered (a course or a day).
    as_per_kg = float(entered.m_as(G))
    actual = course / len(plan.days) if per_day else course
    lo, hi = (_g(x) for x in usual)
    if _factor(as_per_kg, lo, hi) == 1.0 and _factor(actual, lo, hi) > 1:
        w = plan.dosing.weight.m_as(KG)
        unit = "g/kg/day" if per_day else "g/kg"
        return (
            f"The dose was entered as an amount, {number(as_per_kg, 3)} g{'/day' if per_day else ''} "
            f"({number(actual, 3)} {unit} at {number(w, 1)} kg): did you mean {number(as_per_kg, 3)} {unit}?"
        )
    return ""


def _limit_and_label(plan: PlanFacts) -> list[Warning]:
    out: list[Warning] = []
    per_kg = plan.course_dose_per_kg
    hard = plan.settings.max_course_dose
    override = next((o for o in plan.order.overrides if o.kind == "dose-limit"), None)
    if per_kg > hard * (1 + _EPS) and override is not None:
        out.append(
            Warning(
                "dose-limit",
                Severity.CRITICAL,
                f"OVERRIDE dose-limit: {number(_g(per_kg), 2)} g/kg is above "
                f"the site's hard limit of {number(_g(hard), 2)} g/kg per course. Reason: {override.reason}",
            )
        )
    reg = plan.regimen
    days = plan.titration.course_days
    n = len(plan.days)
    if reg is not None and not plan.off_label and days is not None and not days[0] <= n <= days[1]:
        prov = plan.titration.course_days_provenance
        span = f"{days[0]}" if days[0] == days[1] else f"{days[0]}–{days[1]}"
        out.append(
            Warning(
                "off-label",
                Severity.CAUTION,
                f"{plan.product.name}'s label gives the {plan.titration.indication} course over {span} "
                f"day(s); this course is {n} day(s)"
                + (f" [{prov.evidence}: {prov.source}]." if prov is not None else "."),
            )
        )
    if plan.off_label and reg is not None:
        out.append(
            Warning(
                "off-label",
                Severity.CAUTION,
                f"{plan.product.name} is not labelled for {reg.name} in the formulary; "
                f"{plan.titration_note}.",
            )
        )
    elif reg is None:
        out.append(Warning("off-label", Severity.INFO, f"No indication chosen; {plan.titration_note}."))
    if reg is not None and reg.evidence in ("NOT FOUND", "BELIEVED"):
        out.append(Warning("off-label", Severity.INFO, f"{reg.name}: {reg.source}."))
    return out
