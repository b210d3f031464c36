"""Command line: ``ivig-desktop plan|products|indications``.

Bad input exits with status 2 and one line on stderr naming the field; nothing is written
to stdout and no traceback is shown. Output files are written atomically, so a failed run
never leaves a half-written file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.formulary import bundled_formulary, load_formulary
from ivig_desktop.engine.order_details import OrderDetails
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Catalogue, Order, bundled_catalogue, make_plan
from ivig_desktop.engine.regimens import bundled_regimens
from ivig_desktop.engine.risk import RISK_FACTORS
from ivig_desktop.engine.settings import load_settings
from ivig_desktop.store.files import write_atomic

PROG = "ivig-desktop"
_REQUIRED = ("weight", "height", "sex", "age", "product")


class UsageError(Exception):
    """argparse's complaint, raised instead of printed so main() controls the one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="IVIG dose, volume-load and rate-schedule planner. With no command, opens the window; "
        "with a plan file (FILE.ivig), opens it in the window.",
        epilog="--version prints the version and the data revisions; 'help COMMAND' shows its options.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("plan", help="make an infusion plan")
    p.add_argument("--weight", help="actual weight, e.g. '70 kg' or '154 lb'")
    p.add_argument("--height", help="height, e.g. '175 cm', '69 in', '5 ft 9 in'")
    p.add_argument("--sex", help="male or female (M/F)")
    p.add_argument("--age", help="age, e.g. '54 y' or '8 months'")
    p.add_argument("--scr", help="serum creatinine, e.g. '1.1 mg/dL' or '97 µmol/L'")
    p.add_argument("--pregnant", action="store_true", help="the patient is pregnant")
    p.add_argument("--pre-pregnancy-weight", help="pre-pregnancy weight, e.g. '62 kg'")
    p.add_argument("--indication", help="regimen id (see 'indications')")
    p.add_argument("--dose", help="course dose: '2 g/kg', '400 mg/kg' or '30 g'")
    p.add_argument("--days", help="number of infusion days the course is split over")
    p.add_argument("--product", help="product id (see 'products')")
    p.add_argument("--weight-policy", default="auto", help="dosing-weight policy (default auto)")
    p.add_argument(
        "--risk",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help="risk factors: " + ", ".join(r.id for r in RISK_FACTORS),
    )
    p.add_argument("--first-infusion", action="store_true", help="first infusion: start low")
    p.add_argument("--over-8-weeks", action="store_true", help="> 8 weeks since last: start low")
    p.add_argument("--product-switch", action="store_true", help="switched product: start low")
    p.add_argument("--max-rate", help="a lower maximum dose rate, e.g. '4 mg/kg/min'")
    p.add_argument("--start", help="clock time of the first step, HH:MM (24 h)")
    p.add_argument("--format", choices=("text", "json", "pdf"), default="text")
    p.add_argument("--output", help="write to FILE instead of standard output (required for pdf)")
    p.add_argument("--paper", choices=("A4", "Letter"), default="A4", help="paper size for pdf")
    p.add_argument("--formulary", help="a site formulary file (TOML) replacing the bundled one")
    p.add_argument("--input", help="open a saved plan file (.ivig) instead of the patient/order options")
    p.add_argument("--save", help="also save the plan's inputs and results to a plan file (.ivig)")
    p.add_argument("--settings", help="a site settings file (TOML) replacing the bundled one")
    _add_order_details(p)

    pr = sub.add_parser("products", help="list the formulary's products")
    pr.add_argument("--formulary", help="a site formulary file (TOML)")
    sub.add_parser("indications", help="list the regimens")
    hp = sub.add_parser("help", help="show this help, or a command's help: help plan")
    hp.add_argument("topic", nargs="?", help="a command")
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
        g.add_argument("--" + dest.replace("_", "-"), dest=dest, metavar=metavar, help=help_text)


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


def _catalogue(args: argparse.Namespace) -> Catalogue:
    cat = bundled_catalogue()
    if args.formulary:
        cat = Catalogue(load_formulary(Path(args.formulary)), cat.regimens, cat.policies, cat.settings)
    if args.settings:
        cat = Catalogue(cat.formulary, cat.regimens, cat.policies, load_settings(Path(args.settings)))
    return cat


def _plan_inputs(args: argparse.Namespace) -> tuple[Patient, Order]:
    ppw = args.pre_pregnancy_weight
    patient = Patient(
        actual_weight=fields.parse_quantity(args.weight, fields.WEIGHT),
        height=fields.parse_quantity(args.height, fields.HEIGHT),
        sex=Sex.parse(args.sex),
        age=fields.parse_quantity(args.age, fields.AGE),
        serum_creatinine=(
            fields.parse_quantity(args.scr, fields.SERUM_CREATININE) if args.scr is not None else None
        ),
        pregnant=args.pregnant,
        pre_pregnancy_weight=(
            fields.parse_quantity(ppw, fields.PRE_PREGNANCY_WEIGHT) if ppw is not None else None
        ),
    )
    start_low = frozenset(
        name
        for name, on in (
            ("first-infusion", args.first_infusion),
            ("over-8-weeks", args.over_8_weeks),
            ("product-switch", args.product_switch),
        )
        if on
    )
    order = Order(
        product=args.product,
        indication=args.indication,
        dose=fields.parse_quantity(args.dose, fields.DOSE) if args.dose is not None else None,
        days=fields.parse_days(args.days) if args.days is not None else None,
        weight_policy=args.weight_policy,
        start=fields.parse_clock(args.start) if args.start is not None else None,
        start_low=start_low,
        risks=frozenset(args.risk),
        max_rate=(
            fields.parse_quantity(args.max_rate, fields.MAX_RATE) if args.max_rate is not None else None
        ),
        details=_order_details(args),
    )
    return patient, order


