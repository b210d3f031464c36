"""The plan as plain text, for a pharmacist reading a terminal or pasting into a record.

Same order as the printed sheet: critical warnings, whose the plan is and the order's people,
the dose and each day's steps (with its date), the other warnings in clinical words, the
alternatives, and last the Sources: every warning in full, the dosing-weight reasoning and
the data behind the figures.
"""

from __future__ import annotations

from ivig_desktop.engine import display as d
from ivig_desktop.engine.inputs import echo
from ivig_desktop.engine.order_details import long_date
from ivig_desktop.engine.plan import Plan
from ivig_desktop.engine.risk import Severity
from ivig_desktop.report import wording as wd
from ivig_desktop.report.check_block import VERIFY_BANNER, banner

__all__ = ["IN_FULL_ABOVE", "VERIFY_BANNER", "render_text"]

IN_FULL_ABOVE = "in full under CRITICAL at the top"


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r))
        for r in rows
    ]


def _not_entered(value: str | None) -> str:
    return value if value is not None else "not entered"


def _who(plan: Plan) -> list[str]:
    det = plan.order.details
    ident = "; ".join(f"{k} {v if v != wd.BLANK else 'not entered'}" for k, v in wd.identity(plan))
    weighed = f"weighed {wd.plain_date(det.weight_date)}" if det.weight_date else "weight date not entered"
    p = plan.patient
    return [
        f"Patient:        {ident}",
        f"                {d.fmt(p.actual_weight, 'weight')} ({weighed}), {d.fmt(p.height, 'height')}, "
        f"{p.sex.value}, {d.age(p.age)}" + ("; pregnant" if p.pregnant else ""),
        f"                {d.body_size(p)}; {wd.crcl_text(plan)}",
        f"Allergies:      {_not_entered(det.allergies)}",
        f"Prescriber:     {_not_entered(det.prescriber)}",
        f"Premedication:  {_not_entered(det.premedication)}",
        f"Infusion site:  {_not_entered(det.infusion_site)}",
    ]


def _order(plan: Plan) -> list[str]:
    product = plan.product
    return [
        f"Product:        {product.name} ({product.manufacturer}), {d.fmt(product.conc, 'concentration')} "
        f"({d.number(product.percent, 1)} %)",
        f"Order:          {wd.order_line(plan)}",
        f"Dose:           {d.dose_statement(plan)}",
        f"Dosing weight:  {d.fmt(plan.dosing.weight, 'weight')} ({plan.dosing.basis}); rates per kg of it",
        f"Total:          {d.fmt(plan.total_dose, 'dose')} given, {d.fmt(plan.total_volume, 'volume')}; "
        f"maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}",
    ]


def _days(plan: Plan) -> list[str]:
    lines: list[str] = []
    elapsed = not plan.clock_given
    for day in plan.days:
        sched = day.schedule

        def clock(moment, start=sched.start) -> str:
            return d.clock(moment, start, elapsed=elapsed, dated=plan.dated)

        vials = (
            ", ".join(f"{c.count} × {d.fmt(c.vial.size, 'dose')}" for c in day.pick.counts)
            or "no vial sizes in formulary"
        )
        when = wd.day_date(plan, day)
        lines.append(
            f"DAY {day.day} of {len(plan.days)}{f' · {long_date(when)}' if when else ''}: "
            f"prescribed {d.fmt(day.prescribed, 'dose')}, give {d.fmt(day.dose, 'dose')} ({vials})"
        )
        lines.append(
            f"  volume {d.fmt(day.volume, 'volume')} ({d.fmt(day.volume_per_kg, 'volume_per_kg')}); "
            f"{clock(sched.start)} to {clock(sched.end)} ({d.duration(sched.duration)})"
        )
        waste = wd.waste_line(day)
        if waste:
            lines.append(f"  {waste}")
        rows = [["Start", "Duration", "mg/kg/min", "mL/h", "Step mL", "Total mL"]]
        rows += [[clock(sched.clock(s)), d.duration(s.duration), *d.step_figures(s)] for s in sched.steps]
        lines.extend(_table(rows, right={2, 3, 4, 5}))
        lines.append("")
    return lines


def entered_section(plan: Plan) -> list[str]:
    """Every input as entered and as read, so the checker sees what the prescriber typed."""
    items = echo(plan)
    width = max(len(e.label) for e in items) + 1
    return ["ENTERED", *(f"  {(e.label + ':').ljust(width)} {e.shown}" for e in items), ""]


def _sources(plan: Plan) -> list[str]:
    lines = ["SOURCES (full warning and label wording)"]
    # A critical warning is already in full at the top; here it is named, not printed a second time.
    lines.extend(
        f"  [{w.severity.label.upper()}] {w.code}: "
        + (IN_FULL_ABOVE if w.severity is Severity.CRITICAL else w.message)
        for w in plan.warnings
    )
    if not plan.warnings:
        lines.append("  no warnings")
    lines += [
        f"  Dosing weight:  {d.fmt(plan.dosing.weight, 'weight')} ({plan.dosing.basis}): "
        f"{plan.dosing.reason}",
        f"                  policy: {plan.dosing.policy.name} [{plan.dosing.policy.id}]",
        f"  Rate weight:    {d.fmt(plan.rate_weight, 'weight')} (the dosing weight)",
        f"  Titration:      {plan.titration_note}; maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}",
        f"  Data:           formulary {plan.formulary_revision}; site settings {plan.settings_revision}",
    ]
    return lines


def policy_lines(plan: Plan) -> list[str]:
    """The policies side by side: what the choice of dosing-weight policy does for this patient."""
    if not plan.policy_comparison:
        return []
    rows = [["Policy", "Dosing weight", "Basis", "Course dose"]]
    for r in plan.policy_comparison:
        mark = " *" if r.policy == plan.dosing.policy.id else ""
        rows.append(
            [
                r.policy + mark,
                d.fmt(r.weight, "weight") if r.weight is not None else "—",
                r.basis if r.weight is not None else f"not applicable: {r.reason}",
                d.fmt(r.course_dose, "dose") if r.course_dose is not None else "—",
            ]
        )
    return ["POLICIES SIDE BY SIDE (* = this plan)", *_table(rows, right={1, 3}), ""]


def render_text(plan: Plan) -> str:
    lines = ["IVIG infusion plan", banner(plan), ""]
    crit = wd.critical(plan)
    if crit:
        lines.append("CRITICAL (act on this before starting the infusion)")
        lines.extend(f"  [CRITICAL] {w.code}: {w.message}" for w in crit)
        lines.append("")
    lines += _who(plan) + _order(plan) + [""] + _days(plan)
    rest = wd.others(plan)
    if rest:
        lines.append("WARNINGS")
        lines.extend(f"  [{w.severity.label.upper()}] {w.code}: {wd.compact(w)}" for w in rest)
        lines.append("")
    if plan.alternatives:
        lines.append("ALTERNATIVES (to be ordered by the prescriber; not this plan)")
        lines.extend(f"  - {wd.alternative_line(a)}" for a in plan.alternatives)
        lines.append("")
    elif wd.mentions_alternatives(plan):
        lines += ["ALTERNATIVES", f"  {wd.NO_ALTERNATIVES}", ""]
    lines += entered_section(plan)
    lines += _sources(plan)
    lines.extend(policy_lines(plan))
    return "\n".join(lines)
