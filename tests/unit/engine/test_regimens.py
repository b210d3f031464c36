"""regimens.py: the bundled standard regimens and strict reading of a regimens file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.regimens import bundled_regimens, load_regimens
from tests.helpers import REGIMEN_IDS


def test_bundled_regimen_ids() -> None:
    assert set(bundled_regimens().regimens) == set(REGIMEN_IDS)


@pytest.mark.parametrize(
    ("rid", "dose", "days", "days_range", "titration"),
    [
        ("pid", 0.4, 1, (1, 1), "pid"),
        ("itp", 2.0, 2, (1, 5), "itp"),
        ("cidp-loading", 2.0, 2, (2, 5), "cidp"),
        ("cidp-maintenance", 1.0, 1, (1, 4), "cidp"),
        ("kawasaki", 2.0, 1, (1, 1), None),
        ("gbs", 2.0, 5, (5, 5), None),  # 0.4 g/kg/day × 5 days
        ("dermatomyositis", 2.0, 2, (2, 5), "dermatomyositis"),
    ],
)
def test_regimen_figures(
    rid: str, dose: float, days: int, days_range: tuple[int, int], titration: str | None
) -> None:
    r = bundled_regimens().get(rid)
    assert r.course_dose is not None
    assert r.course_dose.m_as("g/kg") == pytest.approx(dose)
    assert r.days == days
    assert r.days_range == days_range
    assert r.titration == titration


def test_kawasaki_infusion_hours_and_regimens_without_a_dose() -> None:
    regs = bundled_regimens()
    kawasaki = regs.get("kawasaki")
    assert kawasaki.infusion_hours is not None
    assert [h.m_as("h") for h in kawasaki.infusion_hours] == [10.0, 12.0]
    mmn = regs.get("mmn")
    assert mmn.course_dose is None and mmn.days is None
    assert mmn.dose_low is not None and mmn.dose_high is not None
    assert (mmn.dose_low.m_as("g/kg"), mmn.dose_high.m_as("g/kg")) == (0.5, 2.4)
    sps = regs.get("stiff-person-syndrome")
    assert sps.evidence == "NOT FOUND"
    assert sps.course_dose is None


def test_unknown_indication() -> None:
    with pytest.raises(InputError) as err:
        bundled_regimens().get("covid")
    assert err.value.field == "indication"
    assert "'covid' is not a known indication" in err.value.message


HEAD = 'revision = "x"\n[[regimen]]\nid = "mine"\nname = "Mine"\nevidence = "READ"\nsource = "s"\n'


@pytest.mark.parametrize(
    ("extra", "record", "field", "fragment"),
    [
        ('dose_range = { low = 2, high = 1, unit = "g/kg" }\n', "mine.dose_range", "low", "is above high"),
        ("days = 6\ndays_range = [1, 5]\n", "mine", "days", "outside days_range"),
        ('course_dose = { value = 2, unit = "mL" }\n', "mine.course_dose", "course_dose", "is not a unit of"),
        ("infusion_hours = [10]\n", "mine", "infusion_hours", "[shortest, longest]"),
    ],
)
def test_bad_regimen_file(tmp_path: Path, extra: str, record: str, field: str, fragment: str) -> None:
    path = tmp_path / "regimens.toml"
    path.write_text(HEAD + extra, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_regimens(path)
    assert (err.value.source, err.value.record, err.value.field) == (str(path), record, field)
    assert fragment in err.value.message
