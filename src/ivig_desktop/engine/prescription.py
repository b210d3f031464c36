"""What the prescriber wrote, read as written: a course or a daily dose, a lower maximum rate.

Course or daily dose: how an entered dose reads, stated so a second clinician can check it.

A per-kg dose without "/day" is the course (``2 g/kg`` over 2 days is 1 g/kg/day); with "/day"
it is given on each day (``1 g/kg/day`` × 2 days is a 2 g/kg course). The one dangerous slip is
a daily figure typed without "/day", which plans half (or a fifth) of the course meant: when the
entered course equals the regimen's own daily dose, the plan says so in a caution.

A prescriber's maximum rate may be a dose rate or a volume rate (labels give both); it can only
lower the label's maximum, and one the pump cannot run is refused naming max-rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivig_desktop.engine.display import number
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.quantities import dose_text, entered_text
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import G_PER_KG, KG, MG_PER_KG_MIN, Quantity, pump_rate, to_dose_rate

if TYPE_CHECKING:
    from ivig_desktop.engine.formulary import Product, Titration
    from ivig_desktop.engine.plan import Order
    from ivig_desktop.engine.regimens import Regimen
    from ivig_desktop.engine.settings import SiteSettings


def dose_notation_warnings(
    order: Order, regimen: Regimen | None, per_kg: Quantity, days: int
) -> list[Warning]:
    """A caution when a plain per-kg course equals the regimen's daily dose over more than one day."""
    dose = order.dose
    if dose is None or order.dose_per_day or days < 2 or not dose.check("[mass] / [mass]"):
        return []
    if regimen is None or regimen.course_dose is None:
        return []
    entered = per_kg.m_as(G_PER_KG)
    dailies = {regimen.course_dose.m_as(G_PER_KG) / n for n in {days, regimen.days or days} if n > 1}
    if not any(abs(entered - daily) <= 1e-9 * max(1.0, daily) for daily in dailies):
        return []
    typed = dose_text(dose, False)
    return [
        Warning(
            "dose-notation",
            Severity.CAUTION,
            f"'{typed}' was read as the COURSE: {number(entered, 3)} g/kg course = "
            f"{number(entered / days, 3)} g/kg/day × {days} days. That is the {regimen.name} regimen's "
            f"DAILY dose (its course is {number(regimen.course_dose.m_as(G_PER_KG), 3)} g/kg). If "
            f"{typed} per day was meant, enter '{dose_text(dose, True)}'.",
        )
    ]


def prescribed_max(order: Order, product: Product) -> Quantity | None:
    """The prescriber's maximum as a dose rate: a volume rate (mL/kg/min, as labels also give
    it) is converted once with the chosen product's own concentration."""
    rate = order.max_rate
    if rate is None:
        return None
    if (
        not (rate.check("[mass]/[mass]/[time]") or rate.check("[length] ** 3 / [mass] / [time]"))
        or rate.m <= 0
    ):
        raise InputError("max-rate", "must be a positive dose rate in mg/kg/min or mL/kg/min")
    return to_dose_rate(rate, product.conc)


def check_prescribed_max(
    order: Order,
    rate: Quantity,
    titration: Titration,
    product: Product,
    settings: SiteSettings,
    weight: Quantity,
) -> None:
    """A prescriber's maximum can only lower the label's; one the pump cannot run is refused here,
    naming max-rate (not the weight the schedule would otherwise blame)."""
    typed = entered_text(order.max_rate) if order.max_rate is not None else ""
    as_dose = (
        ""
        if order.max_rate is None or order.max_rate.check("[mass]/[mass]/[time]")
        else (
            f" ({number(rate.m_as(MG_PER_KG_MIN), 2)} mg/kg/min at "
            f"{number(product.conc.m_as('mg/mL'), 0)} mg/mL)"
        )
    )
    label = titration.max_rate.to(MG_PER_KG_MIN)
    if rate > label * (1 + 1e-9):
        raise InputError(
            "max-rate",
            f"{typed}{as_dose} is above the {product.name} label maximum of {number(label.m, 2)} mg/kg/min "
            f"({titration.indication}); a prescriber's maximum can only lower the rate",
        )
    step = settings.pump_resolution
    if pump_rate(rate, weight, product.conc) < step:
        raise InputError(
            "max-rate",
            f"{typed}{as_dose} at {number(weight.m_as(KG), 1)} kg is "
            f"{number(pump_rate(rate, weight, product.conc).m_as('mL/h'), 3)} mL/h, below the pump "
            f"resolution {number(step.m_as('mL/h'), 2)} mL/h; choose a higher maximum rate",
        )


def pump_culprit(
    exc: InputError, regimen: Regimen | None, titration: Titration, day_dose: Quantity, weight: Quantity
) -> InputError:
    """A pump rate below the resolution is blamed on the field really at fault: with a regimen that
    infuses each day's dose over a fixed time (Kawasaki), the rate follows the dose, and when that
    fixed-time rate is below the label's start rate it is the dose, not the weight."""
    if exc.field != "weight" or "pump resolution" not in exc.message or regimen is None:
        return exc
    if regimen.infusion_hours is None:
        return exc
    fixed = (day_dose / regimen.infusion_hours[0] / weight).to(MG_PER_KG_MIN)
    if fixed >= titration.start_rate.to(MG_PER_KG_MIN):
        return exc
    return InputError(
        "dose",
        f"{number(day_dose.m_as('g'), 2)} g a day over the {regimen.name} regimen's fixed "
        f"{number(regimen.infusion_hours[0].m_as('h'), 1)} h runs at {number(fixed.m, 6)} mg/kg/min: "
        f"{exc.message}",
    )
