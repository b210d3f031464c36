"""Reading the TOML data files (formulary, regimens, policies, site settings) strictly.

Every accessor names the file, the record and the field when something is wrong, so a
pharmacist editing a site file can find the mistake without reading Python.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ivig_desktop.engine.errors import DataError, nearest
from ivig_desktop.engine.regular_file import FileRefusedError, read_regular_file
from ivig_desktop.engine.text import control_character, printable
from ivig_desktop.engine.units import Q_, Quantity, ureg

_UNIT_TEXT = re.compile(r"^[A-Za-z]+(\s*(/|\*)\s*[A-Za-z]+)*(\s*\*\*\s*\d)?$")

_DIMENSION_WORDS = {
    "[mass] / [length] ** 3": "concentration (e.g. mg/mL)",
    "[mass] / [mass] / [time]": "dose rate (e.g. mg/kg/min)",
    "[length] ** 3 / [mass] / [time]": "volume rate per kg (e.g. mL/kg/min, mL/kg/h)",
    "[length] ** 3": "volume (e.g. mL)",
    "[length] ** 3 / [mass]": "volume per kg (e.g. mL/kg)",
    "[length] ** 3 / [time]": "flow (e.g. mL/h, mL/min)",
    "[mass] / [mass]": "dose per kg (e.g. g/kg)",
    "[time]": "time (e.g. min, year)",
}

#: Evidence tags of products.md / clinical-anchors.md, and what kind of source each is (label
#: audit 2026-12-01): READ-L label text (SmPC, PI), READ-mfr a manufacturer's web page that is not
#: the label, READ-3rd a third-party copy of the label, protocol a trial or hospital protocol,
#: secondary a secondary source (handbook, pharmacy page), READ another read source, calc
#: arithmetic on read figures, site a site's own figure. BELIEVED and NOT FOUND are never applied.
VERIFIED_EVIDENCE = frozenset(
    {"READ-L", "READ-mfr", "READ-3rd", "READ", "READ-partial", "protocol", "secondary", "calc", "site"}
)
UNVERIFIED_EVIDENCE = frozenset({"BELIEVED", "NOT FOUND"})


MAX_BYTES = 2_000_000
"""The bundled formulary is about 50 kB; a data file near 2 MB is not one of ours."""


def load(path: Path) -> dict[str, Any]:
    """The parsed TOML of ``path``, read only if it is a regular file within :data:`MAX_BYTES`."""
    return load_with_text(path)[1]


def load_with_text(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of ``path`` and its parsed TOML, from one read: what is checked is what is kept
    (a file read twice could change in between)."""
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except FileRefusedError as exc:
        raise DataError(str(path), "", "", str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(str(path), "", "", f"is not UTF-8 text (byte {exc.start})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(str(path), "", "", f"not valid TOML ({exc})") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        # e.g. a 5000-digit integer: longer than Python converts, and than any figure here
        raise DataError(str(path), "", "", f"holds a value that cannot be read ({exc})") from None


class Record:
    """One table of a data file, read field by field with typed, located errors."""

    def __init__(self, table: Any, source: str, record: str) -> None:
        if not isinstance(table, Mapping):
            raise DataError(source, record, "", "must be a table")
        self.table = table
        self.source = source
        self.record = record

    def error(self, field: str, message: str) -> DataError:
        return DataError(self.source, self.record, field, message)

    def only(self, *allowed: str) -> None:
        """Refuse fields this program does not read: a misspelt key must not be silently ignored."""
        extra = sorted(str(k) for k in self.table if k not in allowed)
        if extra:
            key = extra[0]
            raise self.error(
                printable(key[:60]),
                f"is not a field here{nearest(key, allowed)}; expected one of {', '.join(allowed)}",
            )

    def has(self, key: str) -> bool:
        return key in self.table

    def str(self, key: str, default: str | None = None) -> str:
        if key not in self.table and default is None:
            raise self.error(key, "is missing")
        value = self.table.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.error(key, "must be a non-empty text")
        bad = control_character(value)
        if bad is not None:
            raise self.error(key, f"holds an invisible control character ({bad}); retype the text without it")
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def int(self, key: str) -> int:
        value = self.table.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "must be a whole number")
        return value

    def number(self, key: str) -> float:
        value = self.table.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "must be a number")
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise self.error(key, "must be a finite number (this one has too many digits)") from None
        if not math.isfinite(number):
            raise self.error(key, "must be a finite number")
        return number

    def list(self, key: str, default: list[Any] | None = None) -> list[Any]:
        value = self.table.get(key, default)
        if not isinstance(value, list):
            raise self.error(key, "must be a list")
        return value

    def child(self, key: str, name: str | None = None) -> Record:
        if key not in self.table:
            raise self.error(key, "is missing")
        return Record(self.table[key], self.source, name or (f"{self.record}.{key}" if self.record else key))

    def evidence(self, key: str = "evidence") -> str:
        value = self.str(key)
        if value not in VERIFIED_EVIDENCE | UNVERIFIED_EVIDENCE:
            allowed = ", ".join(sorted(VERIFIED_EVIDENCE | UNVERIFIED_EVIDENCE))
            raise self.error(key, f"'{value}' is not an evidence tag ({allowed})")
        return value

    def quantity(self, key: str, dimension: str | tuple[str, ...], *, positive: bool = True) -> Quantity:
        """A ``{value = 3.3, unit = "mg/kg/min"}`` table, checked for dimension and sign."""
        sub = self.child(key, f"{self.record}.{key}")
        return sub.quantity_here(dimension, positive=positive, field=key)

    def quantity_here(
        self, dimension: str | tuple[str, ...], *, positive: bool = True, field: str = ""
    ) -> Quantity:
        """This table as a quantity of ``dimension`` (or of any one of several: a rate may be per
        mg or per mL). The unit is checked before the number, so a wrong sign is reported as a
        wrong sign and a wrong unit as a wrong unit."""
        dims = (dimension,) if isinstance(dimension, str) else dimension
        unit = self.str("unit")
        if not _UNIT_TEXT.match(unit.strip()):
            raise self.error(field or "unit", f"'{unit}' is not a unit expression")
        try:
            units = ureg.parse_units(unit)
        except Exception as exc:  # pint.UndefinedUnitError and friends
            raise self.error(field or "unit", f"unknown unit '{unit}'") from exc
        if not any(Q_(1, units).check(dim) for dim in dims):
            kinds = " or ".join(_DIMENSION_WORDS.get(dim, dim) for dim in dims)
            raise self.error(field or "unit", f"'{unit}' is not a unit of {kinds}")
        value = self.number("value")
        if positive and value <= 0:
            raise self.error(field or "value", f"must be greater than zero (got {value:g} {unit})")
        return Q_(value, units)
