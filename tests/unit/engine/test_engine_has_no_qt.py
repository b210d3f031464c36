"""The engine is pure Python: importing it must not pull in Qt, and no engine file imports it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import ivig_desktop.engine

ENGINE = Path(ivig_desktop.engine.__file__).parent
REPO = ENGINE.parent.parent
_QT_IMPORT = re.compile(
    r"^\s*(from|import)\s+(PySide6|PyQt5|PyQt6|shiboken6|ivig_desktop\.ui)\b", re.MULTILINE
)


def test_importing_the_plan_loads_no_pyside6() -> None:
    code = (
        "import ivig_desktop.engine.plan, sys; "
        "assert not any(m.startswith('PySide6') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('PySide6'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_check_itself_can_fail() -> None:
    # The same assertion fails once a PySide6 module is loaded, so the test above is not vacuous.
    code = (
        "import sys, types; sys.modules['PySide6.QtCore'] = types.ModuleType('PySide6.QtCore'); "
        "assert not any(m.startswith('PySide6') for m in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0


def test_no_engine_source_imports_qt() -> None:
    sources = sorted(ENGINE.glob("*.py"))
    assert len(sources) >= 12  # units, quantities, patient, …, plan
    offenders = [p.name for p in sources if _QT_IMPORT.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    # The pattern does find a Qt import where there is one.
    assert _QT_IMPORT.search("from PySide6.QtWidgets import QApplication\n")
    assert _QT_IMPORT.search("    import PySide6\n")
