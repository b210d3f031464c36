"""User preferences in QSettings, read back with explicit types.

QSettings returns strings from an INI file read in a fresh process (engineering-anchors
§4.4), so every value is read with the type of its default and checked; an unknown key is a
programming error, not something to default around.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

DEFAULTS: dict[str, Any] = {
    "weight_unit": "kg",
    "height_unit": "cm",
    "scr_unit": "mg/dL",
    "clock_24h": True,
    "pump_resolution_ml_h": 0.1,
    "rounding_tolerance_percent": 10.0,
    "site_formulary": "",
    "standard_volume_ml": 1400.0,
    "standard_volume_ml_per_kg": 20.0,
    "strict_volume_ml": 700.0,
    "strict_volume_ml_per_kg": 10.0,
    "paper": "A4",
    "recent_files": "",
    # Window state, not clinical: where file dialogs start and where the window was left.
    "last_folder": "",
    "window_geometry": "",
    # A clinic's database (postgresql://user@host/db); empty: this workstation's own history file.
    "database_url": "",
}
CHOICES: dict[str, tuple[str, ...]] = {
    "weight_unit": ("kg", "lb"),
    "height_unit": ("cm", "in"),
    "scr_unit": ("mg/dL", "µmol/L"),
    "paper": ("A4", "Letter"),
}
_ORG, _APP = "ivig_desktop", "ivig_desktop"


@dataclass
class Preferences:
    """A typed view of the settings file; ``path`` None means the platform's user settings."""

    path: Path | None = None
    problems: list[str] = field(default_factory=list)
    """Stored values that could not be used; the window shows them, they are not hidden."""

    _settings: QSettings | None = field(default=None, init=False, repr=False, compare=False)

    def _qs(self) -> QSettings:
        """One QSettings per Preferences: Qt re-reads the file when another process changed it."""
        if self._settings is None:
            if self.path is not None:
                self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)
            else:
                self._settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _ORG, _APP)
        return self._settings

    def get(self, key: str) -> Any:
        if key not in DEFAULTS:
            raise KeyError(f"unknown preference: {key}")
        default = DEFAULTS[key]
        try:
            raw = self._qs().value(key, default, type=type(default))
        except (TypeError, ValueError):
            raw = None
        bad = (
            not isinstance(raw, type(default))
            or (key in CHOICES and raw not in CHOICES[key])
            or (
                isinstance(default, float) and (raw < 0 or (raw == 0 and key != "rounding_tolerance_percent"))
            )
        )
        if bad:
            note = f"preference '{key}' had an unusable stored value; the default {default!r} is in use"
            if note not in self.problems:
                self.problems.append(note)
            return default
        return raw

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(f"unknown preference: {key}")
        default = DEFAULTS[key]
        if not isinstance(value, type(default)):
            raise TypeError(f"{key} must be {type(default).__name__}, not {type(value).__name__}")
        if key in CHOICES and value not in CHOICES[key]:
            raise ValueError(f"{key} must be one of {CHOICES[key]}")
        qs = self._qs()
        qs.setValue(key, value)
        qs.sync()

    def all(self) -> dict[str, Any]:
        return {k: self.get(k) for k in DEFAULTS}

    def restore_defaults(self) -> None:
        qs = self._qs()
        qs.clear()
        qs.sync()
