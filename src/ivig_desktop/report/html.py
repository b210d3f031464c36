"""The printed schedule as HTML for QTextDocument: one layout for preview, print and PDF.

Pure Python (no Qt) so its content can be checked directly. Only the HTML subset Qt's rich
text supports is used: simple tables with <thead> (Qt repeats the header row on each page),
single-line rows (a row is never split across pages), and page-break-before per day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from html import escape

from ivig_desktop import __version__
from ivig_desktop.engine import display as d
from ivig_desktop.engine.inputs import echo
from ivig_desktop.engine.plan import DayPlan, Plan
from ivig_desktop.engine.risk import Severity
from ivig_desktop.engine.risk_factors import Warning
from ivig_desktop.report.check_block import banner_html, checked_by_cell

FONT_FAMILY = "DejaVu Sans"
_BLANK = "_" * 22
_SEVERITY = {Severity.CRITICAL: "CRITICAL", Severity.CAUTION: "CAUTION", Severity.INFO: "info"}


def vital_sign_checkpoints(plan: Plan, day: DayPlan, *, h12: bool = False) -> list[tuple[str, str]]:
    """When to take vital signs (NL-IVIG002): before, 15 min in, each rate increase, end, after."""
    sched = day.schedule
    elapsed = not plan.clock_given

    def at(moment: datetime) -> str:
        return d.clock(moment, sched.start, elapsed=elapsed, h12=h12)

    moments = [("Before start", sched.start), ("15 min after start", sched.start + timedelta(minutes=15))]
    moments += [
        (f"Rate increase to {d.number(s.rate.m_as('mL/h'), 1)} mL/h", sched.clock(s)) for s in sched.steps[1:]
    ]
    moments.append(("End of infusion", sched.end))
    moments.sort(key=lambda m: m[1])  # read top to bottom: a 10-min first step comes before 15 min
    points = [(what, at(when)) for what, when in moments]
    points.append(
        (
            "30–60 min after the end",
            f"{at(sched.end + timedelta(minutes=30))}–{at(sched.end + timedelta(minutes=60))}",
        )
    )
    return points


def _patient_block(plan: Plan) -> str:
    p = plan.patient
    crcl = plan.crcl
    crcl_text = (
        f"{d.fmt(crcl.value, 'crcl')} ({escape(crcl.basis)})"
        if crcl is not None and crcl.value is not None
        else ("not calculated" if crcl is None else escape(crcl.basis))
    )
    scr = d.fmt(p.serum_creatinine, "creatinine") if p.serum_creatinine is not None else "not entered"
    return (
        '<table width="100%" cellpadding="3" border="1" cellspacing="0">'
        f"<tr><td>Name: {_BLANK}</td><td>MRN: {_BLANK}</td><td>Date of birth: {_BLANK}</td></tr>"
        f"<tr><td>Weight {d.fmt(p.actual_weight, 'weight')}; height {d.fmt(p.height, 'height')}; "
        f"{p.sex.value}; age {d.age(p.age)}{'; pregnant' if p.pregnant else ''}</td>"
        f"<td>{escape(d.body_size(p))}</td>"
        f"<td>Serum creatinine {scr}; CrCl {crcl_text}</td></tr>"
        "</table>"
    )


def _order_block(plan: Plan) -> str:
    product = plan.product
    reg = plan.regimen
    return (
        f"<p><b>Dosing weight {d.fmt(plan.dosing.weight, 'weight')}</b> ({plan.dosing.basis}), "
        f"policy <i>{escape(plan.dosing.policy.name)}</i>: {escape(plan.dosing.reason)}. "
        f"Rates are per kg of the dosing weight ({d.fmt(plan.rate_weight, 'weight')}).<br>"
        f"<b>{escape(product.name)}</b> ({escape(product.manufacturer)}), "
        f"{d.fmt(product.conc, 'concentration')} ({d.number(product.percent, 1)} %); "
        f"titration: {escape(plan.titration_note)}; maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}.<br>"
        f"<b>Order:</b> {escape(reg.name) if reg else 'no indication'}: "
        f"{d.fmt(plan.course_dose_per_kg, 'dose_per_kg')} × {d.fmt(plan.dosing.weight, 'weight')} = "
        f"<b>{d.fmt(plan.course_dose, 'dose')}</b> over {len(plan.days)} day(s); "
        f"total given {d.fmt(plan.total_dose, 'dose')}, {d.fmt(plan.total_volume, 'volume')}.<br>"
        f"<b>Dose:</b> {escape(d.dose_statement(plan))}.<br>"
        f"Formulary {escape(plan.formulary_revision)}; site settings {escape(plan.settings_revision)}; "
        f"ivig_desktop {__version__}.</p>"
    )


def entered_block(plan: Plan) -> str:
    """Every input as entered and as read, compact: one paragraph, "label: value" separated by
    semicolons, so the checker sees what the prescriber typed (risk factors that trigger nothing
    included) without a page of its own."""
    items = "; ".join(f"{escape(e.label)}: {escape(e.shown)}" for e in echo(plan))
    return f"<p><b>Entered:</b> {items}.</p>"


def _warnings_block(plan: Plan) -> str:
    if not plan.warnings:
        return "<p><b>Warnings:</b> none.</p>"
    rows = "".join(
        f"<li><b>{_SEVERITY[w.severity]}</b> {escape(w.code)}: {escape(w.message)}</li>"
        for w in plan.warnings
    )
    return f"<p><b>Warnings</b></p><ul>{rows}</ul>"


def critical_warnings(plan: Plan) -> list[Warning]:
    """The plan's critical warnings, in the engine's order."""
    return [w for w in plan.warnings if w.severity is Severity.CRITICAL]


def critical_banner(plan: Plan, reasons: Mapping[Warning, str] | None = None) -> str:
    """A boxed banner for the top of every printed page: each critical warning and the reason
    it was acknowledged with ("" when the plan has none). Self-contained, so the page painter
    can lay it out on its own above each page's body."""
    criticals = critical_warnings(plan)
    if not criticals:
        return ""
    reasons = reasons or {}
    rows = "".join(
        f"<tr><td><b>CRITICAL</b> {escape(w.message)}<br><i>Acknowledged: "
        f"{escape(reasons[w]) if reasons.get(w) else 'NOT ACKNOWLEDGED'}</i></td></tr>"
        for w in criticals
    )
    n = len(criticals)
    return (
        '<table width="100%" border="2" cellspacing="0" cellpadding="4" bgcolor="#fde7e9">'
        f'<tr><td><b><font color="#b00020">✖ {n} CRITICAL WARNING{"S" if n > 1 else ""}: '
        "act on each before this plan is used</font></b></td></tr>"
        f"{rows}</table>"
    )


