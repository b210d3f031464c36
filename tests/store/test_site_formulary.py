"""The TOML writer and the site formulary: exact round trips, validation before any write,
and site provenance on edited figures."""

from __future__ import annotations

import copy
import math
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivig_desktop.engine.errors import DataError
from ivig_desktop.engine.formulary import load_formulary
from ivig_desktop.engine.plan import Catalogue, Order, bundled_catalogue, make_plan
from ivig_desktop.store import site_formulary
from ivig_desktop.store.toml_writer import dumps
from tests.helpers import patient

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ["formulary.toml", "regimens.toml", "weight_policies.toml", "site_settings.toml"]


# -- the writer ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", RESOURCES)
def test_dumps_round_trips_each_bundled_data_file(name: str) -> None:
    data = tomllib.loads((ROOT / "resources" / name).read_text(encoding="utf-8"))
    text = dumps(data, header=f"copy of {name}\nsecond line")
    assert tomllib.loads(text) == data
    assert text.startswith(f"# copy of {name}\n# second line\n")
    assert text.endswith("\n") and not text.endswith("\n\n")


# U+007F is left to its own test below; every other character must survive.
_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f")
# A key ending in a newline is left to its own test below too.
_KEYS = st.text(alphabet=_CHARS, min_size=0, max_size=8).filter(lambda k: not k.endswith("\n"))
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=_CHARS, max_size=20),
)


def _data() -> st.SearchStrategy[dict[str, Any]]:
    leaf_list = st.lists(_SCALARS, max_size=4)
    value = st.recursive(
        st.one_of(_SCALARS, leaf_list),
        lambda inner: st.one_of(
            st.dictionaries(_KEYS, inner, max_size=4),
            st.lists(st.dictionaries(_KEYS, inner, max_size=3), min_size=1, max_size=3),
        ),
        max_leaves=12,
    )
    return st.dictionaries(_KEYS, value, max_size=5)


@settings(max_examples=150, deadline=None)
@given(_data())
def test_property_dumps_then_tomllib_gives_the_same_data(data: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(data)) == data


def test_dumps_refuses_values_toml_cannot_hold() -> None:
    for bad in (math.inf, math.nan):
        with pytest.raises(ValueError, match="inf or nan"):
            dumps({"x": bad})
    with pytest.raises(TypeError, match="cannot write"):
        dumps({"x": {1, 2}})


@pytest.mark.parametrize("key", ["pid\n", "0\n"])
def test_dumps_quotes_a_key_that_ends_in_a_newline(key: str) -> None:
    """The bare-key pattern must match the whole key; `$` also matches before a final newline."""
    for data in ({key: 1}, {key: {"a": {"b": 1}}}, {"indications": {key: {"start": {"value": 1}}}}):
        assert tomllib.loads(dumps(data)) == data


def test_dumps_writes_a_delete_character_so_that_it_reads_back() -> None:
    data = {"name": "Privigen\x7f"}
    assert tomllib.loads(dumps(data)) == data


# -- saving a site formulary -----------------------------------------------------------------------
def _privigen(data: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in data["product"] if p["id"] == "privigen")


def _octagam10(data: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in data["product"] if p["id"] == "octagam-10")


_INVALID = [
    (
        "negative-vial",
        lambda d: _privigen(d)["vials"][0].update(size=-5),
        "privigen.vials[1]",
        "size",
        "must be greater than zero",
    ),
    (
        "zero-volume",
        lambda d: _privigen(d)["vials"][1].update(volume=0),
        "privigen.vials[2]",
        "volume",
        "greater than zero",
    ),
    (
        "start-above-max",
        lambda d: _privigen(d)["indications"]["pid"]["start"].update(value=9),
        "privigen.indications.pid",
        "start",
        "is above max",
    ),
    (
        "concentration-kg",
        lambda d: _privigen(d)["concentration"].update(unit="kg"),
        "privigen.concentration",
        "concentration",
        "'kg' is not a unit of concentration",
    ),
    (
        "duplicate-vial",
        lambda d: _privigen(d)["vials"].append(dict(_privigen(d)["vials"][0])),
        "privigen",
        "vials",
        "lists the same size twice",
    ),
    (
        "volume-mismatch",
        lambda d: _privigen(d)["vials"][0].update(volume=60),
        "privigen.vials[1]",
        "volume",
        "does not match",
    ),
    (
        "other-product",
        lambda d: _octagam10(d)["vials"][0].update(size=-1),
        "octagam-10.vials[1]",
        "size",
        "greater than zero",
    ),
]


