"""`plan --format pdf --output FILE`: a real PDF and nothing on stdout; a bad output path exits 2
with one line naming "output", leaving no file, no temporary file and no export in the history;
an interrupted write keeps the old file."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.store.history import History
from tests.helpers import CLI_PLAN, plan, run_cli
from tests.report.pdf_reading import has_number, is_sources, page_sizes, pdf_pages, sheets

TEMP = re.compile(r"^\.s\.pdf\..*\.tmp$")


def run(*extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli([*CLI_PLAN, "--start", "08:00", *extra])


def exports() -> list[tuple[str, str]]:
    """(action, label) of every export recorded in the history the subprocess used."""
    history = History()
    if not history.path.exists():
        return []
    return [(e.action, e.label) for e in history.search() if e.action == "export-pdf"]


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and done.stderr.endswith("\n"), done.stderr
    assert lines[0].startswith("ivig-desktop: error: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_pdf_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    done = run("--format", "pdf", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == ""
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"DejaVu" in data
    pages = pdf_pages(data)
    # Two days (ITP 2 g/kg over 2 days), then the Sources page with the full label wording.
    assert len(pages) == 3 and is_sources(pages[2])
    assert page_sizes(data) == [(595, 842)] * 3
    for i, text in enumerate(sheets(pages), start=1):
        assert f"Day {i} of 2" in text and f"Page {i} of 3" in text
        for rate in ("42", "84", "168", "336", "504"):
            assert has_number(text, rate)
        assert "Give 70 g" in text and "Start 08:00, end 10:46" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.pdf"]
    assert exports() == [("export-pdf", str(out.resolve()))]


def test_pdf_on_letter_paper(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    done = run("--format", "pdf", "--output", str(out), "--paper", "Letter")
    assert (done.returncode, done.stdout) == (0, "")
    assert page_sizes(out.read_bytes()) == [(612, 792)] * 3


def test_pdf_replaces_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    out.write_bytes(b"old")
    done = run("--format", "pdf", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.pdf"]


def test_pdf_needs_an_output_file(tmp_path: Path) -> None:
    done = run("--format", "pdf")
    line = one_error_line(done)
    assert "output" in line
    assert exports() == []


def test_bad_paper_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    line = one_error_line(run("--format", "pdf", "--output", str(out), "--paper", "A3"))
    assert "paper" in line
    assert not out.exists()


def test_output_in_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "s.pdf"
    line = one_error_line(run("--format", "pdf", "--output", str(out)))
    assert "output" in line and "does not exist" in line
    assert list(tmp_path.iterdir()) == []


def test_output_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "s.pdf"
    folder.mkdir()
    line = one_error_line(run("--format", "pdf", "--output", str(folder)))
    assert "output" in line and "is a folder" in line
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["s.pdf"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_output_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        line = one_error_line(run("--format", "pdf", "--output", str(folder / "s.pdf")))
        assert "output" in line and "cannot write" in line
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("where", ["missing-folder", "is-a-folder"])
def test_a_pdf_that_was_not_written_is_not_recorded_as_exported(tmp_path: Path, where: str) -> None:
    """The history is the record of what was printed and exported: a failed export is not one."""
    target = tmp_path / "missing" / "s.pdf" if where == "missing-folder" else tmp_path / "s.pdf"
    if where == "is-a-folder":
        target.mkdir()
    done = run("--format", "pdf", "--output", str(target))
    assert done.returncode == 2
    assert not target.is_file()
    assert exports() == [], "history records an export-pdf for a PDF that was never written"


# -- in process: an interrupted write -------------------------------------------------------------


FD_DIR = Path("/proc/self/fd")


def open_in(folder: Path) -> list[int]:
    """This process's open descriptors on files in ``folder`` (deleted ones included)."""
    out = []
    for name in os.listdir(FD_DIR):
        try:
            target = os.readlink(FD_DIR / name)
        except OSError:
            continue  # the descriptor listing the folder itself, already closed
        if target.startswith(f"{folder}{os.sep}"):
            out.append(int(name))
    return out


@pytest.mark.parametrize("fails", ["replace", "fsync", "chmod"])
def test_an_interrupted_write_keeps_the_old_file(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    from ivig_desktop.report.printing import write_pdf
    from ivig_desktop.store import files

    p = plan("octagam-10", "itp")
    target = tmp_path / "s.pdf"
    target.write_bytes(b"old")
    write_pdf(p, tmp_path / "warm.pdf", printed_at=datetime(2026, 11, 24))  # Qt fonts loaded first
    (tmp_path / "warm.pdf").unlink()
    calls: list[str] = []

    def broken(*_a: object, **_k: object) -> None:
        calls.append(fails)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, fails, broken)
    with pytest.raises(InputError) as caught:
        write_pdf(p, target, printed_at=datetime(2026, 11, 24))
    monkeypatch.undo()
    assert calls == [fails]
    assert caught.value.field == "output"
    assert "No space left on device" in str(caught.value)
    assert target.read_bytes() == b"old"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["s.pdf"]
    assert not any(TEMP.match(x.name) for x in tmp_path.iterdir())
    if FD_DIR.is_dir():
        leaked = open_in(tmp_path)
        for fd in leaked:
            os.close(fd)  # tidy up before failing, so later tests do not inherit it
        assert leaked == [], "the temporary file's descriptor was left open"
