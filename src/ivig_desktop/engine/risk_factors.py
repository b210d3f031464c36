"""Risk factors, severities and warnings as plain data.

No pint here: the window builds its checkboxes from this list before the unit system loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    INFO = 0
    CAUTION = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Warning:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class RiskFactor:
    id: str
    label: str
    group: str


#: Inputs of the risk screen, grouped as the window shows them.
RISK_FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor("renal-insufficiency", "Pre-existing renal insufficiency", "renal"),
    RiskFactor("diabetes", "Diabetes mellitus", "renal"),
    RiskFactor("volume-depletion", "Volume depletion", "renal"),
    RiskFactor("sepsis", "Sepsis", "renal"),
    RiskFactor("paraproteinemia", "Paraproteinemia", "renal"),
    RiskFactor("nephrotoxic-drugs", "Known nephrotoxic drugs", "renal"),
    RiskFactor("immobilisation", "Prolonged immobilisation", "thrombotic"),
    RiskFactor("hypercoagulable", "Hypercoagulable condition", "thrombotic"),
    RiskFactor("prior-thrombosis", "History of venous or arterial thrombosis", "thrombotic"),
    RiskFactor("estrogens", "Use of estrogens", "thrombotic"),
    RiskFactor("central-catheter", "Indwelling central vascular catheter", "thrombotic"),
    RiskFactor("hyperviscosity", "Hyperviscosity", "thrombotic"),
    RiskFactor("cardiovascular-risk", "Cardiovascular risk factors", "thrombotic"),
    RiskFactor("heart-failure", "Heart failure / reduced cardiac function", "cardiac"),
    RiskFactor("iga-deficiency", "IgA deficiency with antibodies against IgA", "product"),
    RiskFactor("fructose-intolerance", "Hereditary fructose intolerance", "product"),
    RiskFactor("hyperprolinaemia", "Hyperprolinaemia", "product"),
    RiskFactor("maltose-meter", "Glucose monitored by a maltose-sensitive meter", "product"),
    RiskFactor("corn-allergy", "Hypersensitivity to corn", "product"),
)
RISK_IDS = frozenset(r.id for r in RISK_FACTORS)
