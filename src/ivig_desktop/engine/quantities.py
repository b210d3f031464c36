"""The project's own parser for quantities people type.

Free text never reaches ``Q_()``: pint evaluates expressions and reads ``"1,5 kg"`` as 15 kg
(engineering-anchors §2.5). Here a value is one number, an optional decimal comma, and one
unit from a per-field whitelist; anything else is refused with the field's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.units import Q_, Quantity, serum_creatinine_mg_dl

# Unit spellings people type, mapped to the registry's canonical names. Lower-cased keys:
# the closed registry has no mega- or other prefix that case could confuse.
_MASS = {
    "kg": "kilogram",
    "kgs": "kilogram",
    "kilogram": "kilogram",
    "kilograms": "kilogram",
    "g": "gram",
    "gram": "gram",
    "grams": "gram",
    "mg": "milligram",
    "lb": "pound",
    "lbs": "pound",
    "pound": "pound",
    "pounds": "pound",
}
_LENGTH = {
    "cm": "centimeter",
    "m": "meter",
    "mm": "millimeter",
    "in": "inch",
    "inch": "inch",
    "inches": "inch",
    '"': "inch",
    "ft": "foot",
    "foot": "foot",
    "feet": "foot",
    "'": "foot",
}
_AGE = {
    "y": "year",
    "yr": "year",
    "yrs": "year",
    "year": "year",
    "years": "year",
    "mo": "month",
    "month": "month",
    "months": "month",
    "wk": "week",
    "week": "week",
    "weeks": "week",
}
_SCR = {
    "mg/dl": "milligram / deciliter",
    "umol/l": "micromole / liter",
    "µmol/l": "micromole / liter",
    "μmol/l": "micromole / liter",
    "micromol/l": "micromole / liter",
    "mcmol/l": "micromole / liter",
}
_DOSE = {
    "g/kg": "gram / kilogram",
    "mg/kg": "milligram / kilogram",
    "g": "gram",
    "gram": "gram",
    "grams": "gram",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What one input field accepts: its units, the unit it is checked in, and its range."""

    name: str
    units: dict[str, str]
    canonical: str
    low: float | None = None
    high: float | None = None
    label: str = ""
    hint: str = ""

    def check(self, q: Quantity) -> Quantity:
        """Range-check a quantity already built (by the parser or by code); returns it."""
        if q.m <= 0:
            raise InputError(self.name, f"must be greater than zero (got {q.m:g} {q.units:~})")
        value = self.in_canonical(q)
        if self.low is not None and value < self.low:
            raise InputError(self.name, self._range_text(value))
        if self.high is not None and value > self.high:
            raise InputError(self.name, self._range_text(value))
        return q

    def in_canonical(self, q: Quantity) -> float:
        try:
            if self.canonical == "milligram / deciliter":
                return float(serum_creatinine_mg_dl(q).m)
            return float(q.m_as(self.canonical))
        except Exception as exc:  # pint.DimensionalityError: wrong kind of unit
            raise InputError(self.name, f"'{q.units:~}' is not a unit of {self.label or self.name}") from exc

    def _range_text(self, value: float) -> str:
        unit = _SHORT.get(self.canonical, self.canonical)
        return f"{value:.4g} {unit} is outside the accepted range {self.low:g}–{self.high:g} {unit}"


_SHORT = {
    "kilogram": "kg",
    "centimeter": "cm",
    "year": "y",
    "milligram / deciliter": "mg/dL",
    "gram / kilogram": "g/kg",
}

WEIGHT = FieldSpec("weight", _MASS, "kilogram", 0.3, 350, "weight", "kg or lb")
PRE_PREGNANCY_WEIGHT = FieldSpec("pre-pregnancy weight", _MASS, "kilogram", 0.3, 350, "weight", "kg or lb")
HEIGHT = FieldSpec("height", _LENGTH, "centimeter", 25, 250, "height", "cm, in, or 5 ft 9 in")
AGE = FieldSpec("age", _AGE, "year", 0, 120, "age", "years, months or weeks")
SERUM_CREATININE = FieldSpec(
    "serum creatinine",
    _SCR,
    "milligram / deciliter",
    0.1,
    20,
    "serum creatinine",
    "mg/dL or µmol/L",
)
#: A prescriber's lower maximum dose rate; the label maximum bounds it in the plan.
MAX_RATE = FieldSpec(
    "max-rate",
    {"mg/kg/min": "milligram / kilogram / minute"},
    "milligram / kilogram / minute",
    None,
    None,
    "dose rate",
    "mg/kg/min",
)
#: The dose has no physiological range of its own: the site's hard limit per kg of dosing
#: weight is applied by the plan, where the dosing weight is known.
DOSE = FieldSpec("dose", _DOSE, "", None, None, "dose", "g/kg, mg/kg or g")

