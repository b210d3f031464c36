"""How the command line refuses bad input: exit status 2 and one line on stderr per bad field,
each naming the field, the option that sets it and the way out; nothing on stdout, no traceback.

Every command reads its options through :class:`Collect`, so all bad fields are reported at once
rather than one per run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.text import printable

PROG = "ivig-desktop"
#: Options that name a file.
PATHS = ("output", "input", "save", "formulary", "settings")

#: The option that sets each field the engine names, for the line that says how to fix it.
OPTION = {
    "weight": "--weight",
    "height": "--height",
    "sex": "--sex",
    "age": "--age",
    "serum creatinine": "--scr",
    "pregnant": "--pregnant",
    "pre-pregnancy weight": "--pre-pregnancy-weight",
    "indication": "--indication",
    "dose": "--dose",
    "days": "--days",
    "product": "--product",
    "weight policy": "--weight-policy",
    "risk": "--risk",
    "start low": "--first-infusion, --over-8-weeks, --product-switch",
    "max-rate": "--max-rate",
    "start": "--start",
    "override": "--override KIND REASON",
    "override reason": "--override KIND REASON",
    "format": "--format",
    "paper": "--paper",
    "output": "--output",
    "plan file": "--save",
    **{name: f"--{name}" for name in PATHS},
}


class UsageError(Exception):
    """argparse's complaint, raised instead of printed so main() controls the one line."""


class BadFieldsError(Exception):
    """Several bad fields at once: one line each."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def line(exc: InputError, option: str | None = None) -> str:
    """'field: message [--option, the way out]'."""
    where = option or OPTION.get(exc.field)
    way = _way_out(exc)
    hint = ", ".join(h for h in (where, way) if h)
    return f"{exc.field}: {exc.message}" + (f" [{hint}]" if hint else "")


def _way_out(exc: InputError) -> str:
    """The option that gets past a refusal the engine decided (not a typing slip)."""
    if exc.field == "pre-pregnancy weight" and "is required" in exc.message:
        return "or --weight-policy actual"
    if exc.field == "dose" and "override" in exc.message:
        return "or --override dose-limit REASON"
    if exc.field == "weight policy" and "ideal body weight" in exc.message:
        return "--weight-policy actual"
    return ""


class Collect:
    """Reads every option, keeping each refusal, so all bad fields are reported at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def take(self, option: str, fn: Callable[..., Any], *args: Any) -> Any:
        if args and args[0] is None:  # not given: a missing required option is reported once, apart
            return None
        try:
            return fn(*args)
        except InputError as exc:
            self.lines.append(line(exc, option))
            return None


def fail(message: str) -> int:
    """One line on stderr; exit status 2."""
    # No control character reaches the terminal: an escape sequence in a file name or a typed
    # value is shown as \x1b, never sent.
    sys.stderr.write(f"{PROG}: error: {printable(' '.join(message.split()))}\n")
    return 2


def refuse_empty_database(database: str | None, bad: Collect) -> bool:
    """An empty --database is refused (it would quietly mean the workstation's own file); True
    when it was."""
    if database is not None and not database.strip():
        bad.lines.append("database: is empty; give a URL or leave --database out [--database]")
        return True
    return False
