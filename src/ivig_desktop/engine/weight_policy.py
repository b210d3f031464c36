"""Where the dosing weight is decided: named, data-driven policies, their exclusions, the
clinician's actual-weight override, and the side-by-side comparison of every policy.

Policies live in ``resources/weight_policies.toml`` so a site can read (and replace) the
thresholds with their sources; this module only knows the vocabulary of tests.

The dosing weight is rounded to its printed precision (0.1 kg) before it is used, so every
figure on the sheet can be recomputed by hand from the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ivig_desktop import resources
from ivig_desktop.engine import datafile, display
from ivig_desktop.engine.errors import DataError, InputError, nearest
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.risk_factors import Severity, Warning
from ivig_desktop.engine.units import CM, KG, Q_, Quantity, ureg

#: The dosing weight's printed precision (kg decimals); the weight used is the weight printed.
WEIGHT_DECIMALS = 1

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
    "age_below_unless_height_weight",
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
    threshold: Quantity | None = field(default=None, compare=False)
    """``value`` in ``unit``, made once when the file is read (the plan compares against it)."""

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
    if test in ("height_at_least_and_weight_above", "age_below_unless_height_weight"):
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
    if test == "age_below_unless_height_weight" and (value is None or unit is None):
        raise r.error("value", f"and unit are required for test '{test}'")
    if test in ("height_at_least_and_weight_above", "age_below_unless_height_weight"):
        extra = {
            "height_cm": r.number("height"),
            "weight_male_kg": r.number("male"),
            "weight_female_kg": r.number("female"),
        }
    threshold = None
    if value is not None and unit is not None:
        try:
            threshold = Q_(value, ureg.parse_units(unit))
        except Exception as exc:  # pint's undefined-unit errors
            raise r.error("unit", f"unknown unit '{unit}'") from exc
        wanted = "[time]" if "age_below" in test else "[length]" if test == "height_below" else None
        if wanted is not None and not threshold.check(wanted):
            raise r.error("unit", f"'{unit}' is not a unit of {'age' if wanted == '[time]' else 'height'}")
    return Rule(
        threshold=threshold,
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


def _round_kg(q: Quantity) -> Quantity:
    return Q_(round(float(q.m_as(KG)), WEIGHT_DECIMALS), KG)


def _weight_for(basis: str, patient: Patient, policy: WeightPolicy) -> tuple[Quantity, str, str]:
    """(weight, the basis actually used, a note when it differs from ``basis``)."""
    if basis == "actual":
        return patient.actual_weight.to(KG), basis, ""
    if basis == "pre-pregnancy":
        if patient.pre_pregnancy_weight is None:
            raise InputError(
                "pre-pregnancy weight",
                f"is required: the patient is pregnant and policy '{policy.id}' doses on "
                "pre-pregnancy weight",
            )
        return patient.pre_pregnancy_weight.to(KG), basis, ""
    w = patient.ideal_weight if basis == "ideal" else patient.adjusted_weight
    if w is None:
        # Devine is not defined below 60 in: dose on measured weight, as BloodSTAR and Ontario
        # do for short patients, and say so.
        return (
            patient.actual_weight.to(KG),
            "actual",
            f"{basis} weight {patient.devine_note}, so actual weight is used",
        )
    return w, basis, ""


def _fmt(q: Quantity, unit: object, digits: int = 1) -> str:
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
        if pct is not None and pct > rule.value:
            return f"actual weight is {pct:.0f} % of ideal (above {rule.value:g} %)"
        return None
    if rule.test == "height_at_least_and_weight_above":
        return _meets_height_weight(rule, patient)
    raise AssertionError(f"not a trigger test: {rule.test}")


def _meets_height_weight(rule: Rule, patient: Patient) -> str | None:
    """Ontario's criteria: height ≥ 152.4 cm and weight > 50 kg (male) / 45.5 kg (female)."""
    assert rule.height_cm is not None
    limit = rule.weight_male_kg if patient.sex is Sex.MALE else rule.weight_female_kg
    assert limit is not None
    kg = patient.weight_kg
    if patient.height_cm >= rule.height_cm - 1e-9 and kg > limit:
        return (
            f"height {patient.height_cm:.1f} cm ≥ {rule.height_cm:g} cm and weight "
            f"{kg:.1f} kg > {limit:g} kg ({patient.sex.value})"
        )
    return None


def _excluded(rule: Rule, patient: Patient, indication: str | None) -> str | None:
    if indication is not None and indication in rule.except_indications:
        return None
    if rule.test == "age_below_unless_height_weight":
        assert rule.value is not None and rule.unit is not None
        if patient.age < rule.threshold and _meets_height_weight(rule, patient) is None:
            limit = rule.weight_male_kg if patient.sex is Sex.MALE else rule.weight_female_kg
            return (
                f"age {patient.age_years:.1f} y is under {rule.value:g} y and the patient does not meet "
                f"height ≥ {rule.height_cm:g} cm and weight > {limit:g} kg"
            )
        return None
    if rule.test == "age_below":
        assert rule.value is not None and rule.unit is not None
        if patient.age < rule.threshold:
            shown = f"{patient.age_years:.1f} y" if patient.age_years >= 2 else display.age(patient.age)
            return f"age {shown} is under {rule.value:g} y"
        return None
    if rule.test == "height_below":
        assert rule.value is not None and rule.unit is not None
        if patient.height < rule.threshold:
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
    """Apply ``policy`` to ``patient``; the result carries its reason in words and is rounded
    to the printed 0.1 kg."""
    dw = _dosing_weight(patient, policy, indication)
    return DosingWeight(_round_kg(dw.weight), dw.basis, dw.policy, dw.reason, dw.unverified)


