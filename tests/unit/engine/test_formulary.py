"""formulary.py: the bundled products against products.md, and strict checking of site files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.formulary import Product, bundled_formulary, load_formulary
from tests.helpers import PRODUCT_IDS


def _p(pid: str) -> Product:
    return bundled_formulary().product(pid)


def _rate(pid: str, indication: str, which: str) -> float:
    t = _p(pid).titrations[indication]
    q = t.start_rate if which == "start" else t.max_rate
    return float(q.m_as("mg/kg/min"))


def test_all_twelve_products_present() -> None:
    assert set(bundled_formulary().products) == PRODUCT_IDS


def test_unknown_product_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        bundled_formulary().product("carimune")
    assert err.value.field == "product"
    assert "'carimune' is not in the formulary" in err.value.message


@pytest.mark.parametrize(
    ("pid", "indication", "start", "top"),
    [
        ("privigen", "pid", 0.5, 8.0),
        ("privigen", "itp", 0.5, 4.0),  # products.md §2.3: chronic ITP max 4 mg/kg/min
        ("privigen", "cidp", 0.5, 8.0),
        ("gamunex-c", "cidp", 2.0, 8.0),
        ("octagam-5", "pid", 0.5, 3.33),
        ("octagam-10", "itp", 1.0, 12.0),
        ("octagam-10", "dermatomyositis", 1.0, 4.0),
        ("panzyga", "pid", 1.0, 14.0),
        ("panzyga", "itp", 1.0, 8.0),
        ("panzyga", "cidp", 1.0, 12.0),
        # Gammagard Liquid PI: 0.5 → 5 mL/kg/h; × 100 mg/mL ÷ 60 = 0.8333 → 8.3333 mg/kg/min.
        ("gammagard-liquid", "pid", 0.833333, 8.333333),
        ("gammagard-liquid", "mmn", 0.833333, 9.0),  # 5.4 mL/kg/h × 100 / 60
        ("flebogamma-5", "pid", 0.5, 5.0),  # 0.01 / 0.10 mL/kg/min × 50 mg/mL
        ("flebogamma-10", "itp", 1.0, 8.0),  # 0.01 / 0.08 mL/kg/min × 100 mg/mL
        ("bivigam", "pid", 0.5, 6.0),
        ("asceniv", "pid", 0.5, 8.0),
        ("gammaplex-5", "pid", 0.5, 4.0),  # 0.01 / 0.08 mL/kg/min × 50 mg/mL
        ("gammaplex-10", "pid", 0.5, 8.0),  # 0.005 / 0.08 mL/kg/min × 100 mg/mL
    ],
)
def test_label_rates_match_products_md(pid: str, indication: str, start: float, top: float) -> None:
    assert _rate(pid, indication, "start") == pytest.approx(start, abs=1e-6)
    assert _rate(pid, indication, "max") == pytest.approx(top, abs=1e-6)


def test_gammagard_max_is_stored_in_the_labels_own_unit() -> None:
    fig = _p("gammagard-liquid").titrations["pid"].max
    assert fig.quantity.m == 5
    assert fig.quantity.check("[length] ** 3 / [mass] / [time]")
    assert fig.provenance.evidence == "READ-L"


@pytest.mark.parametrize(
    ("pid", "sizes", "volumes"),
    [
        ("octagam-10", [2, 5, 10, 20, 30], [20, 50, 100, 200, 300]),
        ("octagam-5", [1, 2.5, 5, 10, 25], [20, 50, 100, 200, 500]),
        ("privigen", [5, 10, 20, 40], [50, 100, 200, 400]),
        ("flebogamma-5", [0.5, 2.5, 5, 10, 20], [10, 50, 100, 200, 400]),
        ("flebogamma-10", [5, 10, 20], [50, 100, 200]),
        ("gammagard-liquid", [1, 2.5, 5, 10, 20, 30], [10, 25, 50, 100, 200, 300]),
        ("gammaplex-10", [5, 10, 20], [50, 100, 200]),  # UK SmPC (label audit #1, 2026-12-01)
    ],
)
def test_vial_sizes(pid: str, sizes: list[float], volumes: list[float]) -> None:
    vials = _p(pid).vials
    assert [v.size.m_as("g") for v in vials] == sizes
    assert [v.volume.m_as("mL") for v in vials] == volumes


def test_concentrations() -> None:
    fives = {"octagam-5", "flebogamma-5", "gammaplex-5"}
    for pid in PRODUCT_IDS:
        expected = 50.0 if pid in fives else 100.0
        assert _p(pid).conc.m_as("mg/mL") == expected, pid
        assert _p(pid).percent == expected / 10, pid


def test_at_risk_caps() -> None:
    (o10,) = _p("octagam-10").caps
    assert set(o10.risks) == {"renal", "thrombosis"}
    assert o10.rate.m_as("mg/kg/min") == pytest.approx(3.3)
    assert o10.provenance.verified
    (o5,) = _p("octagam-5").caps
    assert o5.risks == ("renal",)
    assert o5.rate.m_as("mg/kg/min") == pytest.approx(3.3)
    (pz,) = _p("panzyga").caps
    assert set(pz.risks) == {"renal", "thrombosis"}
    assert pz.rate.m_as("mg/kg/min") == pytest.approx(3.3)
    (bv,) = _p("bivigam").caps
    assert bv.rate.m_as("mg/kg/min") == pytest.approx(2.0)
    assert not bv.provenance.verified  # BELIEVED: shown, never applied
    assert _p("privigen").caps == ()


def test_titration_details() -> None:
    bivigam = _p("bivigam").titrations["pid"]
    assert bivigam.escalation == "increment"
    assert bivigam.increment is not None
    assert bivigam.dose_rate(bivigam.increment).m_as("mg/kg/min") == pytest.approx(0.8)
    assert bivigam.start_minutes is not None and bivigam.start_minutes.m_as("min") == 10
    assert bivigam.step_minutes is not None and bivigam.step_minutes.m_as("min") == 20
    o10 = _p("octagam-10").titrations["itp"]
    assert [r.m_as("mg/kg/min") for r in o10.rates] == pytest.approx([1, 2, 4, 8, 12])
    gp10 = _p("gammaplex-10").titrations["pid"]
    # 0.005 … 0.08 mL/kg/min × 100 mg/mL = 0.5, 1, 2, 4, 6, 8 mg/kg/min
    assert [r.m_as("mg/kg/min") for r in gp10.rates] == pytest.approx([0.5, 1, 2, 4, 6, 8])
    assert gp10.subsequent_start is not None
    assert gp10.dose_rate(gp10.subsequent_start).m_as("mg/kg/min") == pytest.approx(1.0)
    assert _p("flebogamma-10").titrations["pid"].step_minutes is None  # label gives no interval


def test_contents() -> None:
    assert set(_p("privigen").contains) == {"proline"}
    assert set(_p("octagam-10").contains) == {"maltose", "corn"}
    assert set(_p("octagam-5").contains) == {"maltose", "corn"}
    assert _p("flebogamma-5").contains["sorbitol"].verified
    # Label audit #2 (2026-12-01): a secondary source, warned as present (fail safe).
    assert _p("gammaplex-5").contains["sorbitol"].evidence == "secondary"
    assert _p("gammaplex-5").contains["sorbitol"].verified
    assert _p("gamunex-c").contains == {}
    iga = _p("privigen").iga
    assert iga is not None and iga.quantity.m_as("mcg/mL") == 25


# ---------------------------------------------------------------------------------------------
# Site formulary files: every error names the file, the record and the field.

GOOD = """revision = "site test"
[[product]]
id = "siteglob"
name = "Site Globulin"
manufacturer = "Test"
concentration = { value = 100, unit = "mg/mL", evidence = "READ-L", source = "s" }
vials = [ { size = 5, volume = 50, evidence = "READ-L", source = "s" } ]
[product.indications.pid]
start = { value = 1, unit = "mg/kg/min", evidence = "READ-L", source = "s" }
max = { value = 8, unit = "mg/kg/min", evidence = "READ-L", source = "s" }
escalation = "doubling"
step_minutes = { value = 30, evidence = "READ-L", source = "s" }
"""
CONC = 'concentration = { value = 100, unit = "mg/mL", evidence = "READ-L", source = "s" }\n'


def test_good_site_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(GOOD, encoding="utf-8")
    f = load_formulary(path)
    assert list(f.products) == ["siteglob"]
    assert f.revision == "site test"
    p = f.product("siteglob")
    assert p.titrations["pid"].max_rate.m_as("mg/kg/min") == 8
    assert p.vials[0].volume.m_as("mL") == 50


@pytest.mark.parametrize(
    ("old", "new", "record", "field", "fragment"),
    [
        (CONC, "", "siteglob", "concentration", "is missing"),
        ("size = 5, volume = 50", "size = -5, volume = 50", "siteglob.vials[1]", "size", "greater than zero"),
        (
            'start = { value = 1, unit = "mg/kg/min"',
            'start = { value = 9, unit = "mg/kg/min"',
            "siteglob.indications.pid",
            "start",
            "is above max",
        ),
        (
            'value = 100, unit = "mg/mL"',
            'value = 100, unit = "kg"',
            "siteglob.concentration",
            "concentration",
            "'kg' is not a unit of",
        ),
        (
            'unit = "mg/mL", evidence = "READ-L"',
            'unit = "mg/mL", evidence = "GUESSED"',
            "siteglob.concentration",
            "evidence",
            "'GUESSED' is not an evidence tag",
        ),
        (
            "size = 5, volume = 50",
            "size = 5, volume = 60",
            "siteglob.vials[1]",
            "volume",
            "60 mL does not match 5 g at 100 mg/mL",
        ),
        (
            'escalation = "doubling"',
            'escalation = "tripling"',
            "siteglob.indications.pid",
            "escalation",
            "'tripling' is not one of",
        ),
    ],
)
def test_bad_site_file(tmp_path: Path, old: str, new: str, record: str, field: str, fragment: str) -> None:
    assert old in GOOD
    path = tmp_path / "site.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_formulary(path)
    e = err.value
    assert (e.source, e.record, e.field) == (str(path), record, field)
    assert fragment in e.message
    text = str(e)
    assert str(path) in text
    assert f"[{record}]" in text
    assert "siteglob" in text
    assert f"] {field}: " in text


def test_duplicate_product_id(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    second = GOOD.split("\n", 1)[1]  # the [[product]] table again, without the revision line
    path.write_text(GOOD + second, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_formulary(path)
    assert str(path) in str(err.value)
    assert (err.value.record, err.value.field) == ("siteglob", "id")
    assert "appears twice" in str(err.value)


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace('escalation = "doubling"', "escalation = doubling"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_formulary(path)
    assert str(err.value).startswith(str(path))
    assert "not valid TOML" in str(err.value)
    assert "line 11" in str(err.value)  # the broken line: escalation = doubling


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "none.toml"
    with pytest.raises(DataError) as err:
        load_formulary(path)
    assert str(path) in str(err.value)
    assert "file not found" in str(err.value)
