"""End-to-end speed of the command line against the cost of pint alone.

Goal from the plan-engine issue: `python -m ivig_desktop plan ... --format json` is no slower
than `python -c "import pint; pint.UnitRegistry()"` on the same machine. Both are run ten times,
interleaved so that drift hits both alike; the medians and their ratio are printed and kept in
extra_info. Nothing is asserted about speed: a shared machine is too noisy for that.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import CLI_PLAN

ROOT = Path(__file__).resolve().parents[1]
RUNS = 10
CLI = [sys.executable, "-m", "ivig_desktop", *CLI_PLAN, "--start", "08:00", "--format", "json"]
PINT = [sys.executable, "-c", "import pint; pint.UnitRegistry()"]


def _once(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, encoding="utf-8")
    return time.perf_counter() - t0, done.stdout


def test_cli_plan_against_pint_registry(benchmark, capsys: pytest.CaptureFixture[str]) -> None:
    # One untimed run of each: byte-compiled files written, the OS file cache warm.
    _, first = _once(CLI)
    assert json.loads(first)["days"][0]["volume"] == {"magnitude": 700.0, "units": "mL"}
    _once(PINT)

    def both() -> tuple[list[float], list[float]]:
        cli: list[float] = []
        pint_only: list[float] = []
        for _ in range(RUNS):
            seconds, out = _once(CLI)
            assert out == first  # every timed run made the whole plan
            cli.append(seconds)
            pint_only.append(_once(PINT)[0])
        return cli, pint_only

    cli, pint_only = benchmark.pedantic(both, rounds=1, iterations=1)
    cli_ms = statistics.median(cli) * 1000
    pint_ms = statistics.median(pint_only) * 1000
    ratio = cli_ms / pint_ms
    benchmark.extra_info.update(
        runs=RUNS,
        cli_median_ms=round(cli_ms, 1),
        pint_median_ms=round(pint_ms, 1),
        ratio=round(ratio, 3),
        goal_ratio=1.0,
        cli_ms=[round(s * 1000, 1) for s in cli],
        pint_ms=[round(s * 1000, 1) for s in pint_only],
    )
    with capsys.disabled():
        print(
            f"\n  CLI plan --format json: median {cli_ms:.0f} ms over {RUNS} runs; "
            f"import pint + UnitRegistry(): median {pint_ms:.0f} ms; ratio {ratio:.2f} (goal <= 1)"
        )
