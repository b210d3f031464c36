"""The infusion plan: one pure function from a patient and an order to everything printed.

The window, the printout and the command line all call :func:`make_plan`; none of them
does arithmetic of its own. The concerns live in their own modules: the dosing weight in
weight_policy.py, the start rate in start_rate.py, vials, ladder and schedules in layout.py
(vials.py, schedule.py), the warnings in checks/, the safer alternatives in alternatives.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import time

from ivig_desktop.engine import alternatives as _alternatives
from ivig_desktop.engine.checks import plan_warnings
from ivig_desktop.engine.checks.body import refuse_impossible
from ivig_desktop.engine.checks.dose import UsualDose, usual_dose
from ivig_desktop.engine.display import number as _num
from ivig_desktop.engine.errors import InputError, lookup
from ivig_desktop.engine.formulary import AtRiskCap, Formulary, Product, Titration, bundled_formulary
from ivig_desktop.engine.layout import LayoutRequest, RateCeiling, choose_titration, lay_out
from ivig_desktop.engine.order_details import OrderDetails
from ivig_desktop.engine.overrides import Override, check_overrides
from ivig_desktop.engine.patient import CreatinineClearance, Patient, creatinine_clearance
from ivig_desktop.engine.prescription import (
    check_prescribed_max,
    dose_notation_warnings,
    prescribed_max,
    pump_culprit,
)
from ivig_desktop.engine.quantities import dose_text
from ivig_desktop.engine.regimens import Regimen, Regimens, bundled_regimens
from ivig_desktop.engine.risk import RiskProfile, Warning, assess, check_factors
from ivig_desktop.engine.schedule import DaySchedule, Ladder
from ivig_desktop.engine.settings import SiteSettings, VolumeLimit, bundled_settings
from ivig_desktop.engine.signature import SignedCheck
from ivig_desktop.engine.start_rate import START_LOW_REASONS, StartRate, choose_start
from ivig_desktop.engine.units import G_PER_KG, KG, ML, ML_PER_KG, Q_, G, Quantity
from ivig_desktop.engine.vials import VialPick
from ivig_desktop.engine.weight_policy import (
    DosingWeight,
    PolicyRow,
    WeightPolicy,
    apply_override,
    bundled_policies,
    compare_policies,
    dosing_weight,
)

__all__ = ["START_LOW_REASONS", "Alternative", "Catalogue", "DayPlan", "Order", "Plan", "make_plan"]

Alternative = _alternatives.Alternative


_NO_DETAILS = OrderDetails()
# Dimensions compared directly: parsing "[mass]" on every plan costs more than the plan's arithmetic.
_MASS = G.dimensionality
_PER_KG = G_PER_KG.dimensionality


def _fmt(value: float, digits: int = 1) -> str:
    return _num(value, digits)


@dataclass(frozen=True, slots=True)
class Order:
    product: str
    indication: str | None = None
    dose: Quantity | None = None
    """The entered dose: per kg (g/kg, mg/kg) or an absolute amount (g, mg). None: the regimen's."""
    days: int | None = None
    weight_policy: str = "auto"
    start: time | None = None
    """Clock time of the first step; None prints times as elapsed from the start."""
    start_low: frozenset[str] = frozenset()
    subsequent_infusion: bool = False
    """The patient has tolerated this product before: a faster subsequent-infusion start may apply."""
    risks: frozenset[str] = frozenset()
    max_rate: Quantity | None = None
    """A lower maximum chosen by the prescriber: mg/kg/min, or mL/kg/min (converted with the product's
    concentration)."""
    overrides: tuple[Override, ...] = ()
    """Policy or site-limit overrides, each with its typed reason."""
    details: OrderDetails = _NO_DETAILS
    """First-infusion date, the patient's identity, prescriber, allergies and the like: printed,
    saved, never used in a figure (except the date, which dates each day)."""
    dose_per_day: bool = False
    """True: ``dose`` is given on each infusion day (``1 g/kg/day``), so the course is dose × days.
    False: ``dose`` is the whole course (``2 g/kg``), split equally over the days."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The data a plan is made from: formulary, regimens, policies and site settings."""

    formulary: Formulary
    regimens: Regimens
    policies: dict[str, WeightPolicy]
    settings: SiteSettings

    def policy(self, pid: str) -> WeightPolicy:
        return lookup(self.policies, pid, "weight policy", "a known policy")


