"""The plan as plain text, for a pharmacist reading a terminal or pasting into a record."""

from __future__ import annotations

from ivig_desktop.engine import display as d
from ivig_desktop.engine.inputs import echo
from ivig_desktop.engine.plan import Plan
from ivig_desktop.report.check_block import VERIFY_BANNER, banner

__all__ = ["VERIFY_BANNER", "render_text"]


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r))
        for r in rows
    ]


def entered_section(plan: Plan) -> list[str]:
    """Every input as entered and as read, so the checker sees what the prescriber typed."""
    items = echo(plan)
    width = max(len(e.label) for e in items) + 1
    return ["ENTERED", *(f"  {(e.label + ':').ljust(width)} {e.shown}" for e in items), ""]


def render_text(plan: Plan) -> str:
    p = plan.patient
    product = plan.product
    lines = ["IVIG infusion plan", banner(plan), ""]
    crcl = plan.crcl
    crcl_text = (
        f"CrCl {d.fmt(crcl.value, 'crcl')} ({crcl.basis})"
        if crcl is not None and crcl.value is not None
        else (f"CrCl {crcl.basis}" if crcl is not None else "CrCl not calculated (no serum creatinine)")
    )
    lines.append(
        f"Patient:        {d.fmt(p.actual_weight, 'weight')}, {d.fmt(p.height, 'height')}, "
        f"{p.sex.value}, {d.age(p.age)}" + ("; pregnant" if p.pregnant else "")
    )
    lines.append(f"                {d.body_size(p)}; {crcl_text}")
    lines.append(f"Dosing weight:  {d.fmt(plan.dosing.weight, 'weight')} ({plan.dosing.basis})")
    lines.append(f"                {plan.dosing.reason}")
    lines.append(f"                policy: {plan.dosing.policy.name} [{plan.dosing.policy.id}]")
    lines.append(f"Rate weight:    {d.fmt(plan.rate_weight, 'weight')} (the dosing weight)")
    lines.append(
        f"Product:        {product.name} ({product.manufacturer}), {d.fmt(product.conc, 'concentration')} "
        f"({d.number(product.percent, 1)} %)"
    )
    lines.append(f"Titration:      {plan.titration_note}; maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}")
    reg = plan.regimen
    lines.append(
        f"Order:          {reg.name if reg else 'no indication'}: "
        f"{d.fmt(plan.course_dose_per_kg, 'dose_per_kg')} × {d.fmt(plan.dosing.weight, 'weight')} = "
        f"{d.fmt(plan.course_dose, 'dose')} over {len(plan.days)} day(s)"
    )
    lines.append(f"Dose:           {d.dose_statement(plan)}")
    lines.append(
        f"Total:          {d.fmt(plan.total_dose, 'dose')} given, {d.fmt(plan.total_volume, 'volume')}"
    )
    lines.append(
        f"Data:           formulary {plan.formulary_revision}; site settings {plan.settings_revision}"
    )
    lines.append("")
    lines.extend(entered_section(plan))
    if plan.warnings:
        lines.append("WARNINGS")
        lines.extend(f"  [{w.severity.label.upper()}] {w.code}: {w.message}" for w in plan.warnings)
        lines.append("")
    for day in plan.days:
        sched = day.schedule
        elapsed = not plan.clock_given
        vials = (
            ", ".join(f"{c.count} × {d.fmt(c.vial.size, 'dose')}" for c in day.pick.counts)
            or "no vial sizes in formulary"
        )
        waste = f", waste {d.fmt(day.pick.waste, 'dose')}" if day.pick.waste.m > 0 else ""
        lines.append(
            f"DAY {day.day} of {len(plan.days)}: prescribed {d.fmt(day.prescribed, 'dose')}, "
            f"give {d.fmt(day.dose, 'dose')} ({vials}{waste})"
        )
        lines.append(
            f"  volume {d.fmt(day.volume, 'volume')} ({d.fmt(day.volume_per_kg, 'volume_per_kg')}); "
            f"{d.clock(sched.start, sched.start, elapsed=elapsed)} to "
            f"{d.clock(sched.end, sched.start, elapsed=elapsed)} ({d.duration(sched.duration)})"
        )
        rows = [["Start", "Duration", "mg/kg/min", "mL/h", "Step mL", "Total mL"]]
        rows += [
            [
                d.clock(sched.clock(s), sched.start, elapsed=elapsed),
                d.duration(s.duration),
                d.number(s.dose_rate.m_as("mg/kg/min"), 2),
                d.number(s.rate.m_as("mL/h"), 1),
                d.number(s.volume.m_as("mL"), 1),
                d.number(s.cumulative_volume.m_as("mL"), 1),
            ]
            for s in sched.steps
        ]
        lines.extend(_table(rows, right={2, 3, 4, 5}))
        lines.append("")
    if plan.alternatives:
        lines.append("ALTERNATIVES")
        lines.extend(
            f"  - {a.description}: {d.fmt(a.volume_per_day, 'volume')}/day "
            f"({d.fmt(a.volume_per_kg, 'volume_per_kg')}), {d.duration(a.duration_per_day)} per day, "
            f"{a.days} day(s)"
            for a in plan.alternatives
        )
        lines.append("")
    return "\n".join(lines)
