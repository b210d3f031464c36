"""Whole-vial selection: one day's dose, and a multi-day course balanced across its days.

Exact, not greedy: the fewest vials for every amount comes from a small integer table. The rule
among the amounts within the site's rounding tolerance is a site setting (``vial_rule``):

* ``fewest-vials`` (default): the fewest vials, then the amount nearest the dose (69 g of
  Octagam 10 % is 30 + 30 + 10 = 70 g, 3 vials, not 30 + 30 + 5 + 2 + 2 = 69 g, 5 vials);
* ``nearest``: the amount nearest the dose, then the fewest vials.

When no amount lies within the tolerance, the exact dose is given and the part vial and its
waste (g and mL to discard) are shown. Over several days, days may differ by a vial so that the
course total stays nearest the prescribed course (:func:`pick_course`).

The search is bounded whatever the data: vials larger than any amount the search can use are
set aside, and a table that would exceed :data:`SEARCH_CELLS` is refused with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.formulary import Vial
from ivig_desktop.engine.units import MG, ML, Q_, G, Quantity, cache_by_identity

VIAL_RULES = ("fewest-vials", "nearest")

#: Upper bound on the search table (amounts × vial sizes). A real day's dose with real vials
#: needs a few thousand cells; 2 million keeps even a hostile formulary under a second.
SEARCH_CELLS = 2_000_000
#: Tables smaller than this are cached between plans (the window replans on every keystroke).
_CACHE_TOP = 50_000

_INF = 1 << 30
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


def _table(units: tuple[int, ...], top: int) -> tuple[list[int], list[int]]:
    """Fewest vials for every total 0..top (in gcd units): (count, last vial index) lists.

    Larger vials are tried first so that among equally few vials the pick is stable.
    """
    best = [_INF] * (top + 1)
    last = [-1] * (top + 1)
    best[0] = 0
    order = sorted(range(len(units)), key=lambda i: -units[i])
    for t in range(1, top + 1):
        bt = _INF
        bi = -1
        for i in order:
            u = units[i]
            if u <= t:
                c = best[t - u] + 1
                if c < bt:
                    bt, bi = c, i
        best[t] = bt
        last[t] = bi
    return best, last


@lru_cache(maxsize=512)
def _cached_table(units: tuple[int, ...], top: int) -> tuple[list[int], list[int]]:
    return _table(units, top)


@cache_by_identity
def _sizes_mg(vials: tuple[Vial, ...]) -> tuple[int, ...]:
    return tuple(round(v.size.m_as(MG)) for v in vials)


@cache_by_identity
def _ml_per_g(vials: tuple[Vial, ...]) -> float:
    """Volume per gram of this product's vials (one concentration per product)."""
    v = vials[0]
    return float(v.volume.m_as(ML)) / float(v.size.m_as(G))


@dataclass(frozen=True, slots=True)
class _Search:
    """The amounts whole vials can make around one dose, in integer units of ``unit`` mg."""

    unit: int
    index: tuple[int, ...]
    """Which of the product's vials each unit size is."""
    units: tuple[int, ...]
    best: list[int]
    last: list[int]
    d: float
    lo: int
    hi: int
    cover: int
    top: int
    singles: tuple[tuple[int, int], ...]
    """Vials too large for the table: (size in mg, vial index), each usable alone to cover."""

    def count(self, t: int) -> int:
        return self.best[t] if 0 <= t <= self.top else _INF

    def counts(self, t: int) -> list[int]:
        out = [0] * (max(self.index) + 1 if self.index else 0)
        while t > 0:
            i = self.last[t]
            out[self.index[i]] += 1
            t -= self.units[i]
        return out


