"""Every input of a plan shown back: what was entered, and what it was read as.

The second clinician who checks a plan must see what the first one typed: "180 lb (81.6 kg)",
"1 g/kg/day", every risk factor and start-low reason even when it triggers no warning. One
list serves the text plan, the printout, the window's plan panel and the JSON ``inputs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivig_desktop.engine import display as d
from ivig_desktop.engine.quantities import dose_text, entered_text
from ivig_desktop.engine.risk_factors import RISK_FACTORS
from ivig_desktop.engine.start_rate import START_LOW_REASONS
from ivig_desktop.engine.units import Quantity, serum_creatinine_mg_dl, to_dose_rate

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Plan


@dataclass(frozen=True, slots=True)
class Echo:
    option: str
    """The command-line option that sets it, without "--" and with "_" for "-" (the JSON key)."""
    label: str
    entered: str | None
    """As entered, in the entered unit ("180 lb"); None when not given."""
    shown: str
    """For people: "180 lb (81.6 kg)", "none", "the regimen's: 2 g/kg course"."""
    value: Quantity | str | bool | int | list[str] | None
    """The parsed value (a quantity in the field's fixed unit for JSON, via ``kind``)."""
    kind: str | None = None


def _with_fixed(q: Quantity, kind: str, typed: str | None = None) -> str:
    """'180 lb (81.6 kg)'; just '80 kg' when entered in the fixed unit."""
    typed = typed or entered_text(q)
    fixed = d.fmt(q, kind)
    return typed if typed == fixed else f"{typed} ({fixed})"


def echo(plan: Plan) -> list[Echo]:
    p, o = plan.patient, plan.order
    out = [
        Echo(
            "weight",
            "Weight",
            entered_text(p.actual_weight),
            _with_fixed(p.actual_weight, "weight"),
            p.actual_weight,
            "weight",
        ),
        Echo("height", "Height", entered_text(p.height), _with_fixed(p.height, "height"), p.height, "height"),
        Echo("sex", "Sex", p.sex.value, p.sex.value, p.sex.value),
        Echo("age", "Age", entered_text(p.age), _age(p.age), p.age, "age"),
    ]
    scr = p.serum_creatinine
    out.append(
        Echo(
            "scr",
            "Serum creatinine",
            entered_text(scr) if scr is not None else None,
            _with_fixed(serum_creatinine_mg_dl(scr), "creatinine", entered_text(scr))
            if scr is not None
            else "not entered",
            serum_creatinine_mg_dl(scr) if scr is not None else None,
            "creatinine",
        )
    )
    out.append(
        Echo("pregnant", "Pregnant", "yes" if p.pregnant else None, "yes" if p.pregnant else "no", p.pregnant)
    )
    ppw = p.pre_pregnancy_weight
    out.append(
        Echo(
            "pre_pregnancy_weight",
            "Pre-pregnancy weight",
            entered_text(ppw) if ppw is not None else None,
            _with_fixed(ppw, "weight") if ppw is not None else "not entered",
            ppw,
            "weight",
        )
    )
    reg = plan.regimen
    out.append(
        Echo(
            "indication",
            "Indication",
            o.indication,
            f"{reg.id} ({reg.name})" if reg else "none",
            o.indication,
        )
    )
    if o.dose is not None:
        typed = dose_text(o.dose, o.dose_per_day)
        kind = "dose_per_kg" if o.dose.check("[mass] / [mass]") else "dose"
        out.append(
            Echo("dose", "Dose", typed, f"{typed} ({'daily' if o.dose_per_day else 'course'})", o.dose, kind)
        )
    else:
        out.append(
            Echo(
                "dose",
                "Dose",
                None,
                f"the regimen's: {d.fmt(plan.course_dose_per_kg, 'dose_per_kg')} course",
                None,
            )
        )
    n = len(plan.days)
    out.append(
        Echo(
            "days",
            "Days",
            str(o.days) if o.days is not None else None,
            str(o.days) if o.days is not None else f"the regimen's: {n}",
            n,
        )
    )
    out.append(Echo("product", "Product", o.product, f"{plan.product.id} ({plan.product.name})", o.product))
    # Each id with its name, so the checker reads what was chosen, not only the code for it.
    policy = f"{o.weight_policy} ({plan.dosing.policy.name})"
    out.append(Echo("weight_policy", "Weight policy", o.weight_policy, policy, o.weight_policy))
    risks = sorted(o.risks)
    named_risks = ", ".join(f"{r} ({RISK_LABELS[r]})" for r in risks)
    out.append(Echo("risk", "Risk factors", " ".join(risks) or None, named_risks or "none", risks))
    start_low = sorted(o.start_low)
    named_start = ", ".join(f"{r} ({START_LOW_REASONS[r]})" for r in start_low)
    out.append(Echo("start_low", "Start low", " ".join(start_low) or None, named_start or "none", start_low))
    mr = o.max_rate
    if mr is not None:
        as_dose = to_dose_rate(mr, plan.product.conc)
        out.append(
            Echo(
                "max_rate",
                "Maximum rate",
                entered_text(mr),
                _with_fixed(as_dose, "dose_rate")
                if mr.check("[mass]/[mass]/[time]")
                else f"{entered_text(mr)} ({d.fmt(as_dose, 'dose_rate')} at "
                f"{d.fmt(plan.product.conc, 'concentration')})",
                as_dose,
                "dose_rate",
            )
        )
    else:
        out.append(Echo("max_rate", "Maximum rate", None, "none (label maximum)", None))
    start = o.start.strftime("%H:%M") if o.start else None
    out.append(Echo("start", "Start time", start, start or "not given (times from the start: +H:MM)", start))
    ovs = [f"{ov.kind}: {ov.reason}" for ov in o.overrides]
    out.append(Echo("override", "Overrides", "; ".join(ovs) or None, "; ".join(ovs) or "none", ovs))
    return out


RISK_LABELS = {r.id: r.label for r in RISK_FACTORS}


def _age(q: Quantity) -> str:
    typed = entered_text(q)
    shown = d.age(q)
    return typed if typed.replace("y", "").strip() == shown.replace("y", "").strip() else f"{typed} ({shown})"


def echo_lines(plan: Plan) -> list[str]:
    """'Label: shown' per input, for the text plan and the printout."""
    return [f"{e.label}: {e.shown}" for e in echo(plan)]
