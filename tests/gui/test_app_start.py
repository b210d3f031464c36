"""The application starts in a process of its own (one QApplication per process) and exits cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_START = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import ivig_desktop.ui.app as app_module

seen = {}
real_window = app_module.MainWindow

class Probe(real_window):
    # The real window, reporting what it shows once its first recompute has run.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_changed.connect(self.report_and_quit)
        QTimer.singleShot(60000, lambda: QApplication.instance().exit(3))  # never hang the suite

    def report_and_quit(self):
        app = QApplication.instance()
        if not seen:
            seen.update(
                visible=self.isVisible(),
                title=self.windowTitle(),
                status=self.status.text(),
                app_name=app.applicationName(),
                platform=app.platformName(),
            )
        QTimer.singleShot(0, app.quit)

app_module.MainWindow = Probe
code = app_module.main([])
print(json.dumps(seen))
sys.exit(code)
"""

_WINDOW = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences
from ivig_desktop.store.history import History

app = QApplication(sys.argv[:1])
folder = Path(sys.argv[1])
w = MainWindow(Preferences(folder / "prefs.ini"), History(folder / "history.sqlite3"))
w.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""


def _env(tmp_path: Path) -> dict[str, str]:
    """Offscreen, and any user-scope settings or data land in tmp_path, never the real ones."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        IVIG_DESKTOP_DATA_DIR=str(tmp_path / "ivig-data"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    (tmp_path / "home").mkdir()
    return env


def _run(code: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_app_main_starts_shows_the_window_and_exits_0(tmp_path):
    out = _run(_START, tmp_path)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["visible"] is True
    # The title names the document and the program (issue 13: file name and unsaved marker).
    assert seen["title"] == "Untitled plan[*] — IVIG infusion planner"
    assert "No plan" in seen["status"]
    assert seen["app_name"] == "ivig_desktop"
    assert seen["platform"] == "offscreen"
    assert "Traceback" not in out.stderr


def test_window_with_private_preferences_starts_and_exits_0(tmp_path):
    out = _run(_WINDOW, tmp_path, str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    # No preference is written until the user saves some; only where the window was left is
    # remembered on closing (issue 13: geometry remembered).
    written = (tmp_path / "prefs.ini").read_text() if (tmp_path / "prefs.ini").exists() else ""
    keys = {line.split("=", 1)[0] for line in written.splitlines() if "=" in line}
    assert keys <= {"window_geometry"}


_LONG_SESSION = """
import sys
from pathlib import Path
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences

app = QApplication(sys.argv[:1])
w = MainWindow(Preferences(Path(sys.argv[1]) / "prefs.ini"))
w.show()
QTest.qWaitForWindowExposed(w)
pf, of = w.patient_form, w.order_form
pf.weight.edit.setText("80")
pf.height.edit.setText("170")
pf.sex.setCurrentIndex(pf.sex.findData("female"))
pf.age.edit.setText("78")
of.indication.setCurrentIndex(of.indication.findData("itp"))
of.product.setCurrentIndex(of.product.findData("octagam-5"))
w.recompute()
assert w.plan is not None
for i in range(int(sys.argv[2])):
    pf.weight.edit.setText("81" if i % 2 else "80")  # one keystroke's worth of change
    w.recompute()
    assert w.plan is not None
print("survived")
"""


def test_long_editing_session_does_not_crash(tmp_path):
    """600 edits, each recomputed, as in a few minutes of typing: the process must not abort.

    PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a Qt method that
    returns nothing (about 100 per recompute); None's count then reaches zero and CPython aborts
    with "Fatal Python error: none_dealloc" (SIGABRT) after roughly 130 recomputes.
    """
    out = _run(_LONG_SESSION, tmp_path, str(tmp_path), "600")
    assert "none_dealloc" not in out.stderr, out.stderr[-2000:]
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("survived")


def test_qt_calls_returning_nothing_keep_none_alive(qapp):
    """The cause of the crash above, in one process: a void Qt call must not consume a None reference."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    lost = before - sys.getrefcount(None)
    assert lost < 100, f"{lost} references to None lost over 2000 QLabel.setText calls"


_PAINT_ORDER = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences

events = []
real_recompute = MainWindow.recompute


