"""The project's own parser for quantities people type.

Free text never reaches ``Q_()``: pint evaluates expressions and reads ``"1,5 kg"`` as 15 kg
(engineering-anchors §2.5). Here a value is one number, an optional decimal comma, and one
unit from a per-field whitelist; anything else is refused with the field's name.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
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
    "yo": "year",
    "y/o": "year",
    "yr": "year",
    "yrs": "year",
    "year": "year",
    "years": "year",
    "mo": "month",
    "mos": "month",
    "mth": "month",
    "mths": "month",
    "month": "month",
    "months": "month",
    "wk": "week",
    "wks": "week",
    "week": "week",
    "weeks": "week",
    "d": "day",
    "day": "day",
    "days": "day",
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
    "mg": "milligram",
}
_DOSE_RATE = {
    "mg/kg/min": "milligram / kilogram / minute",
    "ml/kg/min": "milliliter / kilogram / minute",
}


#: No figure this program takes needs more digits than this (840000 mg is six; a pasted float such
#: as 154.32358352941175 lb is seventeen); a longer digit string is a slip of the keyboard or hostile:
#: 400 digits would read as infinity, 5000 exceed Python's integer-string limit.
MAX_DIGITS = 20
#: How much of a typed value an error message shows back.
_SHOWN = 40


def shown(text: str) -> str:
    """A typed value as an error message may quote it: trimmed, never longer than 40 characters."""
    s = " ".join((text or "").split())
    return s if len(s) <= _SHOWN else s[: _SHOWN - 1] + "…"


def check_text(text: str, field: str) -> str:
    """Refuse control and invisible characters (escape codes, zero-width spaces, direction marks).

    They cannot be seen on the screen or the printout, so a value holding one is not what the
    user sees; it is refused, naming the character's code, and never echoed back raw. Tabs and
    line breaks are ordinary white space.
    """
    for i, ch in enumerate(text or ""):
        if ch in "\t\n\r":
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "C" or cat in ("Zl", "Zp"):
            raise InputError(
                field,
                f"contains an invisible or control character (U+{ord(ch):04X}) at position {i + 1}; "
                "retype the value",
            )
    return text


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
    bare_unit: str | None = None
    """The unit a number typed without one is read in, where the convention is universal (age: years)."""

    def check(self, q: Quantity) -> Quantity:
        """Range-check a quantity already built (by the parser or by code); returns it."""
        if not math.isfinite(q.m):
            raise InputError(self.name, "must be a finite number")
        if q.m <= 0:
            raise InputError(self.name, f"must be greater than zero (got {q.m:g} {q.units:~})")
        if not self.canonical:  # no range of its own (dose, max-rate): the plan bounds it
            return q
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
        return (
            f"{_beyond(value, self.low, self.high)} {unit} is outside the accepted range "
            f"{self.low:g}–{self.high:g} {unit}"
        )


def _beyond(value: float, low: float | None, high: float | None) -> str:
    """The figure with as many digits as it takes to show it is out of range.

    350.037 kg rounded to four digits is "350", which reads as inside 0.3–350 kg.
    """
    for digits in range(4, 16):
        text = f"{value:.{digits}g}"
        shown_value = float(text)
        if (high is not None and value > high and shown_value > high) or (
            low is not None and value < low and shown_value < low
        ):
            return text
    return repr(value)


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
#: A bare number is years: every clinical calculator reads "45" in an age field so.
AGE = FieldSpec(
    "age", _AGE, "year", 0, 120, "age", "years, months, weeks or days, e.g. 45, 8 months, 10 days", "year"
)
SERUM_CREATININE = FieldSpec(
    "serum creatinine",
    _SCR,
    "milligram / deciliter",
    0.1,
    20,
    "serum creatinine",
    "mg/dL or µmol/L",
)
#: A prescriber's lower maximum rate, as a dose rate or as a volume rate (labels give both);
#: a volume rate is converted with the chosen product's concentration by the plan, and the
#: label maximum bounds it there.
MAX_RATE = FieldSpec("max-rate", _DOSE_RATE, "", None, None, "dose rate", "mg/kg/min or mL/kg/min")
#: The dose has no physiological range of its own: the site's hard limit per kg of dosing
#: weight is applied by the plan, where the dosing weight is known.
DOSE = FieldSpec("dose", _DOSE, "", None, None, "dose", "g/kg, mg/kg, g or mg; add /day for a daily dose")

_NUMBER = r"(?P<sign>[-+−]?)\s*(?P<num>\d+(?:[.,]\d+)?|[.,]\d+)"
_ONE = re.compile(rf"^{_NUMBER}\s*(?P<unit>[^\d\s].*?)?\s*$", re.ASCII)
_FEET_INCHES = re.compile(
    r"^(?P<ft>\d+)\s*(?:ft|foot|feet|')\s*(?P<inch>\d+(?:[.,]\d+)?)\s*(?:in|inch|inches|\")?\s*$",
    re.IGNORECASE | re.ASCII,
)
_ARITHMETIC = re.compile(r"[*+^()=×÷]|\*\*|\d\s*/\s*\d|\de\d", re.IGNORECASE)
#: 1-3 digits, one separator, exactly three digits: "1.000" and "1,500" read either way.
_AMBIGUOUS = re.compile(r"^[1-9]\d{0,2}[.,]\d{3}$", re.ASCII)
_TWO_SEPARATORS = re.compile(r"\d[.,]\d+[.,]\d", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)


def parse_number(text: str, field: str) -> float:
    """One plain number (decimal point or comma, no sign, no exponent) for a settings field."""
    raw = check_text((text or "").strip(), field)
    _digit_count(raw, field)
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+", raw):
        raise InputError(field, f"'{shown(raw)}' is not a number")
    return _number(raw, field)


def _digit_count(s: str, field: str) -> None:
    """Refuse a digit string longer than any clinical figure before anything converts it."""
    n = sum(len(m) for m in _DIGITS.findall(s))
    if n > MAX_DIGITS:
        raise InputError(field, f"has {n} digits; no figure this program takes needs more than {MAX_DIGITS}")


def _number(raw: str, field: str, *, strict: bool = True) -> float:
    """The number; ``strict``: any 1-3 digits, a separator and three digits are refused as ambiguous
    (a caller that knows the unit decides with :func:`_ambiguous` instead)."""
    if strict and _AMBIGUOUS.match(raw):
        raise _ambiguity(raw, field)
    value = float(raw.replace(",", "."))
    if not math.isfinite(value):
        raise InputError(field, f"'{shown(raw)}' is not a finite number")
    return value


def _ambiguity(raw: str, field: str) -> InputError:
    sep = raw[-4]
    decimal = float(raw.replace(",", "."))
    thousands = int(raw.replace(sep, ""))
    kind = "point" if sep == "." else "comma"
    return InputError(
        field,
        f"'{raw}' is ambiguous: {decimal:g} with a decimal {kind}, or {thousands} with a thousands "
        f"separator; type {decimal:g} or {thousands} without the separator",
    )


def _ambiguous(raw: str, unit: str, spec: FieldSpec) -> bool:
    """'1,500' or '1.000' can be read two ways. A comma is always refused (it is the usual thousands
    separator); so is a point where the field has no range (dose, max-rate), where the thousands
    reading is itself in range, or where the decimals are '000'. '3.455 kg' (a neonate) is read as
    3.455 kg: 3455 kg is no weight."""
    if not _AMBIGUOUS.match(raw):
        return False
    if raw[-4] == "," or not spec.canonical or raw.endswith("000"):
        return True
    thousands = spec.in_canonical(Q_(int(raw.replace(".", "")), unit))
    return (spec.low is None or thousands >= spec.low) and (spec.high is None or thousands <= spec.high)


def parse_quantity(text: str, spec: FieldSpec, default_unit: str | None = None) -> Quantity:
    """Read one typed value for ``spec``.

    ``default_unit`` is the unit a form's unit selector shows; it applies only when the text
    carries no unit of its own. Without it, a bare number is refused (a weight of "70" is
    not a guess this program makes), except where the field has a universal convention
    (``spec.bare_unit``: an age of "45" is 45 years).
    """
    if text is None or not text.strip():
        raise InputError(spec.name, "is empty")
    check_text(text, spec.name)
    s = " ".join(text.strip().split())
    typed = shown(s)
    _digit_count(s, spec.name)
    if _TWO_SEPARATORS.search(s):
        raise InputError(spec.name, f"'{typed}' has more than one decimal point or comma; type one number")
    if spec is HEIGHT:
        fi = _FEET_INCHES.match(s)
        if fi:
            extra = _number(fi["inch"], spec.name)
            if extra >= 12:
                raise InputError(
                    spec.name, f"'{typed}' has {extra:g} inches; feet and inches take under 12 in"
                )
            inches = int(fi["ft"]) * 12 + extra
            return spec.check(Q_(inches, "inch"))
    m = _ONE.match(s)
    if not m:
        if not re.search(r"\d", s):
            raise InputError(spec.name, f"'{typed}' has no number")
        if _ARITHMETIC.search(s):
            raise InputError(spec.name, f"'{typed}' is an expression; type one value")
        raise InputError(spec.name, f"'{typed}' is not one number followed by a unit")
    if m["sign"] in ("-", "−"):
        raise InputError(spec.name, f"must be greater than zero (got '{typed}')")
    value = _number(m["num"], spec.name, strict=False)
    unit_text = (m["unit"] or "").strip()
    if unit_text:
        if _ARITHMETIC.search(unit_text) or re.search(r"\d", unit_text):
            raise InputError(spec.name, f"'{typed}' is an expression; type one value")
        key = re.sub(r"\s*/\s*", "/", unit_text).lower()
        unit = spec.units.get(key)
        if unit is None:
            raise InputError(
                spec.name,
                f"'{shown(unit_text)}' is not a unit of {spec.label or spec.name} (use {spec.hint})",
            )
    elif default_unit is not None:
        unit = default_unit
    elif spec.bare_unit is not None:
        unit = spec.bare_unit
    else:
        raise InputError(spec.name, f"'{typed}' has no unit (use {spec.hint})")
    if _ambiguous(m["num"], unit, spec):
        raise _ambiguity(m["num"], spec.name)
    if value == 0:
        raise InputError(spec.name, f"must be greater than zero (got '{typed}')")
    if unit == "foot" and value != int(value):
        raise InputError(spec.name, _decimal_feet(m["num"], value))
    q = Q_(value, unit)
    return spec.check(q)


def _decimal_feet(num: str, value: float) -> str:
    """'5.9 ft' is how people write 5 ft 9 in; it is refused with both readings."""
    feet, frac = re.split(r"[.,]", num, maxsplit=1)
    as_decimal = f"decimal feet ({Q_(value, 'foot').m_as('centimeter'):.1f} cm)"
    if len(frac) <= 2 and int(frac) < 12 and not (len(frac) == 2 and frac[0] == "0"):
        ft_in = Q_(int(feet) * 12 + int(frac), "inch").m_as("centimeter")
        return (
            f"'{num} ft' could be {feet} ft {int(frac)} in ({ft_in:.1f} cm) or {as_decimal}; "
            f"type '{feet} ft {int(frac)} in' or the height in cm"
        )
    return f"'{num} ft' is {as_decimal}; type feet and inches ('5 ft 9 in') or the height in cm"


#: "/day" after a dose makes it a daily dose: the course is the daily dose × the days.
_PER_DAY = re.compile(r"\s*(?:/\s*(?:day|d|24\s*h)|per\s+day|daily|a\s+day)\s*$", re.IGNORECASE)
#: "/course" after a dose says outright what a plain dose means anyway.
_PER_COURSE = re.compile(r"\s*(?:/\s*course|per\s+course|course)\s*$", re.IGNORECASE)


def parse_dose(text: str) -> tuple[Quantity, bool]:
    """A dose as prescribers write it: (amount, per_day).

    ``2 g/kg``, ``35 g`` and ``35000 mg`` are the course; ``1 g/kg/day``, ``400 mg/kg/day``
    and ``30 g/day`` are daily doses, given on each infusion day.
    """
    if text is None or not text.strip():
        raise InputError(DOSE.name, "is empty")
    check_text(text, DOSE.name)
    s = " ".join(text.strip().split())
    per_day = bool(_PER_DAY.search(s))
    core = _PER_DAY.sub("", s) if per_day else _PER_COURSE.sub("", s)
    if not core:
        raise InputError(DOSE.name, f"'{shown(s)}' has no number")
    return parse_quantity(core, DOSE), per_day


def dose_text(dose: Quantity, per_day: bool) -> str:
    """A dose as it is typed back into a field or echoed: '1 g/kg/day', '2 g/kg', '35 g'."""
    return f"{_plain(float(dose.m))} {_abbrev(dose)}" + ("/day" if per_day else "")


def entered_text(q: Quantity) -> str:
    """A parsed value in the unit it was entered in, e.g. '180 lb', '8 months', '0.08 mL/kg/min'."""
    return f"{_plain(float(q.m))} {_abbrev(q)}"


_ABBREVIATIONS = {
    "kilogram": "kg",
    "gram": "g",
    "milligram": "mg",
    "pound": "lb",
    "centimeter": "cm",
    "meter": "m",
    "millimeter": "mm",
    "inch": "in",
    "foot": "ft",
    "year": "y",
    "month": "months",
    "week": "weeks",
    "day": "days",
    "milligram / deciliter": "mg/dL",
    "micromole / liter": "µmol/L",
    "gram / kilogram": "g/kg",
    "milligram / kilogram": "mg/kg",
    "milligram / kilogram / minute": "mg/kg/min",
    "milliliter / kilogram / minute": "mL/kg/min",
}


def _abbrev(q: Quantity) -> str:
    unit = str(q.units)
    return _ABBREVIATIONS.get(unit, unit)


def _plain(value: float) -> str:
    """A number as typed: no thousands separator (the parser refuses one), no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def parse_days(text: str, field: str = "days") -> int:
    """A whole number of infusion days, at least one: '2', '2 days', '2 d'."""
    s = check_text((text or "").strip(), field)
    if not s:
        raise InputError(field, "is empty")
    m = re.fullmatch(r"([0-9]+)\s*(?:d|day|days)?", s, re.IGNORECASE)
    if not m:
        raise InputError(field, f"'{shown(s)}' is not a whole number of days")
    if len(m[1].lstrip("0")) > 3:
        raise InputError(field, f"{shown(m[1])} days is more than the 10 this planner lays out")
    n = int(m[1])
    if n < 1:
        raise InputError(field, "must be at least 1")
    if n > 10:
        raise InputError(field, f"{n} days is more than the 10 this planner lays out")
    return n


