"""The infusion plan: one pure function from a patient and an order to everything printed.

The window, the printout and the command line all call :func:`make_plan`; none of them
does arithmetic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from ivig_desktop.engine.checks import START_LOW_REASONS, plan_warnings
from ivig_desktop.engine.checks import fmt_number as _fmt
from ivig_desktop.engine.errors import InputError, lookup
from ivig_desktop.engine.formulary import Formulary, Product, Titration, bundled_formulary
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
from ivig_desktop.engine.risk import RiskProfile, Severity, Warning, assess, check_factors
from ivig_desktop.engine.schedule import DaySchedule, Ladder, build_ladder, schedule_day
from ivig_desktop.engine.settings import SiteSettings, VolumeLimit, bundled_settings
from ivig_desktop.engine.signature import SignedCheck
from ivig_desktop.engine.units import (
    G_PER_KG,
    KG,
    MG_PER_KG_MIN,
    ML,
    ML_PER_KG,
    Q_,
    G,
    Quantity,
)
from ivig_desktop.engine.vials import VialPick, pick_vials
from ivig_desktop.engine.weight_policy import (
    DosingWeight,
    WeightPolicy,
    bundled_policies,
    dosing_weight,
)

#: Day 1 of an undated plan: clock arithmetic needs a date; an undated printout shows only times.
_DAY_ONE = date(2000, 1, 1)
_NO_DETAILS = OrderDetails()


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
class Alternative:
    kind: str
    description: str
    order: Order
    volume_per_day: Quantity
    volume_per_kg: Quantity
    duration_per_day: Quantity
    days: int


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
    warnings: tuple[Warning, ...]
    alternatives: tuple[Alternative, ...] = field(default=())
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
        return max(d.volume for d in self.days)


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
    if dose.check("[mass]"):
        course = dose.to(G)
        per_kg = (course / weight).to(G_PER_KG)
    elif dose.check("[mass] / [mass]"):
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


def _titration(product: Product, regimen: Regimen | None) -> tuple[Titration, str, bool]:
    """The label titration to use, a note on why, and whether the use is off-label."""
    if regimen is not None and regimen.titration in product.titrations:
        assert regimen.titration is not None
        return product.titrations[regimen.titration], f"{product.name} label, {regimen.titration}", False
    # Off-label: the product's most cautious labelled titration (lowest maximum, then lowest start).
    slowest = min(product.titrations.values(), key=lambda t: (t.max_rate.m, t.start_rate.m, t.indication))
    why = (
        f"no {product.name} label rates for {regimen.name}" if regimen is not None else "no indication chosen"
    )
    return (
        slowest,
        f"{why}: using its {slowest.indication} rates (lowest labelled maximum)",
        (regimen is not None),
    )


def _day_start(order: Order, day: int) -> datetime:
    """Day ``day`` of the course starts ``day - 1`` calendar days after the first infusion."""
    clock = order.start or time(0, 0)
    first = order.details.first_date or _DAY_ONE
    return datetime.combine(first + timedelta(days=day - 1), clock)


def _weight_override(
    dw: DosingWeight, patient: Patient, override: Override | None, warnings: list[Warning]
) -> DosingWeight:
    """Dose on actual weight when a clinician overrides the policy, saying so in the plan."""
    if override is None:
        return dw
    why = override.reason
    if dw.basis == "actual":
        warnings.append(
            Warning(
                "dosing-weight",
                Severity.INFO,
                f"Override 'actual-weight' not needed: the policy already doses on actual weight. "
                f"Reason given: {why}",
            )
        )
        return dw
    actual = patient.actual_weight.to(KG)
    policy_weight = f"{dw.basis} weight {_fmt(dw.weight.m_as(KG))} kg"
    warnings.append(
        Warning(
            "dosing-weight",
            Severity.CAUTION,
            f"OVERRIDE actual-weight: dosing on actual weight {_fmt(actual.m)} kg instead of the "
            f"policy's {policy_weight}. Reason: {why}",
        )
    )
    return replace(
        dw,
        weight=actual,
        basis="actual",
        reason=f"Actual body weight {_fmt(actual.m)} kg by override (policy '{dw.policy.id}' gave "
        f"{policy_weight}). Reason: {why}",
    )


@dataclass(frozen=True, slots=True)
class _Layout:
    """What follows from a product, a day count and a rate ceiling: vials, ladder, schedule."""

    titration: Titration
    titration_note: str
    off_label: bool
    cap_rate: Quantity | None
    cap_reason: str
    warnings: tuple[Warning, ...]
    pick: VialPick
    volume: Quantity
    ladder: Ladder
    schedule: DaySchedule


def _layout(
    product: Product,
    regimen: Regimen | None,
    risk: RiskProfile,
    overrides: dict[str, Override],
    max_rate: Quantity | None,
    start_low: bool,
    course: Quantity,
    n_days: int,
    weight: Quantity,
    settings: SiteSettings,
    start: datetime,
) -> _Layout:
    titration, titration_note, off_label = _titration(product, regimen)
    warnings: list[Warning] = []
    # Rate ceiling: label max, lowered by numeric at-risk caps, a prescriber's cap, or the
    # regimen's fixed infusion time; each lowering is reported.
    caps: list[tuple[Quantity, str]] = []
    for cap in product.caps:
        hit = [k for k in cap.risks if k in risk.kinds]
        if not hit:
            continue
        if cap.provenance.verified and "rate-cap" in overrides:
            warnings.append(
                Warning(
                    "rate-capped",
                    Severity.CRITICAL,
                    f"OVERRIDE rate-cap: the {product.name} label cap "
                    f"{_fmt(cap.rate.m, 2)} mg/kg/min for {' and '.join(hit)} risk is NOT applied. "
                    f"Reason: {overrides['rate-cap'].reason}",
                )
            )
        elif cap.provenance.verified:
            caps.append(
                (cap.rate, f"{product.name} label cap for {' and '.join(hit)} risk ({cap.provenance.source})")
            )
        else:
            warnings.append(
                Warning(
                    "rate-capped",
                    Severity.CAUTION,
                    f"Unverified cap not applied: {_fmt(cap.rate.m, 2)} mg/kg/min for "
                    f"{' and '.join(hit)} risk "
                    f"[{cap.provenance.evidence}: {cap.provenance.source}]. Decide a lower maximum rate.",
                )
            )
    if max_rate is not None:
        caps.append((max_rate.to(MG_PER_KG_MIN), "maximum rate chosen by the prescriber"))
    pick = pick_vials(course / n_days, product.vials, settings.rounding_tolerance)
    volume = (pick.dose / product.conc).to(ML)
    if regimen is not None and regimen.infusion_hours is not None:
        shortest = regimen.infusion_hours[0]
        fixed = (volume / shortest * product.conc / weight).to(MG_PER_KG_MIN)
        caps.append(
            (fixed, f"{regimen.name}: infused over {_fmt(shortest.m)}–{_fmt(regimen.infusion_hours[1].m)} h")
        )
    cap_rate, cap_reason = min(caps, key=lambda c: c[0].m) if caps else (None, "")
    ladder = build_ladder(
        titration, start_low=start_low, cap=cap_rate, default_step=settings.default_step_minutes
    )
    schedule = schedule_day(volume, weight, product.conc, ladder, settings.pump_resolution, start)
    return _Layout(
        titration,
        titration_note,
        off_label,
        cap_rate,
        cap_reason,
        tuple(warnings),
        pick,
        volume,
        ladder,
        schedule,
    )


def make_plan(
    patient: Patient, order: Order, catalogue: Catalogue | None = None, *, alternatives: bool = True
) -> Plan:
    cat = catalogue or bundled_catalogue()
    settings = cat.settings
    product = cat.formulary.product(order.product)
    regimen = cat.regimens.get(order.indication) if order.indication else None
    check_factors(order.risks)
    overrides = check_overrides(order.overrides)
    unknown_start = [r for r in order.start_low if r not in START_LOW_REASONS]
    if unknown_start:
        raise InputError("start low", f"'{unknown_start[0]}' is not one of {', '.join(START_LOW_REASONS)}")
    max_rate = prescribed_max(order, product)

    warnings: list[Warning] = []
    dw = dosing_weight(patient, cat.policy(order.weight_policy), order.indication)
    dw = _weight_override(dw, patient, overrides.get("actual-weight"), warnings)
    weight = dw.weight
    crcl = creatinine_clearance(patient)
    risk = assess(patient, crcl, order.risks, settings)
    course, per_kg, n_days = _course_dose(
        order, regimen, weight, settings, over_limit_ok="dose-limit" in overrides
    )
    if max_rate is not None:
        check_prescribed_max(order, max_rate, _titration(product, regimen)[0], product, settings, weight)
    warnings += dose_notation_warnings(order, regimen, per_kg, n_days)
    if per_kg > settings.max_course_dose * (1 + 1e-9):
        warnings.append(
            Warning(
                "dose-limit",
                Severity.CRITICAL,
                f"OVERRIDE dose-limit: {_fmt(per_kg.m, 2)} g/kg is above "
                f"the site's hard limit of {_fmt(settings.max_course_dose.m, 2)} g/kg per course. "
                f"Reason: {overrides['dose-limit'].reason}",
            )
        )
    try:
        lay = _layout(
            product,
            regimen,
            risk,
            overrides,
            max_rate,
            bool(order.start_low),
            course,
            n_days,
            weight,
            settings,
            _day_start(order, 1),
        )
    except InputError as exc:
        raise pump_culprit(exc, regimen, _titration(product, regimen)[0], course / n_days, weight) from None
    warnings += lay.warnings
    titration, titration_note, off_label = lay.titration, lay.titration_note, lay.off_label
    cap_rate, cap_reason, pick, volume, ladder = (
        lay.cap_rate,
        lay.cap_reason,
        lay.pick,
        lay.volume,
        lay.ladder,
    )
    # Every day of a course is the same dose, vials and steps; only the date moves.
    day_dose = (course / n_days).to(G)
    volume_per_kg = (volume / weight).to(ML_PER_KG)
    first = lay.schedule
    days = [
        DayPlan(
            d,
            day_dose,
            pick,
            volume,
            volume_per_kg,
            first if d == 1 else replace(first, start=_day_start(order, d)),
        )
        for d in range(1, n_days + 1)
    ]

    limit = risk.volume_limit(settings)
    plan = Plan(
        patient=patient,
        order=order,
        product=product,
        regimen=regimen,
        titration=titration,
        titration_note=titration_note,
        dosing=dw,
        crcl=crcl,
        risk=risk,
        course_dose=course,
        course_dose_per_kg=per_kg,
        days=tuple(days),
        ladder=ladder,
        volume_limit=limit,
        warnings=(),
        formulary_revision=cat.formulary.revision,
        settings_revision=settings.revision,
    )
    warnings += plan_warnings(plan, settings, off_label, cap_rate, cap_reason)
    warnings.sort(key=lambda w: -w.severity)
    plan = replace(plan, warnings=tuple(warnings))
    if alternatives and any(w.code in ("volume-load", "renal") for w in warnings):
        plan = replace(plan, alternatives=_alternatives(plan, cat, overrides))
    return plan


def _alternatives(plan: Plan, cat: Catalogue, overrides: dict[str, Override]) -> tuple[Alternative, ...]:
    """Safer versions of the same course: a 10 % product, more days, a lower maximum rate.

    Each is laid out with the same dosing weight, risks and caps as the plan (only the one
    thing changed), so its volume per day and time per day are what applying it would give.
    """
    out: list[Alternative] = []
    order = plan.order
    limit = plan.volume_limit
    n = len(plan.days)
    max_rate = prescribed_max(order, plan.product)
    per_kg_order = replace(order, dose=plan.course_dose_per_kg, dose_per_day=False, days=n, max_rate=max_rate)
    weight = plan.rate_weight

    def add(kind: str, text: str, new: Order, product: Product, days: int, max_rate: Quantity | None) -> None:
        try:
            lay = _layout(
                product,
                plan.regimen,
                plan.risk,
                overrides,
                max_rate,
                bool(order.start_low),
                plan.course_dose,
                days,
                weight,
                cat.settings,
                _day_start(order, 1),
            )
        except InputError:
            return
        out.append(
            Alternative(
                kind, text, new, lay.volume, (lay.volume / weight).to(ML_PER_KG), lay.schedule.duration, days
            )
        )

    if plan.product.percent < 10:
        wanted = plan.regimen.titration if plan.regimen else None
        tens = [p for p in cat.formulary.products.values() if p.percent >= 10 and p.vials]
        labelled = [p for p in tens if wanted in p.titrations] or tens
        labelled.sort(key=lambda p: (p.manufacturer != plan.product.manufacturer, p.name))
        if labelled:
            alt_p = labelled[0]
            add(
                "product",
                f"Same course with {alt_p.name} ({_fmt(alt_p.percent)} %): half the volume",
                replace(per_kg_order, product=alt_p.id),
                alt_p,
                n,
                max_rate,
            )
    max_days = max(plan.regimen.days_range[1] if plan.regimen and plan.regimen.days_range else n + 1, n + 1)
    for days in range(n + 1, max_days + 1):
        vol = plan.days[0].volume * n / days
        if days == max_days or (vol <= limit.per_day and vol / weight <= limit.per_kg):
            add(
                "days",
                f"Same course over {days} days",
                replace(per_kg_order, days=days),
                plan.product,
                days,
                max_rate,
            )
            break
    rungs = [r.dose_rate for r in plan.ladder.rungs[:-1]]
    if rungs:
        lower = rungs[-1].to(MG_PER_KG_MIN)
        add(
            "rate",
            f"Lower maximum rate {_fmt(lower.m, 2)} mg/kg/min",
            replace(order, max_rate=lower),
            plan.product,
            n,
            lower,
        )
    return tuple(out)
