"""Standard regimens per indication, from ``resources/regimens.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ivig_desktop import resources
from ivig_desktop.engine import datafile
from ivig_desktop.engine.errors import DataError, lookup
from ivig_desktop.engine.units import G_PER_KG, Q_, H, Quantity


@dataclass(frozen=True, slots=True)
class Regimen:
    id: str
    name: str
    titration: str | None
    course_dose: Quantity | None
    dose_low: Quantity | None
    dose_high: Quantity | None
    daily_low: Quantity | None
    daily_high: Quantity | None
    days: int | None
    days_range: tuple[int, int] | None
    infusion_hours: tuple[Quantity, Quantity] | None
    repeat: str
    evidence: str
    source: str
    decision: str = ""
    """A question the label leaves open that the prescriber must answer (shown as a caution)."""
    decision_source: str = ""

    @property
    def daily_dose(self) -> Quantity | None:
        """The course split evenly over the regimen's days (per kg), or None when either is open."""
        if self.course_dose is None or self.days is None:
            return None
        return self.course_dose / self.days


@dataclass(frozen=True, slots=True)
class Regimens:
    revision: str
    regimens: dict[str, Regimen]

    def get(self, rid: str) -> Regimen:
        return lookup(self.regimens, rid, "indication", "a known indication")


def _regimen(raw: object, src: str, index: int) -> Regimen:
    r = datafile.Record(raw, src, f"regimen {index + 1}")
    rid = r.str("id")
    r.record = rid
    r.only(
        "id",
        "name",
        "titration",
        "course_dose",
        "dose_range",
        "daily_dose_range",
        "days",
        "days_range",
        "infusion_hours",
        "repeat",
        "evidence",
        "source",
        "decision",
    )
    if r.has("course_dose"):
        r.child("course_dose").only("value", "unit")
    dose = r.quantity("course_dose", "[mass] / [mass]") if r.has("course_dose") else None
    low = high = None
    if r.has("dose_range"):
        dr = r.child("dose_range")
        dr.only("low", "high", "unit")
        unit = dr.str("unit")
        low = datafile.Record({"value": dr.number("low"), "unit": unit}, src, dr.record)
        high = datafile.Record({"value": dr.number("high"), "unit": unit}, src, dr.record)
        low_q = low.quantity_here("[mass] / [mass]", field="dose_range")
        high_q = high.quantity_here("[mass] / [mass]", field="dose_range")
        if low_q > high_q:
            raise dr.error("low", "is above high")
    daily_low = daily_high = None
    if r.has("daily_dose_range"):
        dd = r.child("daily_dose_range")
        dd.only("low", "high", "unit", "source")
        unit = dd.str("unit")
        daily_low = datafile.Record({"value": dd.number("low"), "unit": unit}, src, dd.record).quantity_here(
            "[mass] / [mass]", field="daily_dose_range"
        )
        daily_high = datafile.Record(
            {"value": dd.number("high"), "unit": unit}, src, dd.record
        ).quantity_here("[mass] / [mass]", field="daily_dose_range")
        if daily_low > daily_high:
            raise dd.error("low", "is above high")
        dd.str("source")
    days = r.int("days") if r.has("days") else None
    if days is not None and days < 1:
        raise r.error("days", "must be at least 1")
    days_range = None
    if r.has("days_range"):
        dr_list = r.list("days_range")
        if (
            len(dr_list) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 366 for x in dr_list)
            or dr_list[0] > dr_list[1]
        ):
            raise r.error("days_range", "must be [shortest, longest] whole days")
        days_range = (dr_list[0], dr_list[1])
        if days is not None and not days_range[0] <= days <= days_range[1]:
            raise r.error("days", "is outside days_range")
    hours = None
    if r.has("infusion_hours"):
        hl = r.list("infusion_hours")
        if len(hl) != 2 or not all(
            isinstance(x, int | float) and not isinstance(x, bool) and 0 < x <= 24 for x in hl
        ):
            raise r.error("infusion_hours", "must be [shortest, longest] hours, each within one day (24 h)")
        hours = (Q_(float(hl[0]), H), Q_(float(hl[1]), H))
    decision = decision_source = ""
    if r.has("decision"):
        dc = r.child("decision")
        dc.only("text", "source")
        decision, decision_source = dc.str("text"), dc.str("source")
    return Regimen(
        id=rid,
        name=r.str("name"),
        titration=r.str("titration") if r.has("titration") else None,
        course_dose=dose.to(G_PER_KG) if dose is not None else None,
        dose_low=low_q.to(G_PER_KG) if low is not None else None,
        dose_high=high_q.to(G_PER_KG) if high is not None else None,
        daily_low=daily_low.to(G_PER_KG) if daily_low is not None else None,
        daily_high=daily_high.to(G_PER_KG) if daily_high is not None else None,
        days=days,
        days_range=days_range,
        infusion_hours=hours,
        repeat=r.str("repeat", "") if r.has("repeat") else "",
        evidence=r.evidence(),
        source=r.str("source"),
        decision=decision,
        decision_source=decision_source,
    )


def load_regimens(path: Path | None = None) -> Regimens:
    path = path or resources.path("regimens.toml")
    data = datafile.load(path)
    src = str(path)
    datafile.Record(data, src, "").only("revision", "regimen")
    tables = data.get("regimen")
    if not isinstance(tables, list) or not tables:
        raise DataError(src, "", "regimen", "must list at least one [[regimen]]")
    out: dict[str, Regimen] = {}
    for i, raw in enumerate(tables):
        reg = _regimen(raw, src, i)
        if reg.id in out:
            raise DataError(src, reg.id, "id", "appears twice")
        out[reg.id] = reg
    return Regimens(datafile.Record(data, src, "").str("revision"), out)


@cache
def bundled_regimens() -> Regimens:
    return load_regimens()
