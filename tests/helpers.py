"""Small builders shared by the tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import time
from pathlib import Path

from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, Plan, make_plan
from ivig_desktop.engine.units import Q_

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    argv: Sequence[str],
    *,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The installed program as a real process (``python -m ivig_desktop``), both streams as text.

    One builder, so every process test runs the program the same way (and none can hang: bounded).
    """
    return subprocess.run(
        [sys.executable, "-m", "ivig_desktop", *argv],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=timeout,
    )


def patient(
    kg: float = 70,
    cm: float = 175,
    sex: str = "male",
    age: float = 50,
    scr: float | None = None,
    **kw: object,
) -> Patient:
    return Patient(
        Q_(kg, "kg"),
        Q_(cm, "cm"),
        Sex(sex),
        Q_(age, "year"),
        Q_(scr, "mg/dL") if scr is not None else None,
        **kw,  # type: ignore[arg-type]
    )


def plan(
    product: str = "privigen",
    indication: str | None = "pid",
    dose: str | None = None,
    days: int | None = None,
    start: time | None = time(8, 0),
    pt: Patient | None = None,
    **kw: object,
) -> Plan:
    from ivig_desktop.engine.quantities import DOSE, parse_quantity

    order = Order(
        product=product,
        indication=indication,
        dose=parse_quantity(dose, DOSE) if dose else None,
        days=days,
        start=start,
        **kw,  # type: ignore[arg-type]
    )
    return make_plan(pt or patient(), order)


#: A valid `plan` command line: 70 kg / 175 cm man, 50 y, Octagam 10 % for ITP (2 g/kg over 2 days).
CLI_PLAN = (
    "plan",
    "--weight",
    "70 kg",
    "--height",
    "175 cm",
    "--sex",
    "M",
    "--age",
    "50 y",
    "--product",
    "octagam-10",
    "--indication",
    "itp",
)


#: The bundled formulary's product ids and the bundled regimen ids, as the issue names them.
PRODUCT_IDS = frozenset(
    {
        "privigen",
        "gamunex-c",
        "gammagard-liquid",
        "octagam-5",
        "octagam-10",
        "panzyga",
        "flebogamma-5",
        "flebogamma-10",
        "bivigam",
        "asceniv",
        "gammaplex-5",
        "gammaplex-10",
    }
)
REGIMEN_IDS = (
    "pid",
    "itp",
    "cidp-loading",
    "cidp-maintenance",
    "kawasaki",
    "gbs",
    "mmn",
    "myasthenia-gravis",
    "dermatomyositis",
    "stiff-person-syndrome",
)


def cli_argv(**changes: str | None) -> list[str]:
    """CLI_PLAN with options replaced (a value of None removes the option)."""
    args = list(CLI_PLAN)
    for key, value in changes.items():
        flag = "--" + key.replace("_", "-")
        if flag in args:
            i = args.index(flag)
            del args[i : i + 2]
        if value is not None:
            args += [flag, value]
    return args
