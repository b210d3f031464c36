"""The plan as plain data: the stable JSON contract documented in README.md.

Every quantity is ``{"magnitude": number, "units": "<abbrev>"}`` in the fixed unit of its
field (weights kg, doses g, volumes mL, rates mL/h, dose rates mg/kg/min, durations min,
CrCl mL/min), so a consumer never has to convert.
"""

from __future__ import annotations

from typing import Any

from ivig_desktop import __version__
from ivig_desktop.engine import display
from ivig_desktop.engine.inputs import echo
from ivig_desktop.engine.plan import Alternative, DayPlan, Plan
from ivig_desktop.engine.units import Quantity
from ivig_desktop.engine.weight_policy import PolicyRow

SCHEMA_VERSION = 1
_DURATION = ("minute", "min")


def q(value: Quantity | None, kind: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if kind == "duration":
        unit, abbrev = _DURATION
    else:
        unit, abbrev, _ = display.KINDS[kind]
    return {"magnitude": round(float(value.m_as(unit)), 6), "units": abbrev}


def _day(plan: Plan, day: DayPlan) -> dict[str, Any]:
    sched = day.schedule
    elapsed = not plan.clock_given
    return {
        "day": day.day,
        "prescribed_dose": q(day.prescribed, "dose"),
        "dose": q(day.dose, "dose"),
        "vials": [{"size": q(c.vial.size, "dose"), "count": c.count} for c in day.pick.counts],
        "opened": q(day.pick.opened, "dose"),
        "waste": q(day.pick.waste, "dose"),
        "waste_volume": q(day.pick.waste_volume, "volume"),
        "volume": q(day.volume, "volume"),
        "volume_per_kg": q(day.volume_per_kg, "volume_per_kg"),
        "steps": [
            {
                "start": display.clock(sched.clock(s), sched.start, elapsed=elapsed),
                "duration": q(s.duration, "duration"),
                "dose_rate": q(s.dose_rate, "dose_rate"),
                "rate": q(s.rate, "rate"),
                "volume": q(s.volume, "volume"),
                "cumulative_volume": q(s.cumulative_volume, "volume"),
            }
            for s in sched.steps
        ],
        "end": display.clock(sched.end, sched.start, elapsed=elapsed),
        "duration": q(sched.duration, "duration"),
    }


def _alternative(a: Alternative) -> dict[str, Any]:
    o = a.order
    return {
        "kind": a.kind,
        "description": a.description,
        "product": o.product,
        "days": a.days,
        "max_dose_rate": q(o.max_rate, "dose_rate"),
        "volume_per_day": q(a.volume_per_day, "volume"),
        "volume_per_kg": q(a.volume_per_kg, "volume_per_kg"),
        "duration_per_day": q(a.duration_per_day, "duration"),
        "resolves": list(a.resolves),
        "unresolved": list(a.unresolved),
        "effect": a.effect,
    }


def _policy(row: PolicyRow) -> dict[str, Any]:
    return {
        "policy": row.policy,
        "name": row.name,
        "dosing_weight": q(row.weight, "weight"),
        "basis": row.basis,
        "reason": row.reason,
        "course_dose": q(row.course_dose, "dose"),
    }


def inputs_dict(plan: Plan, typed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every input three ways: ``typed`` (the command-line options as typed; null when the plan
    was not made from a command line), ``entered`` (in the unit it was entered in, "180 lb") and
    ``parsed`` (quantities in the fixed unit of their key, like every quantity here)."""
    items = echo(plan)
    parsed: dict[str, Any] = {}
    for e in items:
        value = e.value
        parsed[e.option] = q(value, e.kind) if e.kind is not None and value is not None else value
    order = plan.order
    dose = order.dose
    per_kg = dose is not None and dose.check("[mass] / [mass]")
    parsed["dose"] = q(dose, "dose") if dose is not None and not per_kg else None
    parsed["dose_per_kg"] = q(dose, "dose_per_kg") if per_kg else None
    parsed["dose_per"] = None if dose is None else ("day" if order.dose_per_day else "course")
    parsed["override"] = [{"kind": o.kind, "reason": o.reason} for o in order.overrides]
    return {
        "typed": typed,
        "entered": {e.option: e.entered for e in items},
        "parsed": parsed,
    }


def plan_to_dict(plan: Plan, typed: dict[str, Any] | None = None, *, inputs: bool = True) -> dict[str, Any]:
    """The JSON document; ``inputs=False`` leaves out the echo of the inputs (a plan file holds its
    inputs in a block of their own)."""
    p = plan.patient
    crcl = plan.crcl
    product = plan.product
    return {
        "schema": SCHEMA_VERSION,
        "app_version": __version__,
        "formulary_revision": plan.formulary_revision,
        "settings_revision": plan.settings_revision,
        "patient": {
            "actual_weight": q(p.actual_weight, "weight"),
            "height": q(p.height, "height"),
            "sex": p.sex.value,
            "age": q(p.age, "age"),
            "ideal_weight": q(p.ideal_weight, "weight"),
            "adjusted_weight": q(p.adjusted_weight, "weight"),
            "bmi": q(p.bmi, "bmi"),
            "devine": None if p.devine_applies else p.devine_note,
            "creatinine_clearance": q(crcl.value, "crcl") if crcl else None,
            "creatinine_clearance_basis": crcl.basis if crcl else None,
            "creatinine_clearance_formula": crcl.formula if crcl else None,
        },
        "dosing_weight": q(plan.dosing.weight, "weight"),
        "dosing_weight_basis": plan.dosing.basis,
        "dosing_weight_reason": plan.dosing.reason,
        "weight_policy": plan.dosing.policy.id,
        "rate_weight": q(plan.rate_weight, "weight"),
        "volume_weight": q(plan.volume_weight, "weight"),
        "volume_weight_basis": plan.volume_weight_basis,
        "start_rate": {"subsequent": plan.start.subsequent, "reason": plan.start.reason},
        "policy_comparison": [_policy(r) for r in plan.policy_comparison],
        "product": {
            "id": product.id,
            "name": product.name,
            "concentration": q(product.conc, "concentration"),
        },
        "indication": plan.regimen.id if plan.regimen else None,
        "titration": plan.titration_note,
        "max_dose_rate": q(plan.ladder.ceiling, "dose_rate"),
        "course_dose": q(plan.course_dose, "dose"),
        "course_dose_per_kg": q(plan.course_dose_per_kg, "dose_per_kg"),
        "daily_dose_per_kg": q(plan.daily_dose_per_kg, "dose_per_kg"),
        "total_dose": q(plan.total_dose, "dose"),
        "total_volume": q(plan.total_volume, "volume"),
        "clock": "clock" if plan.clock_given else "elapsed",
        "days": [_day(plan, d) for d in plan.days],
        "overrides": [{"kind": o.kind, "reason": o.reason} for o in plan.order.overrides],
        "warnings": [
            {"code": w.code, "severity": w.severity.label, "message": w.message} for w in plan.warnings
        ],
        "alternatives": [_alternative(a) for a in plan.alternatives],
        **({"inputs": inputs_dict(plan, typed)} if inputs else {}),
    }
