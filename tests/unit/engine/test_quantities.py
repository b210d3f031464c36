"""quantities.py: the parser for typed values, its unit whitelists, ranges and refusals."""

from __future__ import annotations

from datetime import time

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.quantities import (
    AGE,
    DOSE,
    HEIGHT,
    SERUM_CREATININE,
    WEIGHT,
    FieldSpec,
    parse_clock,
    parse_days,
    parse_quantity,
)
from ivig_desktop.engine.units import Q_, serum_creatinine_mg_dl


@pytest.mark.parametrize(
    ("text", "spec", "unit", "expected"),
    [
        ("70 kg", WEIGHT, "kg", 70.0),
        ("154 lb", WEIGHT, "kg", 69.85322498),  # 154 × 0.45359237
        ("154 lbs", WEIGHT, "kg", 69.85322498),
        ("70 KG", WEIGHT, "kg", 70.0),  # unit spelling is case-insensitive
        ("70.5 kg", WEIGHT, "kg", 70.5),
        ("70,5 kg", WEIGHT, "kg", 70.5),  # decimal comma
        ("  70   kg ", WEIGHT, "kg", 70.0),
        ("350 kg", WEIGHT, "kg", 350.0),  # upper bound is inclusive
        ("0.3 kg", WEIGHT, "kg", 0.3),  # lower bound is inclusive
        ("175 cm", HEIGHT, "cm", 175.0),
        ("1.75 m", HEIGHT, "cm", 175.0),
        ("69 in", HEIGHT, "cm", 175.26),  # 69 × 2.54
        ("5 ft 9 in", HEIGHT, "cm", 175.26),  # 5 × 12 + 9 = 69 in
        ("5'9\"", HEIGHT, "cm", 175.26),
        ("5 ft", HEIGHT, "cm", 152.4),  # 60 in
        ("50 y", AGE, "year", 50.0),
        ("6 mo", AGE, "year", 0.5),  # 6 ÷ 12
        ("1.0 mg/dL", SERUM_CREATININE, "mg/dL", 1.0),
        ("88.4 µmol/L", SERUM_CREATININE, "mg/dL", 0.99998),  # 88.4 µmol/L × 113.12 g/mol
        ("88.4 umol/l", SERUM_CREATININE, "mg/dL", 0.99998),
        ("2 g/kg", DOSE, "g/kg", 2.0),
        ("500 mg/kg", DOSE, "g/kg", 0.5),
        ("50 g", DOSE, "g", 50.0),
    ],
)
def test_accepted_values(text: str, spec: FieldSpec, unit: str, expected: float) -> None:
    q = parse_quantity(text, spec)
    value = serum_creatinine_mg_dl(q).m if spec is SERUM_CREATININE else q.m_as(unit)
    assert value == pytest.approx(expected, abs=1e-5)


def test_feet_and_inches_give_69_inches_exactly() -> None:
    q = parse_quantity("5 ft 9 in", HEIGHT)
    assert q.m_as("inch") == pytest.approx(69.0, abs=1e-12)
    assert 175.26 <= q.m_as("cm") < 175.2601


