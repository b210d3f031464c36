"""The listing commands: ``products``, ``indications``, ``risks``, ``help`` and ``--version``.

Each shows data as the engine reads it (figures through engine.display, never arithmetic here),
with the ids the plan options take.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from ivig_desktop.cli.options import command_names, commands
from ivig_desktop.cli.refusals import PROG, BadFieldsError, UsageError
from ivig_desktop.engine import display as d
from ivig_desktop.engine.formulary import Product, bundled_formulary, load_formulary
from ivig_desktop.engine.plan import bundled_catalogue
from ivig_desktop.engine.regimens import bundled_regimens
from ivig_desktop.engine.risk import RISK_FACTORS
from ivig_desktop.engine.risk_factors import GROUP_COVERS, RISK_COVERS


def version_text() -> str:
    """Program version and the revisions of the bundled data it plans with."""
    from ivig_desktop import __version__

    cat = bundled_catalogue()
    return (
        f"{PROG} {__version__}\n"
        f"formulary {cat.formulary.revision}; regimens {cat.regimens.revision}; "
        f"site settings {cat.settings.revision}\n"
    )


def product_line(p: Product, what: str) -> str:
    """One product: id, name, strength, ``what`` (label rates or titrations), vial sizes."""
    sizes = ", ".join(d.fmt(v.size, "dose") for v in p.vials) or "vial sizes not found"
    return f"  {p.id:18} {p.name} ({d.number(p.percent, 1)} %): {what}; vials {sizes}"


def products(args: argparse.Namespace) -> str:
    if args.formulary is not None and not args.formulary.strip():
        raise BadFieldsError(["formulary: is empty; give a file name [--formulary]"])
    form = load_formulary(Path(args.formulary)) if args.formulary else bundled_formulary()
    regs = bundled_regimens()
    lines = [f"Formulary {form.revision}"]
    for p in form.products.values():
        labelled = [r.id for r in regs.regimens.values() if r.titration in p.titrations]
        lines.append(product_line(p, f"label rates for {', '.join(labelled) or 'none'}"))
    lines.append(
        "The ids after 'label rates for' are --indication ids; other indications are planned off-label."
    )
    return "\n".join(lines) + "\n"


def indications(_: argparse.Namespace) -> str:
    regs = bundled_regimens()
    lines = [f"Regimens {regs.revision}"]
    lines.extend(f"  {r.id:22} {r.name}: {d.regimen_dose(r)}" for r in regs.regimens.values())
    return "\n".join(lines) + "\n"


def risks(_: argparse.Namespace) -> str:
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


def show_help(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    if not args.topic:
        return parser.format_help()
    sub = commands(parser).get(args.topic)
    if sub is None:
        raise UsageError(
            f"'{args.topic}' is not a command; the commands are: {', '.join(command_names(parser))}"
        )
    return sub.format_help()
