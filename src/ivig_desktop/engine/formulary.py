"""The formulary: products, vials, per-indication titration and at-risk caps, from data.

Loaded from ``resources/formulary.toml`` or a site's own file. Each figure keeps its
evidence tag, source and date so the plan can print where a number came from and refuse to
present a BELIEVED / NOT FOUND figure as label truth.
"""

from __future__ import annotations

import datetime
import itertools
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ivig_desktop import resources
from ivig_desktop.engine import data_bounds, datafile
from ivig_desktop.engine.errors import DataError, lookup, nearest
from ivig_desktop.engine.text import control_character, printable
from ivig_desktop.engine.units import (
    MG,
    MG_PER_KG_MIN,
    MG_PER_ML,
    MIN,
    ML,
    Q_,
    G,
    Quantity,
    to_dose_rate,
)

RISK_KINDS = ("renal", "thrombosis")
SUBSTANCES = ("maltose", "sorbitol", "proline", "sucrose", "corn", "glucose")
ESCALATIONS = ("list", "doubling", "increment")
_RATE_DIM = ("[mass] / [mass] / [time]", "[length] ** 3 / [mass] / [time]")


@dataclass(frozen=True, slots=True)
class Provenance:
    evidence: str
    source: str
    date: str

    @property
    def verified(self) -> bool:
        return self.evidence not in datafile.UNVERIFIED_EVIDENCE


@dataclass(frozen=True, slots=True)
class Figure:
    """A labelled number: the quantity in the label's own unit and where it came from."""

    quantity: Quantity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Vial:
    size: Quantity
    volume: Quantity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Titration:
    """One indication's infusion-rate rule, all rates held as mg/kg/min."""

    indication: str
    start: Figure
    max: Figure
    escalation: str
    rates: tuple[Quantity, ...]
    rates_figure: Provenance | None
    increment: Figure | None
    step_minutes: Quantity | None
    step_provenance: Provenance | None
    start_minutes: Quantity | None
    subsequent_start: Figure | None
    concentration: Quantity
    course_days: tuple[int, int] | None = None
    """The days the label gives this indication's course over (Privigen ITP: 2), when it says."""
    course_days_provenance: Provenance | None = None
    # The label's start and maximum as mg/kg/min, converted once when the formulary loads.
    start_rate: Quantity = field(init=False, compare=False)
    max_rate: Quantity = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_rate", self.dose_rate(self.start))
        object.__setattr__(self, "max_rate", self.dose_rate(self.max))

    def dose_rate(self, figure: Figure) -> Quantity:
        return to_dose_rate(figure.quantity, self.concentration).to(MG_PER_KG_MIN)