def _day_block(plan: Plan, day: DayPlan, *, h12: bool) -> str:
    sched = day.schedule
    elapsed = not plan.clock_given

    def clock(moment: datetime) -> str:
        return d.clock(moment, sched.start, elapsed=elapsed, h12=h12)

    vial_rows = (
        "".join(
            f"<tr><td>{d.fmt(c.vial.size, 'dose')} vial ({d.fmt(c.vial.volume, 'volume')}), "
            f"{n + 1} of {c.count}</td><td>{_BLANK}</td><td>{_BLANK}</td></tr>"
            for c in day.pick.counts
            for n in range(c.count)
        )
        or f"<tr><td>No vial sizes in the formulary: {d.fmt(day.dose, 'dose')}</td><td></td><td></td></tr>"
    )
    waste = f"; waste {d.fmt(day.pick.waste, 'dose')}" if day.pick.waste.m > 0 else ""
    steps = "".join(
        "<tr>"
        f"<td>{clock(sched.clock(s))}</td><td>{d.duration(s.duration)}</td>"
        f'<td align="right">{d.number(s.dose_rate.m_as("mg/kg/min"), 2)}</td>'
        f'<td align="right"><b>{d.number(s.rate.m_as("mL/h"), 1)}</b></td>'
        f'<td align="right">{d.number(s.volume.m_as("mL"), 1)}</td>'
        f'<td align="right">{d.number(s.cumulative_volume.m_as("mL"), 1)}</td>'
        "<td></td></tr>"
        for s in sched.steps
    )
    vitals = "".join(
        f"<tr><td>{escape(what)}</td><td>{when}</td><td></td><td></td><td></td><td></td><td></td></tr>"
        for what, when in vital_sign_checkpoints(plan, day, h12=h12)
    )
    # One table row for all three: Qt never splits a row across pages, so the signatures stay together.
    sign = (
        "<tr>"
        + "".join(
            checked_by_cell(plan, _BLANK)
            if who == "Independently checked by"
            else f"<td><b>{who}</b><br>Signature: {_BLANK}<br>Date/time: {_BLANK}</td>"
            for who in ("Prepared by", "Independently checked by", "Administered by")
        )
        + "</tr>"
    )
    return (
        f"<h2>Day {day.day} of {len(plan.days)}</h2>"
        f"<p><b>Give {d.fmt(day.dose, 'dose')}</b> (prescribed {d.fmt(day.prescribed, 'dose')}) = "
        f"<b>{d.fmt(day.volume, 'volume')}</b> ({d.fmt(day.volume_per_kg, 'volume_per_kg')}){waste}. "
        f"Start {clock(sched.start)}, <b>end {clock(sched.end)}</b> ({d.duration(sched.duration)}).</p>"
        '<table width="100%" cellpadding="3" border="1" cellspacing="0">'
        "<thead><tr><th>Vials (pick list)</th><th>Lot number</th><th>Expiry</th></tr></thead>"
        f"{vial_rows}</table><p></p>"
        '<table width="100%" cellpadding="3" border="1" cellspacing="0">'
        "<thead><tr><th>Start</th><th>Duration</th><th>mg/kg/min</th><th>mL/h</th>"
        "<th>Step mL</th><th>Cumulative mL</th><th>Nurse initials</th></tr></thead>"
        f"{steps}</table><p></p>"
        '<table width="100%" cellpadding="3" border="1" cellspacing="0">'
        "<thead><tr><th>Vital signs</th><th>Planned</th><th>Actual time</th><th>BP</th>"
        "<th>Pulse</th><th>Temp</th><th>Resp</th></tr></thead>"
        f"{vitals}</table>"
        f"<p>Actual start: {_BLANK} Actual stop: {_BLANK} Rate changes: {_BLANK * 2}<br>"
        f"Reactions / actions: {_BLANK * 4}</p>"
        f'<table width="100%" cellpadding="3" border="1" cellspacing="0">{sign}</table>'
    )


