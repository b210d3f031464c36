"""Whole-vial selection for one day's dose, from one product's stocked sizes.

Exact, not greedy: among the amounts that whole vials can make within the site's rounding
tolerance, take the one nearest the prescribed dose, made of the fewest vials (6 g of
Octagam 10 % is three 2 g vials, not 5 g + a part vial). When no amount lies within the
tolerance, the exact dose is given and the part vial and its waste (g and mL to discard) are shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ivig_desktop.engine.formulary import Vial
from ivig_desktop.engine.units import MG, ML, Q_, G, Quantity, cache_by_identity

_NO_WASTE = Q_(0.0, ML)


@dataclass(frozen=True, slots=True)
class VialCount:
    vial: Vial
    count: int


@dataclass(frozen=True, slots=True)
class VialPick:
    prescribed: Quantity
    dose: Quantity
    counts: tuple[VialCount, ...]
    opened: Quantity
    waste: Quantity
    rounded: bool
    """True when the dose given is a whole-vial amount that differs from the prescription."""
    within_tolerance: bool
    no_vials: bool = False
    waste_volume: Quantity = _NO_WASTE
    """The part vial's volume to discard (mL): what the nurse throws away."""

    @property
    def vial_total(self) -> int:
        return sum(c.count for c in self.counts)


@lru_cache(maxsize=4096)
def _min_counts(units: tuple[int, ...], top: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Fewest vials for every total 0..top (in gcd units): (count, last vial index) tables.

    Larger vials are tried first so that among equally few vials the pick is stable.
    """
    inf = 1 << 30
    best = [inf] * (top + 1)
    last = [-1] * (top + 1)
    best[0] = 0
    order = sorted(range(len(units)), key=lambda i: -units[i])
    for t in range(1, top + 1):
        for i in order:
            u = units[i]
            if u <= t and best[t - u] + 1 < best[t]:
                best[t] = best[t - u] + 1
                last[t] = i
    return tuple(best), tuple(last)


@cache_by_identity
def _vial_units(vials: tuple[Vial, ...]) -> tuple[int, tuple[int, ...]]:
    """(gcd in mg, each size in gcd units): integer arithmetic makes the search exact."""
    sizes = [round(v.size.m_as(MG)) for v in vials]
    unit = math.gcd(*sizes)
    return unit, tuple(s // unit for s in sizes)


def pick_vials(prescribed: Quantity, vials: tuple[Vial, ...], tolerance: float) -> VialPick:
    dose_mg = float(prescribed.m_as(MG))
    zero = Q_(0.0, G)
    if not vials:
        return VialPick(prescribed.to(G), prescribed.to(G), (), zero, zero, False, False, True)
    unit, units = _vial_units(vials)
    d = dose_mg / unit
    eps = 1e-9
    lo = max(1, math.ceil(d * (1 - tolerance) - eps))
    hi = math.floor(d * (1 + tolerance) + eps)
    cover = math.ceil(d - eps)
    top = max(hi, cover + max(units))
    best, last = _min_counts(units, top)
    inf = 1 << 30

    candidates = [t for t in range(lo, hi + 1) if best[t] < inf]
    if candidates:
        # Distances are rounded so that a true tie (15.5 g between 15 and 16) stays a tie when the
        # dose arrives as 15.500000000000002 from a pound entry; ties go to fewer vials, then less.
        total = min(candidates, key=lambda t: (round(abs(t - d), 6), best[t], t))
        within = True
    else:
        total = min((t for t in range(cover, top + 1) if best[t] < inf), key=lambda t: (t, best[t]))
        within = False
    counts = [0] * len(units)
    t = total
    while t > 0:
        i = last[t]
        counts[i] += 1
        t -= units[i]
    picked = tuple(VialCount(v, n) for v, n in zip(vials, counts, strict=True) if n)
    opened = Q_(total * unit / 1000, G)
    given = opened if within else prescribed.to(G)
    waste = Q_(max(0.0, opened.m - given.m_as(G)), G)
    rounded = within and abs(total - d) > eps
    # One concentration per product: any picked vial's volume per gram converts the waste.
    per_g = picked[0].vial.volume / picked[0].vial.size
    waste_volume = (waste * per_g).to(ML)
    return VialPick(
        prescribed.to(G), given, picked, opened, waste, rounded, within, waste_volume=waste_volume
    )
