"""The infusion plan: one pure function from a patient and an order to everything printed.

The window, the printout and the command line all call :func:`make_plan`; none of them
does arithmetic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.formulary import Formulary, Product, Titration, bundled_formulary
from ivig_desktop.engine.patient import CreatinineClearance, Patient, creatinine_clearance
from ivig_desktop.engine.regimens import Regimen, Regimens, bundled_regimens
from ivig_desktop.engine.risk import RiskProfile, Severity, Warning, assess, check_factors
from ivig_desktop.engine.schedule import DaySchedule, Ladder, build_ladder, schedule_day
from ivig_desktop.engine.settings import SiteSettings, VolumeLimit, bundled_settings
from ivig_desktop.engine.units import (
    G_PER_KG,
    KG,
    MG_PER_KG_MIN,
    MIN,
    ML,
    ML_PER_H,
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

START_LOW_REASONS = {
    "first-infusion": "first infusion",
    "over-8-weeks": "more than 8 weeks since the last infusion",
    "product-switch": "switch from another immune globulin product",
}
#: Day 1 of an undated plan: clock arithmetic needs a date, the printout shows only times.
_DAY_ONE = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class Order:
    product: str
    indication: str | None = None
    dose: Quantity | None = None
    """Course dose: per kg (g/kg, mg/kg) or an absolute amount (g). None: the regimen's."""
    days: int | None = None
    weight_policy: str = "auto"
    start: time | None = None
    """Clock time of the first step; None prints times as elapsed from the start."""
    start_low: frozenset[str] = frozenset()
    risks: frozenset[str] = frozenset()
    max_rate: Quantity | None = None
    """A lower maximum dose rate chosen by the prescriber (mg/kg/min)."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The data a plan is made from: formulary, regimens, policies and site settings."""

    formulary: Formulary
    regimens: Regimens
    policies: dict[str, WeightPolicy]
    settings: SiteSettings

    def policy(self, pid: str) -> WeightPolicy:
        try:
            return self.policies[pid]
        except KeyError:
            raise InputError(
                "weight policy", f"'{pid}' is not a known policy ({', '.join(self.policies)})"
            ) from None


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

    @property
    def rate_weight(self) -> Quantity:
        return self.dosing.weight

    @property
    def clock_given(self) -> bool:
        return self.order.start is not None

    @property
    def total_volume(self) -> Quantity:
        return sum((d.volume for d in self.days), Q_(0.0, ML))

    @property
    def total_dose(self) -> Quantity:
        return sum((d.dose for d in self.days), Q_(0.0, G))

    @property
    def max_day_volume(self) -> Quantity:
        return max(d.volume for d in self.days)


def _w(code: str, severity: Severity, message: str) -> Warning:
    return Warning(code, severity, message)


