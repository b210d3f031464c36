"""The application's single pint registry, its unit constants and every conversion rule.

The registry is built from ``resources/units.txt`` only (a closed world of about twenty
units), which takes a few milliseconds instead of the ~0.3 s the default registry costs and
means no unit outside clinical use can ever be produced by accident. Quantities from
another registry cannot be mixed with ours, so nothing else in the program may call
``pint.UnitRegistry``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeAlias, TypeVar

import pint

from ivig_desktop import resources


def _build_registry() -> pint.UnitRegistry:
    reg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    reg.load_definitions(str(resources.path("units.txt")))
    return reg


ureg: pint.UnitRegistry = _build_registry()
Q_ = ureg.Quantity
Quantity: TypeAlias = pint.Quantity

# Units hoisted once: building a Unit from a string on every call costs ~10 µs (pint #1713).
KG = ureg.Unit("kilogram")
G = ureg.Unit("gram")
MG = ureg.Unit("milligram")
LB = ureg.Unit("pound")
CM = ureg.Unit("centimeter")
M = ureg.Unit("meter")
INCH = ureg.Unit("inch")
ML = ureg.Unit("milliliter")
MIN = ureg.Unit("minute")
H = ureg.Unit("hour")
YEAR = ureg.Unit("year")
MG_PER_ML = ureg.Unit("milligram / milliliter")
G_PER_KG = ureg.Unit("gram / kilogram")
MG_PER_KG = ureg.Unit("milligram / kilogram")
MG_PER_KG_MIN = ureg.Unit("milligram / kilogram / minute")
ML_PER_KG_MIN = ureg.Unit("milliliter / kilogram / minute")
ML_PER_KG_H = ureg.Unit("milliliter / kilogram / hour")
ML_PER_KG = ureg.Unit("milliliter / kilogram")
ML_PER_H = ureg.Unit("milliliter / hour")
ML_PER_MIN = ureg.Unit("milliliter / minute")
MG_PER_DL = ureg.Unit("milligram / deciliter")
UMOL_PER_L = ureg.Unit("micromole / liter")
KG_PER_M2 = ureg.Unit("kilogram / meter ** 2")

# Creatinine is the one conversion that needs more than the unit system: mass to amount.
# Molar mass 113.12 g/mol gives the laboratory factor 1 mg/dL = 88.4 µmol/L.
CREATININE_MOLAR_MASS = Q_(113.12, "gram / mole")

#: Floating-point slack when flooring to a pump step: 0.01 × 70 × 60 is 42.00000000000001,
#: and 41.99999999 must not floor to 41.9.
_FLOOR_EPS = 1e-9


#: Minutes per hour, from the unit system, for arithmetic on plain numbers in fixed units.
MIN_PER_H = float(Q_(1, H).m_as(MIN))


def mag(q: Quantity, unit: pint.Unit) -> float:
    """``q.m_as(unit)``, without a conversion when ``q`` is already in ``unit``.

    The engine builds most quantities in the unit it later reads them in; skipping the no-op
    conversion keeps a whole plan (with its alternatives) within the live-recompute budget.
    """
    if q._units == unit._units:
        return float(q._magnitude)
    return float(q.m_as(unit))


_T = TypeVar("_T")
_R = TypeVar("_R")


def cache_by_identity(fn: Callable[[_T], _R]) -> Callable[[_T], _R]:
    """Memoise on the argument's identity: loaded formulary objects are immutable, and hashing
    a dataclass full of Quantities costs more than the work being saved. The cache holds the
    argument, so an id is never reused while its entry lives."""
    memo: dict[int, tuple[_T, _R]] = {}

    def wrapper(arg: _T) -> _R:
        hit = memo.get(id(arg))
        if hit is not None and hit[0] is arg:
            return hit[1]
        if len(memo) > 1024:
            memo.clear()
        result = fn(arg)
        memo[id(arg)] = (arg, result)
        return result

    wrapper.__doc__ = fn.__doc__
    return wrapper


def serum_creatinine_mg_dl(scr: Quantity) -> Quantity:
    """Serum creatinine in mg/dL whether it was measured in mg/dL or µmol/L."""
    if scr.check("[mass] / [length] ** 3"):
        return scr.to(MG_PER_DL)
    if scr.check("[substance] / [length] ** 3"):
        return (scr * CREATININE_MOLAR_MASS).to(MG_PER_DL)
    raise pint.DimensionalityError(scr.units, MG_PER_DL)


def dose_rate_to_volume_rate(dose_rate: Quantity, concentration: Quantity) -> Quantity:
    """mg/kg/min → mL/kg/min with the product's own concentration (never a table's)."""
    return (dose_rate / concentration).to(ML_PER_KG_MIN)


def volume_rate_to_dose_rate(volume_rate: Quantity, concentration: Quantity) -> Quantity:
    """mL/kg/min or mL/kg/h → mg/kg/min with the product's own concentration."""
    return (volume_rate * concentration).to(MG_PER_KG_MIN)


def to_dose_rate(rate: Quantity, concentration: Quantity) -> Quantity:
    """A label rate in whatever unit the label uses, as mg/kg/min."""
    if rate.check("[mass] / [mass] / [time]"):
        return rate.to(MG_PER_KG_MIN)
    return volume_rate_to_dose_rate(rate, concentration)


def pump_rate(dose_rate: Quantity, weight: Quantity, concentration: Quantity) -> Quantity:
    """Exact pump rate in mL/h: mL/kg/min × kg × 60 (NL-IVIG002, Octagam DM page)."""
    return (dose_rate * weight / concentration).to(ML_PER_H)


def floor_to_step(value: Quantity, step: Quantity) -> Quantity:
    """Round down to a whole number of ``step`` (pumps are programmed in fixed increments).

    Rounding down keeps every programmed rate at or below the rate the label allows.
    """
    unit = step.units
    s = float(step.m)
    n = math.floor(mag(value, unit) / s + _FLOOR_EPS)
    return Q_(round(n * s, 10), unit)