@pytest.mark.parametrize(
    ("edit", "record", "field", "message"), [x[1:] for x in _INVALID], ids=[x[0] for x in _INVALID]
)
def test_an_invalid_edit_names_product_and_field_and_writes_nothing(
    tmp_path: Path, edit, record: str, field: str, message: str
) -> None:
    data = site_formulary.bundled_data()
    edit(data)
    kept = copy.deepcopy(data)
    target = tmp_path / "site.toml"
    with pytest.raises(DataError) as err:
        site_formulary.save(data, target)
    assert err.value.record == record
    assert err.value.field == field
    assert message in err.value.message
    assert str(target) in str(err.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    assert data == kept  # validation works on a copy


def test_an_invalid_edit_leaves_an_existing_site_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "site.toml"
    good = site_formulary.bundled_data()
    good["revision"] = "site 1"
    site_formulary.save(good, target)
    before = target.read_bytes()
    bad = copy.deepcopy(good)
    _privigen(bad)["vials"][0]["size"] = -5
    with pytest.raises(DataError):
        site_formulary.save(bad, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.toml"]


def test_a_valid_edit_is_written_and_read_back_with_site_provenance(tmp_path: Path) -> None:
    data = site_formulary.bundled_data()
    data["revision"] = "site 2026-12"
    prov = site_formulary.site_provenance("pharmacist A", date(2026, 12, 1))
    assert prov == {
        "evidence": "site",
        "source": "site formulary, edited by pharmacist A on 2026-12-01",
        "date": "2026-12-01",
    }
    _privigen(data)["vials"].insert(0, {"size": 2.5, "volume": 25, **prov})
    _privigen(data)["indications"]["pid"]["max"] = {"value": 6, "unit": "mg/kg/min", **prov}
    target = tmp_path / "site.toml"
    returned = site_formulary.save(data, target)
    assert returned.revision == "site 2026-12"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# ivig_desktop site formulary, revision site 2026-12\n")
    assert tomllib.loads(text) == data
    form = load_formulary(target)
    assert form.revision == "site 2026-12"
    vials = {v.size.m_as("g"): v for v in form.products["privigen"].vials}
    assert vials[2.5].volume.m_as("mL") == 25
    assert vials[2.5].provenance.evidence == "site"
    assert vials[2.5].provenance.source == "site formulary, edited by pharmacist A on 2026-12-01"
    assert vials[5].provenance.evidence != "site"  # untouched figures keep their own evidence
    pid = form.products["privigen"].titrations["pid"]
    assert pid.max_rate.m_as("mg/kg/min") == 6
    # The edited formulary is what a plan is then made from.
    base = bundled_catalogue()
    cat = Catalogue(form, base.regimens, base.policies, base.settings)
    p = make_plan(patient(), Order("privigen", "pid"), cat)
    assert p.formulary_revision == "site 2026-12"
    assert p.ladder.ceiling.m_as("mg/kg/min") == 6


@pytest.mark.parametrize("name", ["Privigen\x7f", "Privigen\x1b[2J", "Privigen\u202e", "Privi\u200bgen"])
def test_a_product_name_with_a_control_character_is_refused_and_nothing_is_written(
    tmp_path: Path, name: str
) -> None:
    """Changed on purpose (issue 15): a pasted DEL, a terminal escape, a right-to-left override or
    a zero-width space in a name used to be saved and loaded; it is now refused, naming the field,
    and save() writes nothing (what it writes must still always load)."""
    data = site_formulary.bundled_data()
    _privigen(data)["name"] = name
    target = tmp_path / "site.toml"
    with pytest.raises(DataError, match=r"\[privigen\] name: holds an invisible control character"):
        site_formulary.save(data, target)
    assert not target.exists()


def test_read_data_refuses_bad_toml_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("revision = \n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid TOML"):
        site_formulary.read_data(bad)
    with pytest.raises(DataError, match="cannot be read"):
        site_formulary.read_data(tmp_path / "missing.toml")


def test_read_data_of_a_saved_file_equals_what_was_saved(tmp_path: Path) -> None:
    data = site_formulary.bundled_data()
    data["revision"] = "site x"
    target = tmp_path / "site.toml"
    site_formulary.save(data, target)
    assert site_formulary.read_data(target) == data


def test_bundled_data_is_a_fresh_copy_each_time() -> None:
    a = site_formulary.bundled_data()
    _privigen(a)["name"] = "changed"
    assert _privigen(site_formulary.bundled_data())["name"] != "changed"
