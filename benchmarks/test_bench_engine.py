"""Speed of the engine and of the command line (pytest-benchmark; run `python -m pytest benchmarks`).

Goals from the plan-engine issue, measured as figures and ratios on the same machine in one run:
a full plan (alternatives included) has a median under 2 ms after import, and
`python -m ivig_desktop plan ... --format json` end to end is no slower than
`python -c "import pint; pint.UnitRegistry()"`. Figures are printed and kept in extra_info;
nothing here fails on a noisy machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import time as clock
from pathlib import Path

import pytest

from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, make_plan
from ivig_desktop.engine.units import Q_
from tests.helpers import CLI_PLAN

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "pid-1-day": (
        Patient(Q_(80, "kg"), Q_(170, "cm"), Sex.FEMALE, Q_(72, "year"), Q_(1.3, "mg/dL")),
        Order("privigen", "pid", start=clock(8, 0)),
    ),
    "gbs-5-days-with-risks": (
        Patient(Q_(95, "kg"), Q_(178, "cm"), Sex.MALE, Q_(78, "year"), Q_(1.6, "mg/dL")),
        Order("octagam-5", "gbs", start=clock(8, 0), risks=frozenset({"heart-failure", "diabetes"})),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_full_plan(benchmark, case: str) -> None:
    patient, order = CASES[case]
    plan = make_plan(patient, order)  # warm: data files loaded, caches filled
    result = benchmark(make_plan, patient, order)
    assert result.days[0].volume == plan.days[0].volume
    median_ms = benchmark.stats.stats.median * 1000
    benchmark.extra_info["median_ms"] = round(median_ms, 3)
    benchmark.extra_info["alternatives"] = len(result.alternatives)
    print(
        f"\n  full plan {case}: median {median_ms:.2f} ms (goal < 2 ms), "
        f"{len(result.alternatives)} alternatives"
    )


def _median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def test_cli_against_pint_registry(benchmark) -> None:
    cli = [
        sys.executable,
        "-m",
        "ivig_desktop",
        *CLI_PLAN,
        "--format",
        "json",
    ]
    pint_only = [sys.executable, "-c", "import pint; pint.UnitRegistry()"]
    runs = 9

    def both() -> tuple[float, float]:
        return _median_seconds(cli, runs), _median_seconds(pint_only, runs)

    cli_s, pint_s = benchmark.pedantic(both, rounds=1, iterations=1)
    ratio = cli_s / pint_s
    benchmark.extra_info.update(
        cli_median_s=round(cli_s, 3), pint_median_s=round(pint_s, 3), ratio=round(ratio, 3)
    )
    print(
        f"\n  CLI plan --format json median {cli_s * 1000:.0f} ms; import pint + UnitRegistry() median "
        f"{pint_s * 1000:.0f} ms; ratio {ratio:.2f} (goal ≤ 1)"
    )
