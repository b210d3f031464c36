"""The patient and the order from the command line's options, read through the engine's own
parsers (never ``Q_()``): every field is read even after one is refused, so all bad fields are
reported at once, each with its option.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from ivig_desktop.cli.options import DETAIL_OPTIONS, START_LOW
from ivig_desktop.cli.refusals import Collect, line
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.order_details import OrderDetails
from ivig_desktop.engine.overrides import KINDS as OVERRIDE_KINDS
from ivig_desktop.engine.overrides import Override, check_overrides
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Catalogue, Order
from ivig_desktop.engine.regimens import Regimens
from ivig_desktop.engine.risk import RISK_FACTORS


def order_details(args: argparse.Namespace, base: OrderDetails | None = None) -> OrderDetails:
    """The details given as options, over ``base`` (a reopened file's) field by field."""
    typed = {name: getattr(args, dest) for dest, (name, _m, _h) in DETAIL_OPTIONS.items()}
    typed = {k: v for k, v in typed.items() if v is not None}
    if base is None:
        return OrderDetails.parse(**typed)
    given = OrderDetails.parse(**typed)
    return replace(base, **{k: getattr(given, k) for k in typed})


def indication_groups(regs: Regimens) -> dict[str, list[str]]:
    """A label titration id (what a product's label rates are filed under) → the regimens using it."""
    groups: dict[str, list[str]] = {}
    for r in regs.regimens.values():
        if r.titration:
            groups.setdefault(r.titration.lower(), []).append(r.id)
    return groups


def plan_inputs(args: argparse.Namespace, cat: Catalogue, bad: Collect) -> tuple[Patient, Order] | None:
    ppw = args.pre_pregnancy_weight
    weight = bad.take("--weight", fields.parse_quantity, args.weight, fields.WEIGHT)
    height = bad.take("--height", fields.parse_quantity, args.height, fields.HEIGHT)
    sex = bad.take("--sex", lambda t: Sex.parse(fields.check_text(t, "sex")), args.sex)
    age = bad.take("--age", fields.parse_quantity, args.age, fields.AGE)
    scr = (
        bad.take("--scr", fields.parse_quantity, args.scr, fields.SERUM_CREATININE)
        if args.scr is not None
        else None
    )
    pre = (
        bad.take("--pre-pregnancy-weight", fields.parse_quantity, ppw, fields.PRE_PREGNANCY_WEIGHT)
        if ppw is not None
        else None
    )
    product = bad.take(
        "--product", fields.parse_choice, args.product, cat.formulary.products, "product", "in the formulary"
    )
    indication = (
        bad.take(
            "--indication",
            fields.parse_choice,
            args.indication,
            cat.regimens.regimens,
            "indication",
            "a known indication",
            indication_groups(cat.regimens),
        )
        if args.indication is not None
        else None
    )
    policy = bad.take(
        "--weight-policy",
        fields.parse_choice,
        args.weight_policy if args.weight_policy is not None else "auto",
        cat.policies,
        "weight policy",
        "a known policy",
    )
    risks = [
        bad.take(
            "--risk", fields.parse_choice, r, [f.id for f in RISK_FACTORS], "risk", "a known risk factor"
        )
        for r in args.risk
    ]
    dose = bad.take("--dose", fields.parse_dose, args.dose) if args.dose is not None else (None, False)
    days = bad.take("--days", fields.parse_days, args.days) if args.days is not None else None
    start = bad.take("--start", fields.parse_clock, args.start) if args.start is not None else None
    max_rate = (
        bad.take("--max-rate", fields.parse_quantity, args.max_rate, fields.MAX_RATE)
        if args.max_rate is not None
        else None
    )
    overrides = []
    for kind, reason in args.override:
        k = bad.take("--override", fields.parse_choice, kind, OVERRIDE_KINDS, "override", "an override kind")
        text = bad.take("--override", fields.check_text, reason, "override reason")
        if k is not None and text is not None:
            overrides.append(Override(k, text))
    bad.take("--override", check_overrides, tuple(overrides))
    details = bad.take("order details", order_details, args)
    if bad.lines or None in (weight, height, sex, age, product, policy):
        return None
    try:
        patient = Patient(
            actual_weight=weight,
            height=height,
            sex=sex,
            age=age,
            serum_creatinine=scr,
            pregnant=args.pregnant,
            pre_pregnancy_weight=pre,
        )
    except InputError as exc:
        bad.lines.append(line(exc, "--pregnant" if exc.field == "pregnant" else None))
        return None
    start_low = frozenset(name for name, dest in START_LOW if getattr(args, dest))
    order = Order(
        product=product,
        indication=indication,
        dose=dose[0] if dose else None,
        dose_per_day=bool(dose and dose[1]),
        days=days,
        weight_policy=policy,
        start=start,
        start_low=start_low,
        subsequent_infusion=args.subsequent_infusion,
        risks=frozenset(r for r in risks if r is not None),
        max_rate=max_rate,
        overrides=tuple(overrides),
        details=details,
    )
    return patient, order


def typed_options(args: argparse.Namespace) -> dict[str, Any]:
    """Every option as typed, for the JSON ``inputs.typed`` (keys as in ``inputs.parsed``)."""
    out: dict[str, Any] = {}
    for name in (
        "weight", "height", "sex", "age", "scr", "pre_pregnancy_weight", "indication", "dose", "days",
        "product", "weight_policy", "max_rate", "start",
    ):  # fmt: skip
        out[name] = getattr(args, name)
    out["pregnant"] = args.pregnant
    out["risk"] = list(args.risk)
    out["start_low"] = [f"--{name}" for name, dest in START_LOW if getattr(args, dest)]
    out["override"] = [list(o) for o in args.override]
    return out