def recompute(self):
    events.append("recompute")
    real_recompute(self)


MainWindow.recompute = recompute


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "paint" not in events:
            events.append("paint")
            events.append("pint loaded" if "pint" in sys.modules else "pint not loaded")
        return False


app = QApplication(sys.argv[:1])
w = MainWindow(Preferences(Path(sys.argv[1]) / "prefs.ini"))
loaded_before_show = "pint" in sys.modules
probe = FirstPaint()
w.installEventFilter(probe)
w.show()
for _ in range(1_000_000):
    if "paint" in events and "recompute" in events:
        break
    app.processEvents()
print(json.dumps({"events": events, "loaded_before_show": loaded_before_show}))
"""


def test_window_paints_before_the_unit_system_loads(tmp_path):
    """The first frame must not wait for pint and the data files: they load on the first
    recompute, which must come after the first paint (main_window.py: "First recompute (which
    loads the engine) right after the window is first shown")."""
    out = _run(_PAINT_ORDER, tmp_path, str(tmp_path))
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded_before_show"] is False
    events = seen["events"]
    assert "paint" in events and "recompute" in events
    assert events.index("paint") < events.index("recompute"), events
    assert "pint not loaded" in events, events


_LOADED_AT_FIRST_PAINT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences

seen = {}


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not seen:
            # type(), not an attribute: looking at a lazy handle (ui/lazy.py) must not load it.
            seen["modules"] = {
                name: "lazy handle" if type(mod).__name__ == "_LazyModule" else "loaded"
                for name, mod in list(sys.modules.items())
            }
            seen["lower forms built"] = w.entry._lower is not None
        return False


app = QApplication(sys.argv[:1])
w = MainWindow(Preferences(Path(sys.argv[1]) / "prefs.ini"))
probe = FirstPaint()
w.installEventFilter(probe)
w.show()
for _ in range(1_000_000):
    if seen:
        break
    app.processEvents()
w.recompute()
seen["preparer_after_recompute"] = w.prepared_by.text()
seen["lower forms after recompute"] = w.entry._lower is not None
seen["modified after recompute"] = w.document.modified
print(json.dumps(seen))
"""

#: What the first frame must not wait for: the dialogs, printing and the stores load when first
#: used; the engine (pint, the plan) on the first recompute, after the paint.
NOT_AT_FIRST_PAINT = (
    "pint",
    "PySide6.QtPrintSupport",
    "ivig_desktop.engine.plan",
    "ivig_desktop.engine.signature",
    "ivig_desktop.report.printing",
    "ivig_desktop.store.history",
    "ivig_desktop.store.plan_file",
    "ivig_desktop.store.signed_check",
    "ivig_desktop.ui.acknowledge_dialog",
    "ivig_desktop.ui.check_dialog",
    "ivig_desktop.ui.dialogs",
    "ivig_desktop.ui.formulary_editor",
    "ivig_desktop.ui.history_dialog",
    "ivig_desktop.ui.models",
    "ivig_desktop.ui.wheel_guard",
)


def test_first_paint_loads_no_dialog_printing_store_or_engine(tmp_path):
    """Start-up imports only what the first frame shows (issue 13: first paint within 1.5 × a
    bare window). A module in the list above imported at start-up fails here, whatever its cost."""
    out = _run(_LOADED_AT_FIRST_PAINT, tmp_path, str(tmp_path))
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    modules = seen["modules"]
    assert modules["ivig_desktop.ui.main_window"] == modules["ivig_desktop.ui.order_entry"] == "loaded"
    assert modules["ivig_desktop.engine.plan"] == "lazy handle"  # the probe tells the two apart
    early = [m for m in NOT_AT_FIRST_PAINT if modules.get(m) == "loaded"]
    assert early == [], f"imported before the first paint: {early}"
    from ivig_desktop.engine.signature import workstation_user

    # The login name is filled in after the paint, before the first plan is made.
    assert seen["preparer_after_recompute"] == workstation_user()
    # The order details and risk factors (below the first screenful) are built after the paint,
    # and building them leaves the new plan unmodified.
    assert seen["lower forms built"] is False
    assert seen["lower forms after recompute"] is True
    assert seen["modified after recompute"] is False
