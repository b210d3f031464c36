"""Reading a printed schedule back: PDF text per page, normalised, and the plans the tests print."""

from __future__ import annotations

import io
import re
import unicodedata

import pypdf

from ivig_desktop.engine import display as d
from ivig_desktop.engine.plan import DayPlan, Plan

SIGNERS = ("Prepared by", "Independently checked by", "Administered by")
ID_BLANKS = ("Name:", "MRN:", "Date of birth:")
SOURCES_TITLE = "Sources: full warning and label wording, for all days"


def is_sources(text: str) -> bool:
    """The Sources page that closes every printout (its header says so instead of a day)."""
    return "Sources (all days)" in text and SOURCES_TITLE in text


def sheets(pages: list[str]) -> list[str]:
    """The day sheets of a printout: every page but the Sources page at the end."""
    assert pages and is_sources(pages[-1]), "a printout ends with its Sources page"
    return [t for t in pages if "Sources (all days)" not in t]


def normalise(text: str) -> str:
    """NFKC (ligatures such as "ﬀ" → "ff", "²" → "2") and single spaces between words."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [normalise(page.extract_text()) for page in reader.pages]


def page_sizes(data: bytes) -> list[tuple[int, int]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]


def rates(day: DayPlan) -> list[str]:
    """Every pump rate of the day as printed (mL/h, up to 1 decimal)."""
    return [d.number(s.rate.m_as("mL/h"), 1) for s in day.schedule.steps]


def vial_rows(day: DayPlan) -> list[str]:
    """One pick-list row per physical vial: "10 g vial (100 mL), 1 of 2"."""
    return [
        f"{d.fmt(c.vial.size, 'dose')} vial ({d.fmt(c.vial.volume, 'volume')}), {n} of {c.count}"
        for c in day.pick.counts
        for n in range(1, c.count + 1)
    ]


def has_number(text: str, number: str) -> bool:
    """``number`` as a whole token (so "84" is not found inside "184" or "8.4")."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", text) is not None


def warning_start(message: str, words: int = 6) -> str:
    return normalise(" ".join(message.split()[:words]))


def first_words_everywhere(plan: Plan, text: str) -> list[str]:
    """Warnings whose code or opening words (as the sheet words them) are missing from ``text``."""
    from ivig_desktop.report.wording import compact

    return [w.code for w in plan.warnings if w.code not in text or warning_start(compact(w)) not in text]
