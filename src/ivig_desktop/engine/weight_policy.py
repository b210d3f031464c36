"""Where the dosing weight is decided: named, data-driven policies and their exclusions.

Policies live in ``resources/weight_policies.toml`` so a site can read (and replace) the
thresholds with their sources; this module only knows the vocabulary of tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ivig_desktop import resources
from ivig_desktop.engine import datafile, display
from ivig_desktop.engine.errors import DataError, InputError, nearest
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.units import CM, KG, Q_, Quantity

BASES = ("actual", "adjusted", "ideal", "pre-pregnancy")
_TESTS = {
    "always",
    "bmi_above",
    "percent_of_ideal_above",
    "height_at_least_and_weight_above",
    "age_below",
    "height_below",
    "pregnant",
    "actual_below_chosen",
}


@dataclass(frozen=True, slots=True)
class Rule:
    test: str
    use: str | None
    value: float | None
    unit: str | None
    evidence: str
    source: str
    except_indications: tuple[str, ...] = ()
    height_cm: float | None = None
    weight_male_kg: float | None = None
    weight_female_kg: float | None = None

    @property
    def verified(self) -> bool:
        return self.evidence not in datafile.UNVERIFIED_EVIDENCE


@dataclass(frozen=True, slots=True)
class WeightPolicy:
    id: str
    name: str
    source: str
    date: str
    use: str
    otherwise: str
    when_any: tuple[Rule, ...]
    exclusions: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class DosingWeight:
    weight: Quantity
    basis: str
    policy: WeightPolicy
    reason: str
    unverified: tuple[str, ...] = ()


def _rule(raw: object, source: str, record: str, *, exclusion: bool) -> Rule:
    r = datafile.Record(raw, source, record)
    test = r.str("test")
    if test not in _TESTS:
        raise r.error(
            "test", f"'{test}' is not a known test ({', '.join(sorted(_TESTS))}){nearest(test, _TESTS)}"
        )
    keys = ["test", "value", "unit", "evidence", "source", "except_indications"]
    if exclusion:
        keys.append("use")
    if test == "height_at_least_and_weight_above":
        keys += ["height", "male", "female"]
    r.only(*keys)
    use = r.str("use") if exclusion else None
    if use is not None and use not in BASES:
        raise r.error("use", f"'{use}' is not one of {', '.join(BASES)}")
    value = r.number("value") if r.has("value") else None
    unit = r.str("unit") if r.has("unit") else None
    if test in ("bmi_above", "percent_of_ideal_above", "age_below", "height_below") and (value is None):
        raise r.error("value", f"is required for test '{test}'")
    if test in ("age_below", "height_below") and unit is None:
        raise r.error("unit", f"is required for test '{test}'")
    extra: dict[str, float] = {}
    if test == "height_at_least_and_weight_above":
        extra = {
            "height_cm": r.number("height"),
            "weight_male_kg": r.number("male"),
            "weight_female_kg": r.number("female"),
        }
    return Rule(
        test=test,
        use=use,
        value=value,
        unit=unit,
        evidence=r.evidence() if r.has("evidence") else "site",
        source=r.str("source", "") if r.has("source") else "",
        except_indications=tuple(r.list("except_indications", [])),
        **extra,
    )


def load_policies(path: Path | None = None) -> dict[str, WeightPolicy]:
    path = path or resources.path("weight_policies.toml")
    data = datafile.load(path)
    src = str(path)
    datafile.Record(data, src, "").only("revision", "policy")
    out: dict[str, WeightPolicy] = {}
    tables = data.get("policy")
    if not isinstance(tables, list) or not tables:
        raise DataError(src, "", "policy", "must list at least one [[policy]]")
    for i, raw in enumerate(tables):
        r = datafile.Record(raw, src, f"policy {i + 1}")
        pid = r.str("id")
        r.record = pid
        r.only("id", "name", "source", "date", "use", "otherwise", "when_any", "exclusions")
        if pid in out:
            raise r.error("id", "appears twice")
        use = r.str("use")
        otherwise = r.str("otherwise", "actual")
        for key, val in (("use", use), ("otherwise", otherwise)):
            if val not in BASES:
                raise r.error(key, f"'{val}' is not one of {', '.join(BASES)}")
        out[pid] = WeightPolicy(
            id=pid,
            name=r.str("name"),
            source=r.str("source"),
            date=r.str("date"),
            use=use,
            otherwise=otherwise,
            when_any=tuple(_rule(x, src, f"{pid}.when_any", exclusion=False) for x in r.list("when_any")),
            exclusions=tuple(
                _rule(x, src, f"{pid}.exclusions", exclusion=True) for x in r.list("exclusions", [])
            ),
        )
    return out


@cache
def bundled_policies() -> dict[str, WeightPolicy]:
    return load_policies()


def _weight_for(basis: str, patient: Patient, policy: WeightPolicy) -> Quantity:
    if basis == "actual":
        return patient.actual_weight.to(KG)
    if basis == "pre-pregnancy":
        if patient.pre_pregnancy_weight is None:
            raise InputError(
                "pre-pregnancy weight",
                f"is required: the patient is pregnant and policy '{policy.id}' doses on "
                "pre-pregnancy weight",
            )
        return patient.pre_pregnancy_weight.to(KG)
    ibw = patient.ideal_weight
    if ibw.m <= 0:
        raise InputError(
            "weight policy",
            f"'{policy.id}' needs ideal body weight, which the Devine formula does not give "
            f"for a height of {patient.height_cm:.0f} cm; choose the actual-weight policy",
        )
    return ibw if basis == "ideal" else patient.adjusted_weight


def _fmt(q: Quantity, unit: str, digits: int = 1) -> str:
    return f"{q.m_as(unit):.{digits}f}".rstrip("0").rstrip(".")


def _triggered(rule: Rule, patient: Patient) -> str | None:
    """The reason in words when ``rule`` holds for ``patient``, else None."""
    if rule.test == "always":
        return "this policy always uses it"
    if rule.test == "bmi_above":
        assert rule.value is not None
        bmi = patient.bmi.m
        if bmi > rule.value:
            return f"BMI {bmi:.1f} kg/m² is above {rule.value:g}"
        return None
    if rule.test == "percent_of_ideal_above":
        assert rule.value is not None
        pct = patient.percent_of_ideal
        if patient.ideal_weight.m > 0 and pct > rule.value:
            return f"actual weight is {pct:.0f} % of ideal (above {rule.value:g} %)"
        return None
    if rule.test == "height_at_least_and_weight_above":
        assert rule.height_cm is not None
        limit = rule.weight_male_kg if patient.sex is Sex.MALE else rule.weight_female_kg
        assert limit is not None
        kg = patient.actual_weight.m_as(KG)
        if patient.height_cm >= rule.height_cm and kg > limit:
            return (
                f"height {patient.height_cm:.1f} cm ≥ {rule.height_cm:g} cm and weight "
                f"{kg:.1f} kg > {limit:g} kg ({patient.sex.value})"
            )
        return None
    raise AssertionError(f"not a trigger test: {rule.test}")


def _excluded(rule: Rule, patient: Patient, indication: str | None) -> str | None:
    if indication is not None and indication in rule.except_indications:
        return None
    if rule.test == "age_below":
        assert rule.value is not None and rule.unit is not None
        if patient.age < Q_(rule.value, rule.unit):
            shown = f"{patient.age_years:.1f} y" if patient.age_years >= 2 else display.age(patient.age)
            return f"age {shown} is under {rule.value:g} y"
        return None
    if rule.test == "height_below":
        assert rule.value is not None and rule.unit is not None
        if patient.height < Q_(rule.value, rule.unit):
            return f"height {patient.height.m_as(CM):.1f} cm is under {rule.value:g} cm"
        return None
    if rule.test == "pregnant":
        return "the patient is pregnant" if patient.pregnant else None
    raise AssertionError(f"not an exclusion test: {rule.test}")


_BASIS_WORDS = {
    "actual": "Actual body weight",
    "adjusted": "Adjusted body weight",
    "ideal": "Ideal body weight",
    "pre-pregnancy": "Pre-pregnancy weight",
}


def dosing_weight(patient: Patient, policy: WeightPolicy, indication: str | None = None) -> DosingWeight:
    """Apply ``policy`` to ``patient``; the result carries its reason in words."""
    unverified = [
        f"{policy.id}: {r.test} {r.value:g} {r.unit or ''} ({r.source})".strip()
        for r in policy.exclusions
        if not r.verified and r.value is not None
    ]
    for rule in policy.exclusions:
        if rule.test == "actual_below_chosen":
            continue
        why = _excluded(rule, patient, indication)
        if why:
            assert rule.use is not None
            w = _weight_for(rule.use, patient, policy)
            flag = "" if rule.verified else " [threshold unverified]"
            return DosingWeight(
                w,
                rule.use,
                policy,
                f"{_BASIS_WORDS[rule.use]} {_fmt(w, 'kg')} kg: {why}, so policy "
                f"'{policy.id}' uses {rule.use} weight{flag}",
                tuple(unverified),
            )
    reasons = [r for r in (_triggered(rule, patient) for rule in policy.when_any) if r]
    basis = policy.use if reasons else policy.otherwise
    w = _weight_for(basis, patient, policy)
    why = "; ".join(reasons) if reasons else f"no trigger of policy '{policy.id}' applies"
    actual = patient.actual_weight.to(KG)
    for rule in policy.exclusions:
        if rule.test == "actual_below_chosen" and basis != "actual" and actual < w:
            return DosingWeight(
                actual,
                "actual",
                policy,
                f"Actual body weight {_fmt(actual, 'kg')} kg: it is below the {basis} weight "
                f"{_fmt(w, 'kg')} kg, and policy '{policy.id}' never doses above measured weight",
                tuple(unverified),
            )
    return DosingWeight(
        w, basis, policy, f"{_BASIS_WORDS[basis]} {_fmt(w, 'kg')} kg: {why}", tuple(unverified)
    )
