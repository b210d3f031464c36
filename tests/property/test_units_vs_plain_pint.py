"""The registry's quantities behave exactly as a plain ``pint.UnitRegistry`` built from the same
resources/units.txt: the short paths in engine/units.py may never change a figure.

tests/property/test_units_fast.py checks each short path against pint's method on the same
class; this checks whole expressions, including the ones that reach pint by another road
(reversed operands, in-place operators, -q, abs, round, formatting, mixed units of one
dimension, comparisons with a plain number), against an independent registry of pint's own.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import pint
from hypothesis import given
from hypothesis import strategies as st

from ivig_desktop import resources
from ivig_desktop.engine.units import ureg

# The one reference registry outside the engine: built only to compare against.
PLAIN = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
PLAIN.load_definitions(str(resources.path("units.txt")))

UNITS = [
    "kilogram", "gram", "milligram", "pound", "milliliter", "milliliter / kilogram", "gram / kilogram",
    "milligram / kilogram / minute", "milliliter / hour", "minute", "hour", "dimensionless",
]  # fmt: skip
numbers = st.one_of(
    st.floats(allow_nan=False, min_value=-1e300, max_value=1e300),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, 0.0, -0.0, 1, 1e-300, 10**400]),
)
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul, "/": operator.truediv, "+": operator.add, "-": operator.sub,
    "r*": lambda a, b: b * a, "r/": lambda a, b: b / a, "r+": lambda a, b: b + a, "r-": lambda a, b: b - a,
    "*=": operator.imul, "/=": operator.itruediv, "+=": operator.iadd, "-=": operator.isub,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
    "!=": operator.ne,
}  # fmt: skip
UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": operator.neg, "abs": abs, "round": round, "round1": lambda q: round(q, 1), "pos": operator.pos,
    "to kg": lambda q: q.to(q._REGISTRY.Unit("kilogram")), "to g str": lambda q: q.to("gram"),
    "m_as mL/kg": lambda q: q.m_as(q._REGISTRY.Unit("milliliter / kilogram")),
    "str": str, "fmt": lambda q: f"{q:.2f~P}", "float": float, "bool": bool,
    "base": lambda q: q.to_base_units(),
}  # fmt: skip


def seen(fn: Callable[[], Any]) -> Any:
    """What a caller sees: a quantity as (magnitude type, bits, units, text); a number by type and
    bits; an error by type and message (the class name aside: ours is pint's Quantity renamed)."""
    try:
        x = fn()
    except Exception as exc:  # comparing whatever pint raises
        return type(exc).__name__, str(exc).replace("_ClinicalQuantity", "Quantity")
    if isinstance(x, pint.Quantity):
        m = x._magnitude
        return "Q", type(m).__name__, m.hex() if type(m) is float else m, dict(x._units._d), str(x)
    if type(x) is float:
        return "f", "nan" if math.isnan(x) else x.hex()
    return type(x).__name__, x


@given(
    numbers, st.sampled_from(UNITS), numbers, st.sampled_from([*UNITS, None]), st.sampled_from(list(BINARY))
)
def test_binary_operations_match_plain_pint(a: float, ua: str, b: float, ub: str | None, name: str) -> None:
    op = BINARY[name]

    def run(reg: pint.UnitRegistry) -> Callable[[], Any]:
        return lambda: op(reg.Quantity(a, reg.Unit(ua)), b if ub is None else reg.Quantity(b, reg.Unit(ub)))

    assert seen(run(ureg)) == seen(run(PLAIN))


@given(numbers, st.sampled_from(UNITS), st.sampled_from(list(UNARY)))
def test_unary_operations_match_plain_pint(a: float, ua: str, name: str) -> None:
    op = UNARY[name]
    assert seen(lambda: op(ureg.Quantity(a, ureg.Unit(ua)))) == seen(
        lambda: op(PLAIN.Quantity(a, PLAIN.Unit(ua)))
    )


def test_equal_quantities_in_other_units_are_one_dict_key() -> None:
    """1 kg and 1000 g are equal, so they hash alike (frozen dataclasses holding them stay keys)."""
    kg, g = ureg.Quantity(1, ureg.Unit("kilogram")), ureg.Quantity(1000.0, ureg.Unit("gram"))
    assert kg == g and hash(kg) == hash(g) and {kg: "x"}[g] == "x"
