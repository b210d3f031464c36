"""Plan files (``.ivig``): the inputs of a plan as documented JSON, with its results beside.

The inputs (not only the results) are saved so a plan can be reopened, changed on day 2,
and recomputed under a newer formulary, with the differences in its numbers shown. Reading
is strict: a truncated, corrupt, wrong-version or hostile file is refused with the reason,
and nothing is changed.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, time
from pathlib import Path
from typing import Any

from ivig_desktop import __version__
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import InputError, nearest
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.order_details import LABELS, OrderDetails
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, Plan
from ivig_desktop.engine.quantities import FieldSpec
from ivig_desktop.engine.regular_file import FileRefusedError, read_regular_file
from ivig_desktop.engine.text import control_character
from ivig_desktop.engine.units import Q_, Quantity
from ivig_desktop.store.files import write_atomic

FORMAT = "ivig_desktop plan"
SCHEMA = 2
"""2: ``inputs.order.dose_per_day`` says whether ``dose`` is per day or the course. A schema-1 reader
would read a daily dose as the course (half the course meant), so it must refuse these files."""
READS = (1, 2)
"""Schema 1 files have no daily doses: their ``dose`` is the course."""
SUFFIX = ".ivig"
MAX_BYTES = 1_000_000
"""A plan is a few kB; anything near a megabyte is not one of ours."""
MAX_DEPTH = 12


class PlanFileError(InputError):
    """A plan file that cannot be used; ``field`` is the file and the JSON path."""


# Units a plan file may carry, per field: the display abbreviation → registry name.
_UNITS = {
    # Every unit the quantity parser accepts for the field, so whatever was typed reopens.
    "weight": {"kg": "kilogram", "lb": "pound", "g": "gram", "mg": "milligram"},
    "height": {"cm": "centimeter", "in": "inch", "m": "meter", "mm": "millimeter", "ft": "foot"},
    "age": {"y": "year", "months": "month", "weeks": "week", "days": "day"},
    "serum_creatinine": {"mg/dL": "milligram / deciliter", "µmol/L": "micromole / liter"},
    "dose": {"g/kg": "gram / kilogram", "mg/kg": "milligram / kilogram", "g": "gram", "mg": "milligram"},
    "max_rate": {"mg/kg/min": "milligram / kilogram / minute", "mL/kg/min": "milliliter / kilogram / minute"},
}
_ABBREV = {name: abbrev for table in _UNITS.values() for abbrev, name in table.items()}


def abbreviation(unit: str) -> str:
    """The short spelling of a registry unit name ("meter" → "m"), as typed and as saved."""
    return _ABBREV.get(unit, unit)


def _q(q: Quantity | None) -> dict[str, Any] | None:
    if q is None:
        return None
    unit = str(q.units)
    return {"magnitude": float(q.m), "units": _ABBREV.get(unit, unit)}


def inputs_to_dict(patient: Patient, order: Order) -> dict[str, Any]:
    return {
        "patient": {
            "weight": _q(patient.actual_weight),
            "height": _q(patient.height),
            "sex": patient.sex.value,
            "age": _q(patient.age),
            "serum_creatinine": _q(patient.serum_creatinine),
            "pregnant": patient.pregnant,
            "pre_pregnancy_weight": _q(patient.pre_pregnancy_weight),
        },
        "order": {
            "product": order.product,
            "indication": order.indication,
            "dose": _q(order.dose),
            "dose_per_day": order.dose_per_day,
            "days": order.days,
            "weight_policy": order.weight_policy,
            "start": order.start.strftime("%H:%M") if order.start else None,
            "start_low": sorted(order.start_low),
            "subsequent_infusion": order.subsequent_infusion,
            "risks": sorted(order.risks),
            "max_rate": _q(order.max_rate),
            "overrides": [{"kind": o.kind, "reason": o.reason} for o in order.overrides],
        },
        # Only the details entered: a name, MRN or date of birth is written only when typed in.
        "details": order.details.as_text(),
    }


def plan_document(
    plan: Plan,
    *,
    saved_at: datetime | None = None,
    prepared_by: str | None = None,
    check: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The file's content. ``prepared_by`` names the preparer; ``check`` is a signed double
    check still valid for this plan (store.signed_check), kept when an unchanged plan is saved."""
    doc = {
        "format": FORMAT,
        "schema": SCHEMA,
        "app_version": __version__,
        "saved_at": (saved_at or datetime.now()).isoformat(timespec="seconds"),
        "formulary_revision": plan.formulary_revision,
        "settings_revision": plan.settings_revision,
        "inputs": inputs_to_dict(plan.patient, plan.order),
        "results": plan_to_dict(plan, inputs=False),  # the inputs are in their own block above
    }
    if prepared_by is not None:
        doc["prepared_by"] = prepared_by
    if check is not None:
        doc["check"] = check
    return doc


