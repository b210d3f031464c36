"""The installed console script, run as a user runs it: from a folder outside the checkout.

These start the ``ivig-desktop`` that pip put in the virtual environment's scripts folder, with
the working directory set to a temporary folder, so nothing can come from the checkout: not the
code, not the data files, not a relative path. CI runs them against the wheel it installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

import ivig_desktop
from tests.helpers import CLI_PLAN
from tests.report.pdf_reading import pdf_pages

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sysconfig.get_path("scripts")) / ("ivig-desktop.exe" if os.name == "nt" else "ivig-desktop")
STILL_RUNNING_AFTER_S = 5


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working folder with no path into the checkout, and private user folders."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    (tmp_path / "home").mkdir()
    assert not work.resolve().is_relative_to(REPO)
    return work


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "share"),
        IVIG_DESKTOP_DATA_DIR=str(tmp_path / "ivig-data"),
        QT_QPA_PLATFORM="offscreen",
    )
    env.update(extra)
    return env


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=env or _env(cwd.parent),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_console_script_is_installed() -> None:
    assert SCRIPT.is_file(), f"pip did not install the console script at {SCRIPT}"


def test_version_names_the_program_and_its_data(outside: Path) -> None:
    done = _run(outside, "--version")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == f"ivig-desktop {ivig_desktop.__version__}"
    assert second.startswith("formulary ") and "regimens " in second and "site settings " in second
    assert done.stderr == ""


def test_products_and_indications(outside: Path) -> None:
    products = _run(outside, "products")
    assert products.returncode == 0, products.stderr
    assert products.stdout.startswith("Formulary ")
    assert "privigen" in products.stdout and "octagam-10" in products.stdout
    indications = _run(outside, "indications")
    assert indications.returncode == 0, indications.stderr
    assert "itp" in indications.stdout and "Kawasaki disease" in indications.stdout


def test_help_lists_the_commands(outside: Path) -> None:
    done = _run(outside, "help")
    assert done.returncode == 0, done.stderr
    for command in ("plan", "products", "indications", "help"):
        assert command in done.stdout
    plan_help = _run(outside, "help", "plan")
    assert plan_help.returncode == 0 and "--weight" in plan_help.stdout


def test_plan_text_json_and_pdf(outside: Path) -> None:
    args = [*CLI_PLAN, "--start", "08:00"]
    text = _run(outside, *args)
    assert text.returncode == 0, text.stderr
    assert "DAY 1 of " in text.stdout and "mL/h" in text.stdout

    js = _run(outside, *args, "--format", "json")
    assert js.returncode == 0, js.stderr
    doc = json.loads(js.stdout)
    assert doc["product"]["id"] == CLI_PLAN[CLI_PLAN.index("--product") + 1]
    assert doc["days"][0]["steps"]

    pdf = outside / "schedule.pdf"
    done = _run(outside, *args, "--format", "pdf", "--output", "schedule.pdf")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    pages = pdf_pages(pdf.read_bytes())
    assert len(pages) == len(doc["days"]) + 1  # each day, then the Sources page
    assert "Day 1 of " in pages[0] and "Sources (all days)" in pages[-1]


@pytest.mark.parametrize("word", ["plna", "--verison", "Plan", "window"])
def test_an_unknown_first_word_is_a_usage_error_not_the_window(outside: Path, word: str) -> None:
    # Offscreen, a window would run until killed; a usage error ends at once with status 2.
    done = _run(outside, word)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert f"'{word}' is not a command" in lines[0] and "plan, products, indications" in lines[0]


def _start_window(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _still_running_then_end(proc: subprocess.Popen[str]) -> str:
    """Assert the window process is alive after a few seconds, end it, return its stderr."""
    deadline = time.monotonic() + STILL_RUNNING_AFTER_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the window exited with {proc.returncode}: {proc.communicate()[1]}"
        time.sleep(0.2)
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


def test_the_window_starts_and_keeps_running(outside: Path) -> None:
    proc = _start_window(outside, env=_env(outside.parent))
    err = _still_running_then_end(proc)
    assert "Traceback" not in err


def _recent_files_mention(config: Path, name: str) -> bool:
    files = config.rglob("ivig_desktop.*")
    return any(name in f.read_text(encoding="utf-8", errors="replace") for f in files)


def test_a_plan_file_on_the_command_line_opens_in_the_window(outside: Path) -> None:
    env = _env(outside.parent)
    saved = _run(outside, *CLI_PLAN, "--save", "saved.ivig", env=env)
    assert saved.returncode == 0, saved.stderr
    config = Path(env["XDG_CONFIG_HOME"])
    proc = _start_window(outside, "saved.ivig", env=env)
    # Opening a plan puts it at the top of the recent files (Qt settings under XDG_CONFIG_HOME).
    # Wait for that (a loaded machine can take many seconds to start Qt), never for a fixed time.
    deadline = time.monotonic() + 120
    while not _recent_files_mention(config, "saved.ivig"):
        assert proc.poll() is None, f"the window exited with {proc.returncode}: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, "the plan file was not opened within 120 s"
        time.sleep(0.2)
    err = _still_running_then_end(proc)
    assert "Traceback" not in err


def test_a_missing_plan_file_is_refused_in_one_line(outside: Path) -> None:
    done = _run(outside, "nowhere.ivig")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "ivig-desktop: error: plan file 'nowhere.ivig' does not exist or is not a file"
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
def test_no_display_is_one_line_with_the_way_out(outside: Path) -> None:
    env = _env(outside.parent)
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    done = _run(outside, env=env)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "no display" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
