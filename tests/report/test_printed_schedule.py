"""The printed schedule read back from the PDF: numbers against the engine, one day per page,
signature lines, page footer, paper sizes, CLI --format pdf and atomic writing."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import datetime, time
from pathlib import Path

import pypdf
import pytest

from ivig_desktop.engine import display as d
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.plan import Plan
from ivig_desktop.report.wording import compact
from tests.helpers import CLI_PLAN, patient, plan, run_cli
from tests.report.pdf_reading import is_sources, normalise

PRINTED = datetime(2026, 11, 24, 9, 30)


def _pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]


@pytest.fixture
def pdf(qapp):
    from ivig_desktop.report.printing import pdf_bytes

    def render(p: Plan, paper: str = "A4") -> bytes:
        return pdf_bytes(p, paper=paper, printed_at=PRINTED)

    return render


def test_pdf_has_an_embedded_font_and_real_text(pdf) -> None:
    data = pdf(plan("octagam-10", "itp"))
    assert data.startswith(b"%PDF")
    assert b"/BaseFont" in data and b"DejaVu" in data
    assert "IVIG infusion schedule" in _pages(data)[0]


@pytest.mark.parametrize(
    ("product", "indication", "days"), [("octagam-10", "itp", 2), ("privigen", "gbs", 5)]
)
def test_one_day_per_page_with_every_number_of_that_day(
    pdf, product: str, indication: str, days: int
) -> None:
    p = plan(product, indication, pt=patient(70, 175, age=50), risks=frozenset({"diabetes"}))
    pages = _pages(pdf(p))
    assert len(pages) == days + 1 == len(p.days) + 1  # each day, then the Sources page
    assert is_sources(pages[-1])
    for i, (text, day) in enumerate(zip(pages[:-1], p.days, strict=True), start=1):
        assert f"Day {i} of {days}" in text
        assert all(f"Day {j} of {days}" not in text for j in range(1, days + 1) if j != i)
        assert f"Page {i} of {days + 1}" in text
        assert "printed 2026-11-24 09:30" in text
        assert f"Give {d.fmt(day.dose, 'dose')}" in text
        assert d.fmt(day.volume, "volume") in text
        for step in day.schedule.steps:
            assert d.number(step.rate.m_as("mL/h"), 1) in text
            assert d.number(step.cumulative_volume.m_as("mL"), 1) in text
        lot_rows = sum(c.count for c in day.pick.counts)
        assert len(re.findall(r"vial \([\d,.]+ mL\), \d+ of \d+", text)) == lot_rows
        for who in ("Prepared by", "Independently checked by", "Administered by"):
            assert who in text
        assert "Lot number" in text and "Expiry" in text
        assert "Name:" in text and "MRN:" in text and "Date of birth:" in text
        assert p.dosing.policy.name in text
        assert p.formulary_revision in text
        for w in p.warnings:
            assert w.code in text
            assert " ".join(compact(w).split()[:6]) in text
    for w in p.warnings:  # in full, label wording included, on the Sources page
        assert normalise(f"{w.code}: {w.message}") in pages[-1]


def test_octagam_itp_rates_on_paper(pdf) -> None:
    text = _pages(pdf(plan("octagam-10", "itp", start=time(8, 0))))[0]
    for rate in ("42", "84", "168", "336", "504"):
        assert f" {rate} " in text
    assert "end 10:46" in text
    # Vital signs: before start, 15 min after, each increase, end, 30–60 min after.
    for when in (
        "Before start 08:00",
        "15 min after start 08:15",
        "Rate increase to 84 mL/h 08:30",
        "End of infusion 10:46",
        "30–60 min after the end 11:16–11:46",
    ):
        assert when in text


def test_a4_and_letter(pdf) -> None:
    p = plan("octagam-10", "itp")
    a4 = pypdf.PdfReader(io.BytesIO(pdf(p, "A4"))).pages[0].mediabox
    letter = pypdf.PdfReader(io.BytesIO(pdf(p, "Letter"))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_a_long_schedule_breaks_cleanly(pdf) -> None:
    p = plan("bivigam", "pid", dose="0.8 g/kg", pt=patient(150, 190, age=40))
    steps = p.days[0].schedule.steps
    assert len(steps) >= 8
    text = " ".join(_pages(pdf(p)))
    for step in steps:
        assert d.number(step.rate.m_as("mL/h"), 1) in text


def test_no_clock_prints_elapsed_times(pdf) -> None:
    text = _pages(pdf(plan("octagam-10", "itp", start=None)))[0]
    assert "+0:00" in text and "+0:30" in text


def test_write_pdf_failure_leaves_old_file_and_no_temp(qapp, tmp_path: Path, monkeypatch) -> None:
    from ivig_desktop.report.printing import write_pdf
    from ivig_desktop.store import files

    target = tmp_path / "s.pdf"
    target.write_bytes(b"old")

    def broken(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(InputError, match="output: cannot write"):
        write_pdf(plan("octagam-10", "itp"), target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.pdf"]


def _cli(*extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        *CLI_PLAN,
        "--start",
        "08:00",
        "--format",
        "pdf",
        *extra,
    ]
    return run_cli(args)


def test_cli_pdf_writes_a_valid_file(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    done = _cli("--output", str(out))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    pages = _pages(out.read_bytes())
    assert len(pages) == 3 and " 504 " in pages[0]


def test_cli_pdf_unwritable_output(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "s.pdf"
    done = _cli("--output", str(missing))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "output:" in done.stderr
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    done = _cli("--output", str(folder))
    assert done.returncode == 2 and "is a folder" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.pdf"]
    assert list(folder.iterdir()) == []


def test_preview_paints_offscreen(qtbot, tmp_path: Path) -> None:
    from ivig_desktop.store.history import History
    from ivig_desktop.ui.main_window import MainWindow
    from ivig_desktop.ui.preferences import Preferences

    w = MainWindow(Preferences(tmp_path / "p.ini"), History(tmp_path / "h.sqlite3"))
    qtbot.addWidget(w)
    pf, of = w.patient_form, w.order_form
    pf.weight.edit.setText("70")
    pf.height.edit.setText("175")
    pf.sex.setCurrentIndex(pf.sex.findData("male"))
    pf.age.edit.setText("50")
    of.indication.setCurrentIndex(of.indication.findData("itp"))
    of.product.setCurrentIndex(of.product.findData("octagam-10"))
    w.recompute()
    assert w.plan is not None
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    dlg = w.print_preview()
    preview = dlg.findChild(QPrintPreviewWidget)
    preview.updatePreview()
    # The preview holds the same layout as the PDF: one page per infusion day (2 for ITP), then Sources.
    qtbot.waitUntil(lambda: preview.pageCount() == 3, timeout=5000)
    dlg.close()
    assert w.export_pdf(tmp_path / "w.pdf")
    assert " 504 " in _pages((tmp_path / "w.pdf").read_bytes())[0]
    pf.weight.edit.setText("70 m")
    w.recompute()
    assert w.plan is None
    assert not w.export_pdf(tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    assert not any(a.isEnabled() for a in (w.preview_action, w.print_action, w.pdf_action))
