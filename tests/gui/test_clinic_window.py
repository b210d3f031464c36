"""The window against a clinic database (issue 16): Preferences → Clinic database; the published
formulary revision is used and recorded, a newer one is noticed, an outage is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.cli import main
from ivig_desktop.ui.dialogs import PreferencesDialog
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences
from tests.gui.test_plan_files_window import _fill

BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "formulary.toml"


def _publish(url: str, tmp_path: Path, revision: str) -> None:
    site = tmp_path / f"{revision.replace(' ', '-')}.toml"
    site.write_text(
        BUNDLED.read_text(encoding="utf-8").replace(
            'revision = "2026-12-01 label audit"', f'revision = "{revision}"'
        ),
        encoding="utf-8",
    )
    assert main(["formulary", "publish", str(site), "--database", url]) == 0


@pytest.fixture
def clinic_url(pg_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["db", "init", "--database", pg_url]) == 0
    capsys.readouterr()
    return pg_url


def _window(qtbot, prefs: Preferences) -> MainWindow:
    w = MainWindow(prefs)  # no history given: the window opens the one Preferences name
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    first = getattr(w, "_first", None)
    if first is not None:
        qtbot.waitUntil(lambda: not first.isActive(), timeout=10000)
    return w


def test_the_window_plans_with_the_databases_revision_records_it_and_notices_a_newer_one(
    qtbot, tmp_path: Path, clinic_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _publish(clinic_url, tmp_path, "site 2027-01")
    prefs = Preferences(tmp_path / "prefs.ini")
    prefs.set("database_url", clinic_url)
    w = _window(qtbot, prefs)
    _fill(w)
    assert w.plan is not None and w.plan.formulary_revision == "site 2027-01 (database revision 1)"
    assert w.save_plan(tmp_path / "a.ivig")
    entry = w.history.search()[0]
    assert (entry.action, entry.formulary_revision_id) == ("save", 1)
    database = clinic_url.split("/")[3].split("?")[0]
    assert w.history.target.startswith(f"postgresql://postgres@/{database}?host=")  # as typed, no driver
    _publish(clinic_url, tmp_path, "site 2027-02")
    assert w.save_plan(tmp_path / "b.ivig")
    assert "Formulary revision 2 (site 2027-02) has been published" in w.statusBar().currentMessage()
    w.reload_preferences()
    assert w.plan is not None and w.plan.formulary_revision == "site 2027-02 (database revision 2)"


def test_preferences_refuse_a_database_url_of_the_wrong_form_and_keep_a_good_one(
    qtbot, tmp_path: Path
) -> None:
    prefs = Preferences(tmp_path / "prefs.ini")
    dlg = PreferencesDialog(prefs)
    qtbot.addWidget(dlg)
    dlg.database.setText("mysql://x@y/z")
    dlg.save()
    assert "Clinic database" in dlg.error.text() and "'mysql' is not supported" in dlg.error.text()
    assert prefs.get("database_url") == ""
    dlg.database.setText("postgresql://alice@dbhost/ivig")
    dlg.save()
    assert prefs.get("database_url") == "postgresql://alice@dbhost/ivig"
    dlg.restore_defaults()
    assert dlg.database.text() == ""
