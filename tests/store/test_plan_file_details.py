"""Order details in plan files and the history: kept when entered, absent when not, checked on open."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from ivig_desktop.engine.order_details import OrderDetails
from ivig_desktop.store.history import History
from ivig_desktop.store.plan_file import PlanFileError, load_plan_inputs, save_plan
from tests.helpers import plan

FULL = OrderDetails(
    first_date=date(2026, 12, 1),
    patient_name="Jane Doe",
    mrn="MRN-0042",
    date_of_birth=date(1974, 3, 9),
    prescriber="Dr A. Smith",
    allergies="penicillin",
    premedication="paracetamol 1 g PO",
    weight_date=date(2026, 11, 30),
    infusion_site="left forearm",
)


def test_every_detail_survives_save_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "a.ivig"
    save_plan(plan("octagam-10", "itp", details=FULL), path)
    _pt, order, doc = load_plan_inputs(path)
    assert order.details == FULL
    assert doc["inputs"]["details"]["date_of_birth"] == "1974-03-09"


def test_personal_data_is_not_written_when_not_entered(tmp_path: Path) -> None:
    path = tmp_path / "b.ivig"
    save_plan(plan("octagam-10", "itp", details=OrderDetails(prescriber="Dr A. Smith")), path)
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["inputs"]["details"] == {"prescriber": "Dr A. Smith"}
    for key in ("patient_name", "mrn", "date_of_birth"):
        assert key not in text
    assert load_plan_inputs(path)[1].details == OrderDetails(prescriber="Dr A. Smith")


def test_a_file_without_details_opens_with_none(tmp_path: Path) -> None:
    path = tmp_path / "c.ivig"
    save_plan(plan("octagam-10", "itp"), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["inputs"]["details"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_plan_inputs(path)[1].details == OrderDetails()


@pytest.mark.parametrize(
    ("key", "value", "where", "why"),
    [
        ("first_date", "01/12/2026", "inputs.details.first_date", "YYYY-MM-DD"),
        ("date_of_birth", "2026-02-30", "inputs.details.date_of_birth", "not a day of the calendar"),
        ("patient_name", "Jane\nDoe", "inputs.details.patient_name", "control character"),
        ("mrn", 42, "inputs.details.mrn", "must be a text"),
        ("nickname", "Jo", "inputs.details", "not an order detail"),
    ],
)
def test_a_bad_detail_is_refused_naming_it(
    tmp_path: Path, key: str, value: object, where: str, why: str
) -> None:
    path = tmp_path / "d.ivig"
    save_plan(plan("octagam-10", "itp"), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["inputs"]["details"] = {key: value}
    before = json.dumps(doc)
    path.write_text(before, encoding="utf-8")
    with pytest.raises(PlanFileError, match=why) as exc:
        load_plan_inputs(path)
    assert where in exc.value.field
    assert path.read_text(encoding="utf-8") == before


def test_history_keeps_details_only_when_entered(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    with_id = h.record(plan("octagam-10", "itp", details=FULL), "save", "a")
    without = h.record(plan("octagam-10", "itp"), "save", "b")
    assert h.inputs(with_id)[1].details == FULL
    assert h.inputs(without)[1].details == OrderDetails()
    con = sqlite3.connect(tmp_path / "h.sqlite3")
    try:
        rows = dict(con.execute("SELECT label, inputs_json FROM record").fetchall())
    finally:
        con.close()
    assert json.loads(rows["a"])["details"]["patient_name"] == "Jane Doe"
    assert json.loads(rows["b"])["details"] == {}
    assert "patient_name" not in rows["b"] and "mrn" not in rows["b"]
