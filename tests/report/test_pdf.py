"""The PDF read back with pypdf: real text in the bundled font, one page per infusion day with its
own figures, the footer, paper sizes, clock and elapsed times, and long days."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path

import pytest

from ivig_desktop.engine import display as d
from ivig_desktop.engine.plan import Plan
from tests.helpers import patient, plan
from tests.report.pdf_reading import (
    ID_BLANKS,
    SIGNERS,
    first_words_everywhere,
    has_number,
    is_sources,
    normalise,
    page_sizes,
    pdf_pages,
    rates,
    sheets,
    vial_rows,
)

PRINTED = datetime(2026, 11, 24, 9, 30)
A4 = (595, 842)
LETTER = (612, 792)


@pytest.fixture
def render_pdf(qapp):
    from ivig_desktop.report.printing import pdf_bytes

    def render(p: Plan, paper: str = "A4", **kw: object) -> bytes:
        return pdf_bytes(p, paper=paper, printed_at=PRINTED, **kw)  # type: ignore[arg-type]

    return render


@pytest.fixture(scope="module")
def itp() -> Plan:
    return plan("octagam-10", "itp", start=time(8, 0))


def base_fonts(data: bytes) -> set[str]:
    return {m.decode() for m in re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/<>\[\]]+)", data)}


def test_a_real_pdf_with_the_dejavu_font_embedded(render_pdf, itp: Plan) -> None:
    data = render_pdf(itp)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/BaseFont" in data and b"DejaVu" in data
    assert b"/FontFile2" in data  # the TrueType program itself, not just a name to look up
    fonts = base_fonts(data)
    assert fonts and all(f.startswith("DejaVuSans") for f in fonts), fonts
    pages = pdf_pages(data)
    assert "IVIG infusion schedule" in pages[0]


def test_register_fonts_loads_the_bundled_files(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QFontDatabase

    from ivig_desktop import resources
    from ivig_desktop.report import printing

    loaded: list[str] = []
    families: list[list[str]] = []

    class Spy:
        @staticmethod
        def addApplicationFont(path: str) -> int:
            loaded.append(path)
            font_id = QFontDatabase.addApplicationFont(path)
            families.append(QFontDatabase.applicationFontFamilies(font_id))
            return font_id

    monkeypatch.setattr(printing, "_registered", None)
    monkeypatch.setattr(printing, "QFontDatabase", Spy)
    assert printing.register_fonts() == "DejaVu Sans"
    assert [Path(p) for p in loaded] == [
        resources.path("fonts/DejaVuSans.ttf"),
        resources.path("fonts/DejaVuSans-Bold.ttf"),
    ]
    assert all(Path(p).is_file() for p in loaded)
    assert families == [["DejaVu Sans"], ["DejaVu Sans"]]
    # Registered once: a second call does not load the files again.
    assert printing.register_fonts() == "DejaVu Sans"
    assert len(loaded) == 2


def test_a_missing_bundled_font_is_an_error_not_a_silent_fallback(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ivig_desktop.report import printing

    monkeypatch.setattr(printing, "_registered", None)
    monkeypatch.setattr(printing.resources, "path", lambda name: tmp_path / name)
    with pytest.raises(RuntimeError, match=r"DejaVuSans\.ttf"):
        printing.register_fonts()


@pytest.mark.parametrize(
    ("product", "indication", "days"), [("octagam-10", "itp", 2), ("privigen", "gbs", 5)]
)
def test_one_page_per_day_with_that_days_figures(
    render_pdf, product: str, indication: str, days: int
) -> None:
    p = plan(product, indication, start=time(8, 0))
    pages = pdf_pages(render_pdf(p))
    assert len(p.days) == days
    assert len(pages) == days + 1 and is_sources(pages[-1])  # each day, then the Sources
    for i, (text, day) in enumerate(zip(sheets(pages), p.days, strict=True), start=1):
        assert f"Day {i} of {days}" in text
        # Once in the page header, once in the sheet's title.
        assert [int(n) for n in re.findall(rf"Day (\d+) of {days}", text)] == [i, i]
        assert f"Page {i} of {days + 1}" in text
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(i), str(days + 1))]
        assert "printed 2026-11-24 09:30" in text
        assert f"Give {d.fmt(day.dose, 'dose')} (prescribed {d.fmt(day.prescribed, 'dose')})" in text
        assert d.fmt(day.volume, "volume") in text
        for rate in rates(day):
            assert has_number(text, rate), rate
        for row in vial_rows(day):
            assert row in text
        assert len(re.findall(r"vial \([\d,.]+ mL\), \d+ of \d+", text)) == len(vial_rows(day))
        assert first_words_everywhere(p, text) == []
        for words in (*SIGNERS, *ID_BLANKS, "Lot number", "Expiry"):
            assert words in text
        assert p.dosing.policy.name in text
        assert f"Dosing weight {d.fmt(p.dosing.weight, 'weight')}" in text
        assert f"Formulary {p.formulary_revision}" in text


def test_octagam_itp_numbers_on_paper(render_pdf, itp: Plan) -> None:
    for text in sheets(pdf_pages(render_pdf(itp))):
        for rate in ("42", "84", "168", "336", "504"):
            assert has_number(text, rate)
        assert "Give 70 g (prescribed 70 g) = 700 mL (10 mL/kg)" in text
        assert "Start 08:00, end 10:46 (2 h 46 min)" in text
        assert "10 g vial (100 mL), 1 of 1" in text
        assert "30 g vial (300 mL), 2 of 2" in text
        assert "maltose" in text and "Octagam 10 % contains maltose" in text
        for when in (
            "Before start 08:00",
            "15 min after start 08:15",
            "Rate increase to 84 mL/h 08:30",
            "Rate increase to 504 mL/h 10:00",
            "End of infusion 10:46",
            "30–60 min after the end 11:16–11:46",
        ):
            assert when in text


def test_warnings_of_a_risky_plan_on_every_page(render_pdf) -> None:
    p = plan(
        "privigen",
        "gbs",
        pt=patient(70, 175, age=50),
        risks=frozenset({"diabetes", "prior-thrombosis"}),
    )
    assert {w.code for w in p.warnings} >= {"thrombosis"}
    pages = pdf_pages(render_pdf(p))
    assert len(pages) == len(p.days) + 1 == 6
    for text in sheets(pages):
        assert first_words_everywhere(p, text) == []
    # The label's own wording is left to the Sources page, in full.
    renal = next(w for w in p.warnings if w.code == "renal")
    assert "Label: give the minimum dose" in renal.message
    assert all("Label: give the minimum dose" not in t for t in sheets(pages))
    assert normalise(renal.message) in pages[-1]


@pytest.mark.parametrize(("paper", "size"), [("A4", A4), ("Letter", LETTER)])
def test_paper_sizes(render_pdf, itp: Plan, paper: str, size: tuple[int, int]) -> None:
    data = render_pdf(itp, paper)
    assert page_sizes(data) == [size] * (len(itp.days) + 1)
    text = pdf_pages(data)[0]
    assert has_number(text, "504") and "Page 1 of 3" in text


def test_a4_and_letter_differ(render_pdf, itp: Plan) -> None:
    assert page_sizes(render_pdf(itp, "A4"))[0] != page_sizes(render_pdf(itp, "Letter"))[0]


def test_unknown_paper_is_refused(qapp, itp: Plan) -> None:
    from ivig_desktop.report.printing import pdf_bytes

    with pytest.raises(ValueError, match="A4, Letter"):
        pdf_bytes(itp, paper="A3")


def test_no_clock_prints_elapsed_times(render_pdf) -> None:
    p = plan("octagam-10", "itp", start=None)
    for text in sheets(pdf_pages(render_pdf(p))):
        assert "Start +0:00, end +2:46" in text
        assert "+0:00" in text and "+0:30" in text and "+2:00" in text
        assert "Before start +0:00" in text
        body = text.split("Page ")[0]  # the footer's print time is a clock time
        assert not re.search(r"\b\d\d:\d\d\b", body)


def test_twelve_hour_clock(render_pdf, itp: Plan) -> None:
    text = pdf_pages(render_pdf(itp, h12=True))[0]
    assert "Start 8:00 AM, end 10:46 AM" in text
    assert "Before start 8:00 AM" in text


def test_a_long_schedule_paginates_with_every_rate(render_pdf) -> None:
    # 0.9 g/kg × 110.4 kg = 99.4 g: nine 10 g vials under the fewest-vials rule (issue 12).
    p = plan("bivigam", "pid", dose="0.9 g/kg", pt=patient(150, 190, age=40))
    day = p.days[0]
    assert len(day.schedule.steps) >= 8 and len(vial_rows(day)) >= 9
    data = render_pdf(p)
    pages = pdf_pages(data)
    assert len(pages) >= len(p.days)
    everything = " ".join(pages)
    for rate in rates(day):
        assert has_number(everything, rate), rate
    for row in vial_rows(day):
        assert row in everything
    n = len(pages)
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in text


LONG_DAYS = [
    pytest.param(
        ("bivigam", "pid"),
        {"dose": "0.8 g/kg", "pt": patient(150, 190, age=40)},
        "A4",
        id="bivigam-150kg-A4",
    ),
    pytest.param(
        # The README's own example (72 y woman, CrCl, diabetes and heart failure) on Letter paper.
        ("octagam-10", "itp"),
        {
            "pt": patient(80, 170, sex="female", age=72, scr=1.3),
            "risks": frozenset({"diabetes", "heart-failure"}),
        },
        "Letter",
        id="readme-example-Letter",
    ),
]


@pytest.mark.parametrize(("what", "kw", "paper"), LONG_DAYS)
def test_every_printed_page_identifies_patient_and_day(render_pdf, what, kw, paper: str) -> None:
    """A page that comes loose from the others must still say whose it is and which day: each
    page carries the identification blanks and its day heading, and a day's three signature
    lines are never split across pages."""
    p = plan(*what, **kw)
    pages = pdf_pages(render_pdf(p, paper))
    n = len(p.days)
    for i, text in enumerate(pages, start=1):
        for blank in ID_BLANKS:
            assert blank in text, f"page {i} of {len(pages)} has no '{blank}': {text[:160]!r}"
        assert re.search(rf"Day \d+ of {n}", text) or is_sources(text), f"page {i} has no day heading"
    for who in SIGNERS:
        on = [i for i, t in enumerate(pages, start=1) if who in t]
        assert len(on) == n, f"'{who}' on pages {on}, expected once per day"
    per_page = [sum(who in t for who in SIGNERS) for t in pages]
    assert all(k in (0, len(SIGNERS)) for k in per_page), f"signature lines per page: {per_page}"


def test_write_pdf_writes_what_pdf_bytes_renders(qapp, tmp_path: Path, itp: Plan) -> None:
    from ivig_desktop.report.printing import pdf_bytes, write_pdf

    target = tmp_path / "s.pdf"
    write_pdf(itp, target, paper="Letter", printed_at=PRINTED)
    written = target.read_bytes()
    assert written.startswith(b"%PDF")
    assert pdf_pages(written) == pdf_pages(pdf_bytes(itp, paper="Letter", printed_at=PRINTED))
    assert page_sizes(written) == [LETTER] * 3
    assert [p.name for p in tmp_path.iterdir()] == ["s.pdf"]
    # Replacing an existing file keeps no old bytes and no temporary file.
    write_pdf(plan("privigen", "gbs"), target, printed_at=PRINTED)
    assert len(pdf_pages(target.read_bytes())) == 6
    assert [p.name for p in tmp_path.iterdir()] == ["s.pdf"]
