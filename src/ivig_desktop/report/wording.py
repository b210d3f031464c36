"""Words both reports share: warnings in short clinical form, alternatives, dates and blanks.

The sheet at the chair shows each warning in its clinical words; the label's own wording
(the "Label: ..." advice and quotations such as "(octagamusa.com: '...')") is printed in
full in the Sources section at the end, with its source. Only wording is changed here; no
number is computed.
"""

from __future__ import annotations

import re
from datetime import date

from ivig_desktop.engine import display as d
from ivig_desktop.engine.order_details import long_date, short_date
from ivig_desktop.engine.plan import Alternative, DayPlan, Plan
from ivig_desktop.engine.risk import Severity, Warning

BLANK = "_" * 22
SEVERITY = {Severity.CRITICAL: "CRITICAL", Severity.CAUTION: "CAUTION", Severity.INFO: "info"}
SOURCES_NOTE = "label wording in Sources"

# "Label: ..." up to the end of its sentence, and a parenthesised quotation "(source: '...')".
_LABEL_SENTENCE = re.compile(r"\s*Label: .*?(?:\.(?=\s|$)|$)")
# The group runs to its own closing parenthesis (one level of nesting), so a quotation followed
# by a note ("(source: '...'; 'less than': strict since ...)") is moved to Sources whole.
_QUOTED_SOURCE = re.compile(r"\s*\([^()]*?: '(?:[^()]|\([^()]*\))*\)")


def quotes_label(w: Warning) -> bool:
    """True when the warning carries label wording that the compact form leaves to Sources."""
    return bool(_LABEL_SENTENCE.search(w.message) or _QUOTED_SOURCE.search(w.message))


def compact(w: Warning) -> str:
    """The warning without its label quotations, saying where they are when it had any."""
    text = _QUOTED_SOURCE.sub("", _LABEL_SENTENCE.sub("", w.message)).strip()
    return f"{text} ({SOURCES_NOTE})" if quotes_label(w) else text


def critical(plan: Plan) -> list[Warning]:
    return [w for w in plan.warnings if w.severity is Severity.CRITICAL]


def others(plan: Plan) -> list[Warning]:
    return [w for w in plan.warnings if w.severity is not Severity.CRITICAL]


def mentions_alternatives(plan: Plan) -> bool:
    """A warning points to alternatives, so the sheet must show them (or say there are none)."""
    return any("alternative" in w.message.lower() for w in plan.warnings)


def alternative_line(a: Alternative) -> str:
    line = (
        f"{a.description}: {d.fmt(a.volume_per_day, 'volume')}/day "
        f"({d.fmt(a.volume_per_kg, 'volume_per_kg')}), {d.duration(a.duration_per_day)} per day, "
        f"{a.days} day(s)"
    )
    # What it resolves, in words, comes from the engine; an empty effect makes no claim.
    return f"{line}; {a.effect}" if a.effect else line


NO_ALTERNATIVES = "the planner found no alternative for this order; discuss with the prescriber"


def day_date(plan: Plan, day: DayPlan) -> date | None:
    return day.schedule.start.date() if plan.dated else None


def day_title(plan: Plan, day: DayPlan, *, short: bool = False) -> str:
    """ "Day 1 of 5 · Tuesday 1 December 2026", or "Day 1 of 5 · date: ____" when undated."""
    when = day_date(plan, day)
    head = f"Day {day.day} of {len(plan.days)}"
    if when is None:
        return f"{head} · date: {BLANK}"
    return f"{head} · {short_date(when) if short else long_date(when)}"


def plain_date(value: date) -> str:
    """ "9 Mar 1954": a date of birth or weighing, where the weekday would only be noise."""
    return short_date(value)[4:]


def value_or_blank(value: str | None) -> str:
    return BLANK if value is None else value


def identity(plan: Plan) -> list[tuple[str, str]]:
    """Name, MRN and date of birth as printed: the entered values, else blank lines."""
    det = plan.order.details
    dob = det.date_of_birth
    return [
        ("Name", value_or_blank(det.patient_name)),
        ("MRN", value_or_blank(det.mrn)),
        ("Date of birth", f"{plain_date(dob)} ({dob.isoformat()})" if dob else BLANK),
    ]


def weight_line(plan: Plan) -> str:
    p = plan.patient
    det = plan.order.details
    weighed = f"weighed {plain_date(det.weight_date)}" if det.weight_date else f"date weighed: {BLANK}"
    return (
        f"Weight {d.fmt(p.actual_weight, 'weight')} ({weighed}); height {d.fmt(p.height, 'height')}; "
        f"{p.sex.value}; age {d.age(p.age)}{'; pregnant' if p.pregnant else ''}"
    )


def crcl_text(plan: Plan) -> str:
    p = plan.patient
    crcl = plan.crcl
    c = (
        f"{d.fmt(crcl.value, 'crcl')} ({crcl.basis})"
        if crcl is not None and crcl.value is not None
        else ("not calculated" if crcl is None else crcl.basis)
    )
    scr = d.fmt(p.serum_creatinine, "creatinine") if p.serum_creatinine is not None else "not entered"
    return f"Serum creatinine {scr}; CrCl {c}"


def order_line(plan: Plan) -> str:
    reg = plan.regimen
    return (
        f"{reg.name if reg else 'no indication'}: "
        f"{d.fmt(plan.course_dose_per_kg, 'dose_per_kg')} × {d.fmt(plan.dosing.weight, 'weight')} = "
        f"{d.fmt(plan.course_dose, 'dose')} over {len(plan.days)} day(s)"
    )


def waste_line(day: DayPlan) -> str | None:
    """The part vial: mL to discard and g, from the smallest vial opened (drawn last).

    The opened amount is the least that covers the dose, so the waste is smaller than every
    vial opened: it always comes out of one vial, and the smallest is the one to draw last.
    """
    pick = day.pick
    if pick.waste.m <= 0 or not pick.counts:
        return None
    last = min((c.vial for c in pick.counts), key=lambda v: v.size.m_as("g"))
    return (
        f"Part vial: discard {d.fmt(pick.waste_volume, 'volume')} ({d.fmt(pick.waste, 'dose')}) "
        f"of one {d.fmt(last.size, 'dose')} vial ({d.fmt(last.volume, 'volume')}), drawn last"
    )