def bundled_catalogue() -> Catalogue:
    return Catalogue(bundled_formulary(), bundled_regimens(), bundled_policies(), bundled_settings())


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: int
    prescribed: Quantity
    pick: VialPick
    volume: Quantity
    volume_per_kg: Quantity
    schedule: DaySchedule

    @property
    def dose(self) -> Quantity:
        return self.pick.dose


@dataclass(frozen=True, slots=True)
class Plan:
    patient: Patient
    order: Order
    product: Product
    regimen: Regimen | None
    titration: Titration
    titration_note: str
    dosing: DosingWeight
    crcl: CreatinineClearance | None
    risk: RiskProfile
    course_dose: Quantity
    course_dose_per_kg: Quantity
    days: tuple[DayPlan, ...]
    ladder: Ladder
    volume_limit: VolumeLimit
    off_label: bool
    ceiling: RateCeiling
    unapplied_caps: tuple[tuple[AtRiskCap, tuple[str, ...]], ...]
    start: StartRate
    usual_dose: UsualDose
    volume_weight: Quantity
    """The weight volume per kg is given on: the lower of actual and dosing weight."""
    volume_weight_basis: str
    policy_comparison: tuple[PolicyRow, ...]
    settings: SiteSettings = field(compare=False, repr=False)
    warnings: tuple[Warning, ...] = ()
    alternatives: tuple[_alternatives.Alternative, ...] = ()
    formulary_revision: str = ""
    settings_revision: str = ""
    check: SignedCheck | None = None
    """The signed independent double check of this very plan (store.signed_check attaches it
    after verifying its fingerprint); make_plan never sets it, so a recomputed plan has none."""

    @property
    def rate_weight(self) -> Quantity:
        return self.dosing.weight

    @property
    def clock_given(self) -> bool:
        return self.order.start is not None

    @property
    def dated(self) -> bool:
        """True when a first-infusion date was given: every day then carries its real date."""
        return self.order.details.first_date is not None

    @property
    def daily_dose_per_kg(self) -> Quantity:
        """The course per kg ÷ the days: what a "g/kg/day" order states."""
        return (self.course_dose_per_kg / len(self.days)).to(G_PER_KG)

    @property
    def total_volume(self) -> Quantity:
        return sum((d.volume for d in self.days), Q_(0.0, ML))

    @property
    def total_dose(self) -> Quantity:
        return sum((d.dose for d in self.days), Q_(0.0, G))

    @property
    def max_day_volume(self) -> Quantity:
        return max(self.days, key=lambda d: d.schedule.rows[-1][5]).volume  # rows end at the day's mL


