"""units.py: the closed registry and every conversion rule the plan relies on."""

from __future__ import annotations

import pint
import pytest

from ivig_desktop.engine.units import (
    Q_,
    dose_rate_to_volume_rate,
    floor_to_step,
    pump_rate,
    serum_creatinine_mg_dl,
    to_dose_rate,
    ureg,
    volume_rate_to_dose_rate,
)

TEN_PERCENT = Q_(100, "mg/mL")
FIVE_PERCENT = Q_(50, "mg/mL")


def test_imperial_entry_units_are_exact() -> None:
    # 1 in = 2.54 cm and 1 lb = 0.45359237 kg by definition; 69 in = 175.26 cm.
    assert Q_(69, "inch").m_as("cm") == pytest.approx(175.26, abs=1e-12)
    assert Q_(154, "pound").m_as("kg") == pytest.approx(69.85322498, abs=1e-8)  # 154 × 0.45359237
    assert Q_(5, "foot").m_as("cm") == pytest.approx(152.4, abs=1e-12)  # 60 in, the Devine base


def test_registry_is_closed_world() -> None:
    # A unit outside units.txt must not exist, so a typo cannot become a real unit.
    with pytest.raises(pint.UndefinedUnitError):
        Q_(1, "furlong")
    # The clinical micro prefix: 25 mcg/mL = 0.025 mg/mL.
    assert Q_(25, "mcg/mL").m_as("mg/mL") == pytest.approx(0.025)
    assert isinstance(Q_(1, "kg"), ureg.Quantity)
    assert not isinstance(1.0, ureg.Quantity)
    assert not isinstance(pint.UnitRegistry().Quantity(1, "kg"), ureg.Quantity)  # another registry's
    assert ureg is Q_(1, "kg")._REGISTRY


def test_creatinine_umol_to_mg_dl() -> None:
    # 88.4 µmol/L × 113.12 g/mol = 9999.8 µg/L = 0.99998 mg/dL (the laboratory factor 88.4).
    assert serum_creatinine_mg_dl(Q_(88.4, "umol/L")).m == pytest.approx(0.99998, abs=1e-5)
    # 176.8 µmol/L ≈ 2.0 mg/dL; mg/dL passes through unchanged.
    assert serum_creatinine_mg_dl(Q_(176.8, "umol/L")).m == pytest.approx(1.99996, abs=1e-5)
    assert serum_creatinine_mg_dl(Q_(1.2, "mg/dL")).m == pytest.approx(1.2)
    with pytest.raises(pint.DimensionalityError):
        serum_creatinine_mg_dl(Q_(1, "kg"))


def test_dose_rate_and_volume_rate_conversions() -> None:
    # products.md §0.1: for 10 %, 1 mg/kg/min = 0.01 mL/kg/min; for 5 %, 0.02 mL/kg/min.
    assert dose_rate_to_volume_rate(Q_(1, "mg/kg/min"), TEN_PERCENT).m == pytest.approx(0.01)
    assert dose_rate_to_volume_rate(Q_(1, "mg/kg/min"), FIVE_PERCENT).m == pytest.approx(0.02)
    # Gammagard: 0.5 mL/kg/h × 100 mg/mL ÷ 60 = 0.8333 mg/kg/min; 5 → 8.333; 5.4 → 9.0.
    assert volume_rate_to_dose_rate(Q_(0.5, "mL/kg/h"), TEN_PERCENT).m == pytest.approx(0.833333, abs=1e-6)
    assert volume_rate_to_dose_rate(Q_(5, "mL/kg/h"), TEN_PERCENT).m == pytest.approx(8.333333, abs=1e-6)
    assert volume_rate_to_dose_rate(Q_(5.4, "mL/kg/h"), TEN_PERCENT).m == pytest.approx(9.0)
    # Gammaplex 5 %: 0.08 mL/kg/min × 50 mg/mL = 4 mg/kg/min.
    assert to_dose_rate(Q_(0.08, "mL/kg/min"), FIVE_PERCENT).m == pytest.approx(4.0)
    # A rate already in mg/kg/min is not touched by the concentration.
    assert to_dose_rate(Q_(4, "mg/kg/min"), FIVE_PERCENT).m == pytest.approx(4.0)
    assert to_dose_rate(Q_(240, "mg/kg/h"), FIVE_PERCENT).m == pytest.approx(4.0)  # 240 ÷ 60


@pytest.mark.parametrize(
    ("ml_kg_min", "ml_h"),
    # NL-IVIG002 table, 70 kg row: mL/kg/min × 70 kg × 60 = 42, 84, 168, 252, 336, 504, 588 mL/h.
    [(0.01, 42), (0.02, 84), (0.04, 168), (0.06, 252), (0.08, 336), (0.12, 504), (0.14, 588)],
)
def test_pump_rate_nl_chart_70_kg(ml_kg_min: float, ml_h: float) -> None:
    dose_rate = volume_rate_to_dose_rate(Q_(ml_kg_min, "mL/kg/min"), TEN_PERCENT)
    assert pump_rate(dose_rate, Q_(70, "kg"), TEN_PERCENT).m_as("mL/h") == pytest.approx(ml_h)


def test_pump_rate_uses_the_products_concentration() -> None:
    # 1 mg/kg/min at 70 kg: 10 % → 70 mg/min ÷ 100 mg/mL × 60 = 42 mL/h; 5 % → 84 mL/h.
    assert pump_rate(Q_(1, "mg/kg/min"), Q_(70, "kg"), TEN_PERCENT).m_as("mL/h") == pytest.approx(42)
    assert pump_rate(Q_(1, "mg/kg/min"), Q_(70, "kg"), FIVE_PERCENT).m_as("mL/h") == pytest.approx(84)


def test_floor_to_step_rounds_down_to_the_pump_resolution() -> None:
    step = Q_(0.1, "mL/h")
    # 0.01 × 70 × 60 is 42.00000000000001 in floating point: stays 42.0, not 42.1 or 41.9.
    assert floor_to_step(Q_(0.01 * 70 * 60, "mL/h"), step).m == 42.0
    # Float noise just below a step floors to that step, not one below it.
    assert floor_to_step(Q_(41.99999999999999, "mL/h"), step).m == 42.0
    # A real fraction below a step floors down: 41.95 → 41.9; 43.98 → 43.9 (0.1) or 43 (1 mL/h).
    assert floor_to_step(Q_(41.95, "mL/h"), step).m == pytest.approx(41.9)
    assert floor_to_step(Q_(43.98, "mL/h"), step).m == pytest.approx(43.9)
    assert floor_to_step(Q_(43.98, "mL/h"), Q_(1, "mL/h")).m == 43.0
    # The result is in the step's unit: 1 mL/min = 60 mL/h floors to 60.0 on a 0.1 mL/h pump.
    out = floor_to_step(Q_(1, "mL/min"), step)
    assert out.units == step.units
    assert out.m == pytest.approx(60.0)
