"""How the steps were laid out: start rate and why, fixed infusion times, default step intervals,
and the dosing-weight and renal-formula notes that explain a figure on the sheet."""

from __future__ import annotations

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import number
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import MG_PER_KG_MIN, MIN, MIN_PER_H, H


def warnings(plan: PlanFacts) -> list[Warning]:
    out: list[Warning] = []
    product, settings = plan.product, plan.settings
    reg = plan.regimen
    if reg is not None and reg.infusion_hours is not None:
        hours = max(d.schedule.minutes for d in plan.days) / MIN_PER_H
        lo_h, hi_h = (h.m_as(H) for h in reg.infusion_hours)
        sev = Severity.CAUTION if hours > hi_h else Severity.INFO
        out.append(
            Warning(
                "titration",
                sev,
                f"{reg.name}: the regimen runs over {number(lo_h, 1)}–{number(hi_h, 1)} h; "
                "this schedule takes "
                f"{number(hours, 1)} h.",
            )
        )
    if plan.titration.step_minutes is None:
        out.append(
            Warning(
                "titration",
                Severity.INFO,
                f"The {product.name} label gives no step interval for {plan.titration.indication}: steps are "
                f"held {number(settings.default_step_minutes.m_as(MIN), 0)} min (site setting).",
            )
        )
    if plan.order.start_low or plan.titration.subsequent_start is not None:
        out.append(
            Warning(
                "titration",
                Severity.INFO,
                f"Starts at {number(plan.ladder.rungs[0].dose_rate.m_as(MG_PER_KG_MIN), 3)} mg/kg/min: "
                f"{plan.start.reason}.",
            )
        )
    out.extend(
        Warning("dosing-weight", Severity.INFO, f"Unverified policy threshold: {note}.")
        for note in plan.dosing.unverified
    )
    if plan.crcl is not None and plan.crcl.value is None:
        out.append(Warning("renal", Severity.INFO, f"Creatinine clearance {plan.crcl.basis}."))
    return out
