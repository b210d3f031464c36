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

_RENAL = (
    "Renal boxed-warning risk factor (class label: 'any degree of pre-existing renal insufficiency, "
    "diabetes mellitus, age greater than 65, volume depletion, sepsis, paraproteinemia, or patients "
    "receiving known nephrotoxic drugs'): renal caution; a product's numeric label rate cap for renal "
    "risk, where the formulary has one, is applied."
)
_THROMBOTIC = (
    "Thrombosis boxed-warning risk factor (class label: 'advanced age, prolonged immobilization, "
    "hypercoagulable conditions, history of venous or arterial thrombosis, use of estrogens, indwelling "
    "central vascular catheters, hyperviscosity, and cardiovascular risk factors'): thrombosis caution; "
    "a product's numeric label rate cap for thrombotic risk, where the formulary has one, is applied."
)
#: What each risk id covers and what it changes in a plan, for ``ivig-desktop risks``: the class
#: boxed warning's own words (products.md §0.2, as engine/risk.py) or the product's contraindication.
RISK_COVERS: dict[str, str] = {
    "renal-insufficiency": "Any degree of pre-existing renal insufficiency. " + _RENAL,
    "diabetes": "Diabetes mellitus. " + _RENAL,
    "volume-depletion": "Volume depletion. " + _RENAL,
    "sepsis": "Sepsis. " + _RENAL,
    "paraproteinemia": "Paraproteinemia. " + _RENAL,
    "nephrotoxic-drugs": "The patient receives known nephrotoxic drugs. " + _RENAL,
    "immobilisation": "Prolonged immobilisation. " + _THROMBOTIC,
    "hypercoagulable": "A hypercoagulable condition. " + _THROMBOTIC,
    "prior-thrombosis": "A history of venous or arterial thrombosis. " + _THROMBOTIC,
    "estrogens": "Use of estrogens. " + _THROMBOTIC,
    "central-catheter": "An indwelling central vascular catheter. " + _THROMBOTIC,
    "hyperviscosity": "Hyperviscosity (the label asks to assess blood viscosity). " + _THROMBOTIC,
    "cardiovascular-risk": (
        "The label's 'cardiovascular risk factors', which it does not list further: tick it when the "
        "prescriber judges the patient to have them. " + _THROMBOTIC
    ),
    "heart-failure": (
        "Heart failure or reduced cardiac function: the site's stricter daily volume limit applies "
        "(site setting), and the plan offers lower-volume alternatives."
    ),
    "iga-deficiency": (
        "IgA deficiency with antibodies against IgA and a history of hypersensitivity: a label "
        "contraindication; the plan shows the product's IgA content."
    ),
    "fructose-intolerance": (
        "Hereditary fructose intolerance: products containing sorbitol are contraindicated; the plan warns."
    ),
    "hyperprolinaemia": (
        "Hyperprolinaemia: products stabilised with proline are contraindicated; the plan warns."
    ),
    "maltose-meter": (
        "Blood glucose is monitored with a maltose-sensitive meter (GDH-PQQ, glucose-dye-oxidoreductase): "
        "a maltose-containing product makes the plan's maltose warning critical."
    ),
    "corn-allergy": (
        "Hypersensitivity to corn: a product whose maltose comes from corn is contraindicated; "
        "the plan warns."
    ),
}
