"""Which rate an infusion starts at, and why: the label's initial rate unless the order says otherwise.

A calculator's default must be the label's initial rate. A product's faster subsequent-infusion
start (Gammaplex 10 %: 0.01 mL/kg/min after a tolerated first infusion, from its trial-protocol
page) is used only when the order says the patient has tolerated the product before and no
start-low reason (first infusion, more than 8 weeks, product switch) applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_desktop.engine.formulary import Titration

START_LOW_REASONS = {
    "first-infusion": "first infusion",
    "over-8-weeks": "more than 8 weeks since the last infusion",
    "product-switch": "switch from another immune globulin product",
}


@dataclass(frozen=True, slots=True)
class StartRate:
    subsequent: bool
    """True: the ladder starts at the product's subsequent-infusion rate."""
    reason: str


def choose_start(titration: Titration, start_low: frozenset[str], tolerated: bool) -> StartRate:
    low = ", ".join(START_LOW_REASONS[r] for r in sorted(start_low))
    later = titration.subsequent_start
    if later is None:
        why = "the label's initial rate (the label gives one start rate)"
        return StartRate(False, f"{why}; start-low: {low}" if low else why)
    if low:
        return StartRate(False, f"the label's initial rate: start-low ({low})")
    if tolerated:
        return StartRate(
            True,
            "the subsequent-infusion rate: the order says the patient has tolerated this product "
            f"[{later.provenance.evidence}: {later.provenance.source}]",
        )
    return StartRate(
        False,
        "the label's initial rate (default; the faster subsequent-infusion start needs the order "
        "to say the patient has tolerated this product)",
    )
