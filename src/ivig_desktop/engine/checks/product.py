"""Product contraindications and interferences: IgA, maltose, sorbitol, proline, corn, sucrose."""

from __future__ import annotations

from ivig_desktop.engine.checks.facts import PlanFacts
from ivig_desktop.engine.display import number
from ivig_desktop.engine.risk_factors import Severity, Warning


def warnings(plan: PlanFacts) -> list[Warning]:
    out: list[Warning] = []
    product, factors = plan.product, plan.risk.factors
    if "iga-deficiency" in factors:
        iga = (
            f"{product.iga_qualifier} {number(product.iga.quantity.m_as('mcg/mL'), 1)} mcg/mL IgA "
            f"[{product.iga.provenance.evidence}: {product.iga.provenance.source}]"
            if product.iga is not None
            else "IgA content not found in the label text read"
        )
        out.append(
            Warning(
                "iga",
                Severity.CRITICAL,
                f"IgA deficiency with antibodies against IgA: all IVIG labels contraindicate use with a "
                f"history of hypersensitivity. {product.name}: {iga}.",
            )
        )
    if "maltose" in product.contains:
        sev = Severity.CRITICAL if "maltose-meter" in factors else Severity.CAUTION
        out.append(
            Warning(
                "maltose",
                sev,
                f"{product.name} contains maltose: GDH-PQQ and glucose-dye-oxidoreductase meters read it "
                "as glucose (falsely high readings, insulin given, hypoglycaemia missed). Measure blood "
                "glucose with a glucose-specific method during and after the infusion."
                + (
                    " The patient's glucose is monitored with a maltose-sensitive meter."
                    if sev is Severity.CRITICAL
                    else ""
                ),
            )
        )
    if "sorbitol" in product.contains:
        out.extend(_sorbitol(plan))
    if "proline" in product.contains and "hyperprolinaemia" in factors:
        out.append(
            Warning(
                "proline",
                Severity.CRITICAL,
                f"{product.name} is stabilised with L-proline; hyperprolinaemia is a contraindication "
                f"[{product.contains['proline'].source}]. Choose another product.",
            )
        )
    if "corn" in product.contains and "corn-allergy" in factors:
        out.append(
            Warning(
                "corn",
                Severity.CRITICAL,
                f"{product.name} (maltose from corn) is contraindicated in acute hypersensitivity to corn "
                f"[{product.contains['corn'].source}].",
            )
        )
    if "sucrose" in product.contains and plan.risk.renal:
        out.append(
            Warning(
                "renal",
                Severity.CRITICAL,
                f"{product.name} contains sucrose: renal failure is more common with "
                "sucrose-containing IGIV.",
            )
        )
    return out


def _sorbitol(plan: PlanFacts) -> list[Warning]:
    """Fail safe: a secondary source counts as 'contains'; only a BELIEVED figure is a caution."""
    product = plan.product
    prov = product.contains["sorbitol"]
    where = f"[{prov.evidence}: {prov.source}]"
    secondary = prov.evidence == "secondary"
    said = " (a secondary source: not found in the label text read)" if secondary else ""
    if "fructose-intolerance" in plan.risk.factors:
        if prov.verified:
            return [
                Warning(
                    "sorbitol",
                    Severity.CRITICAL,
                    f"{product.name} contains sorbitol{said} {where}; intravenous sorbitol in hereditary "
                    "fructose intolerance can cause hypoglycaemia, acidosis, liver failure and death. "
                    "Choose a sorbitol-free product.",
                )
            ]
        return [
            Warning(
                "sorbitol",
                Severity.CAUTION,
                f"{product.name} may contain sorbitol [{prov.evidence}, unverified: {prov.source}]; the "
                "patient has hereditary fructose intolerance. Confirm with the current label or choose a "
                "product known to be sorbitol-free.",
            )
        ]
    if prov.verified:
        return [
            Warning(
                "sorbitol",
                Severity.INFO,
                f"{product.name} contains sorbitol{said}: check for hereditary fructose intolerance.",
            )
        ]
    return []
