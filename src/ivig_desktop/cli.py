"""Command line: ``ivig-desktop plan|products|indications|risks`` (and ``db|formulary|history``,
in cli_store).

Bad input exits with status 2 and one line on stderr per bad field, each naming the field,
the option and the way out; nothing is written to stdout and no traceback is shown. Output
files are written atomically, so a failed run never leaves a half-written file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from ivig_desktop import cli_store
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.formulary import bundled_formulary, load_formulary
from ivig_desktop.engine.order_details import OrderDetails
from ivig_desktop.engine.overrides import KINDS as OVERRIDE_KINDS
from ivig_desktop.engine.overrides import Override, check_overrides
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Catalogue, Order, bundled_catalogue, make_plan
from ivig_desktop.engine.regimens import Regimens, bundled_regimens
from ivig_desktop.engine.risk import RISK_FACTORS
from ivig_desktop.engine.risk_factors import GROUP_COVERS, RISK_COVERS
from ivig_desktop.engine.settings import load_settings
from ivig_desktop.engine.text import printable
from ivig_desktop.store.files import write_atomic

PROG = "ivig-desktop"
_REQUIRED = ("weight", "height", "sex", "age", "product")
_FORMATS = ("text", "json", "pdf")
_START_LOW = (
    ("first-infusion", "first_infusion"),
    ("over-8-weeks", "over_8_weeks"),
    ("product-switch", "product_switch"),
)
_PATHS = ("output", "input", "save", "formulary", "settings")
#: Patient and order options a saved plan file already holds: with --input each is refused by
#: name rather than ignored (a dose typed beside --input must not be dropped without a word).
_FROM_THE_FILE = (
    *_REQUIRED,
    "scr",
    "pregnant",
    "pre_pregnancy_weight",
    "indication",
    "dose",
    "days",
    "weight_policy",
    "risk",
    "first_infusion",
    "over_8_weeks",
    "product_switch",
    "max_rate",
    "start",
    "override",
)

#: The option that sets each field the engine names, for the line that says how to fix it.
OPTION = {
    "weight": "--weight",
    "height": "--height",
    "sex": "--sex",
    "age": "--age",
    "serum creatinine": "--scr",
    "pregnant": "--pregnant",
    "pre-pregnancy weight": "--pre-pregnancy-weight",
    "indication": "--indication",
    "dose": "--dose",
    "days": "--days",
    "product": "--product",
    "weight policy": "--weight-policy",
    "risk": "--risk",
    "start low": "--first-infusion, --over-8-weeks, --product-switch",
    "max-rate": "--max-rate",
    "start": "--start",
    "override": "--override KIND REASON",
    "override reason": "--override KIND REASON",
    "format": "--format",
    "paper": "--paper",
    "output": "--output",
    "plan file": "--save",
    **{name: f"--{name}" for name in _PATHS},
}


class UsageError(Exception):
    """argparse's complaint, raised instead of printed so main() controls the one line."""


class BadFieldsError(Exception):
    """Several bad fields at once: one line each."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


class _Once(argparse.Action):
    """One value per option: a repeated option (two --weight) is refused, never "the last wins"."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        seen = namespace.__dict__.setdefault("_given", {})
        if self.dest in seen:
            namespace.__dict__.setdefault("_repeated", []).append(
                f"{self.dest.replace('_', ' ')}: {option_string} is given twice "
                f"({fields.shown(str(seen[self.dest]))!r} and {fields.shown(str(values))!r}); give it once "
                f"[{option_string}]"
            )
            return
        seen[self.dest] = values
        setattr(namespace, self.dest, values)


def _policy_ids() -> list[str]:
    from ivig_desktop.engine.weight_policy import bundled_policies

    return list(bundled_policies())


_EPILOG = """\
examples:
  ivig-desktop plan --weight "180 lb" --height "5 ft 9 in" --sex F --age 45 \\
      --indication itp --product privigen --dose "1 g/kg/day" --days 2 --start 0830
  ivig-desktop plan ... --output plan.pdf          (the format follows a .pdf or .json suffix)

dose notation: "2 g/kg" or "35 g" is the course, split over the days; "1 g/kg/day" or
"400 mg/kg/day" is given each day (course = daily x days). Every plan states both.
identifiers (product, indication, policy, risk, override) are case-insensitive.
"""


