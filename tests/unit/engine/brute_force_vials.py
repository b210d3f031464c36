"""An independent oracle for vials.pick_vials: enumerate every combination of vial counts.

Not a test module (no ``test_`` prefix); test_vials.py and the vial property tests import it.
The documented rule it encodes: among whole-vial amounts within ±tolerance of the dose, take
the nearest, then the fewest vials, then the smaller amount; if none lies within the tolerance,
take the smallest amount that covers the dose (the exact dose is given, the rest is waste).
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


def expected_pick(dose_mg: float, best: dict[int, int], tolerance: float) -> Expected:
    slack = 1e-6 * max(1.0, dose_mg)
    window = [t for t in best if abs(t - dose_mg) <= tolerance * dose_mg + slack]
    if window:
        t = min(window, key=lambda t: (abs(t - dose_mg), best[t], t))
        return Expected(t, best[t], True)
    t = min(t for t in best if t >= dose_mg - slack)
    return Expected(t, best[t], False)