def _emit(content: str | None, output: str | None) -> None:
    """Text to --output (atomically) or standard output; None: the command wrote its own file."""
    if content is None:
        return
    if output:
        write_atomic(Path(output), content.encode("utf-8"))
    else:
        sys.stdout.write(content)


def _cmd_plan(args: argparse.Namespace) -> str | None:
    if args.output is not None and not args.output.strip():
        raise InputError("output", "is empty")
    if args.format == "pdf" and not args.output:
        raise InputError("output", "--format pdf needs --output FILE")
    cat = _catalogue(args)
    saved: dict | None = None
    if args.input:
        from ivig_desktop.store.plan_file import load_plan_inputs

        given = [f"--{k}" for k in _REQUIRED if getattr(args, k) is not None]
        if given:
            raise UsageError(f"--input takes the patient and order from the file; remove {given[0]}")
        patient, order, doc = load_plan_inputs(Path(args.input))
        order = replace(order, details=_order_details(args, order.details))
        saved = doc.get("results")
    else:
        missing = [f"--{k}" for k in _REQUIRED if getattr(args, k) is None]
        if missing:
            raise UsageError(f"the following arguments are required: {', '.join(missing)}")
        patient, order = _plan_inputs(args)
    plan = make_plan(patient, order, cat)
    if args.save:
        # Saved only after the output was written: a run that fails leaves no plan file behind.
        _AFTER.append(lambda: _save(plan, Path(args.save)))
    changed: list[str] = []
    if saved is not None:
        from ivig_desktop.store.plan_file import changes

        changed = changes(saved, plan)
    if args.format == "pdf":
        from ivig_desktop.report.printing import pdf_bytes
        from ivig_desktop.store.history import History

        target = Path(args.output)
        write_atomic(target, pdf_bytes(plan, paper=args.paper))
        _record(History, plan, "export-pdf", target)  # only once the file exists
        return None
    if args.format == "json":
        from ivig_desktop.engine.export import plan_to_dict

        doc = plan_to_dict(plan)
        if saved is not None:
            doc["changes_since_saved"] = changed
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
    return note + render_text(plan) + "\n"


_AFTER: list = []  # steps that run once the command's output is written


def _record(history_cls, plan, action: str, target: Path) -> None:
    from ivig_desktop.store.history import HistoryError

    try:
        history_cls().record(plan, action, str(target.resolve()))
    except (HistoryError, OSError) as exc:
        raise InputError("history", f"{target} was written but not recorded in the history ({exc})") from exc


def _save(plan, path: Path) -> None:
    from ivig_desktop.store.history import History
    from ivig_desktop.store.plan_file import save_plan

    save_plan(plan, path)
    _record(History, plan, "save", path)


def _cmd_products(args: argparse.Namespace) -> str:
    form = load_formulary(Path(args.formulary)) if args.formulary else bundled_formulary()
    lines = [f"Formulary {form.revision}"]
    for p in form.products.values():
        sizes = ", ".join(f"{v.size.m:g} g" for v in p.vials) or "vial sizes not found"
        lines.append(f"  {p.id:18} {p.name} ({p.percent:g} %): {', '.join(p.titrations)}; vials {sizes}")
    return "\n".join(lines) + "\n"


def _cmd_indications(_: argparse.Namespace) -> str:
    regs = bundled_regimens()
    lines = [f"Regimens {regs.revision}"]
    for r in regs.regimens.values():
        dose = f"{r.course_dose.m:g} g/kg" if r.course_dose is not None else "dose to be entered"
        days = f"over {r.days} day(s)" if r.days is not None else "days to be entered"
        lines.append(f"  {r.id:22} {r.name}: {dose} {days}")
    return "\n".join(lines) + "\n"


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
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
            "help": lambda a: _cmd_help(a, parser),
        }
        _AFTER.clear()
        content = commands[args.command](args)
        output = getattr(args, "output", None)
        # Order: the output file, then the saved plan and its history record, then standard
        # output; a failure at any step stops what follows and prints nothing to stdout.
        if output:
            _emit(content, output)
        for step in _AFTER:
            step()
        if not output:
            _emit(content, None)
    except UsageError as exc:
        return _fail(str(exc))
    except (InputError, DataError) as exc:
        return _fail(str(exc))
    return 0
