"""Volume load, honestly: per kg of the lower of actual and dosing weight, judged as printed.

The lower weight is the conservative choice for fluid tolerance (an obese patient's blood
volume per kg of actual weight is lower). A limit is exceeded only when the figure as printed
(mL to 0.1, mL/kg to 0.1) exceeds it; severity follows how far over the limit the day is
(site setting ``plausibility.far_volume_fraction``).
"""

from __future__ import annotations

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import KINDS, number
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import KG, ML, ML_PER_KG

_ML_DEC = KINDS["volume"][2]
_PER_KG_DEC = KINDS["volume_per_kg"][2]


def printed(value: float, decimals: int) -> float:
    """The number as the sheet prints it (the same rounding as the display)."""
    return float(f"{value:.{decimals}f}")


def warnings(plan: PlanFacts) -> list[Warning]:
    risk, product = plan.risk, plan.product
    limit = plan.volume_limit
    ml = [d.schedule.rows[-1][5] for d in plan.days]  # each day's total volume, mL
    day = plan.days[max(range(len(ml)), key=ml.__getitem__)]
    vol = printed(day.volume.m_as(ML), _ML_DEC)
    per_kg = printed(day.volume_per_kg.m_as(ML_PER_KG), _PER_KG_DEC)
    lim_vol, lim_kg = limit.per_day.m_as(ML), limit.per_kg.m_as(ML_PER_KG)
    which = "strict" if risk.strict_volume else "standard"
    why = f" ({'; '.join(risk.strict_volume)})" if risk.strict_volume else ""
    of_weight = f"of {plan.volume_weight_basis} weight {number(plan.volume_weight.m_as(KG), 1)} kg"
    varies = len({round(v, 6) for v in ml}) > 1
    on_day = f" on day {day.day}" if varies else (" each day" if len(plan.days) > 1 else "")
    over: list[str] = []
    worst = 0.0
    if vol > lim_vol:
        over.append(f"{number(vol, _ML_DEC)} mL/day > {number(lim_vol, 0)} mL")
        worst = max(worst, vol / lim_vol - 1)
    if per_kg > lim_kg:
        over.append(f"{number(per_kg, _PER_KG_DEC)} mL/kg/day ({of_weight}) > {number(lim_kg, 1)} mL/kg")
        worst = max(worst, per_kg / lim_kg - 1)
    volume_override = next((o for o in plan.order.overrides if o.kind == "volume-limit"), None)
    fix = frozenset({"product", "days"})
    if over and volume_override is not None:
        return [
            Warning(
                "volume-load",
                Severity.CAUTION,
                f"OVERRIDE volume-limit: above the site's {which} limit{why}{on_day}: "
                + "; ".join(over)
                + f". Reason: {' '.join(volume_override.reason.split())}",
            )
        ]
    if over:
        far = plan.settings.plausibility.far_volume_fraction if plan.settings.plausibility else 0.0
        sev = Severity.CRITICAL if worst > far + 1e-12 else Severity.CAUTION
        return [
            Warning(
                "volume-load",
                sev,
                f"Volume load above the site's {which} limit{why}{on_day}: "
                + "; ".join(over)
                + f" ({number(worst * 100, 0)} % over) of {product.name} ({number(product.percent, 1)} %). "
                "See the alternatives.",
                fix,
            )
        ]
    within = (
        f"Volume {number(vol, _ML_DEC)} mL/day ({number(per_kg, _PER_KG_DEC)} mL/kg {of_weight}){on_day} is "
        f"within the site's {which} limit {number(lim_vol, 0)} mL and {number(lim_kg, 1)} mL/kg{why}."
    )
    if "heart-failure" in risk.factors:
        return [
            Warning(
                "volume-load",
                Severity.CAUTION,
                f"{within} Heart failure / reduced cardiac function: labels name fluid overload and "
                "hyperviscosity as overdose risks in cardiac impairment; assess fluid status before and "
                "during the infusion.",
            )
        ]
    if risk.strict_volume:
        return [Warning("volume-load", Severity.INFO, within)]
    return []
