"""The warnings of a plan: each with a stable code, a severity and the numbers behind it.

Codes are part of the JSON contract: iga, maltose, sorbitol, proline, corn, renal,
thrombosis, rate-capped, volume-load, off-label, dose-limit, rounding, titration (how the steps
were laid out), dosing-weight (policy notes and the actual-weight override).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivig_desktop.engine.risk import Severity, Warning
from ivig_desktop.engine.settings import SiteSettings
from ivig_desktop.engine.units import G_PER_KG, KG, MG_PER_KG_MIN, MIN, ML, ML_PER_H, ML_PER_KG, G, Quantity

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Plan

START_LOW_REASONS = {
    "first-infusion": "first infusion",
    "over-8-weeks": "more than 8 weeks since the last infusion",
    "product-switch": "switch from another immune globulin product",
}


def fmt_number(value: float, digits: int = 1) -> str:
    """A number for a message: grouped thousands, no trailing zeros (ISMP)."""
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_fmt = fmt_number


def _w(code: str, severity: Severity, message: str) -> Warning:
    return Warning(code, severity, message)


def plan_warnings(
    plan: Plan, settings: SiteSettings, off_label: bool, cap_rate: Quantity | None, cap_reason: str
) -> list[Warning]:
    out: list[Warning] = []
    risk, product = plan.risk, plan.product
    day = plan.days[0]
    w = plan.rate_weight.m_as(KG)
    label_max = plan.titration.max_rate

    # Product contraindications and interferences.
    factors = risk.factors
    if "iga-deficiency" in factors:
        iga = (
            f"{product.iga_qualifier} {_fmt(product.iga.quantity.m_as('mcg/mL'))} mcg/mL IgA"
            if product.iga is not None
            else "IgA content not found in the label text read"
        )
        out.append(
            _w(
                "iga",
                Severity.CRITICAL,
                f"IgA deficiency with antibodies against IgA: all IVIG labels contraindicate use with a "
                f"history of hypersensitivity. {product.name}: {iga}.",
            )
        )
    if "maltose" in product.contains:
        sev = Severity.CRITICAL if "maltose-meter" in factors else Severity.CAUTION
        out.append(
            _w(
                "maltose",
                sev,
                f"{product.name} contains maltose: GDH-PQQ and glucose-dye-oxidoreductase meters read it "
                "as glucose (falsely high readings, insulin given, hypoglycaemia missed). Measure blood "
                "glucose with a glucose-specific method during and after the infusion."
                + (
                    " The patient's glucose is monitored with a maltose-sensitive meter."
                    if sev is Severity.CRITICAL
                    else ""
                ),
            )
        )
    if "sorbitol" in product.contains:
        prov = product.contains["sorbitol"]
        if "fructose-intolerance" in factors:
            if prov.verified:
                out.append(
                    _w(
                        "sorbitol",
                        Severity.CRITICAL,
                        f"{product.name} contains sorbitol [{prov.evidence}: {prov.source}]; intravenous "
                        "sorbitol in hereditary fructose intolerance can cause hypoglycaemia, acidosis, "
                        "liver failure and death. Choose a sorbitol-free product.",
                    )
                )
            else:
                out.append(
                    _w(
                        "sorbitol",
                        Severity.CAUTION,
                        f"{product.name} may contain sorbitol [{prov.evidence}, unverified: {prov.source}]; "
                        "the patient has hereditary fructose intolerance. Confirm with the current label "
                        "or choose a product known to be sorbitol-free.",
                    )
                )
        elif prov.verified:
            out.append(
                _w(
                    "sorbitol",
                    Severity.INFO,
                    f"{product.name} contains sorbitol: check for hereditary fructose intolerance.",
                )
            )
    if "proline" in product.contains and "hyperprolinaemia" in factors:
        out.append(
            _w(
                "proline",
                Severity.CRITICAL,
                f"{product.name} is stabilised with L-proline; hyperprolinaemia is a contraindication "
                f"[{product.contains['proline'].source}]. Choose another product.",
            )
        )
    if "corn" in product.contains and "corn-allergy" in factors:
        out.append(
            _w(
                "corn",
                Severity.CRITICAL,
                f"{product.name} (maltose from corn) is contraindicated in acute hypersensitivity to corn "
                f"[{product.contains['corn'].source}].",
            )
        )
    if "sucrose" in product.contains and risk.renal:
        out.append(
            _w(
                "renal",
                Severity.CRITICAL,
                f"{product.name} contains sucrose: renal failure is more common with "
                "sucrose-containing IGIV.",
            )
        )

    # Boxed-warning risks.
    if risk.renal:
        out.append(
            _w(
                "renal",
                Severity.CAUTION,
                "Renal risk: " + "; ".join(risk.renal) + ". Label: give the minimum dose and infusion rate "
                "practicable, ensure adequate hydration, make sure the patient is not volume depleted, "
                "and stop if renal function worsens."
                + (
                    f" CrCl {_fmt(plan.crcl.value.m_as('mL/min'), 0)} mL/min ({plan.crcl.basis})."
                    if plan.crcl is not None and plan.crcl.value is not None
                    else ""
                ),
            )
        )
    if risk.thrombosis:
        out.append(
            _w(
                "thrombosis",
                Severity.CAUTION,
                "Thrombotic risk: " + "; ".join(risk.thrombosis) + ". Label: minimum dose and infusion rate "
                "practicable, adequate hydration, monitor for thrombosis"
                + ("; assess blood viscosity." if "hyperviscosity" in factors else "."),
            )
        )
    label_capped = any(c.provenance.verified and set(c.risks) & risk.kinds for c in product.caps)
    if (risk.renal or risk.thrombosis) and cap_rate is None and not label_capped:
        out.append(
            _w(
                "rate-capped",
                Severity.CAUTION,
                f"The {product.name} label gives no numeric rate for at-risk patients ('minimum infusion "
                "rate practicable'); the schedule runs to the label maximum "
                f"{_fmt(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min unless a lower maximum rate is chosen.",
            )
        )
    if cap_rate is not None and cap_rate < label_max:
        peak = day.schedule.peak_rate.m_as(ML_PER_H)
        out.append(
            _w(
                "rate-capped",
                Severity.CAUTION,
                f"Maximum rate capped at {_fmt(cap_rate.m_as(MG_PER_KG_MIN), 2)} mg/kg/min "
                f"({_fmt(peak)} mL/h at {_fmt(w)} kg) instead of the label's "
                f"{_fmt(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min: "
                f"{cap_reason}.",
            )
        )

    # Volume load.
    limit = plan.volume_limit
    vol = day.volume.m_as(ML)
    per_kg = day.volume_per_kg.m_as(ML_PER_KG)
    which = "strict" if risk.strict_volume else "standard"
    why = f" ({'; '.join(risk.strict_volume)})" if risk.strict_volume else ""
    over = []
    if day.volume > limit.per_day:
        over.append(f"{_fmt(vol, 0)} mL/day > {_fmt(limit.per_day.m_as(ML), 0)} mL")
    if day.volume_per_kg > limit.per_kg:
        over.append(f"{_fmt(per_kg, 2)} mL/kg/day > {_fmt(limit.per_kg.m_as(ML_PER_KG))} mL/kg")
    volume_override = next((o for o in plan.order.overrides if o.kind == "volume-limit"), None)
    if over and volume_override is not None:
        out.append(
            _w(
                "volume-load",
                Severity.CAUTION,
                f"OVERRIDE volume-limit: above the site's {which} limit{why}: "
                + "; ".join(over)
                + f". Reason: {' '.join(volume_override.reason.split())}",
            )
        )
    elif over:
        out.append(
            _w(
                "volume-load",
                Severity.CRITICAL,
                f"Volume load above the site's {which} limit{why}: "
                + "; ".join(over)
                + f" of {product.name} ({_fmt(product.percent)} %). See the alternatives.",
            )
        )
    elif risk.strict_volume:
        out.append(
            _w(
                "volume-load",
                Severity.INFO,
                f"Volume {_fmt(vol, 0)} mL/day ({_fmt(per_kg)} mL/kg) is within the site's strict limit "
                f"{_fmt(limit.per_day.m_as(ML), 0)} mL and {_fmt(limit.per_kg.m_as(ML_PER_KG))} mL/kg{why}.",
            )
        )
    if "heart-failure" in factors and not over:
        out.append(
            _w(
                "volume-load",
                Severity.CAUTION,
                "Heart failure / reduced cardiac function: labels name fluid overload and hyperviscosity "
                "as overdose risks in cardiac impairment; assess fluid status before and during "
                "the infusion.",
            )
        )

    # Dose and regimen.
    reg = plan.regimen
    if off_label and reg is not None:
        out.append(
            _w(
                "off-label",
                Severity.CAUTION,
                f"{product.name} is not labelled for {reg.name} in the formulary; {plan.titration_note}.",
            )
        )
    elif reg is None:
        out.append(_w("off-label", Severity.INFO, f"No indication chosen; {plan.titration_note}."))
    per_kg_dose = plan.course_dose_per_kg.m_as(G_PER_KG)
    if reg is not None and reg.dose_low is not None and reg.dose_high is not None:
        lo, hi = reg.dose_low.m_as(G_PER_KG), reg.dose_high.m_as(G_PER_KG)
        if not lo * (1 - 1e-9) <= per_kg_dose <= hi * (1 + 1e-9):
            out.append(
                _w(
                    "dose-limit",
                    Severity.CAUTION,
                    f"Course dose {_fmt(per_kg_dose, 2)} g/kg is outside the {reg.name} regimen "
                    f"({_fmt(lo, 2)}–{_fmt(hi, 2)} g/kg) [{reg.source}].",
                )
            )
    if (
        reg is not None
        and reg.days_range is not None
        and not reg.days_range[0] <= len(plan.days) <= reg.days_range[1]
    ):
        out.append(
            _w(
                "dose-limit",
                Severity.CAUTION,
                f"{len(plan.days)} day(s) is outside the {reg.name} regimen's "
                f"{reg.days_range[0]}–{reg.days_range[1]} days.",
            )
        )
    if reg is not None and reg.evidence in ("NOT FOUND", "BELIEVED"):
        out.append(_w("off-label", Severity.INFO, f"{reg.name}: {reg.source}."))
    if reg is not None and reg.infusion_hours is not None:
        hours = day.schedule.duration.m_as("h")
        lo_h, hi_h = (h.m_as("h") for h in reg.infusion_hours)
        sev = Severity.CAUTION if hours > hi_h else Severity.INFO
        out.append(
            _w(
                "titration",
                sev,
                f"{reg.name}: the regimen runs over {_fmt(lo_h)}–{_fmt(hi_h)} h; this schedule takes "
                f"{_fmt(hours)} h.",
            )
        )

    # Vials.
    pick = day.pick
    tol = settings.rounding_tolerance * 100
    if pick.no_vials:
        out.append(
            _w(
                "rounding",
                Severity.CAUTION,
                f"No vial sizes for {product.name} in the formulary (not found in the label text read): "
                f"give {_fmt(pick.dose.m_as(G), 2)} g per day and add the stocked sizes to a site formulary.",
            )
        )
    elif pick.rounded:
        change = (pick.dose / pick.prescribed).to("").m * 100 - 100
        out.append(
            _w(
                "rounding",
                Severity.INFO,
                f"Each day's dose rounded to whole vials: prescribed {_fmt(pick.prescribed.m_as(G), 2)} g, "
                f"given {_fmt(pick.dose.m_as(G), 2)} g ({change:+.1f} %, within ±{_fmt(tol)} %).",
            )
        )
    elif not pick.within_tolerance:
        out.append(
            _w(
                "rounding",
                Severity.CAUTION,
                f"No whole-vial amount within ±{_fmt(tol)} % of {_fmt(pick.prescribed.m_as(G), 2)} g: "
                f"give the exact dose from {_fmt(pick.opened.m_as(G), 2)} g opened, "
                f"{_fmt(pick.waste.m_as(G), 2)} g waste per day.",
            )
        )

    # Data provenance.
    if plan.titration.step_minutes is None:
        out.append(
            _w(
                "titration",
                Severity.INFO,
                f"The {product.name} label gives no step interval for {plan.titration.indication}: steps are "
                f"held {_fmt(settings.default_step_minutes.m_as(MIN), 0)} min (site setting).",
            )
        )
    if plan.order.start_low:
        why = ", ".join(START_LOW_REASONS[r] for r in sorted(plan.order.start_low))
        out.append(
            _w(
                "titration",
                Severity.INFO,
                f"Start-low ({why}): the infusion starts at the label's lowest rate, "
                f"{_fmt(plan.ladder.rungs[0].dose_rate.m_as(MG_PER_KG_MIN), 3)} mg/kg/min.",
            )
        )
    elif plan.ladder.start_skipped:
        later = plan.titration.subsequent_start
        out.append(
            _w(
                "titration",
                Severity.INFO,
                "Subsequent infusion: starts at "
                f"{_fmt(plan.ladder.rungs[0].dose_rate.m_as(MG_PER_KG_MIN), 3)} mg/kg/min "
                f"[{later.provenance.source if later else ''}]. "
                "Tick first infusion, > 8 weeks or product switch to start at the lowest rate.",
            )
        )
    out.extend(
        _w("dosing-weight", Severity.INFO, f"Unverified policy threshold: {note}.")
        for note in plan.dosing.unverified
    )
    if plan.crcl is not None and plan.crcl.value is None:
        out.append(_w("renal", Severity.INFO, f"Creatinine clearance {plan.crcl.basis}."))
    return out
