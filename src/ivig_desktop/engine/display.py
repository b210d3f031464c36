"""How quantities are shown to people: one place for clinical abbreviations and decimals.

pint's own formatting prints "ml", "µg" and sorts units alphabetically (engineering-anchors
§2.4); clinical display needs mL, mcg, a leading zero, no trailing zeros and units in the
order they are spoken (mg/kg/min).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ivig_desktop.engine.order_details import short_date
from ivig_desktop.engine.units import Quantity

if TYPE_CHECKING:
    from ivig_desktop.engine.patient import Patient
    from ivig_desktop.engine.plan import Plan
    from ivig_desktop.engine.regimens import Regimen
    from ivig_desktop.engine.schedule import Step

#: kind → (registry unit, display abbreviation, max decimals)
KINDS: dict[str, tuple[str, str, int]] = {
    "weight": ("kilogram", "kg", 1),
    "height": ("centimeter", "cm", 1),
    "dose": ("gram", "g", 2),
    "dose_per_kg": ("gram / kilogram", "g/kg", 3),
    "volume": ("milliliter", "mL", 1),
    "volume_per_kg": ("milliliter / kilogram", "mL/kg", 1),
    "rate": ("milliliter / hour", "mL/h", 1),
    "dose_rate": ("milligram / kilogram / minute", "mg/kg/min", 2),
    "volume_rate": ("milliliter / kilogram / minute", "mL/kg/min", 3),
    "volume_rate_h": ("milliliter / kilogram / hour", "mL/kg/h", 2),
    "crcl": ("milliliter / minute", "mL/min", 0),
    "bmi": ("kilogram / meter ** 2", "kg/m²", 1),
    "concentration": ("milligram / milliliter", "mg/mL", 0),
    "iga": ("microgram / milliliter", "mcg/mL", 0),
    "age": ("year", "y", 0),
    "creatinine": ("milligram / deciliter", "mg/dL", 2),
}


def number(value: float, decimals: int) -> str:
    """Fixed decimals with trailing zeros dropped, a leading zero kept, thousands grouped."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt(q: Quantity, kind: str, decimals: int | None = None) -> str:
    unit, abbrev, default = KINDS[kind]
    return f"{number(float(q.m_as(unit)), default if decimals is None else decimals)} {abbrev}"


def figure(q: Quantity, kind: str) -> str:
    """The number alone, in the kind's unit and decimals (a table whose header names the unit)."""
    unit, _abbrev, decimals = KINDS[kind]
    return number(float(q.m_as(unit)), decimals)


def step_figures(s: Step) -> tuple[str, str, str, str]:
    """A step's mg/kg/min, mL/h, step mL and running total mL as every schedule table prints them:
    one place, so the window, the text report and the sheet never round a pump rate differently."""
    return (
        figure(s.dose_rate, "dose_rate"),
        figure(s.rate, "rate"),
        figure(s.volume, "volume"),
        figure(s.cumulative_volume, "volume"),
    )


def magnitude(q: Quantity, kind: str) -> float:
    """The number in the kind's fixed unit, as the JSON output carries it."""
    return float(q.m_as(KINDS[kind][0]))


def duration(q: Quantity) -> str:
    """Minutes as "2 h 15 min", rounded to the nearest minute."""
    total = round(float(q.m_as("minute")))
    h, m = divmod(total, 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h else f"{m} min"


def clock(
    moment: datetime, day_one: datetime, *, elapsed: bool, h12: bool = False, dated: bool = False
) -> str:
    """HH:MM; with a day suffix after midnight; or +H:MM since the start when no clock given.

    Times are rounded to the nearest minute, as the durations beside them are. ``dated``: the
    plan has real dates, so a time after midnight names its date ("00:30 Wed 2 Dec") instead
    of "(+1 d)".
    """
    if elapsed:
        minutes = round((moment - day_one).total_seconds() / 60)
        return f"+{minutes // 60}:{minutes % 60:02d}"
    moment = day_one + timedelta(minutes=round((moment - day_one).total_seconds() / 60))
    text = moment.strftime("%I:%M %p").lstrip("0") if h12 else moment.strftime("%H:%M")
    extra = (moment.date() - day_one.date()).days
    if extra and dated:
        return f"{text} {short_date(moment.date())[:-5]}"
    return f"{text} (+{extra} d)" if extra else text


def end_clock(moment: datetime, start: datetime, *, elapsed: bool, h12: bool = False) -> str:
    """When an infusion started at ``start`` ends, in words a nurse reads at a glance:
    "17:33", "08:33 next day", "08:33 2 days later"; "+10:33" when no clock time was given."""
    if elapsed:
        return clock(moment, start, elapsed=True)
    moment = start + timedelta(minutes=round((moment - start).total_seconds() / 60))
    text = moment.strftime("%I:%M %p").lstrip("0") if h12 else moment.strftime("%H:%M")
    extra = (moment.date() - start.date()).days
    if extra == 1:
        return f"{text} next day"
    return f"{text} {extra} days later" if extra else text


def body_size(p: Patient) -> str:
    """BMI, ideal and adjusted weight in one line; below 152.4 cm Devine does not apply and the
    line says so instead of printing an extrapolated (possibly negative) figure."""
    if p.ideal_weight is None or p.adjusted_weight is None:
        return f"BMI {fmt(p.bmi, 'bmi')}; ideal and adjusted weight {p.devine_note}"
    return (
        f"BMI {fmt(p.bmi, 'bmi')}; ideal {fmt(p.ideal_weight, 'weight')}; "
        f"adjusted {fmt(p.adjusted_weight, 'weight')}"
    )


def age(q: Quantity) -> str:
    """An age as clinicians write it: years from 2 y; months under 2 y; days under a month.

    Never decimal years for an infant ("0.7 y" for 8 months, "0 y" for 2 weeks).
    """
    years = float(q.m_as("year"))
    if years >= 2:
        return f"{number(years, 1)} y"
    days = float(q.m_as("day"))
    if q.m_as("month") < 1:
        n = round(days)
        return f"{n} day" if n == 1 else f"{n} days"
    months = number(float(q.m_as("month")), 1)
    return f"{months} month" if months == "1" else f"{months} months"


def dose_statement(plan: Plan) -> str:
    """The dose three ways, so a checker sees a daily/course slip:
    "2 g/kg course = 1 g/kg/day × 2 days = 70 g/day (140 g course)"."""
    n = len(plan.days)
    return (
        f"{fmt(plan.course_dose_per_kg, 'dose_per_kg')} course = "
        f"{fmt(plan.daily_dose_per_kg, 'dose_per_kg')}/day × {n} day{'s' if n != 1 else ''} = "
        f"{fmt(plan.days[0].prescribed, 'dose')}/day ({fmt(plan.course_dose, 'dose')} course)"
    )


def regimen_dose(r: Regimen) -> str:
    """A regimen's usual dose as the indications list states it: course, daily and days."""
    if r.course_dose is None:
        return "dose and days to be entered"
    course = f"{fmt(r.course_dose, 'dose_per_kg')} course"
    if r.daily_dose is None:
        return f"{course}, days to be entered"
    return f"{course} = {fmt(r.daily_dose, 'dose_per_kg')}/day over {r.days} day(s)"
