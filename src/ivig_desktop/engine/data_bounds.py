"""The bounds a site's data file must keep, each with the reason a pharmacist can check.

They are not site settings: a site file outside them is a typing mistake (a maximum written in
mL/kg/min for mg/kg/min is 100 times too fast), and a site that could loosen them could also
loosen them by mistake. Figures come from /work/shared/reference/products.md (the label table,
§1) or from physics; where a bound is this program's own it says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_desktop.engine.units import Q_, Quantity


@dataclass(frozen=True, slots=True)
class Bound:
    low: Quantity | None
    high: Quantity | None
    reason: str


#: IVIG products exist as 5 % and 10 % liquids and as powders reconstituted to 3–12 %
#: (products.md §1: every liquid listed is 5 % or 10 %; Carimune NF "lyophilised 3–12 %").
CONCENTRATION = Bound(
    Q_(30, "mg/mL"),
    Q_(120, "mg/mL"),
    "IVIG products exist from 3 % to 12 % (products.md §1: liquids 5 % or 10 %, powders reconstituted "
    "to 3–12 %)",
)

#: No label allows a faster rate: Panzyga PI 14 mg/kg/min (0.14 mL/kg/min) is the highest maximum
#: in products.md §1. Every rate of a file (start, rungs, maximum, later start, at-risk cap,
#: increment) is held to it after conversion with the product's own concentration.
RATE = Bound(
    None,
    Q_(14, "mg/kg/min"),
    "the highest maximum rate of any IVIG label is 14 mg/kg/min (Panzyga PI, products.md §1)",
)

#: The smallest and the largest vial in products.md: Flebogamma 5 % 0.5 g / 10 mL and
#: Privigen 40 g / 400 mL.
VIAL_SIZE = Bound(
    Q_(0.5, "g"),
    Q_(40, "g"),
    "IVIG vials range from 0.5 g (Flebogamma 5 %) to 40 g (Privigen) in products.md",
)

#: This program's bound: twice the most sizes any product in products.md lists (6: Gamunex-C,
#: Gammagard Liquid, Panzyga). It keeps the vial search small whatever the file holds.
MAX_VIAL_SIZES = 12
VIAL_SIZES_REASON = "this program's bound, twice the most sizes any product in products.md lists (6)"

#: This program's bound: half again the longest labelled ladder (Bivigam, 0.5 → 6 mg/kg/min by
#: 0.8 every 20 min: 8 rungs). It bounds a list's length, a doubling's and an increment's steps.
MAX_RUNGS = 12
RUNGS_REASON = (
    "this program's bound, half again the longest labelled ladder (Bivigam: 0.5 to 6 mg/kg/min "
    "by 0.8, 8 rungs)"
)

#: A rate step is held within one infusion day.
STEP_MINUTES = Bound(None, Q_(24 * 60, "min"), "a step cannot outlast the day's infusion (24 h = 1440 min)")

#: The rounding tolerance: ±10 % is the only convention in the reference (clinical-anchors §1.2);
#: beyond a quarter of the dose, "rounding" would be giving a different dose.
TOLERANCE_PERCENT = (
    0.0,
    25.0,
    "±10 % is the only dose-rounding convention found (clinical-anchors §1.2); beyond 25 % rounding "
    "would give a different dose (this program's bound)",
)

#: Common volumetric pumps are programmed in 0.1 or 1 mL/h; a coarser step would cut the lowest
#: starting rates (10 kg at 0.5 mg/kg/min of a 10 % product: 3 mL/h) by a third or more.
PUMP_RESOLUTION = Bound(
    None,
    Q_(1, "mL/h"),
    "pumps are programmed in steps of 0.1 or 1 mL/h; a coarser step would cut a 3 mL/h starting "
    "rate (10 kg at 0.5 mg/kg/min of 10 %) by a third",
)