def parse_clock(text: str, field: str = "start") -> time:
    """A 24-hour clock time: ``HH:MM``, ``H:MM`` or ``HHMM`` (0830)."""
    s = check_text((text or "").strip(), field)
    m = re.fullmatch(r"([0-9]{1,2})[:.h]([0-9]{2})|([0-9]{2})([0-9]{2})", s)
    if not m:
        raise InputError(field, f"'{shown(s)}' is not a time as HH:MM, H:MM or HHMM (24-hour)")
    hh, mm = (int(m[1]), int(m[2])) if m[1] is not None else (int(m[3]), int(m[4]))
    if hh > 23 or mm > 59:
        raise InputError(field, f"'{s}' is not a valid time of day")
    return time(hh, mm)


def parse_choice(
    text: str, ids: Iterable[str], field: str, what: str, groups: dict[str, list[str]] | None = None
) -> str:
    """An identifier typed by a person (product, indication, policy, risk): case-insensitive.

    One spelling per concept: a shorthand that could mean two ids (``cidp`` → ``cidp-loading``
    or ``cidp-maintenance``; ``octagam`` → ``octagam-5`` or ``octagam-10``) is refused with
    the choices named, never resolved by a guess. ``groups`` adds shorthands that are not
    prefixes (a label titration id → the regimens that use it).
    """
    raw = check_text((text or "").strip(), field)
    if not raw:
        raise InputError(field, f"is empty (choose {what})")
    known = list(ids)
    key = raw.lower()
    for k in known:
        if k.lower() == key:
            return k
    candidates = [k for k in known if k.lower().startswith(key + "-")]
    for k in (groups or {}).get(key, []):
        if k not in candidates:
            candidates.append(k)
    if len(candidates) > 1:
        raise InputError(field, f"'{shown(raw)}' could mean {' or '.join(candidates)}; choose one")
    if len(candidates) == 1:
        raise InputError(field, f"'{shown(raw)}' is not {what}; did you mean {candidates[0]}?")
    raise InputError(field, f"'{shown(raw)}' is not {what} ({', '.join(known)})")