def add_patient_order_options(p: argparse.ArgumentParser, required: str) -> None:
    """The patient and order options, one definition for ``plan`` and ``check``."""
    req = p.add_argument_group(required)
    req.add_argument("--weight", action=_Once, help="actual weight, e.g. '70 kg' or '154 lb'")
    req.add_argument("--height", action=_Once, help="height, e.g. '175 cm', '69 in', '5 ft 9 in'")
    req.add_argument("--sex", action=_Once, help="male or female (M/F)")
    req.add_argument(
        "--age", action=_Once, help="age; a bare number is years: '45', '8 months', '3 wk', '10 days'"
    )
    req.add_argument("--product", action=_Once, help="product id (see 'ivig-desktop products')")

    pt = p.add_argument_group("patient")
    pt.add_argument("--scr", action=_Once, help="serum creatinine, e.g. '1.1 mg/dL' or '97 µmol/L'")
    pt.add_argument("--pregnant", action="store_true", help="the patient is pregnant")
    pt.add_argument("--pre-pregnancy-weight", action=_Once, help="pre-pregnancy weight, e.g. '62 kg'")
    pt.add_argument(
        "--risk",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help="risk factors (see 'ivig-desktop risks'): " + ", ".join(r.id for r in RISK_FACTORS),
    )

    od = p.add_argument_group("order")
    od.add_argument("--indication", action=_Once, help="regimen id (see 'ivig-desktop indications')")
    od.add_argument(
        "--dose",
        action=_Once,
        help="course '2 g/kg', '35 g', '35000 mg'; daily '1 g/kg/day', '400 mg/kg/day' (x --days)",
    )
    od.add_argument("--days", action=_Once, help="infusion days: '2' or '2 days'")
    od.add_argument(
        "--weight-policy",
        action=_Once,
        help="dosing-weight policy: " + ", ".join(_policy_ids()) + " (default auto)",
    )
    od.add_argument("--first-infusion", action="store_true", help="first infusion: start low")
    od.add_argument("--over-8-weeks", action="store_true", help="> 8 weeks since last: start low")
    od.add_argument("--product-switch", action="store_true", help="switched product: start low")
    od.add_argument(
        "--subsequent-infusion",
        action="store_true",
        help="the patient has tolerated this product before: a label's faster subsequent start may apply",
    )
    od.add_argument(
        "--max-rate",
        action=_Once,
        help="a lower maximum than the label's: '4 mg/kg/min' or '0.04 mL/kg/min'",
    )
    od.add_argument("--start", action=_Once, help="clock time of the first step: 08:30, 8:30 or 0830")
    od.add_argument(
        "--override",
        action="append",
        nargs=2,
        default=[],
        metavar=("KIND", "REASON"),
        help="override with a typed reason; KIND: " + ", ".join(OVERRIDE_KINDS),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="IVIG dose, volume-load and rate-schedule planner. With no command, opens the window; "
        "with a plan file (FILE.ivig), opens it in the window.",
        epilog="--version prints the version and the data revisions; 'help COMMAND' shows its options.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser(
        "plan",
        help="make an infusion plan",
        description="Make an infusion plan from the patient and the order.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add_patient_order_options(p, "required (unless --input gives a saved plan)")

    out = p.add_argument_group("output")
    out.add_argument(
        "--format",
        action=_Once,
        help="text, json or pdf (default: from the --output suffix .pdf/.json, else text)",
    )
    out.add_argument("--output", action=_Once, help="write to FILE instead of standard output (pdf needs it)")
    out.add_argument("--paper", action=_Once, help="paper size for pdf: A4 (default) or Letter")
    out.add_argument(
        "--save", action=_Once, help="also save the plan's inputs and results to a plan file (.ivig)"
    )
    out.add_argument(
        "--prepared-by",
        action=_Once,
        metavar="NAME",
        help="the preparer's name or initials, saved with --save (default: the workstation user)",
    )

    site = p.add_argument_group("site data and saved plans")
    site.add_argument(
        "--input", action=_Once, help="open a saved plan file (.ivig) instead of the patient/order"
    )
    site.add_argument(
        "--formulary", action=_Once, help="a site formulary file (TOML) replacing the bundled one"
    )
    site.add_argument(
        "--settings", action=_Once, help="a site settings file (TOML) replacing the bundled one"
    )
    _add_order_details(p)
    cli_store.add_database_option(p)

    pr = sub.add_parser("products", help="list the formulary's products", allow_abbrev=False)
    pr.add_argument("--formulary", action=_Once, help="a site formulary file (TOML)")
    sub.add_parser("indications", help="list the regimens (the ids --indication takes)")
    sub.add_parser("risks", help="list the risk factors (the ids --risk takes) and what each covers")
    c = sub.add_parser(
        "check",
        help="independent double check: re-enter the order blind and compare with a saved plan",
        description="A second clinician re-enters the patient and the order from the prescription, "
        "without reading the saved plan; every figure that reaches the patient is compared. "
        "Exit 0: match (the check is signed into the plan file and recorded in the history); "
        "3: mismatch (listed; nothing is signed); 2: bad input.",
        allow_abbrev=False,
    )
    c.add_argument("plan_file", metavar="PLAN.ivig", help="the saved plan to check")
    who = c.add_argument_group("who")
    who.add_argument(
        "--checker", action=_Once, metavar="NAME", help="your name or initials (default: workstation user)"
    )
    who.add_argument(
        "--prepared-by",
        action=_Once,
        metavar="NAME",
        help="the preparer, when the plan file names none (files saved before preparers were named)",
    )
    add_patient_order_options(c, "required: the patient and the order, from the prescription")
    cs = c.add_argument_group("output and site data")
    cs.add_argument("--format", action=_Once, choices=("text", "json"), default="text")
    cs.add_argument(
        "--formulary", action=_Once, help="a site formulary file (TOML) replacing the bundled one"
    )
    cs.add_argument("--settings", action=_Once, help="a site settings file (TOML) replacing the bundled one")
    cli_store.add_database_option(c)
    # The check compares figures; order details (name, MRN, …) are not re-entered.
    c.set_defaults(**dict.fromkeys(_DETAIL_OPTIONS))
    hp = sub.add_parser("help", help="show this help, or a command's help: help plan")
    hp.add_argument("topic", nargs="?", help="a command")
    cli_store.add_commands(sub)
    parser.commands = sub  # type: ignore[attr-defined]
    return parser


#: Order-detail options → OrderDetails field. Printed on the sheet, saved; no figure depends on them.
_DETAIL_OPTIONS = {
    "date": ("first_date", "YYYY-MM-DD", "date of the first infusion; each day prints its date"),
    "patient_name": ("patient_name", "TEXT", "patient name (personal data: saved only when given)"),
    "mrn": ("mrn", "TEXT", "medical record number (personal data: saved only when given)"),
    "dob": ("date_of_birth", "YYYY-MM-DD", "date of birth (personal data: saved only when given)"),
    "prescriber": ("prescriber", "TEXT", "prescriber's name"),
    "allergies": ("allergies", "TEXT", "allergies, as written on the order"),
    "premedication": ("premedication", "TEXT", "premedication ordered, drug and dose"),
    "weight_date": ("weight_date", "YYYY-MM-DD", "date the weight was measured"),
    "infusion_site": ("infusion_site", "TEXT", "infusion site"),
}


def _add_order_details(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "order details",
        "printed on the sheet (blank lines when not given); with --input they replace the file's",
    )
    for dest, (_field, metavar, help_text) in _DETAIL_OPTIONS.items():
        g.add_argument(
            "--" + dest.replace("_", "-"), dest=dest, metavar=metavar, help=help_text, action=_Once
        )


def _order_details(args: argparse.Namespace, base: OrderDetails | None = None) -> OrderDetails:
    """The details given as options, over ``base`` (a reopened file's) field by field."""
    typed = {name: getattr(args, dest) for dest, (name, _m, _h) in _DETAIL_OPTIONS.items()}
    typed = {k: v for k, v in typed.items() if v is not None}
    if base is None:
        return OrderDetails.parse(**typed)
    given = OrderDetails.parse(**typed)
    return replace(base, **{k: getattr(given, k) for k in typed})


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's own parser, as build_parser registered them (one list, never a copy)."""
    return parser.commands.choices  # type: ignore[attr-defined]


def command_names(parser: argparse.ArgumentParser) -> list[str]:
    return list(_commands(parser))


def version_text() -> str:
    """Program version and the revisions of the bundled data it plans with."""
    from ivig_desktop import __version__

    cat = bundled_catalogue()
    return (
        f"{PROG} {__version__}\n"
        f"formulary {cat.formulary.revision}; regimens {cat.regimens.revision}; "
        f"site settings {cat.settings.revision}\n"
    )


def _line(exc: InputError, option: str | None = None) -> str:
    """'field: message [--option, the way out]'."""
    where = option or OPTION.get(exc.field)
    way = _way_out(exc)
    hint = ", ".join(h for h in (where, way) if h)
    return f"{exc.field}: {exc.message}" + (f" [{hint}]" if hint else "")


def _way_out(exc: InputError) -> str:
    """The option that gets past a refusal the engine decided (not a typing slip)."""
    if exc.field == "pre-pregnancy weight" and "is required" in exc.message:
        return "or --weight-policy actual"
    if exc.field == "dose" and "override" in exc.message:
        return "or --override dose-limit REASON"
    if exc.field == "weight policy" and "ideal body weight" in exc.message:
        return "--weight-policy actual"
    return ""


def _catalogue(args: argparse.Namespace) -> Catalogue:
    cat = bundled_catalogue()
    if (args.formulary or "").strip():
        cat = Catalogue(load_formulary(Path(args.formulary)), cat.regimens, cat.policies, cat.settings)
    else:
        # A configured database's current formulary revision, unless --formulary names a file.
        found = cli_store.database_formulary(args.database)
        if found is not None:
            form, _STORE["revision_id"], note = found
            cat = Catalogue(form, cat.regimens, cat.policies, cat.settings)
            if note:
                _NOTES.append(f"database: {note}")
    if (args.settings or "").strip():
        cat = Catalogue(cat.formulary, cat.regimens, cat.policies, load_settings(Path(args.settings)))
    return cat


def _indication_groups(regs: Regimens) -> dict[str, list[str]]:
    """A label titration id (what a product's label rates are filed under) → the regimens using it."""
    groups: dict[str, list[str]] = {}
    for r in regs.regimens.values():
        if r.titration:
            groups.setdefault(r.titration.lower(), []).append(r.id)
    return groups


class _Collect:
    """Reads every option, keeping each refusal, so all bad fields are reported at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def take(self, option: str, fn, *args: Any) -> Any:
        if args and args[0] is None:  # not given: a missing required option is reported once, apart
            return None
        try:
            return fn(*args)
        except InputError as exc:
            self.lines.append(_line(exc, option))
            return None


def _plan_inputs(args: argparse.Namespace, cat: Catalogue, bad: _Collect) -> tuple[Patient, Order] | None:
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
            _indication_groups(cat.regimens),
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
    details = bad.take("order details", _order_details, args)
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
        bad.lines.append(_line(exc, "--pregnant" if exc.field == "pregnant" else None))
        return None
    start_low = frozenset(name for name, dest in _START_LOW if getattr(args, dest))
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


def _typed(args: argparse.Namespace) -> dict[str, Any]:
    """Every option as typed, for the JSON ``inputs.typed`` (keys as in ``inputs.parsed``)."""
    out: dict[str, Any] = {}
    for name in (
        "weight", "height", "sex", "age", "scr", "pre_pregnancy_weight", "indication", "dose", "days",
        "product", "weight_policy", "max_rate", "start",
    ):  # fmt: skip
        out[name] = getattr(args, name)
    out["pregnant"] = args.pregnant
    out["risk"] = list(args.risk)
    out["start_low"] = [f"--{name}" for name, dest in _START_LOW if getattr(args, dest)]
    out["override"] = [list(o) for o in args.override]
    return out


def _emit(content: str | None, output: str | None) -> None:
    """Text to --output (atomically) or standard output; None: the command wrote its own file."""
    if content is None:
        return
    if output:
        write_atomic(Path(output), content.encode("utf-8"))
    else:
        sys.stdout.write(content)


def _format(args: argparse.Namespace, bad: _Collect) -> str:
    """--format, or the one the --output suffix names; a text format into a .pdf is refused."""
    suffix = Path(args.output).suffix.lower() if args.output else ""
    implied = {".pdf": "pdf", ".json": "json"}.get(suffix)
    if args.format is None:
        return implied or "text"
    fmt = args.format.strip().lower()
    if fmt not in _FORMATS:
        bad.lines.append(
            f"format: '{fields.shown(args.format)}' is not one of {', '.join(_FORMATS)} [--format]"
        )
        return "text"
    if implied is not None and implied != fmt:
        bad.lines.append(
            f"output: '{fields.shown(args.output)}' ends in {suffix} but --format is {fmt}; "
            f"use --format {implied} or another file name [--output, --format]"
        )
    return fmt


def _paper(args: argparse.Namespace, bad: _Collect) -> str:
    if args.paper is None:
        return "A4"
    for choice in ("A4", "Letter"):
        if args.paper.strip().lower() == choice.lower():
            return choice
    bad.lines.append(f"paper: '{fields.shown(args.paper)}' is not A4 or Letter [--paper]")
    return "A4"


def _refuse_overwriting_an_input(args: argparse.Namespace) -> None:
    """An output over a file the command reads would destroy it (``--input p.ivig --output p.ivig``
    wrote the text report over the plan). Saving a revised plan back to its own file is a save,
    and allowed; the report and the saved plan over each other are not. The targets are checked
    before anything is written: a FIFO given to --save must not let --output go first."""
    from ivig_desktop.store.files import same_file, writable_target

    if args.output:
        writable_target(Path(args.output), "output")
    if args.save:
        writable_target(Path(args.save), "plan file")
    reads = [(f"--{name}", getattr(args, name)) for name in ("input", "formulary", "settings")]
    writes = [("--output", args.output), ("--save", args.save)]
    for out_name, out in writes:
        if not out:
            continue
        for in_name, source in [*reads, *(w for w in writes if w[0] != out_name)]:
            if not source or (out_name, in_name) in (("--save", "--input"), ("--save", "--output")):
                continue  # a revised plan saved back to its file; the --output/--save pair once
            if same_file(Path(out), Path(source)):
                raise InputError(
                    out_name.lstrip("-"),
                    f"'{out}' is the file given to {in_name}; writing it would destroy that file. "
                    "Choose another name",
                )


def _cmd_plan(args: argparse.Namespace) -> str | None:
    bad = _Collect()
    bad.lines.extend(args.__dict__.get("_repeated", []))
    for name in _PATHS:
        value = getattr(args, name)
        if value is not None and not value.strip():
            bad.lines.append(f"{name}: is empty; give a file name [--{name}]")
        elif value is not None:
            bad.take(f"--{name}", fields.check_text, value, name)
    if args.database is not None and not args.database.strip():
        bad.lines.append("database: is empty; give a URL or leave --database out [--database]")
    fmt = _format(args, bad)
    paper = _paper(args, bad)
    if fmt == "pdf" and not (args.output or "").strip():
        bad.lines.append("output: --format pdf needs --output FILE [--output]")
    if not bad.lines:
        try:
            _refuse_overwriting_an_input(args)
        except InputError as exc:
            bad.lines.append(_line(exc))
    try:
        cat = _catalogue(args)  # an empty path was refused above and is skipped here
    except DataError as exc:
        # The site file is named; ids are not checked against data that could not be read.
        raise BadFieldsError([*bad.lines, str(exc)]) from None
    saved: dict | None = None
    opened: dict | None = None
    if args.input:
        if bad.lines:
            raise BadFieldsError(bad.lines)
        from ivig_desktop.store.plan_file import load_plan_inputs

        given = [
            f"--{k.replace('_', '-')}" for k in _FROM_THE_FILE if getattr(args, k) not in (None, False, [])
        ]
        if given:
            raise UsageError(
                f"--input takes the patient and order from the file; remove {given[0]} "
                "(to change the plan, reopen it in the window or give every option without --input)"
            )
        patient, order, doc = load_plan_inputs(Path(args.input))
        order = replace(order, details=_order_details(args, order.details))
        saved = doc.get("results")
        opened = doc
    else:
        missing = [f"--{k}" for k in _REQUIRED if getattr(args, k) is None]
        if missing:
            bad.lines.append(f"the following arguments are required: {', '.join(missing)}")
        inputs = _plan_inputs(args, cat, bad)
        if bad.lines or inputs is None:
            raise BadFieldsError(bad.lines)
        patient, order = inputs
    try:
        plan = make_plan(patient, order, cat)
    except InputError as exc:
        raise BadFieldsError([_line(exc)]) from None
    _STORE["database"] = args.database
    from ivig_desktop import cli_check

    reopened = cli_check.reopened(opened, plan, args)  # its preparer and signed check
    plan = reopened.attach(plan)
    if args.save:
        # Saved only after the output was written: a run that fails leaves no plan file behind.
        _AFTER.append(lambda: _save(plan, Path(args.save), reopened))
    changed: list[str] = []
    if saved is not None:
        from ivig_desktop.store.plan_file import changes

        changed = changes(saved, plan)
    if fmt == "pdf":
        from ivig_desktop.report.printing import pdf_bytes

        target = Path(args.output)
        write_atomic(target, pdf_bytes(plan, paper=paper))
        _AFTER.insert(0, lambda: _record(plan, "export-pdf", target))  # only once the file exists
        return None
    if fmt == "json":
        from ivig_desktop.engine.export import plan_to_dict

        doc = plan_to_dict(plan, typed=None if saved is not None else _typed(args))
        if saved is not None:
            doc["changes_since_saved"] = changed
            doc["check"] = reopened.as_json()
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    from ivig_desktop.report.text import render_text

    note = ""
    if saved is not None:
        note = (
            "CHANGED SINCE SAVED (recomputed with the current formulary and settings):\n"
            + "".join(f"  - {c}\n" for c in changed)
            + "\n"
            if changed
            else "Unchanged since saved.\n\n"
        )
    return reopened.note() + note + render_text(plan) + "\n"


_AFTER: list = []  # steps that run once the command's output is written
_NOTES: list[str] = []  # one line each on stderr after a run that succeeded (records waiting)
_UNRECORDED: list[str] = []  # history failures: reported once every file asked for is written
_STORE: dict = {}  # the run's --database and the formulary revision id its plan used


def _record(plan, action: str, target: Path, label: str | None = None) -> None:
    """Record a file that was written; a failure is reported after the run's other files are
    written (issue 15: a broken history stops neither the PDF nor the plan file)."""
    from ivig_desktop.store.history import History, HistoryError

    try:
        history = History(database=_STORE.get("database"))
        rid = history.record(
            plan,
            action,
            label if label is not None else str(target.resolve()),
            formulary_revision_id=_STORE.get("revision_id"),
        )
    except (HistoryError, OSError) as exc:
        _UNRECORDED.append(f"{target} was written but not recorded in the history ({exc})")
        return
    if rid is None:
        _NOTES.append(f"history: {history.last_queued}")


def _save(plan, path: Path, reopened) -> None:
    from ivig_desktop.store.plan_file import save_plan

    save_plan(plan, path, prepared_by=reopened.preparer, check=reopened.kept)
    _record(plan, "save", path)
    if reopened.dropped:  # the file's check does not fit this plan: saved without it, and said so
        from ivig_desktop.store.signed_check import lost_label

        _record(plan, "check", path, lost_label(path, reopened.state.signed, reopened.dropped))


def _cmd_check(args: argparse.Namespace) -> tuple[str, int]:
    from ivig_desktop import cli_check

    return cli_check.run(args)


def _cmd_products(args: argparse.Namespace) -> str:
    if args.formulary is not None and not args.formulary.strip():
        raise BadFieldsError(["formulary: is empty; give a file name [--formulary]"])
    form = load_formulary(Path(args.formulary)) if args.formulary else bundled_formulary()
    regs = bundled_regimens()
    lines = [f"Formulary {form.revision}"]
    for p in form.products.values():
        sizes = ", ".join(f"{v.size.m:g} g" for v in p.vials) or "vial sizes not found"
        labelled = [r.id for r in regs.regimens.values() if r.titration in p.titrations]
        lines.append(
            f"  {p.id:18} {p.name} ({p.percent:g} %): label rates for {', '.join(labelled) or 'none'}; "
            f"vials {sizes}"
        )
    lines.append(
        "The ids after 'label rates for' are --indication ids; other indications are planned off-label."
    )
    return "\n".join(lines) + "\n"


def _cmd_indications(_: argparse.Namespace) -> str:
    regs = bundled_regimens()
    lines = [f"Regimens {regs.revision}"]
    for r in regs.regimens.values():
        if r.course_dose is not None and r.days is not None:
            daily = r.course_dose.m / r.days
            dose = f"{r.course_dose.m:g} g/kg course = {daily:.3g} g/kg/day over {r.days} day(s)"
        elif r.course_dose is not None:
            dose = f"{r.course_dose.m:g} g/kg course, days to be entered"
        else:
            dose = "dose and days to be entered"
        lines.append(f"  {r.id:22} {r.name}: {dose}")
    return "\n".join(lines) + "\n"


def _cmd_risks(_: argparse.Namespace) -> str:
    import textwrap

    lines = [
        "Risk factors (--risk NAME ...): every one ticked is shown on the plan, even when it changes nothing"
    ]
    for group, covers in GROUP_COVERS.items():
        lines.append("")
        lines.extend(textwrap.wrap(f"{group}: {covers}", 100))
        for r in RISK_FACTORS:
            if r.group != group:
                continue
            lines.append(f"  {r.id:22} {r.label}")
            if r.id in RISK_COVERS:
                lines.extend(
                    textwrap.wrap(RISK_COVERS[r.id], 100, initial_indent=" " * 25, subsequent_indent=" " * 25)
                )
    return "\n".join(lines) + "\n"


def _fail(message: str) -> int:
    # One line, and no control character reaches the terminal: an escape sequence in a file name
    # or a typed value is shown as \x1b, never sent.
    sys.stderr.write(f"{PROG}: error: {printable(' '.join(message.split()))}\n")
    return 2


def _cmd_help(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    if not args.topic:
        return parser.format_help()
    sub = _commands(parser).get(args.topic)
    if sub is None:
        raise UsageError(
            f"'{args.topic}' is not a command; the commands are: {', '.join(command_names(parser))}"
        )
    return sub.format_help()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        names = command_names(parser)
        if argv[:1] in (["--version"], ["-V"]):
            if len(argv) > 1:
                raise UsageError(f"--version takes nothing after it (got {argv[1]!r})")
            sys.stdout.write(version_text())
            return 0
        if argv and argv[0] not in (*names, "-h", "--help"):
            raise UsageError(
                f"'{argv[0]}' is not a command; the commands are: {', '.join(names)} "
                f"(or --version; '{PROG}' alone opens the window)"
            )
        if not argv:
            raise UsageError(f"a command is needed: {', '.join(names)}")
        args = parser.parse_args(argv)
        commands = {
            "plan": _cmd_plan,
            "products": _cmd_products,
            "indications": _cmd_indications,
            "risks": _cmd_risks,
            "check": _cmd_check,
            "help": lambda a: _cmd_help(a, parser),
            **cli_store.COMMANDS,
        }
        for pending in (_AFTER, _NOTES, _UNRECORDED):
            pending.clear()
        _STORE.clear()
        repeated = args.__dict__.get("_repeated", [])
        if repeated and args.command != "plan":
            raise BadFieldsError(repeated)
        content = commands[args.command](args)
        status = 0
        if isinstance(content, tuple):  # (output, exit status): check's mismatch is 3
            content, status = content
        output = getattr(args, "output", None)
        # Order: the output file, then the saved plan and its history record, then standard
        # output; a failure at any step stops what follows and prints nothing to stdout.
        if output:
            _emit(content, output)
        for step in _AFTER:
            step()
        if _UNRECORDED:
            return _fail("history: " + "; ".join(_UNRECORDED))
        if not output:
            _emit(content, None)
        for note in _NOTES:
            sys.stderr.write(f"{PROG}: note: {' '.join(note.split())}\n")
    except BadFieldsError as exc:
        for line in exc.lines:
            _fail(line)
        return 2
    except UsageError as exc:
        return _fail(str(exc))
    except (InputError, DataError) as exc:
        return _fail(str(exc))
    return status
