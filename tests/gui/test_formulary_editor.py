"""The site formulary editor: shows the bundled formulary, refuses each invalid edit with its
product and field named (writing nothing), saves a valid one with site provenance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from ivig_desktop.engine.formulary import load_formulary
from ivig_desktop.store import site_formulary
from ivig_desktop.ui.formulary_editor import FormularyEditor


@pytest.fixture
def editor(qtbot, tmp_path_factory) -> FormularyEditor:
    """The bundled formulary copied to a site file (it is read-only until copied: issue 13)."""
    ed = FormularyEditor(None)
    qtbot.addWidget(ed)
    assert ed.copy_to(tmp_path_factory.mktemp("copy") / "site-copy.toml")
    return ed


def test_the_bundled_formulary_is_read_only_until_copied(qtbot, tmp_path: Path) -> None:
    ed = FormularyEditor(None)
    qtbot.addWidget(ed)
    assert ed.read_only and ed.name.isReadOnly()
    assert ed.vials.editTriggers() == ed.vials.EditTrigger.NoEditTriggers
    assert not ed.save(tmp_path / "x.toml") and not (tmp_path / "x.toml").exists()
    assert "read-only" in ed.message.text()
    assert ed.copy_to(tmp_path / "site.toml")
    assert not ed.read_only and not ed.name.isReadOnly()
    assert load_formulary(tmp_path / "site.toml").products.keys() == load_formulary(None).products.keys()


def test_closing_with_unsaved_edits_asks(qtbot, editor: FormularyEditor) -> None:
    from PySide6.QtWidgets import QMessageBox

    editor.show()
    editor.name.setText("Renamed product")
    editor.reject()
    box = editor.discard_question
    assert box is not None and box.isVisible() and editor.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert editor.isVisible() and editor.name.text() == "Renamed product"
    editor.reject()
    editor.discard_question.button(QMessageBox.StandardButton.Discard).click()
    assert not editor.isVisible()


def _select(ed: FormularyEditor, pid: str) -> None:
    rows = [i for i in range(ed.products.count()) if ed.products.item(i).text().startswith(f"{pid}: ")]
    assert len(rows) == 1
    ed.products.setCurrentRow(rows[0])
    assert ed.current == rows[0]


def _rate_row(ed: FormularyEditor, indication: str) -> int:
    rows = [r for r in range(ed.rates.rowCount()) if ed.rates.item(r, 0).text() == indication]
    assert len(rows) == 1
    return rows[0]


def _product(data: dict, pid: str) -> dict:
    return next(p for p in data["product"] if p["id"] == pid)


def test_the_bundled_products_are_shown(editor: FormularyEditor) -> None:
    data = site_formulary.bundled_data()
    ids = [p["id"] for p in data["product"]]
    assert editor.products.count() == len(ids) >= 10
    assert [editor.products.item(i).text().split(": ")[0] for i in range(editor.products.count())] == ids
    assert editor.products.currentRow() == 0
    first = data["product"][0]
    assert editor.name.text() == first["name"]
    assert float(editor.concentration.text()) == first["concentration"]["value"]
    assert editor.vials.rowCount() == len(first["vials"])
    assert [float(editor.vials.item(r, 0).text()) for r in range(editor.vials.rowCount())] == [
        v["size"] for v in first["vials"]
    ]
    assert editor.rates.rowCount() == len(first["indications"])
    assert editor.revision.text() == data["revision"]
    assert editor.file_label.text().startswith("Site file:")  # the fixture's copy (bundled is read-only)
    _select(editor, "octagam-10")
    assert editor.name.text() == _product(data, "octagam-10")["name"]
    assert editor.caps.rowCount() == len(_product(data, "octagam-10").get("at_risk_caps", []))


_INVALID = [
    ("vial-negative", "vials", 0, 0, "-5", ["privigen", "size", "must be greater than zero"]),
    ("vial-not-a-number", "vials", 0, 0, "abc", ["privigen vials[1] size: 'abc' is not a number"]),
    ("vial-empty", "vials", 1, 1, "", ["privigen vials[2] volume: '' is not a number"]),
    ("vial-volume-mismatch", "vials", 0, 1, "60", ["privigen.vials[1]", "volume: 60 mL does not match"]),
    ("start-above-max", "rates", "pid", 1, "9", ["privigen.indications.pid", "start: is above max"]),
    ("start-unit-kg", "rates", "pid", 2, "kg", ["privigen pid start unit: 'kg' is not one of"]),
    ("max-unit-kg", "rates", "pid", 4, "kg", ["privigen pid max unit: 'kg' is not one of"]),
    ("max-not-a-number", "rates", "pid", 3, "fast", ["privigen pid max: 'fast' is not a number"]),
]


@pytest.mark.parametrize(
    ("table", "row", "col", "text", "needles"), [x[1:] for x in _INVALID], ids=[x[0] for x in _INVALID]
)
def test_each_invalid_edit_is_refused_and_writes_nothing(
    editor: FormularyEditor, tmp_path: Path, table: str, row, col: int, text: str, needles: list[str]
) -> None:
    if isinstance(row, str):
        row = _rate_row(editor, row)
    getattr(editor, table).setItem(row, col, QTableWidgetItem(text))
    assert editor.validate() is False
    message = editor.message.text()
    assert message.startswith("⚠ Not valid")
    for needle in needles:
        assert needle in message
    target = tmp_path / "site.toml"
    assert editor.save(target) is False
    assert editor.message.text().startswith("⚠ Not saved")
    for needle in needles:
        assert needle in editor.message.text()
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    assert editor.path is not None and editor.path.name == "site-copy.toml"  # not switched to target


@pytest.mark.parametrize(
    ("widget", "text", "needle"),
    [
        ("concentration", "ten", "privigen concentration: 'ten' is not a number"),
        ("concentration", "-100", "privigen.concentration"),
        ("name", "   ", "privigen name: is empty"),
    ],
)
def test_invalid_product_fields_are_refused(
    editor: FormularyEditor, tmp_path: Path, widget: str, text: str, needle: str
) -> None:
    getattr(editor, widget).setText(text)
    assert editor.validate() is False
    assert needle in editor.message.text()
    assert editor.save(tmp_path / "site.toml") is False
    assert not (tmp_path / "site.toml").exists()


def test_a_refused_edit_leaves_an_existing_site_file_alone(qtbot, tmp_path: Path) -> None:
    target = tmp_path / "site.toml"
    first = FormularyEditor(None)
    qtbot.addWidget(first)
    assert first.copy_to(target)
    before = target.read_bytes()
    again = FormularyEditor(target)
    qtbot.addWidget(again)
    again.vials.setItem(0, 0, QTableWidgetItem("-5"))
    assert again.save() is False  # File: the editor's own path
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.toml"]


def test_a_valid_edit_is_saved_with_site_provenance(editor: FormularyEditor, tmp_path: Path) -> None:
    editor.vials.insertRow(editor.vials.rowCount())
    last = editor.vials.rowCount() - 1
    editor.vials.setItem(last, 0, QTableWidgetItem("2.5"))
    editor.vials.setItem(last, 1, QTableWidgetItem("25"))
    assert editor.validate() is True
    assert editor.message.text().startswith("Valid")
    target = tmp_path / "site.toml"
    assert editor.save(target) is True
    assert editor.path == target
    assert str(target) in editor.file_label.text()
    assert str(target) in editor.message.text()
    form = load_formulary(target)
    vials = {v.size.m_as("g"): v for v in form.products["privigen"].vials}
    assert vials[2.5].volume.m_as("mL") == 25
    assert vials[2.5].provenance.evidence == "site"
    assert "edited by" in vials[2.5].provenance.source
    assert vials[2.5].provenance.date == date.today().isoformat()
    assert all(v.provenance.evidence != "site" for size, v in vials.items() if size != 2.5)
    assert form.revision == f"site {date.today().isoformat()}"
    assert editor.revision.text() == form.revision
    # Every other product is as bundled.
    bundled = load_formulary()
    for pid, product in bundled.products.items():
        if pid != "privigen":
            assert form.products[pid] == product

    reopened = FormularyEditor(target)
    try:
        assert reopened.revision.text() == form.revision
        assert str(target) in reopened.file_label.text()
        sizes = [float(reopened.vials.item(r, 0).text()) for r in range(reopened.vials.rowCount())]
        assert 2.5 in sizes
    finally:
        reopened.deleteLater()


def test_a_typed_revision_and_a_rate_change_are_kept(editor: FormularyEditor, tmp_path: Path) -> None:
    editor.revision.setText("ward 7 2027-01")
    editor.rates.setItem(_rate_row(editor, "pid"), 3, QTableWidgetItem("6"))
    target = tmp_path / "site.toml"
    assert editor.save(target)
    form = load_formulary(target)
    assert form.revision == "ward 7 2027-01"
    pid = form.products["privigen"].titrations["pid"]
    assert pid.max_rate.m_as("mg/kg/min") == 6
    data = site_formulary.read_data(target)
    assert _product(data, "privigen")["indications"]["pid"]["max"]["evidence"] == "site"
    assert _product(data, "privigen")["indications"]["pid"]["start"]["evidence"] != "site"


def test_edits_survive_switching_products_and_a_bad_cell_blocks_the_switch(
    editor: FormularyEditor, tmp_path: Path
) -> None:
    editor.name.setText("Privigen (ward stock)")
    _select(editor, "octagam-10")
    _select(editor, "privigen")
    assert editor.name.text() == "Privigen (ward stock)"
    editor.vials.setItem(0, 0, QTableWidgetItem("five"))
    privigen_row = editor.products.currentRow()
    editor.products.setCurrentRow(privigen_row + 1)
    assert editor.current == privigen_row
    assert editor.products.currentRow() == privigen_row
    assert "'five' is not a number" in editor.message.text()
    editor.vials.setItem(0, 0, QTableWidgetItem("5"))
    target = tmp_path / "site.toml"
    assert editor.save(target)
    assert load_formulary(target).products["privigen"].name == "Privigen (ward stock)"


def test_saving_without_edits_keeps_every_figure_and_its_provenance(
    editor: FormularyEditor, tmp_path: Path
) -> None:
    for i in range(editor.products.count()):
        editor.products.setCurrentRow(i)
    target = tmp_path / "site.toml"
    assert editor.save(target)
    saved, bundled = site_formulary.read_data(target), site_formulary.bundled_data()
    for product in saved["product"]:
        if product.get("at_risk_caps") == []:
            product.pop("at_risk_caps")
    saved["revision"] = bundled["revision"]
    assert saved == bundled


@pytest.mark.parametrize(
    ("pid", "where", "typo"),
    [("privigen", ("vials", 0, 0), "-5"), ("gammaplex-10", ("rates", "pid", 1), "9")],
)
def test_a_refused_typo_corrected_back_leaves_the_figure_as_bundled(
    editor: FormularyEditor, tmp_path: Path, pid: str, where: tuple, typo: str
) -> None:
    """Nothing is saved until the whole file is valid: a value refused by Validate and then
    typed back must not cost the bundled figure its evidence, nor a label rung list its rungs
    (gammaplex-10 pid 0.005, 0.01, 0.02, 0.04, 0.06, 0.08 mL/kg/min)."""
    _select(editor, pid)
    table, row, col = where
    if isinstance(row, str):
        row = _rate_row(editor, row)
    widget = getattr(editor, table)
    original = widget.item(row, col).text()
    widget.setItem(row, col, QTableWidgetItem(typo))
    assert editor.validate() is False
    widget.setItem(row, col, QTableWidgetItem(original))
    assert editor.validate() is True
    target = tmp_path / "site.toml"
    assert editor.save(target)
    saved = _product(site_formulary.read_data(target), pid)
    bundled = _product(site_formulary.bundled_data(), pid)
    if table == "vials":
        assert saved["vials"] == bundled["vials"]
    else:
        assert saved["indications"] == bundled["indications"]
        assert load_formulary(target).products[pid].titrations == load_formulary().products[pid].titrations