@dataclass(frozen=True, slots=True)
class AtRiskCap:
    risks: tuple[str, ...]
    rate: Quantity
    strict: bool
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    manufacturer: str
    concentration: Figure
    vials: tuple[Vial, ...]
    stabiliser: str | None
    contains: dict[str, Provenance]
    iga: Figure | None
    iga_qualifier: str
    titrations: dict[str, Titration]
    caps: tuple[AtRiskCap, ...]
    percent: float = field(init=False, compare=False)
    """Concentration as % w/v (g per 100 mL), for labels like 'Octagam 10 %'; set on load."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", float(self.conc.m_as(MG_PER_ML)) / 10)

    @property
    def conc(self) -> Quantity:
        return self.concentration.quantity


@dataclass(frozen=True, slots=True)
class Formulary:
    revision: str
    source: str
    products: dict[str, Product]

    def product(self, pid: str) -> Product:
        return lookup(self.products, pid, "product", "in the formulary")


_FIGURE_KEYS = ("value", "unit", "evidence", "source", "date")


def _prov(r: datafile.Record) -> Provenance:
    date = r.table.get("date", "")
    if isinstance(date, str):
        date = r.str("date", "")
    elif isinstance(date, bool) or not isinstance(date, int | datetime.date):
        raise r.error("date", 'must be a date such as "2026-11-24"')
    return Provenance(r.evidence(), r.str("source"), str(date) or "undated")


def _quantity(r: datafile.Record, key: str, dims: tuple[str, ...]) -> Quantity:
    """``r[key]`` as a quantity of any one of ``dims`` (a rate may be per mg or per mL)."""
    return r.child(key).quantity_here(dims, field=key)


def _figure(r: datafile.Record, key: str, dims: tuple[str, ...], *extra_keys: str) -> Figure:
    r.child(key).only(*_FIGURE_KEYS, *extra_keys)
    return Figure(_quantity(r, key, dims), _prov(r.child(key)))


def _rate_in_bounds(r: datafile.Record, field: str, given: Quantity, rate: Quantity, conc: Quantity) -> None:
    """Refuse a rate faster than any IVIG label allows, saying what it is in mg/kg/min."""
    top = data_bounds.RATE.high
    assert top is not None
    if rate > top:
        unit = r.child(field).table.get("unit", "") if r.has(field) else ""
        shown = f"{given.m:g} {unit}".strip()
        as_dose = f"{rate.m_as(MG_PER_KG_MIN):.4g} mg/kg/min"
        said = (
            shown
            if given.check("[mass] / [mass] / [time]")
            else f"{shown} at {conc.m_as(MG_PER_ML):g} mg/mL is {as_dose}"
        )
        raise r.error(
            field,
            f"{said} is above {top.m:g} mg/kg/min: {data_bounds.RATE.reason}; check the value and its unit",
        )


def _minutes(r: datafile.Record, key: str) -> tuple[Quantity, Provenance]:
    """A ``{value = 30, evidence, source, date}`` step length in minutes, within one day."""
    sr = r.child(key)
    sr.only("value", "evidence", "source", "date")
    minutes = sr.number("value")
    if minutes <= 0:
        raise sr.error("value", "must be greater than zero")
    top = data_bounds.STEP_MINUTES.high
    assert top is not None
    if minutes > top.m_as(MIN):
        raise sr.error("value", f"{minutes:g} min is above {top.m:g} min: {data_bounds.STEP_MINUTES.reason}")
    return Q_(minutes, MIN), _prov(sr)


def _rungs(start: Quantity, top: Quantity, escalation: str, step: Quantity | None) -> int:
    """How many rates a ladder climbs through from ``start`` to ``top`` (both included)."""
    ratio = float((top / start).m_as(""))
    if escalation == "doubling":
        return 1 + max(0, math.ceil(math.log2(ratio) - 1e-9)) if ratio > 1 else 1
    assert step is not None
    gap = float(((top - start) / step).m_as(""))
    return 1 + max(0, math.ceil(gap - 1e-9))


def _titration(r: datafile.Record, indication: str, conc: Quantity) -> Titration:
    r.only(
        "start",
        "max",
        "escalation",
        "rates",
        "increment",
        "step_minutes",
        "start_minutes",
        "subsequent_start",
        "course_days",
    )
    course_days = None
    course_prov = None
    if r.has("course_days"):
        cd = r.child("course_days")
        cd.only("low", "high", "evidence", "source", "date")
        low, high = cd.int("low"), cd.int("high")
        if not 1 <= low <= high <= 31:
            raise cd.error("low", "and high must be whole days, 1 ≤ low ≤ high ≤ 31")
        course_days, course_prov = (low, high), _prov(cd)
    start = _figure(r, "start", _RATE_DIM)
    top = _figure(r, "max", _RATE_DIM)
    escalation = r.str("escalation")
    if escalation not in ESCALATIONS:
        raise r.error(
            "escalation",
            f"'{escalation}' is not one of {', '.join(ESCALATIONS)}{nearest(escalation, ESCALATIONS)}",
        )
    start_rate = to_dose_rate(start.quantity, conc)
    max_rate = to_dose_rate(top.quantity, conc)
    _rate_in_bounds(r, "max", top.quantity, max_rate, conc)
    if start_rate > max_rate:
        raise r.error("start", "is above max")
    rates: tuple[Quantity, ...] = ()
    rates_prov = None
    if escalation == "list":
        rr = r.child("rates")
        rr.only("values", "unit", "evidence", "source", "date")
        values = rr.list("values")
        unit = rr.str("unit")
        if not values or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in values
        ):
            raise rr.error("values", "must be a list of positive numbers")
        if len(values) > data_bounds.MAX_RUNGS:
            raise rr.error(
                "values",
                f"lists {len(values)} rates; at most {data_bounds.MAX_RUNGS} ({data_bounds.RUNGS_REASON})",
            )
        rates = tuple(
            to_dose_rate(
                _quantity(
                    datafile.Record({"r": {"value": v, "unit": unit}}, r.source, rr.record),
                    "r",
                    _RATE_DIM,
                ),
                conc,
            )
            for v in values
        )
        if any(b <= a for a, b in itertools.pairwise(rates)):
            raise rr.error("values", "must rise step by step")
        if not math.isclose(rates[0].m, start_rate.m, rel_tol=1e-6):
            raise rr.error("values", "must begin at the start rate")
        if not math.isclose(rates[-1].m, max_rate.m, rel_tol=1e-6):
            raise rr.error("values", "must end at the maximum rate")
        rates_prov = _prov(rr)
    increment = _figure(r, "increment", _RATE_DIM) if escalation == "increment" else None
    inc_rate = to_dose_rate(increment.quantity, conc) if increment is not None else None
    if escalation != "list":
        if inc_rate is not None:
            _rate_in_bounds(r, "increment", increment.quantity, inc_rate, conc)  # type: ignore[union-attr]
        rungs = _rungs(start_rate, max_rate, escalation, inc_rate)
        if rungs > data_bounds.MAX_RUNGS:
            raise r.error(
                "increment" if escalation == "increment" else "start",
                f"climbs through {rungs} rates from start to max; at most {data_bounds.MAX_RUNGS} "
                f"({data_bounds.RUNGS_REASON})",
            )
    step = start_min = None
    step_prov = None
    if r.has("step_minutes"):
        step, step_prov = _minutes(r, "step_minutes")
    if r.has("start_minutes"):
        start_min, _ = _minutes(r, "start_minutes")
    subsequent = _figure(r, "subsequent_start", _RATE_DIM) if r.has("subsequent_start") else None
    if subsequent is not None and to_dose_rate(subsequent.quantity, conc) > max_rate:
        raise r.error("subsequent_start", "is above max")
    return Titration(
        indication=indication,
        start=start,
        max=top,
        escalation=escalation,
        rates=rates,
        rates_figure=rates_prov,
        increment=increment,
        step_minutes=step,
        step_provenance=step_prov,
        start_minutes=start_min,
        subsequent_start=subsequent,
        concentration=conc,
        course_days=course_days,
        course_days_provenance=course_prov,
    )


def _product(raw: object, src: str, index: int, seen: set[str]) -> Product:
    r = datafile.Record(raw, src, f"product {index + 1}")
    pid = r.str("id")
    r.record = pid
    r.only(
        "id",
        "name",
        "manufacturer",
        "label_date",
        "concentration",
        "vials",
        "stabiliser",
        "contains",
        "iga",
        "indications",
        "at_risk_caps",
    )
    if pid in seen:
        raise r.error("id", "appears twice")
    conc = _figure(r, "concentration", ("[mass] / [length] ** 3",))
    c = conc.quantity.to(MG_PER_ML)
    low, high = data_bounds.CONCENTRATION.low, data_bounds.CONCENTRATION.high
    assert low is not None and high is not None
    if not low <= c <= high:
        raise r.error(
            "concentration",
            f"{c.m:g} mg/mL ({c.m / 10:g} %) is outside {low.m:g}–{high.m:g} mg/mL: "
            f"{data_bounds.CONCENTRATION.reason}",
        )
    raw_vials = r.list("vials", [])
    if len(raw_vials) > data_bounds.MAX_VIAL_SIZES:
        raise r.error(
            "vials",
            f"lists {len(raw_vials)} sizes; at most {data_bounds.MAX_VIAL_SIZES} "
            f"({data_bounds.VIAL_SIZES_REASON})",
        )
    vials = []
    for j, v in enumerate(raw_vials):
        vr = datafile.Record(v, src, f"{pid}.vials[{j + 1}]")
        vr.only("size", "volume", "evidence", "source", "date")
        size_g, vol_ml = vr.number("size"), vr.number("volume")
        if size_g <= 0:
            raise vr.error("size", "must be greater than zero")
        if vol_ml <= 0:
            raise vr.error("volume", "must be greater than zero")
        size, volume = Q_(size_g, G), Q_(vol_ml, ML)
        smallest, largest = data_bounds.VIAL_SIZE.low, data_bounds.VIAL_SIZE.high
        assert smallest is not None and largest is not None
        if not smallest <= size <= largest:
            raise vr.error(
                "size",
                f"{size_g:g} g is outside {smallest.m:g}–{largest.m:g} g: {data_bounds.VIAL_SIZE.reason}",
            )
        mg = size.m_as(MG)
        if abs(mg - round(mg)) > 1e-6:
            raise vr.error("size", "must be a whole number of milligrams")
        expected = (size / c).m_as(ML)
        if not math.isclose(expected, vol_ml, rel_tol=0.01):
            raise vr.error("volume", f"{vol_ml:g} mL does not match {size_g:g} g at {c.m:g} mg/mL")
        vials.append(Vial(size, volume, _prov(vr)))
    sizes = [v.size for v in vials]
    if len(sizes) != len({s.m for s in sizes}):
        raise r.error("vials", "lists the same size twice")
    contains: dict[str, Provenance] = {}
    for j, c_raw in enumerate(r.list("contains", [])):
        cr = datafile.Record(c_raw, src, f"{pid}.contains[{j + 1}]")
        cr.only("substance", "evidence", "source", "date")
        sub = cr.str("substance")
        if sub not in SUBSTANCES:
            raise cr.error(
                "substance", f"'{sub}' is not one of {', '.join(SUBSTANCES)}{nearest(sub, SUBSTANCES)}"
            )
        contains[sub] = _prov(cr)
    iga = None
    qualifier = ""
    if r.has("iga"):
        iga = _figure(r, "iga", ("[mass] / [length] ** 3",), "qualifier")
        qualifier = r.child("iga").str("qualifier", "")
    titr_table = r.child("indications")
    for ind in titr_table.table:
        bad = control_character(str(ind))
        if bad is not None or not str(ind).strip():
            raise titr_table.error(printable(str(ind)), "is not a usable indication id")
    titrations = {
        ind: _titration(datafile.Record(t, src, f"{pid}.indications.{ind}"), ind, c)
        for ind, t in titr_table.table.items()
    }
    if not titrations:
        raise r.error("indications", "must list at least one indication")
    caps = []
    for j, cap_raw in enumerate(r.list("at_risk_caps", [])):
        cr = datafile.Record(cap_raw, src, f"{pid}.at_risk_caps[{j + 1}]")
        cr.only("risks", "rate", "strict", "evidence", "source", "date")
        risks = tuple(cr.list("risks"))
        if not risks or any(x not in RISK_KINDS for x in risks):
            raise cr.error("risks", f"must list some of {', '.join(RISK_KINDS)}")
        cr.child("rate").only("value", "unit")
        given = _quantity(cr, "rate", _RATE_DIM)
        rate = to_dose_rate(given, c).to(MG_PER_KG_MIN)
        _rate_in_bounds(cr, "rate", given, rate, c)
        fastest = max(t.max_rate for t in titrations.values())
        if rate > fastest:
            raise cr.error(
                "rate",
                f"{rate.m:g} mg/kg/min is above every maximum rate of {pid} (the highest is "
                f"{fastest.m:g} mg/kg/min), so it would never cap anything; check the value and its unit",
            )
        caps.append(AtRiskCap(risks, rate, cr.bool("strict"), _prov(cr)))
    stabiliser = None
    if r.has("stabiliser"):
        r.child("stabiliser").only("text", "evidence", "source", "date")
        stabiliser = r.child("stabiliser").str("text")
    return Product(
        id=pid,
        name=r.str("name"),
        manufacturer=r.str("manufacturer"),
        concentration=Figure(c, conc.provenance),
        vials=tuple(sorted(vials, key=lambda v: v.size.m_as(G))),
        stabiliser=stabiliser,
        contains=contains,
        iga=iga,
        iga_qualifier=qualifier,
        titrations=titrations,
        caps=tuple(caps),
    )


def load_formulary(path: Path | None = None) -> Formulary:
    path = path or resources.path("formulary.toml")
    return formulary_from_data(datafile.load(path), str(path))


def formulary_from_data(data: dict[str, Any], src: str) -> Formulary:
    """Check and build a formulary from parsed TOML; errors name ``src``, record and field."""
    top = datafile.Record(data, src, "")
    top.only("revision", "date", "product")
    revision = top.str("revision")
    products: dict[str, Product] = {}
    tables = data.get("product")
    if not isinstance(tables, list) or not tables:
        raise DataError(src, "", "product", "must list at least one [[product]]")
    for i, raw in enumerate(tables):
        p = _product(raw, src, i, set(products))
        products[p.id] = p
    return Formulary(revision, src, products)


@cache
def bundled_formulary() -> Formulary:
    return load_formulary()
