"""Errors the engine reports to people: each names the field and says what was wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TypeVar

_V = TypeVar("_V")


class InputError(ValueError):
    """A value a user typed (or a file supplied) that the engine will not guess around."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DataError(ValueError):
    """A formulary, regimen or settings file that is malformed; names file, record and field."""

    def __init__(self, source: str, record: str, field: str, message: str) -> None:
        where = " ".join(p for p in (source, f"[{record}]" if record else "", field) if p)
        super().__init__(f"{where}: {message}")
        self.source = source
        self.record = record
        self.field = field
        self.message = message


def lookup(table: Mapping[str, _V], key: str, field: str, what: str) -> _V:
    """``table[key]``, or an InputError naming ``field`` and listing what would be accepted."""
    try:
        return table[key]
    except KeyError:
        raise InputError(field, f"'{key}' is not {what} ({', '.join(table)})") from None


def nearest(word: str, known: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the known name closest to a misspelt ``word``, else ""."""
    match = difflib.get_close_matches(word[:100], sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
