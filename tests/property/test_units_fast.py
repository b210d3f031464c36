"""The registry's short paths give exactly what pint's general path gives.

engine/units.py gives the one registry a Quantity with short paths for float/int magnitudes
(construction, to, m_as, ×, ÷, +, −, comparisons, ==). A figure on the sheet must not depend on
which path computed it, so each operation is checked bit for bit (magnitude type, float bits,
units) against pint's own method called on the same objects, and an error must be the same error.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import pint
from hypothesis import given
from hypothesis import strategies as st

from ivig_desktop.engine import units as u
from ivig_desktop.engine.units import Q_, ureg

UNITS = [
    u.KG, u.G, u.MG, u.LB, u.CM, u.M, u.INCH, u.ML, u.MIN, u.H, u.YEAR, u.MG_PER_ML, u.G_PER_KG,
    u.MG_PER_KG, u.MG_PER_KG_MIN, u.ML_PER_KG_MIN, u.ML_PER_KG_H, u.ML_PER_KG, u.ML_PER_H,
    u.ML_PER_MIN, u.MG_PER_DL, u.UMOL_PER_L, u.KG_PER_M2, ureg.Unit("dimensionless"),
]  # fmt: skip
GENERAL = pint.Quantity  # pint's class: its methods are the general path

units = st.sampled_from(UNITS)
numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0, 0.0, -0.0, 1, 0.1, 1e-9]),
)
quantities = st.builds(Q_, numbers, units)


def same(a: Any, b: Any) -> bool:
    """Bit-identical results: quantities by magnitude type, bits and units; numbers likewise."""
    if isinstance(a, GENERAL) or isinstance(b, GENERAL):
        return type(a) is type(b) and same(a._magnitude, b._magnitude) and a._units == b._units
    if isinstance(a, float) and isinstance(b, float):
        return a.hex() == b.hex() or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def outcome(fn: Callable[[], Any]) -> Any:
    """The result, or the error's type and text (the short path must raise the same error)."""
    try:
        return fn()
    except Exception as exc:  # comparing whatever pint raises
        return (type(exc), str(exc))


def agree(fast: Callable[[], Any], general: Callable[[], Any]) -> None:
    a, b = outcome(fast), outcome(general)
    assert same(a, b) if not isinstance(a, tuple) else a == b, (a, b)


@given(numbers, units)
def test_construction(value: float, unit: pint.Unit) -> None:
    cls = type(Q_(1, unit))
    agree(lambda: Q_(value, unit), lambda: GENERAL.__new__(cls, value, unit))
    agree(lambda: Q_(value, unit._units), lambda: GENERAL.__new__(cls, value, unit._units))


@given(quantities, units)
def test_to_and_m_as(q: pint.Quantity, unit: pint.Unit) -> None:
    agree(lambda: q.to(unit), lambda: GENERAL.to(q, unit))
    agree(lambda: q.m_as(unit), lambda: GENERAL.m_as(q, unit))


@given(quantities, units)
def test_to_compatible_units(q: pint.Quantity, unit: pint.Unit) -> None:
    """The same, between units of one dimension (the conversions the engine makes)."""
    for target in UNITS:
        if target.dimensionality == q.dimensionality:
            agree(lambda t=target: q.to(t), lambda t=target: GENERAL.to(q, t))
            agree(lambda t=target: q.m_as(t), lambda t=target: GENERAL.m_as(q, t))


@given(quantities, st.one_of(quantities, numbers))
def test_multiply_and_divide(a: pint.Quantity, b: Any) -> None:
    agree(lambda: a * b, lambda: GENERAL.__mul__(a, b))
    agree(lambda: b * a, lambda: GENERAL.__rmul__(a, b) if not isinstance(b, GENERAL) else b * a)
    agree(lambda: a / b, lambda: GENERAL.__truediv__(a, b))


@given(quantities, st.one_of(quantities, numbers), st.booleans())
def test_add_subtract(a: pint.Quantity, b: Any, same_units: bool) -> None:
    if same_units and isinstance(b, GENERAL):
        b = Q_(b.m, a.units)
    agree(lambda: a + b, lambda: GENERAL.__add__(a, b))
    agree(lambda: a - b, lambda: GENERAL.__sub__(a, b))


@given(quantities, st.one_of(quantities, numbers), st.booleans())
def test_comparisons(a: pint.Quantity, b: Any, same_units: bool) -> None:
    if same_units and isinstance(b, GENERAL):
        b = Q_(b.m, a.units)
    for op in (operator.lt, operator.le, operator.gt, operator.ge):
        agree(lambda o=op: o(a, b), lambda o=op: GENERAL.compare(a, b, o))
    agree(lambda: a == b, lambda: GENERAL.__eq__(a, b))
    agree(lambda: a != b, lambda: not GENERAL.__eq__(a, b))


def test_hashable_like_pint() -> None:
    """Equal quantities hash alike (frozen dataclasses holding them stay hashable)."""
    assert hash(Q_(2.0, u.G)) == hash(Q_(2.0, u.G))
