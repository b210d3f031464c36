"""Boxed-warning risks (renal, thrombosis) and what they do to the rate: one warning per cause.

A label cap the plan applied is info (the plan already did what the label says); a risk with no
numeric cap is one caution asking for a decision, naming any unverified figure it did not apply.
"""

from __future__ import annotations

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import number
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import KG, MG_PER_KG_MIN, ML_PER_MIN


def warnings(plan: PlanFacts) -> list[Warning]:
    out: list[Warning] = []
    risk = plan.risk
    if risk.renal:
        crcl = plan.crcl
        measured = (
            f" {crcl.label} {number(crcl.value.m_as(ML_PER_MIN), 0)} {crcl.unit_text} ({crcl.basis})."
            if crcl is not None and crcl.value is not None
            else ""
        )
        out.append(
            Warning(
                "renal",
                Severity.CAUTION,
                "Renal risk: " + "; ".join(risk.renal) + ". Label: give the minimum dose and infusion rate "
                "practicable, ensure adequate hydration, make sure the patient is not volume depleted, "
                "and stop if renal function worsens." + measured,
            )
        )
    if risk.thrombosis:
        out.append(
            Warning(
                "thrombosis",
                Severity.CAUTION,
                "Thrombotic risk: " + "; ".join(risk.thrombosis) + ". Label: minimum dose and infusion rate "
                "practicable, adequate hydration, monitor for thrombosis"
                + ("; assess blood viscosity." if "hyperviscosity" in risk.factors else "."),
            )
        )
    out.extend(_rate(plan))
    return out


def _rate(plan: PlanFacts) -> list[Warning]:
    product, risk = plan.product, plan.risk
    label_max = plan.titration.max_rate
    overrides = {o.kind: o for o in plan.order.overrides}
    out: list[Warning] = []
    overridden = [(c, hit) for c, hit in plan.unapplied_caps if c.provenance.verified]
    unverified = [(c, hit) for c, hit in plan.unapplied_caps if not c.provenance.verified]
    for cap, hit in overridden:
        out.append(
            Warning(
                "rate-capped",
                Severity.CRITICAL,
                f"OVERRIDE rate-cap: the {product.name} label cap "
                f"{number(cap.rate.m_as(MG_PER_KG_MIN), 2)} mg/kg/min for {' and '.join(hit)} risk is NOT "
                f"applied. Reason: {overrides['rate-cap'].reason if 'rate-cap' in overrides else ''}",
            )
        )
    ceiling = plan.ceiling
    reg = plan.regimen
    thrombosis_caps = [c for c in product.caps if c.provenance.verified and "thrombosis" in c.risks]
    if reg is not None and reg.decision and thrombosis_caps and "thrombosis" not in risk.kinds:
        cap = thrombosis_caps[0]
        out.append(
            Warning(
                "rate-capped",
                Severity.CAUTION,
                f"Decide: {reg.decision} {product.name}'s at-risk cap is "
                f"{number(cap.rate.m_as(MG_PER_KG_MIN), 2)} mg/kg/min; tick a thrombotic risk factor to "
                f"apply it, or keep the {plan.titration.indication} maximum "
                f"{number(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min [{reg.decision_source}].",
            )
        )
    if (risk.renal or risk.thrombosis) and ceiling.rate is None and not overridden:
        also = "".join(
            f" An unverified figure, {'less than ' if c.strict else ''}"
            f"{number(c.rate.m_as(MG_PER_KG_MIN), 2)} "
            f"mg/kg/min for {' and '.join(hit)} risk [{c.provenance.evidence}: {c.provenance.source}], is "
            "not applied."
            for c, hit in unverified
        )
        out.append(
            Warning(
                "rate-capped",
                Severity.CAUTION,
                f"The {product.name} label gives no numeric rate for at-risk patients ('minimum infusion "
                f"rate practicable').{also} The schedule runs to the label maximum "
                f"{number(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min unless a lower maximum rate is "
                "chosen.",
                frozenset({"rate"}),
            )
        )
    if ceiling.rate is not None and ceiling.rate < label_max:
        peak = max(r[3] for d in plan.days for r in d.schedule.rows)  # mL/h
        strict = (
            " (a 'less than' limit: the top pump rate is one step below it)" if plan.ladder.strict else ""
        )
        out.append(
            Warning(
                "rate-capped",
                Severity.INFO,
                f"Maximum rate {number(ceiling.rate.m_as(MG_PER_KG_MIN), 2)} mg/kg/min{strict} "
                f"({number(peak, 1)} mL/h at {number(plan.dosing.weight.m_as(KG), 1)} kg) instead of the "
                f"label's {number(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min: {ceiling.reason}.",
            )
        )
    return out
