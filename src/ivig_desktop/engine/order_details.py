"""The people and facts of an order that the sheet at the chair prints but no figure depends on.

First-infusion date, patient identity (name, MRN, date of birth), prescriber, allergies,
premedication, the date the weight was taken and the infusion site. Every field is optional:
what is not entered prints as a blank line for the nurse to fill in, never as a guess.

Name, MRN and date of birth are personal data; they are kept in a plan file and in the history
only when entered (see the README). Text is plain: trimmed, one line, bounded in length, no
control characters, so it prints as it was typed. Dates are ``YYYY-MM-DD`` and nothing else:
``03/04/2026`` is two different days in two countries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date

from ivig_desktop.engine.errors import InputError

#: Longest accepted text per field (characters): long enough for real entries, short enough for
#: the printed line. Layout limits, not clinical figures.
MAX_CHARS: dict[str, int] = {
    "patient name": 100,
    "MRN": 40,
    "prescriber": 100,
    "allergies": 300,
    "premedication": 300,
    "infusion site": 100,
}

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse_date(text: str | None, field: str) -> date | None:
    """A calendar date typed as ``YYYY-MM-DD``; empty is None. Anything else is refused."""
    s = (text or "").strip()
    if not s:
        return None
    m = _ISO_DATE.fullmatch(s)
    if not m:
        raise InputError(field, f"'{s}' is not a date as YYYY-MM-DD (for example 2026-12-01)")
    try:
        value = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InputError(field, f"'{s}' is not a day of the calendar") from None
    if value.year < 1900:
        raise InputError(field, f"'{s}' is before 1900; check the year")
    return value


def clean_text(text: str | None, field: str) -> str | None:
    """One line of plain text, trimmed and with inner runs of spaces kept single; empty is None."""
    if text is None:
        return None
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co")), None)
    if bad is not None and bad not in " \t":
        raise InputError(
            field, f"holds a control character (U+{ord(bad):04X}); type it again as one line of text"
        )
    s = " ".join(text.split())
    if not s:
        return None
    limit = MAX_CHARS[field]
    if len(s) > limit:
        raise InputError(field, f"is {len(s)} characters long; at most {limit} fit on the sheet")
    return s


def long_date(value: date) -> str:
    """ "Tuesday 1 December 2026": English names whatever the machine's locale, never 01/12."""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def short_date(value: date) -> str:
    """ "Tue 1 Dec 2026", for a line where the long form does not fit."""
    return f"{_WEEKDAYS[value.weekday()][:3]} {value.day} {_MONTHS[value.month - 1][:3]} {value.year}"


@dataclass(frozen=True, slots=True)
class OrderDetails:
    """What the order says beyond the figures. None everywhere: nothing entered."""

    first_date: date | None = None
    """Date of the first infusion day; day N is N − 1 days later. None: an undated plan."""
    patient_name: str | None = None
    mrn: str | None = None
    date_of_birth: date | None = None
    prescriber: str | None = None
    allergies: str | None = None
    premedication: str | None = None
    """Premedication ordered, as written (drug and dose); the sheet adds time-given blanks."""
    weight_date: date | None = None
    """When the weight used for dosing was measured."""
    infusion_site: str | None = None

    def __post_init__(self) -> None:
        for name, label in _TEXT_FIELDS.items():
            value = getattr(self, name)
            if value is not None and clean_text(value, label) != value:
                raise InputError(label, "must be trimmed, one-line text (use OrderDetails.parse)")
        for name in ("first_date", "date_of_birth", "weight_date"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                raise InputError(_DATE_FIELDS[name], "must be a date")
        dob = self.date_of_birth
        if dob is not None:
            for later, label in ((self.first_date, "first infusion date"), (self.weight_date, "weight date")):
                if later is not None and later < dob:
                    raise InputError("date of birth", f"{dob.isoformat()} is after the {label}")

    @classmethod
    def parse(cls, **typed: str | None) -> OrderDetails:
        """From typed text, keyed by field name (first_date, patient_name, ...); names the bad field."""
        unknown = sorted(set(typed) - {f.name for f in fields(cls)})
        if unknown:
            raise InputError("order details", f"'{unknown[0]}' is not an order detail")
        values: dict[str, object] = {}
        for name, text in typed.items():
            if name in _DATE_FIELDS:
                values[name] = parse_date(text, _DATE_FIELDS[name])
            else:
                values[name] = clean_text(text, _TEXT_FIELDS[name])
        return cls(**values)  # type: ignore[arg-type]

    def as_text(self) -> dict[str, str]:
        """Only the fields entered, as text (dates ISO): what a plan file or the history keeps."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value.isoformat() if isinstance(value, date) else value
        return out

    @property
    def identified(self) -> bool:
        """True when any personal identifier (name, MRN, date of birth) was entered."""
        return any(v is not None for v in (self.patient_name, self.mrn, self.date_of_birth))


_TEXT_FIELDS = {
    "patient_name": "patient name",
    "mrn": "MRN",
    "prescriber": "prescriber",
    "allergies": "allergies",
    "premedication": "premedication",
    "infusion_site": "infusion site",
}
_DATE_FIELDS = {
    "first_date": "date",
    "date_of_birth": "date of birth",
    "weight_date": "weight date",
}
#: Each field's name as errors and labels say it ("date" is the first-infusion date, --date).
LABELS: dict[str, str] = {**_DATE_FIELDS, **_TEXT_FIELDS}
#: The personal identifiers among the details (README: where they are stored).
PERSONAL = ("patient_name", "mrn", "date_of_birth")