_NUMBER = r"(?P<sign>[-+−]?)\s*(?P<num>\d+(?:[.,]\d+)?|[.,]\d+)"
_ONE = re.compile(rf"^{_NUMBER}\s*(?P<unit>[^\d\s].*?)?\s*$", re.ASCII)
_FEET_INCHES = re.compile(
    r"^(?P<ft>\d+)\s*(?:ft|foot|feet|')\s*(?P<inch>\d+(?:[.,]\d+)?)\s*(?:in|inch|inches|\")?\s*$",
    re.IGNORECASE | re.ASCII,
)
_ARITHMETIC = re.compile(r"[*+^()=×÷]|\*\*|\d\s*/\s*\d|\de\d", re.IGNORECASE)
_AMBIGUOUS_COMMA = re.compile(r"^[1-9]\d{0,2},\d{3}$", re.ASCII)


def parse_number(text: str, field: str) -> float:
    """One plain number (decimal point or comma, no sign, no exponent) for a settings field."""
    raw = (text or "").strip()
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+", raw):
        raise InputError(field, f"'{raw}' is not a number")
    return _number(raw, field)


def _number(raw: str, field: str) -> float:
    if _AMBIGUOUS_COMMA.match(raw):
        raise InputError(
            field,
            f"'{raw}' is ambiguous (a decimal comma or a thousands separator?); "
            "write it without the comma, or with a decimal point",
        )
    return float(raw.replace(",", "."))


def parse_quantity(text: str, spec: FieldSpec, default_unit: str | None = None) -> Quantity:
    """Read one typed value for ``spec``.

    ``default_unit`` is the unit a form's unit selector shows; it applies only when the text
    carries no unit of its own. Without it, a bare number is refused: a weight of "70" is
    not a guess this program makes.
    """
    if text is None or not text.strip():
        raise InputError(spec.name, "is empty")
    s = " ".join(text.strip().split())
    if spec is HEIGHT:
        fi = _FEET_INCHES.match(s)
        if fi:
            extra = _number(fi["inch"], spec.name)
            if extra >= 12:
                raise InputError(
                    spec.name, f"'{text.strip()}' has {extra:g} inches; feet and inches take under 12 in"
                )
            inches = int(fi["ft"]) * 12 + extra
            return spec.check(Q_(inches, "inch"))
    m = _ONE.match(s)
    if not m:
        if not re.search(r"\d", s):
            raise InputError(spec.name, f"'{text.strip()}' has no number")
        if _ARITHMETIC.search(s):
            raise InputError(spec.name, f"'{text.strip()}' is an expression; type one value")
        raise InputError(spec.name, f"'{text.strip()}' is not one number followed by a unit")
    if m["sign"] in ("-", "−"):
        raise InputError(spec.name, f"must be greater than zero (got '{text.strip()}')")
    value = _number(m["num"], spec.name)
    unit_text = (m["unit"] or "").strip()
    if unit_text:
        if _ARITHMETIC.search(unit_text) or re.search(r"\d", unit_text):
            raise InputError(spec.name, f"'{text.strip()}' is an expression; type one value")
        key = re.sub(r"\s*/\s*", "/", unit_text).lower()
        unit = spec.units.get(key)
        if unit is None:
            raise InputError(
                spec.name,
                f"'{unit_text}' is not a unit of {spec.label or spec.name} (use {spec.hint})",
            )
    elif default_unit is not None:
        unit = default_unit
    else:
        raise InputError(spec.name, f"'{text.strip()}' has no unit (use {spec.hint})")
    if value == 0:
        raise InputError(spec.name, f"must be greater than zero (got '{text.strip()}')")
    q = Q_(value, unit)
    return spec.check(q) if spec.canonical else q


def parse_days(text: str, field: str = "days") -> int:
    """A whole number of infusion days, at least one."""
    s = (text or "").strip()
    if not s:
        raise InputError(field, "is empty")
    if not re.fullmatch(r"[0-9]+", s):
        raise InputError(field, f"'{s}' is not a whole number of days")
    n = int(s)
    if n < 1:
        raise InputError(field, "must be at least 1")
    if n > 10:
        raise InputError(field, f"{n} days is more than the 10 this planner lays out")
    return n


def parse_clock(text: str, field: str = "start") -> time:
    """A 24-hour clock time, ``HH:MM``."""
    s = (text or "").strip()
    m = re.fullmatch(r"([0-9]{1,2})[:.h]([0-9]{2})", s)
    if not m:
        raise InputError(field, f"'{s}' is not a time as HH:MM (24-hour)")
    hh, mm = int(m[1]), int(m[2])
    if hh > 23 or mm > 59:
        raise InputError(field, f"'{s}' is not a valid time of day")
    return time(hh, mm)