def _chosen(
    basis: str, patient: Patient, policy: WeightPolicy, why: str, unverified: tuple[str, ...], flag: str = ""
) -> DosingWeight:
    w, used, note = _weight_for(basis, patient, policy)
    if note:
        return DosingWeight(
            w, used, policy, f"{_BASIS_WORDS[used]} {_fmt(w, KG)} kg: {why}; {note}", unverified
        )
    return DosingWeight(w, used, policy, f"{_BASIS_WORDS[used]} {_fmt(w, KG)} kg: {why}{flag}", unverified)


def _dosing_weight(patient: Patient, policy: WeightPolicy, indication: str | None) -> DosingWeight:
    unverified = tuple(
        f"{policy.id}: {r.test} {r.value:g} {r.unit or ''} ({r.source})".strip()
        for r in policy.exclusions
        if not r.verified and r.value is not None
    )
    for rule in policy.exclusions:
        if rule.test == "actual_below_chosen":
            continue
        why = _excluded(rule, patient, indication)
        if why:
            assert rule.use is not None
            flag = "" if rule.verified else " [threshold unverified]"
            return _chosen(
                rule.use,
                patient,
                policy,
                f"{why}, so policy '{policy.id}' uses {rule.use} weight",
                unverified,
                flag,
            )
    reasons = [r for r in (_triggered(rule, patient) for rule in policy.when_any) if r]
    basis = policy.use if reasons else policy.otherwise
    why = "; ".join(reasons) if reasons else f"no trigger of policy '{policy.id}' applies"
    chosen = _chosen(basis, patient, policy, why, unverified)
    actual = patient.actual_weight.to(KG)
    for rule in policy.exclusions:
        if rule.test == "actual_below_chosen" and chosen.basis != "actual" and actual < chosen.weight:
            return DosingWeight(
                actual,
                "actual",
                policy,
                f"Actual body weight {_fmt(actual, KG)} kg: it is below the {chosen.basis} weight "
                f"{_fmt(chosen.weight, KG)} kg, and policy '{policy.id}' never doses above measured weight",
                unverified,
            )
    return chosen


def apply_override(
    dw: DosingWeight, patient: Patient, override: Override | None
) -> tuple[DosingWeight, Warning | None]:
    """Dose on actual weight when a clinician overrides the policy, and the warning that says so."""
    if override is None:
        return dw, None
    why = override.reason
    if dw.basis == "actual":
        return dw, Warning(
            "dosing-weight",
            Severity.INFO,
            f"Override 'actual-weight' not needed: the policy already doses on actual weight. "
            f"Reason given: {why}",
        )
    actual = _round_kg(patient.actual_weight)
    policy_weight = f"{dw.basis} weight {_fmt(dw.weight, KG)} kg"
    warning = Warning(
        "dosing-weight",
        Severity.CAUTION,
        f"OVERRIDE actual-weight: dosing on actual weight {_fmt(actual, KG)} kg instead of the "
        f"policy's {policy_weight}. Reason: {why}",
    )
    return (
        replace(
            dw,
            weight=actual,
            basis="actual",
            reason=f"Actual body weight {_fmt(actual, KG)} kg by override (policy '{dw.policy.id}' gave "
            f"{policy_weight}). Reason: {why}",
        ),
        warning,
    )


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One line of the policy comparison: what this policy would dose this patient on."""

    policy: str
    name: str
    weight: Quantity | None
    basis: str
    reason: str
    """Why, in words; or why the policy cannot be applied (e.g. no pre-pregnancy weight)."""
    course_dose: Quantity | None = None
    """The course dose this weight gives for the plan's order (set by the plan)."""


def compare_policies(
    patient: Patient,
    policies: dict[str, WeightPolicy],
    indication: str | None,
    known: DosingWeight | None = None,
) -> tuple[PolicyRow, ...]:
    """Every policy's dosing weight for this patient, so the choice of policy is visible.

    ``known``: a ``dosing_weight`` result the caller already has for one of these policies (the
    plan's own, before any override) for the same patient and indication; it is used as is
    instead of being worked out again.
    """
    rows = []
    for pid, policy in policies.items():
        try:
            reuse = known is not None and known.policy is policy
            dw = known if reuse and known is not None else dosing_weight(patient, policy, indication)
        except InputError as err:
            rows.append(PolicyRow(pid, policy.name, None, "not applicable", f"{err.field} {err.message}"))
            continue
        rows.append(PolicyRow(pid, policy.name, dw.weight, dw.basis, dw.reason))
    return tuple(rows)
