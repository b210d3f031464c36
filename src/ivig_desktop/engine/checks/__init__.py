"""The warnings of a plan: each with a stable code, a severity and the numbers behind it.

Codes are part of the JSON contract (README "Warning codes"): weight-check, dose-check, iga,
maltose, sorbitol, proline, corn, renal, thrombosis, rate-capped, volume-load, off-label,
dose-limit, rounding, titration, dosing-weight. One warning per cause; severity in proportion
(critical: the user must act; caution: decide or watch; info: what the plan did and why).

Each concern is in its own module: body (weight against height and age), dose (dose against
the indication), product (contraindications and interferences), risk (boxed-warning risks and
rate caps), volume (volume load), vials (whole-vial rounding), titration (start rate, steps).
"""

from __future__ import annotations

from ivig_desktop.engine.checks import body, dose, product, risk, titration, vials, volume
from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.risk_factors import Warning

_ORDER = (
    body.warnings,
    dose.warnings,
    product.warnings,
    risk.warnings,
    volume.warnings,
    vials.warnings,
    titration.warnings,
)


def plan_warnings(plan: PlanFacts) -> tuple[Warning, ...]:
    """Every warning, most severe first; within a severity, body and dose checks lead (a slip first)."""
    out: list[Warning] = []
    for check in _ORDER:
        out.extend(check(plan))
    out.sort(key=lambda w: -w.severity)
    return tuple(out)