def plan_bytes(plan: Plan, *, prepared_by: str | None = None, check: dict[str, Any] | None = None) -> bytes:
    """The plan file's content. A non-finite figure is refused here: JSON has no Infinity or NaN,
    and a file holding one could not be opened again."""
    doc = plan_document(plan, prepared_by=prepared_by, check=check)
    try:
        text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        where = _non_finite(doc, "")
        raise InputError("plan file", f"not saved: {where} is not a finite number") from None
    return text.encode("utf-8")


def _non_finite(obj: Any, where: str) -> str:
    """The key path of the first infinite or NaN number in ``obj``."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return where or "a figure"
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in items:
        at = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
        found = _non_finite(value, at)
        if found:
            return found
    return ""


def save_plan(
    plan: Plan, path: Path, *, prepared_by: str | None = None, check: dict[str, Any] | None = None
) -> None:
    """Atomic: a crash mid-save leaves the previous file as it was. ``prepared_by`` and ``check``
    (a signed check still valid for this plan) are written beside it (store.signed_check)."""
    write_atomic(path, plan_bytes(plan, prepared_by=prepared_by, check=check), field="plan file")


# -- reading -------------------------------------------------------------------------------------
# The keys each object of a plan file may hold, and the shape of its results block: a file that
# carries anything else was not written by this program (or was edited by hand) and is refused
# with the key path, rather than read in part.
_TOP_KEYS = frozenset(
    {"format", "schema", "app_version", "saved_at", "formulary_revision", "settings_revision"}
    | {"inputs", "results"}
    # Who prepared the plan, and its signed double check (read strictly by store.signed_check).
    | {"prepared_by", "check"}
)
_INPUTS_KEYS = frozenset({"patient", "order", "details"})
_PATIENT_KEYS = frozenset(
    {"weight", "height", "sex", "age", "serum_creatinine", "pregnant", "pre_pregnancy_weight"}
)
_ORDER_KEYS = frozenset(
    {
        "product",
        "indication",
        "dose",
        "days",
        "weight_policy",
        "start",
        "start_low",
        "subsequent_infusion",
        "risks",
        "max_rate",
        "overrides",
        "dose_per_day",
    }
)
_QUANTITY_KEYS = frozenset({"magnitude", "units"})
_OVERRIDE_KEYS = frozenset({"kind", "reason"})


class _Opt:
    """A value that may also be null."""

    def __init__(self, inner: object) -> None:
        self.inner = inner


_NUM, _INT, _STR, _BOOL = "a number", "a whole number", "a text", "true or false"
_QTY = {"magnitude": _NUM, "units": _STR}
_RESULTS: dict[str, object] = {
    "schema": _INT,
    "app_version": _STR,
    "formulary_revision": _STR,
    "settings_revision": _STR,
    "patient": {
        "actual_weight": _QTY,
        "height": _QTY,
        "sex": _STR,
        "age": _QTY,
        "ideal_weight": _Opt(_QTY),
        "adjusted_weight": _Opt(_QTY),
        "bmi": _QTY,
        "devine": _Opt(_STR),
        "creatinine_clearance": _Opt(_QTY),
        "creatinine_clearance_basis": _Opt(_STR),
        "creatinine_clearance_formula": _Opt(_STR),
    },
    "dosing_weight": _QTY,
    "dosing_weight_basis": _STR,
    "dosing_weight_reason": _STR,
    "weight_policy": _STR,
    "rate_weight": _QTY,
    "volume_weight": _QTY,
    "volume_weight_basis": _STR,
    "start_rate": {"subsequent": _BOOL, "reason": _STR},
    "policy_comparison": [
        {
            "policy": _STR,
            "name": _STR,
            "dosing_weight": _Opt(_QTY),
            "basis": _STR,
            "reason": _STR,
            "course_dose": _Opt(_QTY),
        }
    ],
    "product": {"id": _STR, "name": _STR, "concentration": _QTY},
    "indication": _Opt(_STR),
    "titration": _Opt(_STR),
    "max_dose_rate": _QTY,
    "course_dose": _QTY,
    "course_dose_per_kg": _QTY,
    "daily_dose_per_kg": _QTY,
    "total_dose": _QTY,
    "total_volume": _QTY,
    "clock": _STR,
    "days": [
        {
            "day": _INT,
            "prescribed_dose": _QTY,
            "dose": _QTY,
            "vials": [{"size": _QTY, "count": _INT}],
            "opened": _QTY,
            "waste": _QTY,
            "waste_volume": _QTY,
            "volume": _QTY,
            "volume_per_kg": _QTY,
            "steps": [
                {
                    "start": _STR,
                    "duration": _QTY,
                    "dose_rate": _QTY,
                    "rate": _QTY,
                    "volume": _QTY,
                    "cumulative_volume": _QTY,
                }
            ],
            "end": _STR,
            "duration": _QTY,
        }
    ],
    "overrides": [{"kind": _STR, "reason": _STR}],
    "warnings": [{"code": _STR, "severity": _STR, "message": _STR}],
    "alternatives": [
        {
            "kind": _STR,
            "description": _STR,
            "product": _STR,
            "days": _INT,
            "max_dose_rate": _Opt(_QTY),
            "volume_per_day": _QTY,
            "volume_per_kg": _QTY,
            "duration_per_day": _QTY,
            "resolves": [_STR],
            "unresolved": [_STR],
            "effect": _STR,
        }
    ],
}
_MAX_ITEMS = 1000
_MAX_TEXT = 10_000


def _check_shape(r: _Reader, value: object, shape: object, where: str) -> None:
    """Refuse ``value`` unless it has exactly the keys and types of ``shape`` (keys may be absent)."""
    if isinstance(shape, _Opt):
        if value is not None:
            _check_shape(r, value, shape.inner, where)
        return
    if isinstance(shape, dict):
        table = r.table(value, where, frozenset(shape))
        for key, item in table.items():
            _check_shape(r, item, shape[key], f"{where}.{key}")
        return
    if isinstance(shape, list):
        if not isinstance(value, list) or len(value) > _MAX_ITEMS:
            raise r.fail(where, f"must be a list of at most {_MAX_ITEMS} items")
        for i, item in enumerate(value):
            _check_shape(r, item, shape[0], f"{where}[{i}]")
        return
    ok = {
        _NUM: lambda v: not isinstance(v, bool) and isinstance(v, int | float) and _finite(v),
        _INT: lambda v: not isinstance(v, bool) and isinstance(v, int),
        _STR: lambda v: isinstance(v, str) and len(v) <= _MAX_TEXT,
        _BOOL: lambda v: isinstance(v, bool),
    }[shape]  # type: ignore[index]
    if not ok(value):
        raise r.fail(where, f"must be {shape}" + (" (finite)" if shape == _NUM else ""))


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last; a plan file with two doses is refused."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> PlanFileError:
        return PlanFileError(f"plan file {self.source} {where}".strip(), message)

    def table(self, obj: Any, where: str, keys: frozenset[str] | None = None) -> dict[str, Any]:
        """``obj`` as a JSON object; with ``keys``, any other key is refused (a misspelt key
        must not be dropped silently) with the nearest known key suggested."""
        if not isinstance(obj, dict):
            raise self.fail(where, "must be a JSON object")
        if keys is not None:
            for key in obj:
                if key not in keys:
                    at = f"{where}.{key}".lstrip(".")
                    raise self.fail(at, f"is not a field of a plan file{nearest(key, keys)}")
        return obj

    def text(self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> str | None:
        value = obj.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value or len(value) > 200:
            raise self.fail(f"{where}.{key}", "must be a short text")
        self.plain(value, f"{where}.{key}")
        return value

    def plain(self, value: str, where: str) -> None:
        """Refuse a control or invisible formatting character (an escape sequence, U+202E)."""
        bad = control_character(value)
        if bad is not None:
            raise self.fail(where, f"holds an invisible control character ({bad})")

    def quantity(
        self, obj: dict[str, Any], key: str, spec: FieldSpec, kind: str, where: str, *, optional: bool = False
    ) -> Quantity | None:
        raw = obj.get(key)
        if raw is None and optional:
            return None
        at = f"{where}.{key}"
        q = self.table(raw, at, _QUANTITY_KEYS)
        mag, units = q.get("magnitude"), q.get("units")
        try:
            finite = not isinstance(mag, bool) and isinstance(mag, int | float) and math.isfinite(mag)
        except OverflowError:  # an integer too large for a float
            finite = False
        if not finite:
            raise self.fail(at, "magnitude must be a finite number")
        if not isinstance(units, str) or units not in _UNITS[kind]:
            raise self.fail(at, f"units must be one of {', '.join(_UNITS[kind])}")
        value = Q_(float(mag), _UNITS[kind][units])
        try:
            return spec.check(value)
        except InputError as exc:
            raise self.fail(at, exc.message) from None

    def names(self, obj: dict[str, Any], key: str, where: str) -> frozenset[str]:
        value = obj.get(key, [])
        if not isinstance(value, list) or len(value) > 50 or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "must be a list of names")
        for i, name in enumerate(value):
            self.plain(name, f"{where}.{key}[{i}]")
        return frozenset(value)


def _depth(obj: Any, limit: int) -> int:
    stack = [(obj, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_document(path: Path) -> dict[str, Any]:
    """The parsed file, after size, encoding, JSON, nesting, format and schema checks."""
    r = _Reader(str(path))
    try:
        raw = read_regular_file(path, MAX_BYTES, "a plan file")
    except FileRefusedError as exc:
        reason = str(exc)
        raise r.fail("", reason if reason.startswith("is ") else f"cannot be read ({reason})") from None
    try:
        doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as exc:
        raise r.fail("", f"has the key '{str(exc)[:100]}' twice in one object") from None
    except UnicodeDecodeError:
        raise r.fail("", "is not UTF-8 text") from None
    except RecursionError:
        raise r.fail("", "is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise r.fail("", f"is not complete, valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise r.fail("", f"holds a value that cannot be read ({exc})") from None
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise r.fail("", "is nested too deeply")
    top = r.table(doc, "")
    if top.get("format") != FORMAT:
        raise r.fail("format", f'is not an ivig_desktop plan (expected "{FORMAT}")')
    schema = top.get("schema")
    if type(schema) is not int or schema not in READS:
        shown = repr(schema)[:40]
        raise r.fail(
            "schema", f"version {shown} is not supported (this version reads {' and '.join(map(str, READS))})"
        )
    r.table(top, "", _TOP_KEYS)
    for key in ("app_version", "saved_at", "formulary_revision", "settings_revision", "prepared_by"):
        if key in top and not (isinstance(top[key], str) and len(top[key]) <= 200):
            raise r.fail(key, "must be a short text")
    if "results" in top:
        _check_shape(r, top["results"], _RESULTS, "results")
    if "check" in top:
        from ivig_desktop.store.signed_check import check_from_document

        check_from_document(top, str(path))
    return top


def inputs_from_document(doc: dict[str, Any], source: str) -> tuple[Patient, Order]:
    r = _Reader(source)
    inputs = r.table(doc.get("inputs"), "inputs", _INPUTS_KEYS)
    p = r.table(inputs.get("patient"), "inputs.patient", _PATIENT_KEYS)
    o = r.table(inputs.get("order"), "inputs.order", _ORDER_KEYS)
    wp, wo = "inputs.patient", "inputs.order"
    pregnant = p.get("pregnant", False)
    if not isinstance(pregnant, bool):
        raise r.fail(f"{wp}.pregnant", "must be true or false")
    try:
        sex = Sex(p.get("sex"))
    except ValueError:
        raise r.fail(f"{wp}.sex", 'must be "male" or "female"') from None
    try:
        patient = Patient(
            actual_weight=r.quantity(p, "weight", fields.WEIGHT, "weight", wp),  # type: ignore[arg-type]
            height=r.quantity(p, "height", fields.HEIGHT, "height", wp),  # type: ignore[arg-type]
            sex=sex,
            age=r.quantity(p, "age", fields.AGE, "age", wp),  # type: ignore[arg-type]
            serum_creatinine=r.quantity(
                p, "serum_creatinine", fields.SERUM_CREATININE, "serum_creatinine", wp, optional=True
            ),
            pregnant=pregnant,
            pre_pregnancy_weight=r.quantity(
                p, "pre_pregnancy_weight", fields.PRE_PREGNANCY_WEIGHT, "weight", wp, optional=True
            ),
        )
    except PlanFileError:
        raise
    except InputError as exc:
        raise r.fail(wp, str(exc)) from None
    days = o.get("days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 10):
        raise r.fail(f"{wo}.days", "must be a whole number from 1 to 10")
    start_text = r.text(o, "start", wo, optional=True)
    start: time | None = None
    if start_text is not None:
        try:
            start = fields.parse_clock(start_text)
        except InputError as exc:
            raise r.fail(f"{wo}.start", exc.message) from None
    per_day = o.get("dose_per_day", False)
    if not isinstance(per_day, bool):
        raise r.fail(f"{wo}.dose_per_day", "must be true or false")
    if per_day and doc.get("schema") == 1:
        raise r.fail(f"{wo}.dose_per_day", "is not part of schema 1 (its doses are the course)")
    raw_overrides = o.get("overrides", [])
    if not isinstance(raw_overrides, list) or len(raw_overrides) > 10:
        raise r.fail(f"{wo}.overrides", "must be a list")
    overrides = []
    for i, item in enumerate(raw_overrides):
        t = r.table(item, f"{wo}.overrides[{i}]", _OVERRIDE_KEYS)
        kind = r.text(t, "kind", f"{wo}.overrides[{i}]")
        reason = t.get("reason")
        if not isinstance(reason, str) or len(reason) > 2000:
            raise r.fail(f"{wo}.overrides[{i}].reason", "must be a text")
        r.plain(reason, f"{wo}.overrides[{i}].reason")
        overrides.append(Override(kind or "", reason))
    subsequent = o.get("subsequent_infusion", False)
    if not isinstance(subsequent, bool):
        raise r.fail(f"{wo}.subsequent_infusion", "must be true or false")
    order = Order(
        details=_details(r, inputs),
        product=r.text(o, "product", wo) or "",
        indication=r.text(o, "indication", wo, optional=True),
        dose=r.quantity(o, "dose", fields.DOSE, "dose", wo, optional=True),
        days=days,
        weight_policy=r.text(o, "weight_policy", wo) or "",
        start=start,
        start_low=r.names(o, "start_low", wo),
        subsequent_infusion=subsequent,
        risks=r.names(o, "risks", wo),
        max_rate=r.quantity(o, "max_rate", fields.MAX_RATE, "max_rate", wo, optional=True),
        overrides=tuple(overrides),
        dose_per_day=per_day,
    )
    return patient, order


def _details(r: _Reader, inputs: dict[str, Any]) -> OrderDetails:
    """The order details, each checked as if typed; a file without them (an older one) has none."""
    raw = r.table(inputs.get("details", {}), "inputs.details")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise r.fail(f"inputs.details.{key}", "must be a text")
    try:
        return OrderDetails.parse(**raw)
    except InputError as exc:
        where = next((k for k in raw if LABELS.get(k) == exc.field), None)
        raise r.fail(f"inputs.details{'.' + where if where else ''}", exc.message) from None


def load_plan_inputs(path: Path) -> tuple[Patient, Order, dict[str, Any]]:
    """(patient, order, the whole document) from a plan file; refuses anything doubtful."""
    doc = read_document(path)
    patient, order = inputs_from_document(doc, str(path))
    return patient, order, doc


def changes(saved: dict[str, Any], plan: Plan) -> list[str]:
    """What differs between the numbers saved in a file and the plan made from it now."""
    now = plan_to_dict(plan, inputs=False)  # as saved: the inputs are the file's own block
    if not isinstance(saved, dict):
        return ["the file holds no saved results to compare"]
    out: list[str] = []

    def mag(d: Any) -> Any:
        return d.get("magnitude") if isinstance(d, dict) else d

    def compare(label: str, old: Any, new: Any) -> None:
        if mag(old) != mag(new):
            unit = new.get("units", "") if isinstance(new, dict) else ""
            out.append(f"{label}: {mag(old)} → {mag(new)} {unit}".rstrip())

    if saved.get("formulary_revision") != now["formulary_revision"]:
        out.append(f"formulary: {saved.get('formulary_revision')} → {now['formulary_revision']}")
    for key in ("dosing_weight", "course_dose", "total_dose", "total_volume", "max_dose_rate"):
        compare(key.replace("_", " "), saved.get(key), now[key])
    old_days = saved.get("days") if isinstance(saved.get("days"), list) else []
    if len(old_days) != len(now["days"]):
        out.append(f"days: {len(old_days)} → {len(now['days'])}")
    for old, new in zip(old_days, now["days"], strict=False):
        if not isinstance(old, dict):
            continue
        n = new["day"]
        compare(f"day {n} dose", old.get("dose"), new["dose"])
        compare(f"day {n} volume", old.get("volume"), new["volume"])
        compare(f"day {n} duration", old.get("duration"), new["duration"])
        old_rates = [mag(s.get("rate")) for s in old.get("steps", []) if isinstance(s, dict)]
        new_rates = [mag(s["rate"]) for s in new["steps"]]
        if old_rates != new_rates:
            out.append(f"day {n} pump rates (mL/h): {old_rates} → {new_rates}")
    old_codes = sorted({w.get("code") for w in saved.get("warnings", []) if isinstance(w, dict)})
    new_codes = sorted({w["code"] for w in now["warnings"]})
    if old_codes != new_codes:
        out.append(f"warnings: {', '.join(map(str, old_codes))} → {', '.join(new_codes)}")

    def messages(warnings: Any, code: object) -> list[str]:
        items = warnings if isinstance(warnings, list) else []
        return sorted(str(w.get("message")) for w in items if isinstance(w, dict) and w.get("code") == code)

    for code in sorted(set(old_codes) & set(new_codes), key=str):
        before, after = messages(saved.get("warnings"), code), messages(now["warnings"], code)
        if before != after:
            out.append(f"warning {code}: {' / '.join(before)} → {' / '.join(after)}")
    # Every other figure that reaches the patient: vials, steps, times, weights, the settings
    # revision, alternatives. A plan is "unchanged" only if none of them moved.
    old_leaves, new_leaves = _leaves(saved, ""), _leaves(now, "")
    rest = [
        f"{_label(path)}: {_shown(old_leaves.get(path))} → {_shown(new_leaves.get(path))}"
        for path in sorted(old_leaves.keys() | new_leaves.keys(), key=_path_order)
        if not _SUMMARISED.match(path) and old_leaves.get(path) != new_leaves.get(path)
    ]
    if len(rest) > _MAX_LISTED:
        rest = [*rest[:_MAX_LISTED], f"… and {len(rest) - _MAX_LISTED} more figures"]
    return out + rest


# Listed above in their own words; everything else is compared leaf by leaf.
_SUMMARISED = re.compile(
    r"^(app_version|formulary_revision|dosing_weight|course_dose|total_dose|total_volume|max_dose_rate"
    r"|warnings\[\d+\]\.\w+|days\[\d+\]\.(dose|volume|duration|steps\[\d+\]\.rate))$"
)
_MAX_LISTED = 40


def _leaves(obj: Any, where: str) -> dict[str, Any]:
    """Every number and text of ``obj`` by key path; a quantity is one leaf (magnitude, units)."""
    if isinstance(obj, dict):
        if set(obj) == _QUANTITY_KEYS:
            return {where: (obj["magnitude"], obj["units"])}
        out: dict[str, Any] = {}
        for key, value in obj.items():
            out.update(_leaves(value, f"{where}.{key}" if where else str(key)))
        return out
    if isinstance(obj, list):
        out = {}
        for i, value in enumerate(obj):
            out.update(_leaves(value, f"{where}[{i}]"))
        return out
    return {where: obj}


def _path_order(path: str) -> list[tuple[int, int | str]]:
    return [(1, int(p)) if p.isdigit() else (0, p) for p in re.split(r"[\[\].]+", path) if p]


def _label(path: str) -> str:
    """``days[0].steps[1].dose_rate`` → "day 1 step 2 dose rate"."""
    words = {"days": "day", "steps": "step", "vials": "vial", "alternatives": "alternative"}
    text = re.sub(r"(\w+)\[(\d+)\]", lambda m: f"{words.get(m[1], m[1])} {int(m[2]) + 1}", path)
    return text.replace(".", " ").replace("_", " ")


def _shown(leaf: Any) -> str:
    if leaf is None:
        return "none"
    if isinstance(leaf, tuple):
        return f"{leaf[0]} {leaf[1]}"
    return str(leaf)
