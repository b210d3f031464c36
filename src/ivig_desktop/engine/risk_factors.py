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
    remedies: frozenset[str] = frozenset()
    """Kinds of alternative (product, days, rate) that may clear this warning; empty: none asked for."""


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

#: What each group of risk factors changes in a plan, for ``ivig-desktop risks``: the class boxed
#: warning's own words (products.md §0.2, as engine/risk.py) or the product's contraindication.
GROUP_COVERS: dict[str, str] = {
    "renal": (
        "Renal boxed warning ('any degree of pre-existing renal insufficiency, diabetes mellitus, age "
        "greater than 65, volume depletion, sepsis, paraproteinemia, or patients receiving known "
        "nephrotoxic drugs'): a renal caution; a product's numeric label rate cap for renal risk, "
        "where the formulary has one, is applied."
    ),
    "thrombotic": (
        "Thrombosis boxed warning ('advanced age, prolonged immobilization, hypercoagulable "
        "conditions, history of venous or arterial thrombosis, use of estrogens, indwelling central "
        "vascular catheters, hyperviscosity, and cardiovascular risk factors'): a thrombosis caution; "
        "a product's numeric label rate cap for thrombotic risk, where the formulary has one, is applied."
    ),
    "cardiac": "The site's stricter daily volume limit applies (site setting); lower-volume alternatives.",
    "product": "Product contraindications: the plan warns when the chosen product conflicts.",
}
#: What a risk id covers where its label alone does not say.
RISK_COVERS: dict[str, str] = {
    "nephrotoxic-drugs": "The patient receives known nephrotoxic drugs.",
    "hyperviscosity": "Hyperviscosity: the label asks to assess blood viscosity in patients at risk.",
    "cardiovascular-risk": (
        "The label's 'cardiovascular risk factors', which it does not list further: tick it when the "
        "prescriber judges the patient to have them."
    ),
    "heart-failure": "Heart failure or reduced cardiac function.",
    "iga-deficiency": "IgA deficiency with antibodies against IgA: the plan shows the product's IgA content.",
    "fructose-intolerance": "Hereditary fructose intolerance: products with sorbitol are contraindicated.",
    "hyperprolinaemia": "Hyperprolinaemia: products stabilised with proline are contraindicated.",
    "maltose-meter": (
        "Glucose monitored with a maltose-sensitive meter (GDH-PQQ, glucose-dye-oxidoreductase): a "
        "maltose-containing product makes the maltose warning critical."
    ),
    "corn-allergy": "Hypersensitivity to corn: a product whose maltose comes from corn is contraindicated.",
}