def _course_dose(
    order: Order, regimen: Regimen | None, weight: Quantity, settings: SiteSettings, *, over_limit_ok: bool
) -> tuple[Quantity, Quantity, int]:
    """(course dose g, per kg g/kg, days), from the order or else the regimen."""
    dose = order.dose
    if dose is None:
        if regimen is None:
            raise InputError("dose", "is required when no indication is chosen")
        if regimen.course_dose is None:
            span = (
                f" (the reference gives {_fmt(regimen.dose_low.m, 2)}–{_fmt(regimen.dose_high.m, 2)} g/kg)"
                if regimen.dose_low is not None and regimen.dose_high is not None
                else " (the reference gives no figure)"
            )
            raise InputError("dose", f"the {regimen.name} regimen has no single dose{span}; enter one")
        dose = regimen.course_dose
    days = order.days
    if days is None:
        if regimen is None:
            raise InputError("days", "no indication is chosen, so there is no standard day count; enter one")
        if regimen.days is None:
            raise InputError("days", f"the {regimen.name} regimen has no standard day count; enter one")
        days = regimen.days
    if days < 1:
        raise InputError("days", "must be at least 1")
    daily = ""
    if order.dose is not None and order.dose_per_day:
        # In the entered unit, so 400 mg/kg/day × 5 is exactly the 2000 mg/kg a course entry gives.
        daily = f" ({dose_text(dose, True)} × {days} days)"
        dose = dose * days
    if dose.dimensionality == _MASS:
        course = dose.to(G)
        per_kg = (course / weight).to(G_PER_KG)
    elif dose.dimensionality == _PER_KG:
        per_kg = dose.to(G_PER_KG)
        course = (per_kg * weight).to(G)
    else:
        raise InputError("dose", f"'{dose.units:~}' is not a dose unit (g/kg, mg/kg, g or mg)")
    if per_kg.m <= 0:
        raise InputError("dose", "must be greater than zero")
    if per_kg > settings.max_course_dose * (1 + 1e-9) and not over_limit_ok:
        raise InputError(
            "dose",
            f"{_fmt(per_kg.m, 2)} g/kg of dosing weight{daily} is above the site's hard limit of "
            f"{_fmt(settings.max_course_dose.m, 2)} g/kg per course (an override with a reason "
            "is needed to exceed it)",
        )
    return course, per_kg, days


def _comparison(
    patient: Patient, cat: Catalogue, order: Order, per_kg: Quantity, course: Quantity, known: DosingWeight
) -> tuple[PolicyRow, ...]:
    """Every policy's dosing weight and the course dose it gives for this order (``known``: the
    order's own policy's dosing weight, already worked out)."""
    absolute = order.dose is not None and order.dose.dimensionality == _MASS
    return tuple(
        replace(row, course_dose=course if absolute else (per_kg * row.weight).to(G))
        if row.weight is not None
        else row
        for row in compare_policies(patient, cat.policies, order.indication, known)
    )


@dataclass(frozen=True, slots=True)
class _Basis:
    """What a plan takes from the patient, the catalogue and the order's policy, indication,
    risks, overrides and start-low reasons alone: the checked overrides, the dosing weight, the
    renal function and the risk profile.

    An alternative changes the product, the days, the dose form or the maximum rate, never these,
    so it is planned on its plan's basis instead of working them out again (the live window
    replans with alternatives on every keystroke). :func:`_make` reuses a basis only for the same
    patient and catalogue objects and an order with the same key, so the result is the plan a
    fresh :func:`make_plan` gives (tests/property/test_alternative_properties.py checks this).
    """

    patient: Patient
    catalogue: Catalogue
    key: tuple[object, ...]
    overrides: dict[str, Override]
    policy_weight: DosingWeight
    """The policy's dosing weight before any override: the comparison's row for this policy."""
    dosing: DosingWeight
    override_warning: Warning | None
    crcl: CreatinineClearance | None
    risk: RiskProfile

    def fits(self, patient: Patient, order: Order, cat: Catalogue) -> bool:
        return self.patient is patient and self.catalogue is cat and self.key == _basis_key(order)


def _basis_key(order: Order) -> tuple[object, ...]:
    return (order.weight_policy, order.indication, order.risks, order.overrides, order.start_low)


def make_plan(
    patient: Patient,
    order: Order,
    catalogue: Catalogue | None = None,
    *,
    alternatives: bool = True,
    compare: bool = True,
) -> Plan:
    """The plan for ``patient`` and ``order``; ``alternatives`` and ``compare`` (the policy
    comparison) can be skipped when a caller needs only the figures (alternatives do)."""
    return _make(patient, order, catalogue or bundled_catalogue(), None, alternatives, compare)


