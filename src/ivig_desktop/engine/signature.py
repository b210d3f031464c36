"""Who prepared and who checked a plan: names as typed, and the signature of a matched check.

Plain data (no pint, no files): the plan carries its signature (``Plan.check``) so the text
plan, the printout and the window show it; store.signed_check makes, writes and verifies it.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime

from ivig_desktop.engine.errors import InputError

MAX_NAME = 100
"""Longest preparer or checker name accepted (a name or initials, not a note)."""


def workstation_user() -> str:
    """The default name of the preparer and of the checker: the workstation login ("" if none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def clean_name(text: str | None, field: str) -> str:
    """A person's name as typed: spaces collapsed; empty or over-long refused, naming the field."""
    name = " ".join((text or "").split())
    if not name:
        raise InputError(field, "is empty; type the clinician's name or initials")
    if len(name) > MAX_NAME:
        raise InputError(field, f"is {len(name)} characters; at most {MAX_NAME}")
    if not name.isprintable():
        raise InputError(field, "holds a control character")
    return name


@dataclass(frozen=True, slots=True)
class SignedCheck:
    """A matched check, signed: who checked whose plan, when, against which data; the
    fingerprint ties it to the plan checked (store.signed_check makes and verifies it)."""

    checked_by: str
    prepared_by: str
    checked_at: datetime
    formulary_revision: str
    settings_revision: str
    fingerprint: str

    def to_dict(self) -> dict[str, str]:
        return {
            "result": "match",
            "checked_by": self.checked_by,
            "prepared_by": self.prepared_by,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "formulary_revision": self.formulary_revision,
            "settings_revision": self.settings_revision,
            "fingerprint": self.fingerprint,
        }

    @property
    def when(self) -> str:
        return self.checked_at.strftime("%Y-%m-%d %H:%M")

    def sentence(self) -> str:
        return (
            f"Independently checked by {self.checked_by} on {self.when} "
            f"(prepared by {self.prepared_by}; formulary {self.formulary_revision})"
        )
