"""Plans that last, through the window: save, new, open, recent files, refusing bad files,
overrides with reasons, the history record and reopening from the history window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.store import files, site_formulary
from ivig_desktop.store.history import History
from ivig_desktop.store.plan_file import abbreviation, load_plan_inputs
from ivig_desktop.store.toml_writer import dumps
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences


@pytest.fixture
def hist(tmp_path: Path) -> History:
    return History(tmp_path / "h.sqlite3")


@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    return Preferences(tmp_path / "p.ini")


@pytest.fixture
def w(qtbot, prefs: Preferences, hist: History) -> MainWindow:
    win = MainWindow(prefs, hist)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    first = getattr(win, "_first", None)
    if first is not None:
        qtbot.waitUntil(lambda: not first.isActive(), timeout=10000)
    return win


def _fill(
    w: MainWindow,
    *,
    weight: str = "70",
    height: str = "175",
    dose: str | None = None,
    days: str | None = None,
    scr: str = "",
) -> None:
    pf, of = w.patient_form, w.order_form
    pf.weight.edit.setText(weight)
    pf.height.edit.setText(height)
    pf.sex.setCurrentIndex(1)
    pf.age.edit.setText("50")
    pf.scr.edit.setText(scr)
    of.indication.setCurrentIndex(of.indication.findData("itp"))
    of.product.setCurrentIndex(of.product.findData("octagam-10"))
    if dose is not None:
        of.dose.setText(dose)
    if days is not None:
        of.days.setText(days)
    of.start.setText("08:00")
    w.recompute()
    assert w.plan is not None


def _with_unit(field) -> str:
    """A quantity field's text with its unit: a reopened plan writes the unit into the text
    ("70 kg", issue 13), where a bare "70" typed before saving took it from the unit box."""
    text = field.edit.text()
    if not text or any(ch.isalpha() or ch == "µ" for ch in text):
        return text
    return f"{text} {abbreviation(field.unit.currentData())}"


def _form(w: MainWindow) -> dict[str, object]:
    pf, of = w.patient_form, w.order_form
    return {
        "weight": _with_unit(pf.weight),
        "weight unit": pf.weight.unit.currentData(),
        "height": _with_unit(pf.height),
        "sex": pf.sex.currentData(),
        "age": _with_unit(pf.age),
        "scr": _with_unit(pf.scr),
        "indication": of.indication.currentData(),
        "product": of.product.currentData(),
        "dose": of.dose.text(),
        "days": of.days.text(),
        "start": of.start.text(),
        "risks": sorted(k for k, cb in w.risk_form.boxes.items() if cb.isChecked()),
        "overrides": {
            k: w.overrides_form.reasons[k].text()
            for k, cb in w.overrides_form.boxes.items()
            if cb.isChecked()
        },
    }


def _recent(w: MainWindow) -> list[str]:
    return [a.text() for a in w.recent_menu.actions()]


# -- save, new, open -------------------------------------------------------------------------------
def test_save_new_open_restores_the_same_plan(w: MainWindow, hist: History, tmp_path: Path) -> None:
    _fill(w)
    before, form = plan_to_dict(w.plan), _form(w)
    path = tmp_path / "a.ivig"
    assert w.save_plan(path) is True
    assert path.exists()
    assert w.current_path == path
    entries = hist.search()
    assert [(e.action, e.label, e.product) for e in entries] == [("save", str(path), "octagam-10")]
    assert hist.results(entries[0].id) == before
    assert any(str(path) in t for t in _recent(w))

    w.new_plan()
    assert w.plan is None
    assert w.current_path is None
    assert w.patient_form.weight.edit.text() == "" and w.order_form.product.currentData() is None
    assert not w.pdf_action.isEnabled()

    assert w.open_plan(path) is True
    assert w.plan is not None
    assert plan_to_dict(w.plan) == before
    assert _form(w) == form
    assert w.saved_changes == []
    assert w.current_path == path
    assert _recent(w)[0].endswith(str(path))
    assert hist.count() == 1  # opening is not recorded


def test_pounds_inches_and_micromoles_survive_save_and_open(w: MainWindow, tmp_path: Path) -> None:
    _fill(w, weight="154 lb", height="69 in", scr="97 µmol/L")
    assert w.plan.patient.actual_weight.m_as("lb") == pytest.approx(154)
    before = plan_to_dict(w.plan)
    path = tmp_path / "lb.ivig"
    assert w.save_plan(path)
    saved = json.loads(path.read_text(encoding="utf-8"))["inputs"]["patient"]
    assert saved["weight"] == {"magnitude": 154.0, "units": "lb"}
    w.new_plan()
    assert w.open_plan(path)
    assert plan_to_dict(w.plan) == before
    assert w.patient_form.weight.unit.currentData() == "pound"
    assert w.patient_form.height.unit.currentData() == "inch"


@pytest.mark.parametrize(
    ("fill", "marked"),
    [
        ({"dose": "1000 mg/kg", "days": "1"}, "dose_field"),
        ({"dose": "1500 mg/kg", "days": "2"}, "dose_field"),
        ({"scr": "1200 µmol/L"}, "scr"),
    ],
    ids=["1000-mg-per-kg", "1500-mg-per-kg", "scr-1200-umol"],
)
def test_a_plan_with_a_four_digit_figure_reopens(w: MainWindow, tmp_path: Path, fill, marked: str) -> None:
    """set_inputs writes numbers with a thousands separator ("1,000 mg/kg"), which the parser
    then refuses as ambiguous: the saved plan does not come back."""
    _fill(w, **fill)
    before = plan_to_dict(w.plan)
    path = tmp_path / "four.ivig"
    assert w.save_plan(path)
    w.new_plan()
    assert w.open_plan(path)
    field = getattr(w.order_form, marked, None) or getattr(w.patient_form, marked)
    assert not field.error.isVisibleTo(w), field.error.text()
    assert w.plan is not None
    assert plan_to_dict(w.plan) == before


def test_a_plan_with_a_height_typed_in_metres_reopens(w: MainWindow, tmp_path: Path) -> None:
    """The window accepts "1.75 m" and saves it; the same window must be able to open the file."""
    _fill(w, height="1.75 m")
    before = plan_to_dict(w.plan)
    path = tmp_path / "m.ivig"
    assert w.save_plan(path)
    w.new_plan()
    assert w.open_plan(path), w.last_error.text()
    assert plan_to_dict(w.plan) == before


def test_save_without_a_complete_plan_writes_nothing(w: MainWindow, hist: History, tmp_path: Path) -> None:
    w.patient_form.weight.edit.setText("70")
    w.recompute()
    path = tmp_path / "x.ivig"
    assert w.save_plan(path) is False
    assert not path.exists()
    assert hist.count() == 0
    assert "Nothing to save" in w.last_error.windowTitle() or "not complete" in w.last_error.text()
    assert _recent(w) == []


def test_a_failed_write_is_shown_and_not_recorded(
    w: MainWindow, hist: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(w)
    path = tmp_path / "a.ivig"

    def crash(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", crash)
    assert w.save_plan(path) is False
    monkeypatch.undo()
    assert "No space left on device" in w.last_error.text()
    assert not path.exists() and list(tmp_path.glob(".a.ivig*")) == []
    assert hist.count() == 0
    assert w.current_path is None
    assert w.plan is not None  # the plan on screen is kept


def test_save_again_goes_to_the_current_file(w: MainWindow, hist: History, tmp_path: Path) -> None:
    _fill(w)
    path = tmp_path / "a.ivig"
    assert w.save_plan(path)
    w.patient_form.weight.edit.setText("80")
    assert w.save_plan()  # File → Save: no dialog, the same file
    pt, _, _ = load_plan_inputs(path)
    assert pt.actual_weight.m_as("kg") == 80
    assert [e.label for e in hist.search()] == [str(path), str(path)]


# -- refusing bad files ----------------------------------------------------------------------------
def _good_doc(tmp_path: Path, w: MainWindow) -> dict:
    assert w.save_plan(tmp_path / "good.ivig")
    return json.loads((tmp_path / "good.ivig").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("corrupt", "needle"),
    [
        (lambda doc: json.dumps(doc)[:200], "not complete, valid JSON"),
        (lambda doc: "", "not complete, valid JSON"),
        (lambda doc: {**doc, "schema": 3}, "schema: version 3 is not supported"),
        (lambda doc: {**doc, "format": "spreadsheet"}, "is not an ivig_desktop plan"),
        (
            lambda doc: {
                **doc,
                "inputs": {**doc["inputs"], "patient": {**doc["inputs"]["patient"], "sex": "x"}},
            },
            "sex",
        ),
        (
            lambda doc: '{"format": "ivig_desktop plan", "schema": 1, "inputs": ' + "[" * 5000,
            "nested too deeply",
        ),
    ],
)
def test_a_bad_file_is_refused_and_the_window_is_unchanged(
    w: MainWindow, hist: History, tmp_path: Path, corrupt, needle: str
) -> None:
    _fill(w)
    doc = _good_doc(tmp_path, w)
    current = w.current_path
    recent = _recent(w)
    w.order_form.days.setText("3")  # an unsaved edit the refusal must not throw away
    w.recompute()
    before, form = plan_to_dict(w.plan), _form(w)
    content = corrupt(doc)
    bad = tmp_path / "bad.ivig"
    bad.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    assert w.open_plan(bad) is False
    assert needle in w.last_error.text()
    assert str(bad) in w.last_error.text()
    assert plan_to_dict(w.plan) == before
    assert _form(w) == form
    assert w.current_path == current
    assert _recent(w) == recent
    assert hist.count() == 1


def test_a_missing_file_is_refused(w: MainWindow, tmp_path: Path) -> None:
    _fill(w)
    before = plan_to_dict(w.plan)
    assert w.open_plan(tmp_path / "gone.ivig") is False
    assert "cannot be read" in w.last_error.text()
    assert plan_to_dict(w.plan) == before


def test_a_file_naming_a_risk_factor_the_window_does_not_know_is_not_opened_without_it(
    w: MainWindow, tmp_path: Path
) -> None:
    """The engine (and `plan --input`) refuses an unknown risk factor; the window must not
    quietly drop it and show a plan made without it."""
    _fill(w)
    doc = _good_doc(tmp_path, w)
    doc["inputs"]["order"]["risks"] = ["diabetes", "dialysis"]
    path = tmp_path / "risk.ivig"
    path.write_text(json.dumps(doc), encoding="utf-8")
    if w.open_plan(path):
        assert w.plan is None, f"a plan is shown without the file's 'dialysis': {sorted(w.plan.order.risks)}"


def test_reopening_under_a_site_formulary_shows_what_changed(
    w: MainWindow, prefs: Preferences, tmp_path: Path
) -> None:
    _fill(w)
    path = tmp_path / "a.ivig"
    assert w.save_plan(path)
    data = site_formulary.bundled_data()
    octagam = next(p for p in data["product"] if p["id"] == "octagam-10")
    itp = octagam["indications"]["itp"]
    itp["max"]["value"] = 6
    if itp.get("escalation") == "list":  # as the editor does: a fixed rung list no longer fits
        itp["escalation"] = "doubling"
        itp.pop("rates", None)
    data["revision"] = "site 2027-02"
    site = tmp_path / "site.toml"
    site.write_text(dumps(data), encoding="utf-8")
    prefs.set("site_formulary", str(site))
    w.reload_preferences()
    assert w.catalogue_error is None
    assert w.open_plan(path)
    assert w.plan.formulary_revision == "site 2027-02"
    assert any("formulary:" in c and "site 2027-02" in c for c in w.saved_changes)
    assert any("pump rates" in c for c in w.saved_changes)
    assert w.problem_banner.isVisibleTo(w)
    assert "changed since saved" in w.problem_banner.text()


# -- overrides -------------------------------------------------------------------------------------
def test_an_override_needs_a_reason_in_the_window(w: MainWindow, hist: History, tmp_path: Path) -> None:
    _fill(w)
    w.risk_form.boxes["diabetes"].setChecked(True)
    w.recompute()
    assert w.plan.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    ov = w.overrides_form
    assert not ov.reasons["rate-cap"].isEnabled()
    ov.boxes["rate-cap"].setChecked(True)
    assert ov.reasons["rate-cap"].isEnabled()
    w.recompute()
    assert w.plan is None
    assert ov.fields["rate-cap"].error.isVisibleTo(w)
    assert "needs a typed reason" in ov.fields["rate-cap"].error.text()
    assert not w.pdf_action.isEnabled()
    assert w.save_plan(tmp_path / "none.ivig") is False
    assert not (tmp_path / "none.ivig").exists()

    ov.reasons["rate-cap"].setText("tolerated 12 mg/kg/min, infusions 1-6")
    w.recompute()
    assert w.plan is not None
    assert not ov.fields["rate-cap"].error.isVisibleTo(w)
    assert w.plan.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(12)
    shown = [w.warnings.item(i).text() for i in range(w.warnings.count())]
    assert any("OVERRIDE rate-cap" in t and "tolerated 12 mg/kg/min" in t and "CRITICAL" in t for t in shown)

    path = tmp_path / "ov.ivig"
    assert w.save_plan(path)
    _, order, doc = load_plan_inputs(path)
    assert [(o.kind, o.reason) for o in order.overrides] == [
        ("rate-cap", "tolerated 12 mg/kg/min, infusions 1-6")
    ]
    assert doc["results"]["overrides"] == [
        {"kind": "rate-cap", "reason": "tolerated 12 mg/kg/min, infusions 1-6"}
    ]
    assert hist.search("infusions 1-6")[0].overrides == doc["results"]["overrides"]

    w.new_plan()
    assert not ov.boxes["rate-cap"].isChecked() and ov.reasons["rate-cap"].text() == ""
    assert w.open_plan(path)
    assert ov.boxes["rate-cap"].isChecked()
    assert ov.reasons["rate-cap"].text() == "tolerated 12 mg/kg/min, infusions 1-6"
    assert w.plan.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(12)


# -- PDF and history -------------------------------------------------------------------------------
def test_export_pdf_is_recorded(w: MainWindow, hist: History, tmp_path: Path) -> None:
    _fill(w)
    pdf = tmp_path / "s.pdf"
    assert w.export_pdf(pdf) is True
    assert pdf.read_bytes().startswith(b"%PDF")
    (entry,) = hist.search()
    assert (entry.action, entry.label, entry.product) == ("export-pdf", str(pdf), "octagam-10")
    assert hist.results(entry.id) == plan_to_dict(w.plan)


def test_the_history_window_lists_records_and_reopens_one(
    w: MainWindow, hist: History, tmp_path: Path
) -> None:
    _fill(w)
    first = plan_to_dict(w.plan)
    first_form = _form(w)
    assert w.save_plan(tmp_path / "a.ivig")
    w.patient_form.weight.edit.setText("90")
    w.order_form.product.setCurrentIndex(w.order_form.product.findData("privigen"))
    w.recompute()
    assert w.export_pdf(tmp_path / "b.pdf")
    w.new_plan()

    dlg = w.open_history()
    assert dlg.table.rowCount() == 2
    # Human words (issue 13): actions and product names, not ids.
    assert [dlg.table.item(r, 3).text() for r in range(2)] == ["Exported as PDF", "Saved"]
    assert [dlg.table.item(r, 5).text() for r in range(2)] == ["Privigen", "Octagam 10 %"]
    assert dlg.table.item(1, 4).text() == str(tmp_path / "a.ivig")
    # Issue 16: the status names the store the records come from, and a column the formulary revision.
    assert dlg.status.text() == f"2 record(s) in {hist.path}"
    assert [dlg.table.item(r, 7).text() for r in range(2)] == ["2026-12-01 label audit"] * 2

    dlg.search.setText("octagam")
    assert dlg.table.rowCount() == 1
    dlg.table.selectRow(0)
    dlg.open_selected()
    assert plan_to_dict(w.plan) == first
    assert _form(w) == first_form


def test_the_history_window_reopens_the_newest_record(w: MainWindow, hist: History, tmp_path: Path) -> None:
    _fill(w)
    assert w.save_plan(tmp_path / "a.ivig")
    w.patient_form.weight.edit.setText("85")
    w.recompute()
    newest = plan_to_dict(w.plan)
    assert w.export_pdf(tmp_path / "b.pdf")
    w.new_plan()
    dlg = w.open_history()
    dlg.table.selectRow(0)
    dlg.open_selected()
    assert w.plan is not None
    assert plan_to_dict(w.plan) == newest
