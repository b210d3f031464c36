"""The application's single pint registry, its unit constants and every conversion rule.

The registry is built from ``resources/units.txt`` only (a closed world of about twenty
units), which takes a few milliseconds instead of the ~0.3 s the default registry costs and
means no unit outside clinical use can ever be produced by accident. Quantities from
another registry cannot be mixed with ours, so nothing else in the program may call
``pint.UnitRegistry``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import TypeAlias, TypeVar

import pint
from pint.util import UnitsContainer

from ivig_desktop import resources

#: Magnitudes the short paths take: exactly float or int (not bool, numpy or Decimal).
_NUMBERS = frozenset({float, int})


class _ClinicalQuantity(pint.Quantity):  # type: ignore[misc]
    """pint's Quantity with short paths for what the engine does on every plan.

    A plan builds a few hundred quantities and converts or multiplies most of them; pint's
    general path (array, offset-unit, context and registry checks on each operation) made the
    unit bookkeeping cost several times the arithmetic. Our registry is a closed world of
    multiplicative units with no contexts, so for plain float/int magnitudes and units of this
    registry each operation below reduces to pint's own arithmetic on the magnitude (the same
    cached conversion factor, the same product) and pint's own units container, which gives
    results bit for bit equal to the general path (tests/property/test_units_fast.py checks this
    against pint's methods). Anything else (arrays, strings, other types, errors) falls through
    to pint unchanged, so error messages and edge cases stay pint's.
    """

    def __new__(cls, value: object, units: object = None) -> _ClinicalQuantity:
        if type(value) in _NUMBERS:
            if type(units) is UnitsContainer:
                inst = object.__new__(cls)
                inst._magnitude = value
                inst._units = units
                return inst
            if type(units) is cls._REGISTRY.Unit:
                inst = object.__new__(cls)
                inst._magnitude = value
                inst._units = units._units  # type: ignore[union-attr]
                return inst
        return super().__new__(cls, value, units)  # type: ignore[arg-type]

    def _fast_convert(self, dst: UnitsContainer) -> float:
        """pint's own conversion (registry.convert) minus its layers: same cached factor, same product."""
        src = self._units
        if _same(src, dst):
            return self._magnitude  # type: ignore[no-any-return]
        factor = self._REGISTRY._get_conversion_factor(src, dst)
        if isinstance(factor, pint.DimensionalityError):
            raise factor
        return self._magnitude * factor  # type: ignore[no-any-return]

    def to(self, other: object = None, *contexts: object, **ctx_kwargs: object) -> _ClinicalQuantity:
        if (
            type(other) is self._REGISTRY.Unit
            and not contexts
            and not ctx_kwargs
            and type(self._magnitude) in _NUMBERS
            and not self._REGISTRY._active_ctx.contexts
        ):
            dst = other._units  # type: ignore[union-attr]
            return self.__class__(self._fast_convert(dst), dst)
        return super().to(other, *contexts, **ctx_kwargs)  # type: ignore[arg-type]

    def m_as(self, units: object) -> float:
        if (
            type(units) is self._REGISTRY.Unit
            and type(self._magnitude) in _NUMBERS
            and not self._REGISTRY._active_ctx.contexts
        ):
            return self._fast_convert(units._units)  # type: ignore[union-attr]
        return super().m_as(units)  # type: ignore[arg-type, no-any-return]

    def __mul__(self, other: object) -> _ClinicalQuantity:
        m = self._magnitude
        if type(m) in _NUMBERS:
            if type(other) in _NUMBERS:
                return self.__class__(m * other, self._units)  # type: ignore[operator]
            if type(other) is self.__class__ and type(other._magnitude) in _NUMBERS:
                return self.__class__(m * other._magnitude, _units_op(self._units, other._units, True))
        return super().__mul__(other)  # type: ignore[no-any-return]

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> _ClinicalQuantity:
        m = self._magnitude
        if type(m) in _NUMBERS:
            if type(other) in _NUMBERS:
                return self.__class__(_true_divide(m, other), self._units)  # type: ignore[arg-type]
            if type(other) is self.__class__ and type(other._magnitude) in _NUMBERS:
                return self.__class__(
                    _true_divide(m, other._magnitude), _units_op(self._units, other._units, False)
                )
        return super().__truediv__(other)  # type: ignore[no-any-return]

    def _same_units_add_sub(
        self, other: object, op: Callable[[float, float], float]
    ) -> _ClinicalQuantity | None:
        if (
            type(other) is self.__class__
            and _same(other._units, self._units)
            and type(self._magnitude) in _NUMBERS
            and type(other._magnitude) in _NUMBERS
        ):
            return self.__class__(op(self._magnitude, other._magnitude), self._units)
        return None

    def __add__(self, other: object) -> _ClinicalQuantity:
        fast = self._same_units_add_sub(other, operator.add)
        return fast if fast is not None else super().__add__(other)  # type: ignore[no-any-return]

    def __sub__(self, other: object) -> _ClinicalQuantity:
        fast = self._same_units_add_sub(other, operator.sub)
        return fast if fast is not None else super().__sub__(other)  # type: ignore[no-any-return]

    def compare(self, other: object, op: Callable[[object, object], bool]) -> bool:
        if type(other) is self.__class__ and _same(other._units, self._units):
            a, b = self._magnitude, other._magnitude
            if type(a) in _NUMBERS and type(b) in _NUMBERS:
                return op(a, b)
        return super().compare(other, op)  # type: ignore[no-any-return]

    # pint's <, <=, >, >= call self.compare, so they take the short path above.

    def __eq__(self, other: object) -> bool:
        if type(other) is self.__class__ and _same(other._units, self._units):
            a, b = self._magnitude, other._magnitude
            if type(a) in _NUMBERS and type(b) in _NUMBERS:
                return a == b  # type: ignore[no-any-return]
        return super().__eq__(other)  # type: ignore[no-any-return]

    __hash__ = pint.Quantity.__hash__


def _same(a: UnitsContainer, b: UnitsContainer) -> bool:
    """``a == b`` for two units containers (pint compares their dicts), without pint's type
    dispatch: most calls compare a container with itself."""
    return a is b or a._d == b._d or a == b


def _true_divide(a: float, b: float) -> float:
    """pint's true division: an int is cast to float first (as ``_truedivide_cast_int`` does)."""
    if type(a) is int:
        a = float(a)
    if type(b) is int:
        b = float(b)
    return a / b


_UNITS_PRODUCTS: dict[tuple[UnitsContainer, UnitsContainer, bool], UnitsContainer] = {}


def _units_op(a: UnitsContainer, b: UnitsContainer, multiply: bool) -> UnitsContainer:
    """a × b or a ÷ b of two units containers, memoised: containers are immutable and the engine
    multiplies the same few pairs (g/kg × kg, mL ÷ kg) on every plan."""
    key = (a, b, multiply)
    hit = _UNITS_PRODUCTS.get(key)
    if hit is None:
        hit = a * b if multiply else a / b
        if len(_UNITS_PRODUCTS) > 1024:  # bounded whatever units a file or an entry brings
            _UNITS_PRODUCTS.clear()
        _UNITS_PRODUCTS[key] = hit
    return hit


class _ClinicalRegistry(pint.UnitRegistry):
    Quantity = _ClinicalQuantity  # type: ignore[assignment]


def _build_registry() -> pint.UnitRegistry:
    reg = _ClinicalRegistry(None, autoconvert_offset_to_baseunit=False)
    reg.load_definitions(str(resources.path("units.txt")))
    # The short paths above assume what this registry is: no automatic unit changes on results.
    assert not reg.auto_reduce_dimensions and not reg.autoconvert_to_preferred
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
    if _same(q._units, unit._units):
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
