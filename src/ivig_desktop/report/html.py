"""The printed schedule as HTML for QTextDocument: one layout for preview, print and PDF.

Laid out for the chair: each day's sheet leads with whose it is (name, MRN, date of birth,
allergies, prescriber), the day's date, the dose and bag volume, and the step table; the
other warnings follow in clinical words, then the pick list, premedication, vital signs and
signatures. Critical warnings are a boxed banner at the top of every page. The label's full
wording, the dosing-weight reasoning and the data revisions close the document in a Sources
section (printed once, after the last day).

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
from ivig_desktop.engine.risk_factors import Warning
from ivig_desktop.engine.schedule import Step
from ivig_desktop.report import wording as wd
from ivig_desktop.report.check_block import banner_html, checked_by_cell
from ivig_desktop.report.wording import BLANK as _BLANK
from ivig_desktop.report.wording import SEVERITY as _SEVERITY

FONT_FAMILY = "DejaVu Sans"
_TABLE = '<table width="100%" cellpadding="2" border="1" cellspacing="0">'


def vital_sign_checkpoints(plan: Plan, day: DayPlan, *, h12: bool = False) -> list[tuple[str, str]]:
    """When to take vital signs (NL-IVIG002): before, 15 min in, each rate increase, end, after."""
    sched = day.schedule
    elapsed = not plan.clock_given

    def at(moment: datetime) -> str:
        return d.clock(moment, sched.start, elapsed=elapsed, h12=h12, dated=plan.dated)

    moments = [("Before start", sched.start), ("15 min after start", sched.start + timedelta(minutes=15))]
    moments += [(f"Rate increase to {d.fmt(s.rate, 'rate')}", sched.clock(s)) for s in sched.steps[1:]]
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


def critical_warnings(plan: Plan) -> list[Warning]:
    """The plan's critical warnings, in the engine's order."""
    return wd.critical(plan)


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


def _identity_block(plan: Plan) -> str:
    det = plan.order.details
    ident = "".join(f"<td>{who}: <b>{escape(value)}</b></td>" for who, value in wd.identity(plan))
    return (
        f"{_TABLE}<tr>{ident}</tr>"
        f"<tr><td>{escape(wd.weight_line(plan))}</td><td>{escape(d.body_size(plan.patient))}</td>"
        f"<td>{escape(wd.crcl_text(plan))}</td></tr>"
        f"<tr><td>Allergies: <b>{escape(wd.value_or_blank(det.allergies))}</b></td>"
        f"<td>Prescriber: <b>{escape(wd.value_or_blank(det.prescriber))}</b></td>"
        f"<td>Infusion site: <b>{escape(wd.value_or_blank(det.infusion_site))}</b></td></tr>"
        "</table>"
    )


def _dose_block(plan: Plan, day: DayPlan, *, h12: bool) -> str:
    sched = day.schedule
    product = plan.product

    def clock(moment: datetime) -> str:
        return d.clock(moment, sched.start, elapsed=not plan.clock_given, h12=h12, dated=plan.dated)

    return (
        f"<p><b>{escape(product.name)}</b> ({escape(product.manufacturer)}), "
        f"{d.fmt(product.conc, 'concentration')} ({d.number(product.percent, 1)} %). "
        f"Order: {escape(wd.order_line(plan))}. "
        f"<b>Dosing weight {d.fmt(plan.dosing.weight, 'weight')}</b> ({plan.dosing.basis}), "
        f"policy <i>{escape(plan.dosing.policy.name)}</i>; rates are per kg of it.<br>"
        f"<b>Dose:</b> {escape(d.dose_statement(plan))}.<br>"
        f"<b>Give {d.fmt(day.dose, 'dose')}</b> (prescribed {d.fmt(day.prescribed, 'dose')}) = "
        f"<b>{d.fmt(day.volume, 'volume')}</b> ({d.fmt(day.volume_per_kg, 'volume_per_kg')}). "
        f"Start {clock(sched.start)}, <b>end {clock(sched.end)}</b> ({d.duration(sched.duration)}). "
        f"Maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}.</p>"
    )


def _steps_table(plan: Plan, day: DayPlan, *, h12: bool) -> str:
    sched = day.schedule

    def clock(moment: datetime) -> str:
        return d.clock(moment, sched.start, elapsed=not plan.clock_given, h12=h12, dated=plan.dated)

    def row(s: Step) -> str:
        dose_rate, rate, volume, total = d.step_figures(s)
        return (
            f"<tr><td>{clock(sched.clock(s))}</td><td>{d.duration(s.duration)}</td>"
            f'<td align="right">{dose_rate}</td><td align="right"><b>{rate}</b></td>'
            f'<td align="right">{volume}</td><td align="right">{total}</td><td></td></tr>'
        )

    steps = "".join(row(s) for s in sched.steps)
    return (
        f"{_TABLE}<thead><tr><th>Start</th><th>Duration</th><th>mg/kg/min</th><th>mL/h</th>"
        "<th>Step mL</th><th>Cumulative mL</th><th>Nurse initials</th></tr></thead>"
        f"{steps}</table>"
    )


def _warnings_block(plan: Plan) -> str:
    """Warnings other than critical (those are in the banner), in clinical words."""
    rest = wd.others(plan)
    crit = wd.critical(plan)
    if not plan.warnings:
        return "<p><b>Warnings:</b> none.</p>"
    head = f"<b>Warnings</b> ({len(crit)} critical, in the box above)" if crit else "<b>Warnings</b>"
    if not rest:
        return f"<p>{head}.</p>"
    rows = "".join(
        f"<br>• <b>{_SEVERITY[w.severity]}</b> {escape(w.code)}: {escape(wd.compact(w))}" for w in rest
    )
    return f"<p>{head}{rows}</p>"


def _alternatives_block(plan: Plan) -> str:
    """Printed whenever a warning points to alternatives (or the plan has any)."""
    if plan.alternatives:
        rows = "".join(f"<br>• {escape(wd.alternative_line(a))}" for a in plan.alternatives)
        return f"<p><b>Alternatives</b> (to be ordered by the prescriber; not this plan){rows}</p>"
    if wd.mentions_alternatives(plan):
        return f"<p><b>Alternatives:</b> {escape(wd.NO_ALTERNATIVES)}.</p>"
    return ""


def _pick_list(plan: Plan, day: DayPlan) -> str:
    """One lot/expiry cell pair per physical vial, two vials to a row to keep the sheet to a page."""
    cells = [
        f"<td>{d.fmt(c.vial.size, 'dose')} vial ({d.fmt(c.vial.volume, 'volume')}), {n + 1} of {c.count}</td>"
        "<td></td><td></td>"
        for c in day.pick.counts
        for n in range(c.count)
    ]
    if not cells:
        cells = [f"<td>No vial sizes in the formulary: {d.fmt(day.dose, 'dose')}</td><td></td><td></td>"]
    if len(cells) % 2:
        cells.append("<td></td><td></td><td></td>")
    rows = "".join(f"<tr>{cells[i]}{cells[i + 1]}</tr>" for i in range(0, len(cells), 2))
    waste = wd.waste_line(day)
    waste_row = f'<tr><td colspan="6"><b>{escape(waste)}</b></td></tr>' if waste else ""
    head = "<th>Vials (pick list)</th><th>Lot number</th><th>Expiry</th>"
    return f"{_TABLE}<thead><tr>{head * 2}</tr></thead>{rows}{waste_row}</table>"


def _premedication_block(plan: Plan) -> str:
    ordered = plan.order.details.premedication
    what = f"ordered: <b>{escape(ordered)}</b>" if ordered else "none entered on the order"
    given = f"Drug and dose given: {_BLANK * 2}  Time given: {_BLANK[:12]}  Initials: {_BLANK[:10]}"
    return f"<p><b>Premedication</b> ({what})<br>{given}<br>{given}</p>"


def _vitals_table(plan: Plan, day: DayPlan, *, h12: bool) -> str:
    vitals = "".join(
        f"<tr><td>{escape(what)}</td><td>{when}</td><td></td><td></td><td></td><td></td><td></td></tr>"
        for what, when in vital_sign_checkpoints(plan, day, h12=h12)
    )
    return (
        f"{_TABLE}<thead><tr><th>Vital signs</th><th>Planned</th><th>Actual time</th><th>BP</th>"
        "<th>Pulse</th><th>Temp</th><th>Resp</th></tr></thead>"
        f"{vitals}</table>"
    )


#: The first words of the signature table, by which the painter finds it to keep it on one page.
SIGNATURE_FIRST = "Prepared by"


def _sign_block(plan: Plan) -> str:
    # One table row for all three, kept on one page by the painter (printing.py), so the
    # signatures stay together.
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
        f"<p>Actual start: {_BLANK} Actual stop: {_BLANK} Rate changes: {_BLANK * 2}<br>"
        f"Site checked (time/initials): {_BLANK} Reactions / actions: {_BLANK * 3}</p>"
        f"{_TABLE}{sign}</table>"
    )


def entered_block(plan: Plan) -> str:
    """Every input as entered and as read, compact: one paragraph, "label: value" separated by
    semicolons, so the checker sees what the prescriber typed (risk factors that trigger nothing
    included) without a page of its own."""
    items = "; ".join(f"{escape(e.label)}: {escape(e.shown)}" for e in echo(plan))
    return f"<p><b>Entered:</b> {items}.</p>"


def _data_line(plan: Plan) -> str:
    """The data the figures came from, so a printout can be traced; the reasoning is under Sources."""
    return (
        f"<p>Formulary {escape(plan.formulary_revision)}; site settings {escape(plan.settings_revision)}; "
        f"ivig_desktop {__version__}. Full warning and label wording, the dosing-weight reasoning and "
        "the titration: Sources, after the last day.</p>"
    )


def _day_block(plan: Plan, day: DayPlan, *, h12: bool) -> str:
    return (
        f"{_dose_block(plan, day, h12=h12)}{_steps_table(plan, day, h12=h12)}"
        f"{_warnings_block(plan)}{_alternatives_block(plan)}"
        f"{_pick_list(plan, day)}{_premedication_block(plan)}"
        f"{_vitals_table(plan, day, h12=h12)}{_sign_block(plan)}{_data_line(plan)}{entered_block(plan)}"
    )


_STYLE = (
    f"<style>body {{ font-family: '{FONT_FAMILY}'; font-size: 8pt; }}"
    " h2 { font-size: 11pt; } th { background-color: #e8e8e8; }"
    " p { margin-top: 4px; margin-bottom: 4px; }</style>"
)


def day_html(
    plan: Plan,
    day: DayPlan,
    *,
    h12: bool = False,
    banner: bool = True,
    acknowledged: Mapping[Warning, str] | None = None,
) -> str:
    """One infusion day as a document: whose, which date, the dose and the steps first.

    ``banner=False`` leaves out the critical box, for a painter that draws it on every page.
    """
    return (
        f"<html><head>{_STYLE}</head><body>"
        f"{critical_banner(plan, acknowledged) if banner else ''}"
        # A sized span, not <h1>: Qt prints a heading far larger than any font size it is given.
        '<p><b><span style="font-size: 12pt">'
        f"IVIG infusion schedule · {escape(wd.day_title(plan, day))}</span></b></p>"
        f"{_identity_block(plan)}"
        f"{banner_html(plan)}"
        f"{_day_block(plan, day, h12=h12)}"
        "</body></html>"
    )


def sources_body(plan: Plan) -> str:
    """Every warning in full with its code, the dosing-weight reasoning and the data behind it."""
    product = plan.product
    warnings = (
        "".join(
            f"<li><b>{_SEVERITY[w.severity]}</b> {escape(w.code)}: {escape(w.message)}</li>"
            for w in plan.warnings
        )
        or "<li>No warnings.</li>"
    )
    return (
        "<h2>Sources: full warning and label wording, for all days</h2>"
        f"<p><b>Warnings in full</b> (most severe first)</p><ul>{warnings}</ul>"
        f"<p><b>Product:</b> {escape(product.name)} ({escape(product.manufacturer)}), "
        f"{d.fmt(product.conc, 'concentration')} ({d.number(product.percent, 1)} %); titration: "
        f"{escape(plan.titration_note)}; maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}.<br>"
        f"<b>Dosing weight:</b> {d.fmt(plan.dosing.weight, 'weight')} ({plan.dosing.basis}); policy "
        f"{escape(plan.dosing.policy.name)} [{escape(plan.dosing.policy.id)}]: "
        f"{escape(plan.dosing.reason)}. Rates are per kg of the dosing weight "
        f"({d.fmt(plan.rate_weight, 'weight')}). Course total given {d.fmt(plan.total_dose, 'dose')}, "
        f"{d.fmt(plan.total_volume, 'volume')}.<br>"
        f"<b>Data:</b> formulary {escape(plan.formulary_revision)}; site settings "
        f"{escape(plan.settings_revision)}; ivig_desktop {__version__}.</p>"
    )


def sources_html(plan: Plan) -> str:
    return f"<html><head>{_STYLE}</head><body>{sources_body(plan)}</body></html>"


def page_header(plan: Plan, day: DayPlan | None) -> str:
    """The line at the top of every printed page: whose it is and which day, even if it comes loose."""
    who = "   ".join(f"{k}: {v}" for k, v in wd.identity(plan))
    which = wd.day_title(plan, day, short=True) if day is not None else "Sources (all days)"
    return f"{who}   {which}"


def render_html(plan: Plan, *, h12: bool = False, acknowledged: Mapping[Warning, str] | None = None) -> str:
    """All days in one document, each day starting a new page, then the Sources (for viewing)."""
    pages = []
    for i, day in enumerate(plan.days):
        body = day_html(plan, day, h12=h12, acknowledged=acknowledged)
        body = body[body.index("<body>") + len("<body>") : body.rindex("</body>")]
        brk = ' style="page-break-before: always"' if i else ""
        pages.append(f"<div{brk}>{body}</div>")
    pages.append(f'<div style="page-break-before: always">{sources_body(plan)}</div>')
    return f"<html><head>{_STYLE}</head><body>{''.join(pages)}</body></html>"
