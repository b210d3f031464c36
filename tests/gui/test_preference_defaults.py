"""The window's default limits are the bundled site settings' (kept twice so start-up needs no pint)."""

from __future__ import annotations

import pytest

from ivig_desktop.engine.settings import bundled_settings
from ivig_desktop.ui.preferences import DEFAULTS


def test_preference_defaults_match_site_settings() -> None:
    s = bundled_settings()
    assert DEFAULTS["pump_resolution_ml_h"] == pytest.approx(s.pump_resolution.m_as("mL/h"))
    assert DEFAULTS["rounding_tolerance_percent"] == pytest.approx(s.rounding_tolerance * 100)
    assert DEFAULTS["standard_volume_ml"] == pytest.approx(s.standard_volume.per_day.m_as("mL"))
    assert DEFAULTS["standard_volume_ml_per_kg"] == pytest.approx(s.standard_volume.per_kg.m_as("mL/kg"))
    assert DEFAULTS["strict_volume_ml"] == pytest.approx(s.strict_volume.per_day.m_as("mL"))
    assert DEFAULTS["strict_volume_ml_per_kg"] == pytest.approx(s.strict_volume.per_kg.m_as("mL/kg"))
