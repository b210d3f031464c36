"""Issue 12: every warning code the checks can raise is documented in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _codes_in_source() -> set[str]:
    """Every code passed as the first argument of a Warning in the engine."""
    found: set[str] = set()
    for path in (ROOT / "src" / "ivig_desktop" / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'Warning\(\s*"([a-z-]+)"', text))
    return found


def test_every_code_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("Warning codes", 1)[1].split("Overrides also appear", 1)[0]
    documented = set(re.findall(r"`([a-z-]+)`", table))
    codes = _codes_in_source()
    assert {"weight-check", "dose-check", "volume-load", "rate-capped", "rounding", "sorbitol"} <= codes
    assert codes <= documented, codes - documented