_STYLE = (
    f"<style>body {{ font-family: '{FONT_FAMILY}'; font-size: 8pt; }} h1 {{ font-size: 13pt; }}"
    " h2 { font-size: 11pt; } th { background-color: #e8e8e8; }</style>"
)


def day_html(plan: Plan, day: DayPlan, *, h12: bool = False) -> str:
    """One infusion day as a document: patient, order, warnings and that day's schedule."""
    return (
        f"<html><head>{_STYLE}</head><body>"
        "<h1>IVIG infusion schedule</h1>"
        f"{banner_html(plan)}"
        f"{_patient_block(plan)}{_order_block(plan)}{entered_block(plan)}{_warnings_block(plan)}"
        f"{_day_block(plan, day, h12=h12)}"
        "</body></html>"
    )


def page_header(plan: Plan, day: DayPlan) -> str:
    """The line at the top of every printed page: whose it is and which day, even if it comes loose."""
    return f"Name: {_BLANK}   MRN: {_BLANK}   Date of birth: {_BLANK}   Day {day.day} of {len(plan.days)}"


def render_html(plan: Plan, *, h12: bool = False) -> str:
    """All days in one document, each day starting a new page (for viewing and checking)."""
    pages = []
    for i, day in enumerate(plan.days):
        body = day_html(plan, day, h12=h12)
        body = body[body.index("<body>") + len("<body>") : body.rindex("</body>")]
        brk = ' style="page-break-before: always"' if i else ""
        pages.append(f"<div{brk}>{body}</div>")
    return f"<html><head>{_STYLE}</head><body>{''.join(pages)}</body></html>"