def _search(dose_mg: float, vials: tuple[Vial, ...], tolerance: float) -> _Search:
    sizes = _sizes_mg(vials)
    eps = 1e-9
    # Only vials no larger than the top of the tolerance window, or than the smallest single vial
    # that covers the dose, can be part of a useful combination; a larger one never is.
    covering = [x for x in sizes if x >= dose_mg * (1 - eps)]
    limit = max(dose_mg * (1 + tolerance) * (1 + eps), min(covering) if covering else 0)
    usable = [i for i, x in enumerate(sizes) if x <= limit]
    singles: tuple[tuple[int, int], ...] = ()
    if not usable:
        return _Search(1, (), (), [0], [-1], dose_mg, 1, 0, 1, 0, singles)
    unit = math.gcd(*(sizes[i] for i in usable))
    units = tuple(sizes[i] // unit for i in usable)
    d = dose_mg / unit
    lo = max(1, math.ceil(d * (1 - tolerance) - eps))
    hi = math.floor(d * (1 + tolerance) + eps)
    cover = math.ceil(d - eps)
    top = max(hi, cover + max(units))
    cells = (top + 1) * len(units)
    if cells > SEARCH_CELLS:
        raise InputError(
            "dose",
            f"{dose_mg / 1000:,.6g} g per day cannot be counted in whole vials of "
            f"{', '.join(f'{s / 1000:g} g' for s in sizes[:6])}{' …' if len(sizes) > 6 else ''}: "
            f"the search would need {cells:,} cells (bound {SEARCH_CELLS:,}). "
            "Check the dose, the weight and the formulary's vial sizes",
        )
    best, last = _cached_table(units, top) if top <= _CACHE_TOP else _table(units, top)
    return _Search(unit, tuple(usable), units, best, last, d, lo, hi, cover, top, singles)


def _key(s: _Search, t: int, rule: str) -> tuple[float, ...]:
    # Distances are rounded so that a true tie (15.5 g between 15 and 16) stays a tie when the
    # dose arrives as 15.500000000000002 from a pound entry.
    dist = round(abs(t - s.d), 6)
    return (s.best[t], dist, t) if rule == "fewest-vials" else (dist, s.best[t], t)


def _within(s: _Search) -> list[int]:
    return [t for t in range(s.lo, s.hi + 1) if s.best[t] < _INF]


def _pick_from(
    s: _Search, total: int | None, vials: tuple[Vial, ...], prescribed: Quantity, *, within: bool
) -> VialPick:
    """The VialPick for ``total`` units (within tolerance) or for the covering fallback."""
    if within:
        assert total is not None
        counts = s.counts(total)
        opened_mg = total * s.unit
    else:
        cover = [t for t in range(s.cover, s.top + 1) if s.best[t] < _INF]
        table = min(cover, key=lambda t: (t, s.best[t])) if cover else None
        single = min(s.singles) if s.singles else None
        counts = [0] * len(vials)
        if table is not None and (single is None or table * s.unit <= single[0]):
            counts = s.counts(table) + [0] * (len(vials) - len(s.counts(table)))
            opened_mg = table * s.unit
        else:
            assert single is not None
            counts[single[1]] = 1
            opened_mg = single[0]
    counts = counts + [0] * (len(vials) - len(counts))
    picked = tuple(VialCount(v, n) for v, n in zip(vials, counts, strict=True) if n)
    opened = Q_(opened_mg / 1000, G)
    given = opened if within else prescribed.to(G)
    waste_g = max(0.0, opened.m - float(given.m_as(G)))
    rounded = within and total is not None and abs(total - s.d) > 1e-9
    return VialPick(
        prescribed.to(G),
        given,
        picked,
        opened,
        Q_(waste_g, G),
        rounded,
        within,
        waste_volume=Q_(waste_g * _ml_per_g(vials), ML),
    )


def _no_vials(prescribed: Quantity) -> VialPick:
    zero = Q_(0.0, G)
    return VialPick(prescribed.to(G), prescribed.to(G), (), zero, zero, False, False, True)


def pick_vials(
    prescribed: Quantity, vials: tuple[Vial, ...], tolerance: float, rule: str = "fewest-vials"
) -> VialPick:
    """One day's whole-vial pick under ``rule`` (see the module docstring)."""
    if not vials:
        return _no_vials(prescribed)
    s = _search(float(prescribed.m_as(MG)), vials, tolerance)
    window = _within(s)
    if window:
        return _pick_from(s, min(window, key=lambda t: _key(s, t, rule)), vials, prescribed, within=True)
    return _pick_from(s, None, vials, prescribed, within=False)


def _spread(n: int, k: int) -> list[bool]:
    """Which of ``n`` days take the second amount when ``k`` do: evenly, the first day first."""
    return [math.ceil(d * k / n) > math.ceil((d - 1) * k / n) for d in range(1, n + 1)]


def pick_course(
    course: Quantity, n_days: int, vials: tuple[Vial, ...], tolerance: float, rule: str = "fewest-vials"
) -> tuple[VialPick, ...]:
    """Each day's pick for a course split equally over ``n_days``, balanced so the course total
    stays nearest the prescribed course.

    Every day takes the rule's pick ``p`` when that keeps the course total within one smallest vial
    of the prescribed course. Otherwise days take ``p`` or its partner ``q``, the nearest whole-vial
    amount on the other side of the daily dose (or on it, within the tolerance), as many ``q`` days
    as bring the course total nearest the prescribed course; if that still misses by more than one
    smallest vial, the two amounts nearest the daily dose on either side are mixed instead (they
    always come within half a smallest vial). Under fewest-vials, a partner that opens at most one
    vial more than ``p`` replaces that choice when it too stays within one smallest vial and opens
    fewer vials over the course. Ties go to fewer vials, then the smaller total.
    """
    daily = (course / n_days).to(G)
    if not vials:
        return (_no_vials(daily),) * n_days
    s = _search(float(daily.m_as(MG)), vials, tolerance)
    window = _within(s)
    if not window:
        return (_pick_from(s, None, vials, daily, within=False),) * n_days
    p = min(window, key=lambda t: _key(s, t, rule))
    target = s.d * n_days
    smallest = min(s.units)
    if n_days == 1 or abs(p * n_days - target) <= smallest + 1e-9:
        # The rule's pick every day keeps the course within one smallest vial: nothing to balance.
        return (_pick_from(s, p, vials, daily, within=True),) * n_days

    def best_mix(a: int, b: int) -> tuple[float, int, int]:
        """(error, vials, k): ``k`` days of ``b``, the rest ``a``, nearest the course."""
        return min(
            (
                round(abs(a * (n_days - k) + b * k - target), 6),
                s.best[a] * (n_days - k) + s.best[b] * k,
                k,
            )
            for k in range(n_days + 1)
        )

    # The partner lies on the other side of the daily dose, or on it.
    other = [t for t in window if (t <= s.d + 1e-9 if p > s.d else t >= s.d - 1e-9)]
    a, b = p, p
    err, _, k = (round(abs(p * n_days - target), 6), 0, 0)
    if other:
        q = min(other, key=lambda t: (round(abs(t - s.d), 6), s.best[t], t))
        err, _, k = best_mix(p, q)
        a, b = p, q
    if err > smallest + 1e-9:
        below = [t for t in window if t <= s.d + 1e-9]
        above = [t for t in window if t >= s.d - 1e-9]
        if below and above:
            lo_t, hi_t = max(below), min(above)
            err2, _, k2 = best_mix(lo_t, hi_t)
            if err2 < err:
                a, b, k = lo_t, hi_t, k2
    if rule == "fewest-vials":
        # Days differ by a vial: a partner that opens at most one vial more than ``p`` is taken
        # when it also keeps the course within one smallest vial and opens fewer vials in all
        # (Octagam 10 %, 32.8 g/day: 30 g and 30 + 5 g, 8 vials, not 33 g = 20 + 5 + 4 × 2 every
        # day, 30 vials).
        near = [t for t in other if s.best[t] <= s.best[p] + 1]
        if near:
            q = min(near, key=lambda t: (round(abs(t - s.d), 6), s.best[t], t))
            err_n, vials_n, k_n = best_mix(p, q)
            if err_n <= smallest + 1e-9 and vials_n < s.best[a] * (n_days - k) + s.best[b] * k:
                a, b, k = p, q, k_n
    pa = _pick_from(s, a, vials, daily, within=True)
    pb = _pick_from(s, b, vials, daily, within=True) if b != a else pa
    return tuple(pb if high else pa for high in _spread(n_days, k))