def _make(
    patient: Patient, order: Order, cat: Catalogue, basis: _Basis | None, alternatives: bool, compare: bool
) -> Plan:
    """make_plan, on ``basis`` when it fits this patient, catalogue and order (see _Basis)."""
    settings = cat.settings
    product = cat.formulary.product(order.product)
    regimen = cat.regimens.get(order.indication) if order.indication else None
    if basis is not None and not basis.fits(patient, order, cat):
        basis = None
    if basis is None:
        check_factors(order.risks)
        overrides = check_overrides(order.overrides)
        unknown_start = [r for r in order.start_low if r not in START_LOW_REASONS]
        if unknown_start:
            raise InputError(
                "start low", f"'{unknown_start[0]}' is not one of {', '.join(START_LOW_REASONS)}"
            )
    else:
        overrides = basis.overrides
    max_rate = prescribed_max(order, product)
    if basis is None:
        refuse_impossible(patient, settings)
        policy = cat.policy(order.weight_policy)
        policy_weight = dosing_weight(patient, policy, order.indication)
        dw, override_warning = apply_override(policy_weight, patient, overrides.get("actual-weight"))
        crcl = creatinine_clearance(patient)
        basis = _Basis(
            patient,
            cat,
            _basis_key(order),
            overrides,
            policy_weight,
            dw,
            override_warning,
            crcl,
            assess(patient, crcl, order.risks, settings),
        )
    dw, override_warning, crcl, risk = basis.dosing, basis.override_warning, basis.crcl, basis.risk
    weight = dw.weight
    course, per_kg, n_days = _course_dose(
        order, regimen, weight, settings, over_limit_ok="dose-limit" in overrides
    )
    titration, _, _ = choose_titration(product, regimen)
    if max_rate is not None:
        check_prescribed_max(order, max_rate, titration, product, settings, weight)
    notation = dose_notation_warnings(order, regimen, per_kg, n_days)
    start = choose_start(titration, order.start_low, order.subsequent_infusion)
    request = LayoutRequest(
        product=product,
        regimen=regimen,
        risk=risk,
        overrides=overrides,
        max_rate=max_rate,
        subsequent=start.subsequent,
        course=course,
        n_days=n_days,
        weight=weight,
        settings=settings,
        clock=order.start,
        first_date=order.details.first_date,
    )
    try:
        lay = lay_out(request)
    except InputError as exc:
        raise pump_culprit(exc, regimen, titration, course / n_days, weight) from None
    day_dose = (course / n_days).to(G)
    actual = Q_(round(patient.weight_kg, 1), KG)
    volume_weight, volume_basis = (actual, "actual") if actual < weight else (weight, "dosing")
    per_kg_of: dict[int, Quantity] = {}
    for volume in lay.volumes:
        if id(volume) not in per_kg_of:
            per_kg_of[id(volume)] = (volume / volume_weight).to(ML_PER_KG)
    days = tuple(
        DayPlan(d, day_dose, pick, volume, per_kg_of[id(volume)], sched)
        for d, (pick, volume, sched) in enumerate(zip(lay.picks, lay.volumes, lay.schedules, strict=True), 1)
    )
    plan = Plan(
        patient=patient,
        order=order,
        product=product,
        regimen=regimen,
        titration=lay.titration,
        titration_note=lay.titration_note,
        dosing=dw,
        crcl=crcl,
        risk=risk,
        course_dose=course,
        course_dose_per_kg=per_kg,
        days=days,
        ladder=lay.ladder,
        volume_limit=risk.volume_limit(settings),
        formulary_revision=cat.formulary.revision,
        settings_revision=settings.revision,
        off_label=lay.off_label,
        ceiling=lay.ceiling,
        unapplied_caps=lay.unapplied_caps,
        start=start,
        usual_dose=usual_dose(regimen, cat.regimens),
        volume_weight=volume_weight,
        volume_weight_basis=volume_basis,
        policy_comparison=(
            _comparison(patient, cat, order, per_kg, course, basis.policy_weight) if compare else ()
        ),
        settings=settings,
    )
    warnings = plan_warnings(plan)
    extra = [*notation, *([override_warning] if override_warning is not None else [])]
    if extra:
        warnings = tuple(sorted((*warnings, *extra), key=lambda w: -w.severity))
    plan = replace(plan, warnings=warnings)
    if alternatives:
        shared = basis

        def variant(alt_order: Order) -> Plan:
            return _make(patient, alt_order, cat, shared, False, False)

        found = _alternatives.find(plan, cat, variant)
        if found:
            plan = replace(plan, alternatives=found)
    return plan
