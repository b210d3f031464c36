"""Weight against height and age: a slip (a dropped zero, lb typed as kg) is caught before dosing.

Two tiers, both site settings with their reasons (``[plausibility]`` in site_settings.toml):
what is physically impossible is refused (:func:`refuse_impossible`, before any plan is made);
what is far outside the plausible range is a CRITICAL ``weight-check`` asking to re-measure or
re-enter, naming the figures.
"""

from __future__ import annotations

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import number
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.patient import Patient
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.settings import SiteSettings
from ivig_desktop.engine.units import CM, KG, KG_PER_M2


def _figures(p: Patient) -> str:
    return (
        f"{number(p.weight_kg, 1)} kg at {number(p.height_cm, 1)} cm, age {number(p.age_years, 1)} y "
        f"(BMI {number(p.bmi.m_as(KG_PER_M2), 1)} kg/m²)"
    )


def refuse_impossible(patient: Patient, settings: SiteSettings) -> None:
    """Refuse a body no person has: BMI outside the possible range, or a child's height for age."""
    pl = settings.plausibility
    if pl is None:
        return
    bmi = patient.bmi
    if not pl.possible_bmi.holds(bmi):
        raise InputError(
            "weight",
            f"{_figures(patient)} is outside the possible {number(pl.possible_bmi.low.m, 1)}–"
            f"{number(pl.possible_bmi.high.m, 1)} kg/m² (site setting): re-measure or re-enter the weight "
            "and the height",
        )
    if patient.is_child:
        band = pl.band(patient.age)
        if band is not None and not band.height.holds(patient.height):
            raise InputError(
                "height",
                f"{number(patient.height_cm, 1)} cm at age {number(patient.age_years, 1)} y is outside the "
                f"possible {number(band.height.low.m_as(CM), 1)}–{number(band.height.high.m_as(CM), 1)} cm "
                f"for under {number(band.age_below.m, 1)} y (site setting, reason: '{band.height.reason}'): "
                "re-measure or re-enter the height and the age",
            )


def warnings(plan: PlanFacts) -> list[Warning]:
    pl = plan.settings.plausibility
    p = plan.patient
    if pl is None:
        return []
    if not p.is_child:
        r = pl.adult_bmi
        if r.holds(p.bmi):
            return []
        return [
            Warning(
                "weight-check",
                Severity.CRITICAL,
                f"{_figures(p)} is outside the plausible adult range "
                f"{number(r.low.m, 1)}–{number(r.high.m, 1)} "
                "kg/m² (site setting). Re-measure or re-enter the weight and the height (a dropped digit? lb "
                "typed as kg?) before using this plan.",
            )
        ]
    band = pl.band(p.age)
    if band is None or band.weight.holds(p.actual_weight):
        return []
    return [
        Warning(
            "weight-check",
            Severity.CRITICAL,
            f"{_figures(p)}: the weight is far outside {number(band.weight.low.m_as(KG), 1)}–"
            f"{number(band.weight.high.m_as(KG), 1)} kg for under {number(band.age_below.m, 1)} y "
            f"(site setting, reason: '{band.weight.reason}'). Re-measure or re-enter the weight and the age "
            "before using this plan.",
        )
    ]
