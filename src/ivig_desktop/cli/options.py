"""The command line's options: one argparse definition per command, shared where two commands
take the same patient and order (``plan`` and ``check``), so their spelling and help never drift.

A repeated option is refused (never "the last wins"), and argparse's complaints are raised as
:class:`~ivig_desktop.cli.refusals.UsageError` so the dispatcher prints its one line.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from ivig_desktop.cli import store_commands
from ivig_desktop.cli.refusals import PROG, UsageError
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.overrides import KINDS as OVERRIDE_KINDS
from ivig_desktop.engine.risk import RISK_FACTORS

REQUIRED = ("weight", "height", "sex", "age", "product")
FORMATS = ("text", "json", "pdf")
#: Start-low option → its attribute on the parsed arguments.
START_LOW = (
    ("first-infusion", "first_infusion"),
    ("over-8-weeks", "over_8_weeks"),
    ("product-switch", "product_switch"),
)
#: Patient and order options a saved plan file already holds: with --input each is refused by
#: name rather than ignored (a dose typed beside --input must not be dropped without a word).
FROM_THE_FILE = (
    *REQUIRED,
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
    add_order_details(p)
    store_commands.add_database_option(p)

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
    store_commands.add_database_option(c)
    # The check compares figures; order details (name, MRN, …) are not re-entered.
    c.set_defaults(**dict.fromkeys(DETAIL_OPTIONS))
    hp = sub.add_parser("help", help="show this help, or a command's help: help plan")
    hp.add_argument("topic", nargs="?", help="a command")
    store_commands.add_commands(sub)
    parser.commands = sub  # type: ignore[attr-defined]
    return parser


#: Order-detail options → OrderDetails field. Printed on the sheet, saved; no figure depends on them.
DETAIL_OPTIONS = {
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


def add_order_details(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "order details",
        "printed on the sheet (blank lines when not given); with --input they replace the file's",
    )
    for dest, (_field, metavar, help_text) in DETAIL_OPTIONS.items():
        g.add_argument(
            "--" + dest.replace("_", "-"), dest=dest, metavar=metavar, help=help_text, action=_Once
        )


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's own parser, as build_parser registered them (one list, never a copy)."""
    return parser.commands.choices  # type: ignore[attr-defined]


def command_names(parser: argparse.ArgumentParser) -> list[str]:
    return list(commands(parser))
