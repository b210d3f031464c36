"""The application's single pint registry, its unit constants and every conversion rule.

The registry is built from ``resources/units.txt`` only (a closed world of about twenty
units), which takes a few milliseconds instead of the ~0.3 s the default registry costs and
means no unit outside clinical use can ever be produced by accident. Quantities from
another registry cannot be mixed with ours, so nothing else in the program may call
``pint.UnitRegistry``.
"""

from __future__ import annotations

import math
from typing import TypeAlias

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


def is_quantity(value: object) -> bool:
    return isinstance(value, ureg.Quantity)


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
    s = step.m
    n = math.floor(value.m_as(unit) / s + _FLOOR_EPS)
    return Q_(round(n * s, 10), unit)
