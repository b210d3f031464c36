"""schedule.py: rate ladders and day schedules against the labels' worked examples."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.formulary import Titration, bundled_formulary, load_formulary
from ivig_desktop.engine.schedule import DaySchedule, Ladder, build_ladder, schedule_day
from ivig_desktop.engine.units import Q_, Quantity

START = datetime(2000, 1, 1, 8, 0)
RES = Q_(0.1, "mL/h")
DEFAULT_STEP = Q_(30, "min")


def _t(pid: str, indication: str) -> Titration:
    return bundled_formulary().product(pid).titrations[indication]


def _ladder(pid: str, indication: str, *, subsequent: bool = False, cap: Quantity | None = None) -> Ladder:
    return build_ladder(_t(pid, indication), subsequent=subsequent, cap=cap, default_step=DEFAULT_STEP)


def _day(
    pid: str, ml: float, kg: float, ladder: Ladder, resolution: Quantity = RES, start: datetime = START
) -> DaySchedule:
    conc = bundled_formulary().product(pid).conc
    return schedule_day(Q_(ml, "mL"), Q_(kg, "kg"), conc, ladder, resolution, start)


def _rates(day: DaySchedule) -> list[float]:
    return [s.rate.m_as("mL/h") for s in day.steps]


def _rungs(ladder: Ladder) -> list[float]:
    return [r.dose_rate.m_as("mg/kg/min") for r in ladder.rungs]


def test_octagam_10_itp_table_1_at_70_kg() -> None:
    # Table 1: 1, 2, 4, 8, 12 mg/kg/min; × 70 kg ÷ 100 mg/mL × 60 = 42, 84, 168, 336, 504 mL/h.
    ladder = _ladder("octagam-10", "itp")
    assert _rungs(ladder) == pytest.approx([1, 2, 4, 8, 12])
    day = _day("octagam-10", 700, 70, ladder)
    assert _rates(day) == pytest.approx([42, 84, 168, 336, 504])
    # 30 min each: 21 + 42 + 84 + 168 = 315 mL in 2 h; 385 mL left at 504 mL/h = 45.8333 min.
    assert [s.volume.m_as("mL") for s in day.steps] == pytest.approx([21, 42, 84, 168, 385])
    assert day.steps[-1].duration.m_as("min") == pytest.approx(45.833333, abs=1e-6)
    assert day.duration.m_as("min") == pytest.approx(165.833333, abs=1e-6)


def test_panzyga_itp_chart_at_70_kg() -> None:
    # 1 → 2 → 4 → 8 mg/kg/min (0.01 → 0.08 mL/kg/min) × 70 × 60 = 42, 84, 168, 336 mL/h.
    day = _day("panzyga", 700, 70, _ladder("panzyga", "itp"))
    assert _rates(day) == pytest.approx([42, 84, 168, 336])


def test_nl_chart_ladder_from_a_site_formulary(tmp_path: Path) -> None:
    # NL-IVIG002 rows 0.01/0.02/0.04/0.08 mL/kg/min at 70 kg → 42/84/168/336 mL/h.
    path = tmp_path / "nl.toml"
    path.write_text(
        'revision = "nl"\n[[product]]\nid = "nl10"\nname = "NL 10 %"\nmanufacturer = "x"\n'
        'concentration = { value = 100, unit = "mg/mL", evidence = "READ", source = "s" }\n'
        "[product.indications.pid]\n"
        'start = { value = 0.01, unit = "mL/kg/min", evidence = "READ", source = "s" }\n'
        'max = { value = 0.08, unit = "mL/kg/min", evidence = "READ", source = "s" }\n'
        'escalation = "list"\n'
        'rates = { values = [0.01, 0.02, 0.04, 0.08], unit = "mL/kg/min", evidence = "READ", source = "s" }\n'
        'step_minutes = { value = 30, evidence = "READ", source = "s" }\n',
        encoding="utf-8",
    )
    product = load_formulary(path).product("nl10")
    ladder = build_ladder(product.titrations["pid"], cap=None, default_step=DEFAULT_STEP)
    day = schedule_day(Q_(500, "mL"), Q_(70, "kg"), product.conc, ladder, RES, START)
    assert _rates(day) == pytest.approx([42, 84, 168, 336])


def test_gammaplex_5_label_example_2h15() -> None:
    # 70 kg × 400 mg/kg = 28 g = 560 mL at 50 mg/mL. Rungs 0.01/0.02/0.04/0.06/0.08 mL/kg/min
    # × 70 × 60 = 42/84/168/252/336 mL/h, 15 min each: 10.5 + 21 + 42 + 63 = 136.5 mL in 60 min;
    # 423.5 mL at 336 mL/h = 75.625 min; total 135.625 min = 2 h 15 min (label: "2 hours 15 mins").
    day = _day("gammaplex-5", 560, 70, _ladder("gammaplex-5", "pid"))
    assert _rates(day) == pytest.approx([42, 84, 168, 252, 336])
    assert [s.volume.m_as("mL") for s in day.steps] == pytest.approx([10.5, 21, 42, 63, 423.5])
    assert [s.offset.m_as("min") for s in day.steps] == pytest.approx([0, 15, 30, 45, 60])
    total = day.duration.m_as("min")
    assert total == pytest.approx(135.625)
    assert 135 <= total < 136
    assert day.end == datetime(2000, 1, 1, 10, 15, 37, 500000)  # 08:00 + 135.625 min


def test_gammagard_liquid_pid_starts_at_35_ml_h() -> None:
    # 0.5 mL/kg/h × 70 kg = 35 mL/h; doubling 0.5 → 1 → 2 → 4 → 5 (max) mL/kg/h = 35/70/140/280/350.
    day = _day("gammagard-liquid", 700, 70, _ladder("gammagard-liquid", "pid"))
    assert _rates(day) == pytest.approx([35, 70, 140, 280, 350])


def test_bivigam_increment_ladder_with_a_10_minute_first_step() -> None:
    ladder = _ladder("bivigam", "pid")
    # 0.5, then + 0.8 each step: 1.3, 2.1, 2.9, 3.7, 4.5, 5.3; 6.1 would pass the max, so 6.
    assert _rungs(ladder) == pytest.approx([0.5, 1.3, 2.1, 2.9, 3.7, 4.5, 5.3, 6.0])
    holds = [r.hold.m_as("min") if r.hold is not None else None for r in ladder.rungs]
    assert holds == [10, 20, 20, 20, 20, 20, 20, None]
    day = _day("bivigam", 700, 70, ladder)
    # × 70 × 60 ÷ 100 = 21, 54.6, 88.2, 121.8, 155.4, 189, 222.6, 252 mL/h
    assert _rates(day) == pytest.approx([21, 54.6, 88.2, 121.8, 155.4, 189, 222.6, 252])
    # 21 × 10/60 = 3.5 mL in the first 10 min
    assert day.steps[0].volume.m_as("mL") == pytest.approx(3.5)
    assert day.steps[1].offset.m_as("min") == pytest.approx(10)


def test_at_risk_cap_on_octagam_10() -> None:
    ladder = _ladder("octagam-10", "itp", cap=Q_(3.3, "mg/kg/min"))
    # Rungs under the cap are kept (1, 2), 4/8/12 are replaced by the cap itself.
    assert _rungs(ladder) == pytest.approx([1, 2, 3.3])
    assert ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    day = _day("octagam-10", 700, 70, ladder)
    # 3.3 × 70 × 60 ÷ 100 = 138.6 mL/h; 700 − 21 − 42 = 637 mL at 138.6 mL/h = 275.7576 min.
    assert _rates(day) == pytest.approx([42, 84, 138.6])
    assert day.steps[-1].duration.m_as("min") == pytest.approx(275.757576, abs=1e-6)
    # A cap at or above the label max changes nothing.
    same = _ladder("octagam-10", "itp", cap=Q_(20, "mg/kg/min"))
    assert _rungs(same) == pytest.approx([1, 2, 4, 8, 12])
    assert same.ceiling.m_as("mg/kg/min") == pytest.approx(12)


def test_gammaplex_10_subsequent_infusion_skips_the_lowest_rung() -> None:
    later = _ladder("gammaplex-10", "pid", subsequent=True)
    assert later.start_skipped
    # Starts at 0.01 mL/kg/min = 1 mg/kg/min → 42 mL/h at 70 kg.
    assert _rungs(later)[0] == pytest.approx(1.0)
    assert _rates(_day("gammaplex-10", 280, 70, later))[0] == pytest.approx(42)
    first = _ladder("gammaplex-10", "pid")
    assert not first.start_skipped
    # 0.005 mL/kg/min = 0.5 mg/kg/min → 21 mL/h.
    assert _rungs(first) == pytest.approx([0.5, 1, 2, 4, 6, 8])
    assert _rates(_day("gammaplex-10", 280, 70, first))[0] == pytest.approx(21)


def test_site_default_step_when_the_label_gives_none() -> None:
    ladder = build_ladder(_t("flebogamma-10", "pid"), cap=None, default_step=Q_(20, "min"))
    assert ladder.step_source == "site default interval"
    assert [r.hold.m_as("min") for r in ladder.rungs[:-1] if r.hold is not None] == [20, 20, 20]
    assert _ladder("privigen", "pid").step_source == "label/protocol interval"


def test_pump_rate_floors_to_the_resolution() -> None:
    ladder = _ladder("octagam-10", "itp")
    # 73.3 kg: 1 mg/kg/min = 73.3 × 60 ÷ 100 = 43.98 mL/h → 43 (1 mL/h pump) or 43.9 (0.1 mL/h).
    whole = _day("octagam-10", 700, 73.3, ladder, resolution=Q_(1, "mL/h"))
    # 43.98, 87.96, 175.92, 351.84, 527.76 → 43, 87, 175, 351, 527
    assert _rates(whole) == [43, 87, 175, 351, 527]
    # The delivered dose rate is what the floored rate gives: 43 ÷ 43.98 = 0.97772 mg/kg/min.
    assert whole.steps[0].dose_rate.m_as("mg/kg/min") == pytest.approx(0.977717, abs=1e-6)
    tenth = _day("octagam-10", 700, 73.3, ladder)
    assert _rates(tenth) == pytest.approx([43.9, 87.9, 175.9, 351.8, 527.7])


def test_step_bookkeeping() -> None:
    day = _day("octagam-10", 700, 70, _ladder("octagam-10", "itp"), start=datetime(2000, 1, 1, 9, 30))
    cumulative = [s.cumulative_volume.m_as("mL") for s in day.steps]
    assert cumulative == pytest.approx([21, 63, 147, 315, 700])
    # Each step starts where the previous one ended; the clock follows the start time.
    for a, b in itertools.pairwise(day.steps):
        assert b.offset.m_as("min") == pytest.approx(a.offset.m_as("min") + a.duration.m_as("min"))
    assert day.clock(day.steps[2]) == datetime(2000, 1, 1, 10, 30)  # 09:30 + 60 min
    assert day.peak_rate.m_as("mL/h") == pytest.approx(504)


def test_small_volume_finishes_on_an_early_rung() -> None:
    # 30 mL of Octagam 10 % at 70 kg: 21 mL in the first 30 min, 9 mL at 84 mL/h = 6.4286 min.
    day = _day("octagam-10", 30, 70, _ladder("octagam-10", "itp"))
    assert _rates(day) == pytest.approx([42, 84])
    assert day.steps[-1].volume.m_as("mL") == pytest.approx(9)
    assert day.duration.m_as("min") == pytest.approx(36.428571, abs=1e-6)


def test_pump_rate_below_resolution_is_an_input_error() -> None:
    # 0.5 mg/kg/min at 0.3 kg, 10 %: 0.5 × 0.3 × 60 ÷ 100 = 0.09 mL/h < 0.1 mL/h.
    with pytest.raises(InputError) as err:
        _day("privigen", 10, 0.3, _ladder("privigen", "pid"))
    assert err.value.field == "weight"
    assert "below the pump resolution 0.1 mL/h" in err.value.message
