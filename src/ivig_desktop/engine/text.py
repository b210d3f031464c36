"""Text read from files and typed by people: control characters found, and shown harmlessly.

A name, reason or key from a file may end up on a terminal, a printout or in a message. An
ANSI escape sequence there would repaint the terminal, a right-to-left override would show a
reason reversed and a zero-width character would make two different names look the same.
"""

from __future__ import annotations

import unicodedata

_ALLOWED_CONTROLS = frozenset("\t\n")


def control_character(text: str) -> str | None:
    """ "U+001B" for the first control or invisible formatting character of ``text``, else None.

    An escape sequence in a product name would repaint a terminal, and a right-to-left override
    would show a reason reversed; neither belongs in a figure's name or reason.
    """
    for ch in text:
        if ch in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            return f"U+{ord(ch):04X}"
    return None


def printable(text: str) -> str:
    """``text`` with every control or formatting character shown as its code (\\x1b, \\u202e), so a
    message never carries one to a terminal."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