@pytest.mark.parametrize(
    ("text", "spec", "field", "fragment"),
    [
        ("", WEIGHT, "weight", "is empty"),
        ("   ", WEIGHT, "weight", "is empty"),
        ("kg", WEIGHT, "weight", "has no number"),
        ("70", WEIGHT, "weight", "has no unit"),
        ("70 m", WEIGHT, "weight", "'m' is not a unit of weight"),
        ("70*2 kg", WEIGHT, "weight", "is an expression"),
        ("35+35 kg", WEIGHT, "weight", "is an expression"),
        ("1e3 kg", WEIGHT, "weight", "is an expression"),
        ("-5 kg", WEIGHT, "weight", "must be greater than zero"),
        ("−5 kg", WEIGHT, "weight", "must be greater than zero"),  # Unicode minus
        ("0 kg", WEIGHT, "weight", "must be greater than zero"),
        ("400 kg", WEIGHT, "weight", "400 kg is outside the accepted range 0.3–350 kg"),
        ("0.2 kg", WEIGHT, "weight", "0.2 kg is outside the accepted range 0.3–350 kg"),
        ("1,500 kg", WEIGHT, "weight", "ambiguous"),
        ("20 cm", HEIGHT, "height", "20 cm is outside the accepted range 25–250 cm"),
        ("260 cm", HEIGHT, "height", "260 cm is outside the accepted range 25–250 cm"),
        ("70 kg", HEIGHT, "height", "not a unit of height"),
        ("130 y", AGE, "age", "130 y is outside the accepted range 0–120 y"),
        ("25 mg/dL", SERUM_CREATININE, "serum creatinine", "25 mg/dL is outside the accepted range 0.1–20"),
        ("0.05 mg/dL", SERUM_CREATININE, "serum creatinine", "0.05 mg/dL is outside the accepted range"),
        # 2300 µmol/L ÷ 88.4 = 26.02 mg/dL (> 20); 5 µmol/L ÷ 88.4 = 0.05656 mg/dL (< 0.1).
        ("2300 µmol/L", SERUM_CREATININE, "serum creatinine", "26.02 mg/dL is outside the accepted range"),
        ("5 umol/L", SERUM_CREATININE, "serum creatinine", "0.05656 mg/dL is outside the accepted range"),
        ("3 kg/kg", DOSE, "dose", "not a unit of dose"),
        ("0 g/kg", DOSE, "dose", "must be greater than zero"),
    ],
)
def test_rejected_values(text: str, spec: FieldSpec, field: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_quantity(text, spec)
    assert err.value.field == field
    assert fragment in err.value.message
    assert str(err.value).startswith(f"{field}: ")


def test_default_unit_applies_only_to_a_bare_number() -> None:
    assert parse_quantity("70", WEIGHT, "kilogram").m_as("kg") == pytest.approx(70.0)
    assert parse_quantity("154", WEIGHT, "pound").m_as("kg") == pytest.approx(69.85322498)
    # The typed unit wins over the selector's: "70 kg" with the selector on lb is 70 kg, not 31.75.
    assert parse_quantity("70 kg", WEIGHT, "pound").m_as("kg") == pytest.approx(70.0)
    assert parse_quantity("175", HEIGHT, "centimeter").m_as("cm") == pytest.approx(175.0)
    # The default unit is still range-checked: 400 kg is refused.
    with pytest.raises(InputError, match="outside the accepted range"):
        parse_quantity("400", WEIGHT, "kilogram")


def test_range_check_of_quantities_built_in_code() -> None:
    assert WEIGHT.check(Q_(70, "kg")).m == 70
    with pytest.raises(InputError) as err:
        WEIGHT.check(Q_(800, "lb"))  # 362.87 kg > 350
    assert err.value.field == "weight"
    assert "362.9 kg is outside" in err.value.message
    with pytest.raises(InputError, match="is not a unit of weight"):
        WEIGHT.check(Q_(70, "cm"))


@pytest.mark.parametrize(("text", "days"), [("1", 1), ("10", 10), (" 3 ", 3)])
def test_parse_days_accepts_whole_days(text: str, days: int) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("0", "must be at least 1"),
        ("11", "11 days is more than the 10"),
        ("2.5", "'2.5' is not a whole number of days"),
        ("-1", "is not a whole number of days"),
        ("two", "is not a whole number of days"),
    ],
)
def test_parse_days_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_days(text)
    assert err.value.field == "days"
    assert fragment in err.value.message
    with pytest.raises(InputError) as named:
        parse_days(text, field="course days")
    assert named.value.field == "course days"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:00", time(8, 0)), ("8:05", time(8, 5)), ("23:59", time(23, 59)), ("8h30", time(8, 30))],
)
def test_parse_clock_accepts(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("24:00", "is not a valid time of day"),
        ("12:60", "is not a valid time of day"),
        ("800", "is not a time as HH:MM"),  # HHMM (0800) is accepted since issue 11
        ("noon", "is not a time as HH:MM"),
        ("", "is not a time as HH:MM"),
    ],
)
def test_parse_clock_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_clock(text)
    assert err.value.field == "start"
    assert fragment in err.value.message