def _fmt(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _course_dose(
    order: Order, regimen: Regimen | None, weight: Quantity, settings: SiteSettings
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
    if dose.check("[mass]"):
        course = dose.to(G)
        per_kg = (course / weight).to(G_PER_KG)
    elif dose.check("[mass] / [mass]"):
        per_kg = dose.to(G_PER_KG)
        course = (per_kg * weight).to(G)
    else:
        raise InputError("dose", f"'{dose.units:~}' is not a dose unit (g/kg, mg/kg or g)")
    if per_kg.m <= 0:
        raise InputError("dose", "must be greater than zero")
    if per_kg > settings.max_course_dose * (1 + 1e-9):
        raise InputError(
            "dose",
            f"{_fmt(per_kg.m, 2)} g/kg of dosing weight is above the site's hard limit of "
            f"{_fmt(settings.max_course_dose.m, 2)} g/kg per course",
        )
    days = order.days
    if days is None:
        if regimen is None or regimen.days is None:
            name = regimen.name if regimen else "this order"
            raise InputError("days", f"the {name} regimen has no standard day count; enter one")
        days = regimen.days
    if days < 1:
        raise InputError("days", "must be at least 1")
    return course, per_kg, days


def _titration(product: Product, regimen: Regimen | None) -> tuple[Titration, str, bool]:
    """The label titration to use, a note on why, and whether the use is off-label."""
    if regimen is not None and regimen.titration in product.titrations:
        assert regimen.titration is not None
        return product.titrations[regimen.titration], f"{product.name} label, {regimen.titration}", False
    slowest = min(product.titrations.values(), key=lambda t: (t.max_rate.m, t.indication))
    why = (
        f"no {product.name} label rates for {regimen.name}" if regimen is not None else "no indication chosen"
    )
    return (
        slowest,
        f"{why}: using its {slowest.indication} rates (lowest labelled maximum)",
        (regimen is not None),
    )


def _day_start(order: Order, day: int) -> datetime:
    clock = order.start or time(0, 0)
    return datetime.combine(_DAY_ONE, clock).replace(day=day)


def make_plan(
    patient: Patient, order: Order, catalogue: Catalogue | None = None, *, alternatives: bool = True
) -> Plan:
    cat = catalogue or bundled_catalogue()
    settings = cat.settings
    product = cat.formulary.product(order.product)
    regimen = cat.regimens.get(order.indication) if order.indication else None
    check_factors(order.risks)
    unknown_start = [r for r in order.start_low if r not in START_LOW_REASONS]
    if unknown_start:
        raise InputError("start low", f"'{unknown_start[0]}' is not one of {', '.join(START_LOW_REASONS)}")
    if order.max_rate is not None and not (
        order.max_rate.check("[mass]/[mass]/[time]") and order.max_rate.m > 0
    ):
        raise InputError("maximum rate", "must be a positive dose rate in mg/kg/min")

    dw = dosing_weight(patient, cat.policy(order.weight_policy), order.indication)
    weight = dw.weight
    crcl = creatinine_clearance(patient)
    risk = assess(patient, crcl, order.risks, settings)
    course, per_kg, n_days = _course_dose(order, regimen, weight, settings)
    titration, titration_note, off_label = _titration(product, regimen)
    warnings: list[Warning] = []

    # Rate ceiling: label max, lowered by numeric at-risk caps, a prescriber's cap, or the
    # regimen's fixed infusion time; each lowering is reported.
    caps: list[tuple[Quantity, str]] = []
    for cap in product.caps:
        hit = [k for k in cap.risks if k in risk.kinds]
        if not hit:
            continue
        if cap.provenance.verified:
            caps.append(
                (cap.rate, f"{product.name} label cap for {' and '.join(hit)} risk ({cap.provenance.source})")
            )
        else:
            warnings.append(
                _w(
                    "rate-capped",
                    Severity.CAUTION,
                    f"Unverified cap not applied: {_fmt(cap.rate.m, 2)} mg/kg/min for "
                    f"{' and '.join(hit)} risk "
                    f"[{cap.provenance.evidence}: {cap.provenance.source}]. Decide a lower maximum rate.",
                )
            )
    if order.max_rate is not None:
        caps.append((order.max_rate.to(MG_PER_KG_MIN), "maximum rate chosen by the prescriber"))

    day_dose = course / n_days
    pick = pick_vials(day_dose, product.vials, settings.rounding_tolerance)
    volume = (pick.dose / product.conc).to(ML)
    if regimen is not None and regimen.infusion_hours is not None:
        shortest = regimen.infusion_hours[0]
        fixed = (volume / shortest * product.conc / weight).to(MG_PER_KG_MIN)
        caps.append(
            (fixed, f"{regimen.name}: infused over {_fmt(shortest.m)}–{_fmt(regimen.infusion_hours[1].m)} h")
        )
    cap_rate, cap_reason = min(caps, key=lambda c: c[0].m) if caps else (None, "")
    ladder = build_ladder(
        titration,
        start_low=bool(order.start_low),
        cap=cap_rate,
        default_step=settings.default_step_minutes,
    )
    days: list[DayPlan] = []
    first = schedule_day(volume, weight, product.conc, ladder, settings.pump_resolution, _day_start(order, 1))
    for d in range(1, n_days + 1):
        sched = first if d == 1 else replace(first, start=_day_start(order, d))
        days.append(DayPlan(d, day_dose.to(G), pick, volume, (volume / weight).to(ML_PER_KG), sched))

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
    warnings += _warnings(plan, settings, off_label, cap_rate, cap_reason)
    warnings.sort(key=lambda w: -w.severity)
    plan = replace(plan, warnings=tuple(warnings))
    if alternatives and any(w.code in ("volume-load", "renal") for w in warnings):
        plan = replace(plan, alternatives=_alternatives(plan, cat))
    return plan


def _warnings(
    plan: Plan, settings: SiteSettings, off_label: bool, cap_rate: Quantity | None, cap_reason: str
) -> list[Warning]:
    out: list[Warning] = []
    risk, product = plan.risk, plan.product
    day = plan.days[0]
    w = plan.rate_weight.m_as(KG)
    label_max = plan.titration.max_rate

    # Product contraindications and interferences.
    factors = risk.factors
    if "iga-deficiency" in factors:
        iga = (
            f"{product.iga_qualifier} {_fmt(product.iga.quantity.m_as('mcg/mL'))} mcg/mL IgA"
            if product.iga is not None
            else "IgA content not found in the label text read"
        )
        out.append(
            _w(
                "iga",
                Severity.CRITICAL,
                f"IgA deficiency with antibodies against IgA: all IVIG labels contraindicate use with a "
                f"history of hypersensitivity. {product.name}: {iga}.",
            )
        )
    if "maltose" in product.contains:
        sev = Severity.CRITICAL if "maltose-meter" in factors else Severity.CAUTION
        out.append(
            _w(
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
        prov = product.contains["sorbitol"]
        if "fructose-intolerance" in factors:
            if prov.verified:
                out.append(
                    _w(
                        "sorbitol",
                        Severity.CRITICAL,
                        f"{product.name} contains sorbitol [{prov.evidence}: {prov.source}]; intravenous "
                        "sorbitol in hereditary fructose intolerance can cause hypoglycaemia, acidosis, "
                        "liver failure and death. Choose a sorbitol-free product.",
                    )
                )
            else:
                out.append(
                    _w(
                        "sorbitol",
                        Severity.CAUTION,
                        f"{product.name} may contain sorbitol [{prov.evidence}, unverified: {prov.source}]; "
                        "the patient has hereditary fructose intolerance. Confirm with the current label "
                        "or choose a product known to be sorbitol-free.",
                    )
                )
        elif prov.verified:
            out.append(
                _w(
                    "sorbitol",
                    Severity.INFO,
                    f"{product.name} contains sorbitol: check for hereditary fructose intolerance.",
                )
            )
    if "proline" in product.contains and "hyperprolinaemia" in factors:
        out.append(
            _w(
                "proline",
                Severity.CRITICAL,
                f"{product.name} is stabilised with L-proline; hyperprolinaemia is a contraindication "
                f"[{product.contains['proline'].source}]. Choose another product.",
            )
        )
    if "corn" in product.contains and "corn-allergy" in factors:
        out.append(
            _w(
                "corn",
                Severity.CRITICAL,
                f"{product.name} (maltose from corn) is contraindicated in acute hypersensitivity to corn "
                f"[{product.contains['corn'].source}].",
            )
        )
    if "sucrose" in product.contains and risk.renal:
        out.append(
            _w(
                "renal",
                Severity.CRITICAL,
                f"{product.name} contains sucrose: renal failure is more common with "
                "sucrose-containing IGIV.",
            )
        )

    # Boxed-warning risks.
    if risk.renal:
        out.append(
            _w(
                "renal",
                Severity.CAUTION,
                "Renal risk: " + "; ".join(risk.renal) + ". Label: give the minimum dose and infusion rate "
                "practicable, ensure adequate hydration, make sure the patient is not volume depleted, "
                "and stop if renal function worsens."
                + (
                    f" CrCl {_fmt(plan.crcl.value.m_as('mL/min'), 0)} mL/min ({plan.crcl.basis})."
                    if plan.crcl is not None and plan.crcl.value is not None
                    else ""
                ),
            )
        )
    if risk.thrombosis:
        out.append(
            _w(
                "thrombosis",
                Severity.CAUTION,
                "Thrombotic risk: " + "; ".join(risk.thrombosis) + ". Label: minimum dose and infusion rate "
                "practicable, adequate hydration, monitor for thrombosis"
                + ("; assess blood viscosity." if "hyperviscosity" in factors else "."),
            )
        )
    if (risk.renal or risk.thrombosis) and cap_rate is None:
        out.append(
            _w(
                "rate-capped",
                Severity.CAUTION,
                f"The {product.name} label gives no numeric rate for at-risk patients ('minimum infusion "
                "rate practicable'); the schedule runs to the label maximum "
                f"{_fmt(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min unless a lower maximum rate is chosen.",
            )
        )
    if cap_rate is not None and cap_rate < label_max:
        peak = day.schedule.peak_rate.m_as(ML_PER_H)
        out.append(
            _w(
                "rate-capped",
                Severity.CAUTION,
                f"Maximum rate capped at {_fmt(cap_rate.m_as(MG_PER_KG_MIN), 2)} mg/kg/min "
                f"({_fmt(peak)} mL/h at {_fmt(w)} kg) instead of the label's "
                f"{_fmt(label_max.m_as(MG_PER_KG_MIN), 2)} mg/kg/min: "
                f"{cap_reason}.",
            )
        )

    # Volume load.
    limit = plan.volume_limit
    vol = day.volume.m_as(ML)
    per_kg = day.volume_per_kg.m_as(ML_PER_KG)
    which = "strict" if risk.strict_volume else "standard"
    why = f" ({'; '.join(risk.strict_volume)})" if risk.strict_volume else ""
    over = [
        f"{_fmt(vol, 0)} mL/day > {_fmt(limit.per_day.m_as(ML), 0)} mL"
        for _ in [0]
        if day.volume > limit.per_day
    ] + [
        f"{_fmt(per_kg)} mL/kg/day > {_fmt(limit.per_kg.m_as(ML_PER_KG))} mL/kg"
        for _ in [0]
        if day.volume_per_kg > limit.per_kg
    ]
    if over:
        out.append(
            _w(
                "volume-load",
                Severity.CRITICAL,
                f"Volume load above the site's {which} limit{why}: "
                + "; ".join(over)
                + f" of {product.name} ({_fmt(product.percent)} %). See the alternatives.",
            )
        )
    elif risk.strict_volume:
        out.append(
            _w(
                "volume-load",
                Severity.INFO,
                f"Volume {_fmt(vol, 0)} mL/day ({_fmt(per_kg)} mL/kg) is within the site's strict limit "
                f"{_fmt(limit.per_day.m_as(ML), 0)} mL and {_fmt(limit.per_kg.m_as(ML_PER_KG))} mL/kg{why}.",
            )
        )
    if "heart-failure" in factors and not over:
        out.append(
            _w(
                "volume-load",
                Severity.CAUTION,
                "Heart failure / reduced cardiac function: labels name fluid overload and hyperviscosity "
                "as overdose risks in cardiac impairment; assess fluid status before and during "
                "the infusion.",
            )
        )

    # Dose and regimen.
    reg = plan.regimen
    if off_label and reg is not None:
        out.append(
            _w(
                "off-label",
                Severity.CAUTION,
                f"{product.name} is not labelled for {reg.name} in the formulary; {plan.titration_note}.",
            )
        )
    elif reg is None:
        out.append(_w("off-label", Severity.INFO, f"No indication chosen; {plan.titration_note}."))
    per_kg_dose = plan.course_dose_per_kg.m_as(G_PER_KG)
    if reg is not None and reg.dose_low is not None and reg.dose_high is not None:
        lo, hi = reg.dose_low.m_as(G_PER_KG), reg.dose_high.m_as(G_PER_KG)
        if not lo * (1 - 1e-9) <= per_kg_dose <= hi * (1 + 1e-9):
            out.append(
                _w(
                    "dose-limit",
                    Severity.CAUTION,
                    f"Course dose {_fmt(per_kg_dose, 2)} g/kg is outside the {reg.name} regimen "
                    f"({_fmt(lo, 2)}–{_fmt(hi, 2)} g/kg) [{reg.source}].",
                )
            )
    if (
        reg is not None
        and reg.days_range is not None
        and not reg.days_range[0] <= len(plan.days) <= reg.days_range[1]
    ):
        out.append(
            _w(
                "dose-limit",
                Severity.CAUTION,
                f"{len(plan.days)} day(s) is outside the {reg.name} regimen's "
                f"{reg.days_range[0]}–{reg.days_range[1]} days.",
            )
        )
    if reg is not None and reg.evidence in ("NOT FOUND", "BELIEVED"):
        out.append(_w("off-label", Severity.INFO, f"{reg.name}: {reg.source}."))
    if reg is not None and reg.infusion_hours is not None:
        hours = day.schedule.duration.m_as("h")
        lo_h, hi_h = (h.m_as("h") for h in reg.infusion_hours)
        sev = Severity.CAUTION if hours > hi_h else Severity.INFO
        out.append(
            _w(
                "dose-limit",
                sev,
                f"{reg.name}: the regimen runs over {_fmt(lo_h)}–{_fmt(hi_h)} h; this schedule takes "
                f"{_fmt(hours)} h.",
            )
        )

    # Vials.
    pick = day.pick
    tol = settings.rounding_tolerance * 100
    if pick.no_vials:
        out.append(
            _w(
                "rounding",
                Severity.CAUTION,
                f"No vial sizes for {product.name} in the formulary (not found in the label text read): "
                f"give {_fmt(pick.dose.m_as(G), 2)} g per day and add the stocked sizes to a site formulary.",
            )
        )
    elif pick.rounded:
        change = (pick.dose / pick.prescribed).to("").m * 100 - 100
        out.append(
            _w(
                "rounding",
                Severity.INFO,
                f"Each day's dose rounded to whole vials: prescribed {_fmt(pick.prescribed.m_as(G), 2)} g, "
                f"given {_fmt(pick.dose.m_as(G), 2)} g ({change:+.1f} %, within ±{_fmt(tol)} %).",
            )
        )
    elif not pick.within_tolerance:
        out.append(
            _w(
                "rounding",
                Severity.CAUTION,
                f"No whole-vial amount within ±{_fmt(tol)} % of {_fmt(pick.prescribed.m_as(G), 2)} g: "
                f"give the exact dose from {_fmt(pick.opened.m_as(G), 2)} g opened, "
                f"{_fmt(pick.waste.m_as(G), 2)} g waste per day.",
            )
        )

    # Data provenance.
    if plan.titration.step_minutes is None:
        out.append(
            _w(
                "rate-capped",
                Severity.INFO,
                f"The {product.name} label gives no step interval for {plan.titration.indication}: steps are "
                f"held {_fmt(settings.default_step_minutes.m_as(MIN), 0)} min (site setting).",
            )
        )
    if plan.order.start_low:
        why = ", ".join(START_LOW_REASONS[r] for r in sorted(plan.order.start_low))
        out.append(
            _w(
                "rate-capped",
                Severity.INFO,
                f"Start-low ({why}): the infusion starts at the label's lowest rate, "
                f"{_fmt(plan.ladder.rungs[0].dose_rate.m_as(MG_PER_KG_MIN), 3)} mg/kg/min.",
            )
        )
    elif plan.ladder.start_skipped:
        later = plan.titration.subsequent_start
        out.append(
            _w(
                "rate-capped",
                Severity.INFO,
                "Subsequent infusion: starts at "
                f"{_fmt(plan.ladder.rungs[0].dose_rate.m_as(MG_PER_KG_MIN), 3)} mg/kg/min "
                f"[{later.provenance.source if later else ''}]. "
                "Tick first infusion, > 8 weeks or product switch to start at the lowest rate.",
            )
        )
    out.extend(
        _w("dose-limit", Severity.INFO, f"Unverified policy threshold: {note}.")
        for note in plan.dosing.unverified
    )
    if plan.crcl is not None and plan.crcl.value is None:
        out.append(_w("renal", Severity.INFO, f"Creatinine clearance {plan.crcl.basis}."))
    return out


def _summary(plan: Plan) -> tuple[Quantity, Quantity, Quantity]:
    day = plan.days[0]
    return day.volume, day.volume_per_kg, day.schedule.duration


def _alternatives(plan: Plan, cat: Catalogue) -> tuple[Alternative, ...]:
    """Safer versions of the same course: 10 % product, more days, lower maximum rate."""
    out: list[Alternative] = []
    order = plan.order
    limit = plan.volume_limit
    n = len(plan.days)
    per_kg_order = replace(order, dose=plan.course_dose_per_kg, days=n)

    def add(kind: str, text: str, new: Order) -> None:
        try:
            alt = make_plan(plan.patient, new, cat, alternatives=False)
        except InputError:
            return
        v, vk, t = _summary(alt)
        out.append(Alternative(kind, text, new, v, vk, t, len(alt.days)))

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
            )
    max_days = max(plan.regimen.days_range[1] if plan.regimen and plan.regimen.days_range else n + 1, n + 1)
    for days in range(n + 1, max_days + 1):
        vol = plan.days[0].volume * n / days
        if days == max_days or (vol <= limit.per_day and vol / plan.rate_weight <= limit.per_kg):
            add("days", f"Same course over {days} days", replace(per_kg_order, days=days))
            break
    rungs = [r.dose_rate for r in plan.ladder.rungs[:-1]]
    if rungs:
        lower = rungs[-1]
        add(
            "rate",
            f"Lower maximum rate {_fmt(lower.m_as(MG_PER_KG_MIN), 2)} mg/kg/min",
            replace(order, max_rate=lower.to(MG_PER_KG_MIN)),
        )
    return tuple(out)
