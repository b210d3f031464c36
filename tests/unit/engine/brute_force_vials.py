"""An independent oracle for vials.pick_vials: enumerate every combination of vial counts.

Not a test module (no ``test_`` prefix); test_vials.py and the vial property tests import it.
The documented rules it encodes, among whole-vial amounts within ±tolerance of the dose:
"fewest-vials" (the default) takes the fewest vials, then the nearest amount, then the smaller;
"nearest" takes the nearest amount, then the fewest vials, then the smaller. If none lies within
the tolerance, take the smallest amount that covers the dose (the exact dose is given, the rest
is waste).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@cache
def fewest_vials_per_total(sizes_mg: tuple[int, ...], top_mg: float) -> dict[int, int]:
    """Every combination of counts 0..k of each size with total ≤ top: the fewest vials per total."""
    best: dict[int, int] = {}
    sizes = sorted(sizes_mg, reverse=True)

    def walk(i: int, total: int, n: int) -> None:
        if i == len(sizes):
            if total and (total not in best or n < best[total]):
                best[total] = n
            return
        k = 0
        while total + k * sizes[i] <= top_mg:
            walk(i + 1, total + k * sizes[i], n + k)
            k += 1

    walk(0, 0, 0)
    return best


@dataclass(frozen=True)
class Expected:
    opened_mg: int
    vials: int
    within: bool


def expected_pick(
    dose_mg: float, best: dict[int, int], tolerance: float, rule: str = "fewest-vials"
) -> Expected:
    slack = 1e-6 * max(1.0, dose_mg)
    window = [t for t in best if abs(t - dose_mg) <= tolerance * dose_mg + slack]
    if window:

        def key(t: int) -> tuple[float, ...]:
            dist = round(abs(t - dose_mg), 3)
            return (best[t], dist, t) if rule == "fewest-vials" else (dist, best[t], t)

        t = min(window, key=key)
        return Expected(t, best[t], True)
    t = min(t for t in best if t >= dose_mg - slack)
    return Expected(t, best[t], False)
