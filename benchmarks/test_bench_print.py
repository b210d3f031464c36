"""Printed schedule speed: a 5-day plan rendered to PDF (goal: median under 150 ms after start-up)."""

from __future__ import annotations

from datetime import datetime
from datetime import time as clock

from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, make_plan
from ivig_desktop.engine.units import Q_


def test_five_day_plan_to_pdf(benchmark, qapp) -> None:
    from ivig_desktop.report.printing import pdf_bytes

    plan = make_plan(
        Patient(Q_(70, "kg"), Q_(175, "cm"), Sex.MALE, Q_(50, "year")),
        Order("privigen", "gbs", start=clock(8, 0)),
    )
    assert len(plan.days) == 5
    printed = datetime(2026, 11, 24, 9, 0)
    pdf_bytes(plan, printed_at=printed)  # warm: font registered, layout code loaded
    data = benchmark(pdf_bytes, plan, printed_at=printed)
    assert data.startswith(b"%PDF")
    median_ms = benchmark.stats.stats.median * 1000
    benchmark.extra_info["median_ms"] = round(median_ms, 1)
    print(f"\n  5-day plan to PDF: median {median_ms:.0f} ms (goal < 150 ms)")
