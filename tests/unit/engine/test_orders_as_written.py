"""Issue 11 and the parser part of issue 15: orders read as clinicians write them.

Daily or course dose, bare ages, HHMM times, max rate in mL/kg/min, case-insensitive ids with
one spelling per concept; and refusals with a reason: non-finite and over-long numbers, 1.000
read two ways, decimal feet, invisible characters, figures not rounded onto the limit.
"""

from __future__ import annotations

from datetime import time

import pytest

from ivig_desktop.engine import display as d
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.plan import Order, make_plan
from ivig_desktop.engine.quantities import (
    AGE,
    DOSE,
    HEIGHT,
    MAX_RATE,
    SERUM_CREATININE,
    WEIGHT,
    check_text,
    dose_text,
    parse_choice,
    parse_clock,
    parse_days,
    parse_dose,
    parse_number,
    parse_quantity,
)
from ivig_desktop.engine.units import Q_
from tests.helpers import PRODUCT_IDS, REGIMEN_IDS, patient

# --- dose notation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "magnitude", "per_day"),
    [
        ("2 g/kg", "gram / kilogram", 2, False),
        ("1 g/kg/day", "gram / kilogram", 1, True),
        ("400 mg/kg/day", "milligram / kilogram", 400, True),
        ("400 mg/kg per day", "milligram / kilogram", 400, True),
        ("1 g/kg daily", "gram / kilogram", 1, True),
        ("1 G/KG/DAY", "gram / kilogram", 1, True),
        ("1 g/kg/d", "gram / kilogram", 1, True),
        ("35 g", "gram", 35, False),
        ("35000 mg", "milligram", 35000, False),
        ("30 g/day", "gram", 30, True),
        ("2 g/kg course", "gram / kilogram", 2, False),
    ],
)
def test_dose_notation(text: str, unit: str, magnitude: float, per_day: bool) -> None:
    dose, daily = parse_dose(text)
    assert (str(dose.units), dose.m, daily) == (unit, magnitude, per_day)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("/day", "has no number"),
        ("2 mL/day", "'mL' is not a unit of dose"),
        ("1,000 mg/kg", "'1,000' is ambiguous: 1 with a decimal comma, or 1000"),
        ("1.000 mg/kg", "'1.000' is ambiguous: 1 with a decimal point, or 1000"),
        ("0 g/kg/day", "must be greater than zero"),
    ],
)
def test_dose_refusals(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_dose(text)
    assert err.value.field == "dose"
    assert fragment in err.value.message


def _order(dose: str, days: int | None, indication: str | None = "itp", product: str = "privigen") -> Order:
    q, per_day = parse_dose(dose)
    return Order(product, indication, q, days, start=time(8, 0), dose_per_day=per_day)


def test_one_g_per_kg_per_day_for_two_days_is_a_two_g_per_kg_course() -> None:
    """The ITP order "1 g/kg/day × 2 days" at 70 kg: 140 g course, 70 g each day."""
    p = make_plan(patient(70), _order("1 g/kg/day", 2))
    assert p.course_dose.m_as("g") == pytest.approx(140)
    assert p.course_dose_per_kg.m_as("g/kg") == pytest.approx(2)
    assert p.daily_dose_per_kg.m_as("g/kg") == pytest.approx(1)
    assert [day.prescribed.m_as("g") for day in p.days] == pytest.approx([70, 70])
    assert d.dose_statement(p) == "2 g/kg course = 1 g/kg/day × 2 days = 70 g/day (140 g course)"
    assert plan_to_dict(p)["daily_dose_per_kg"] == {"magnitude": 1.0, "units": "g/kg"}


def test_four_hundred_mg_per_kg_per_day_for_five_days() -> None:
    """GBS "400 mg/kg × 5 days" at 80 kg: 0.4 × 80 = 32 g a day, 160 g (2 g/kg) course."""
    p = make_plan(patient(80), _order("400 mg/kg/day", 5, "gbs"))
    assert p.course_dose_per_kg.m_as("g/kg") == pytest.approx(2)
    assert [day.prescribed.m_as("g") for day in p.days] == pytest.approx([32] * 5)
    assert d.dose_statement(p) == "2 g/kg course = 0.4 g/kg/day × 5 days = 32 g/day (160 g course)"


def test_a_plain_per_kg_dose_is_the_course_and_the_plan_says_so_three_ways() -> None:
    """ "1 g/kg" with 2 days is the course (0.5 g/kg/day): stated, and cautioned because 1 g/kg is the
    ITP regimen's daily dose, so a checker sees the slip."""
    p = make_plan(patient(70), _order("1 g/kg", 2))
    assert p.course_dose.m_as("g") == pytest.approx(70)
    assert d.dose_statement(p) == "1 g/kg course = 0.5 g/kg/day × 2 days = 35 g/day (70 g course)"
    w = next(w for w in p.warnings if w.code == "dose-notation")
    assert w.severity.label == "caution"
    assert "'1 g/kg' was read as the COURSE" in w.message and "'1 g/kg/day'" in w.message


def test_no_notation_caution_when_the_course_is_the_regimens_course() -> None:
    p = make_plan(patient(70), _order("2 g/kg", 2))
    assert "dose-notation" not in {w.code for w in p.warnings}
    p1 = make_plan(patient(70), _order("1 g/kg", 1))  # NHSE single 1 g/kg: one day, no ambiguity
    assert "dose-notation" not in {w.code for w in p1.warnings}


def test_an_absolute_daily_dose_is_multiplied_by_the_days() -> None:
    p = make_plan(patient(70), _order("30 g/day", 2))
    assert p.course_dose.m_as("g") == pytest.approx(60)
    assert p.course_dose_per_kg.m_as("g/kg") == pytest.approx(60 / 70)


def test_a_daily_dose_over_the_limit_names_both_readings() -> None:
    """1.5 g/kg/day × 2 = 3 g/kg > the site's 2.4 g/kg course limit."""
    with pytest.raises(InputError) as err:
        make_plan(patient(70), _order("1.5 g/kg/day", 2))
    assert err.value.field == "dose"
    assert (
        "3 g/kg of dosing weight (1.5 g/kg/day × 2 days) is above the site's hard limit" in err.value.message
    )


def test_dose_text_round_trips() -> None:
    for text in ("1 g/kg/day", "400 mg/kg/day", "2 g/kg", "35000 mg", "30 g/day"):
        q, per_day = parse_dose(text)
        assert dose_text(q, per_day) == text


# --- ages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("45", 45.0),  # a bare number is years
        ("45 y", 45.0),
        ("3 yo", 3.0),
        ("8 months", 8 / 12),
        ("8 mo", 8 / 12),
        ("8 mos", 8 / 12),
        ("3 wk", 21 / 365.25),
        ("3 wks", 21 / 365.25),
        ("10 days", 10 / 365.25),
        ("10 d", 10 / 365.25),
    ],
)
def test_ages_as_written(text: str, years: float) -> None:
    assert parse_quantity(text, AGE).m_as("year") == pytest.approx(years)


@pytest.mark.parametrize(
    ("q", "shown"),
    [
        (Q_(8, "month"), "8 months"),
        (Q_(2, "week"), "14 days"),
        (Q_(10, "day"), "10 days"),
        (Q_(1, "day"), "1 day"),
        (Q_(1, "month"), "1 month"),
        (Q_(23, "month"), "23 months"),
        (Q_(2, "year"), "2 y"),
        (Q_(72, "year"), "72 y"),
    ],
)
def test_ages_under_two_are_shown_in_months_or_days(q, shown: str) -> None:
    assert d.age(q) == shown


def test_an_infant_plan_prints_months_not_decimal_years() -> None:
    from ivig_desktop.engine.patient import Patient, Sex
    from ivig_desktop.report.html import render_html
    from ivig_desktop.report.text import render_text

    pt = Patient(Q_(8, "kg"), Q_(70, "cm"), Sex.FEMALE, parse_quantity("8 months", AGE))
    p = make_plan(pt, Order("privigen", "pid", start=time(8, 0)))
    text = render_text(p)
    assert "female, 8 months" in text and "0.7 y" not in text
    assert "age 8 months" in render_html(p)


def test_a_bare_number_is_still_refused_where_there_is_no_convention() -> None:
    for spec in (WEIGHT, HEIGHT, SERUM_CREATININE, DOSE, MAX_RATE):
        with pytest.raises(InputError, match="has no unit"):
            parse_quantity("70", spec)


# --- days, times, max rate -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "n"), [("2", 2), ("2 days", 2), ("2 d", 2), ("1 day", 1), ("5 DAYS", 5)])
def test_days_with_or_without_the_word(text: str, n: int) -> None:
    assert parse_days(text) == n


def test_days_of_five_thousand_digits_is_refused_without_converting_them() -> None:
    with pytest.raises(InputError) as err:
        parse_days("9" * 5000)
    assert "more than the 10" in err.value.message and len(err.value.message) < 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:30", time(8, 30)), ("8:30", time(8, 30)), ("0830", time(8, 30)), ("2359", time(23, 59))],
)
def test_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(("text", "fragment"), [("2500", "not a valid time"), ("0860", "not a valid time")])
def test_bad_hhmm_times(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        parse_clock(text)


def test_max_rate_in_ml_per_kg_per_min_is_converted_with_the_products_concentration() -> None:
    """0.04 mL/kg/min of a 10 % product (100 mg/mL) is 4 mg/kg/min: the same plan as '4 mg/kg/min'."""
    ml = make_plan(patient(70), Order("privigen", "pid", max_rate=parse_quantity("0.04 mL/kg/min", MAX_RATE)))
    mg = make_plan(patient(70), Order("privigen", "pid", max_rate=parse_quantity("4 mg/kg/min", MAX_RATE)))
    assert ml.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(4)
    assert [s.rate.m_as("mL/h") for s in ml.days[0].schedule.steps] == [
        s.rate.m_as("mL/h") for s in mg.days[0].schedule.steps
    ]


def test_max_rate_above_the_label_is_refused_with_both_figures() -> None:
    """Privigen's PID maximum is 8 mg/kg/min; 10 mg/kg/min can only be a slip."""
    with pytest.raises(InputError) as err:
        make_plan(patient(70), Order("privigen", "pid", max_rate=Q_(10, "mg/kg/min")))
    assert err.value.field == "max-rate"
    assert "10 mg/kg/min is above the Privigen label maximum of 8 mg/kg/min" in err.value.message
    with pytest.raises(InputError) as err:
        make_plan(patient(70), Order("privigen", "pid", max_rate=Q_(0.1, "mL/kg/min")))
    assert "0.1 mL/kg/min (10 mg/kg/min at 100 mg/mL) is above" in err.value.message


def test_a_max_rate_below_the_pump_resolution_blames_max_rate_not_weight() -> None:
    """0.001 mg/kg/min × 70 kg × 60 ÷ 100 mg/mL = 0.042 mL/h < 0.1 mL/h."""
    with pytest.raises(InputError) as err:
        make_plan(patient(70), Order("privigen", "pid", max_rate=Q_(0.001, "mg/kg/min")))
    assert err.value.field == "max-rate"
    assert "0.042 mL/h, below the pump resolution 0.1 mL/h" in err.value.message


# --- identifiers ---------------------------------------------------------------------------------


def test_identifiers_are_case_insensitive() -> None:
    assert parse_choice("Privigen", PRODUCT_IDS, "product", "in the formulary") == "privigen"
    assert parse_choice("ITP", REGIMEN_IDS, "indication", "a known indication") == "itp"
    assert parse_choice("CIDP-Loading", REGIMEN_IDS, "indication", "a known indication") == "cidp-loading"


def test_an_id_that_could_mean_two_is_refused_naming_both() -> None:
    with pytest.raises(InputError) as err:
        parse_choice("cidp", REGIMEN_IDS, "indication", "a known indication")
    assert err.value.field == "indication"
    assert "'cidp' could mean cidp-loading or cidp-maintenance" in err.value.message
    with pytest.raises(InputError) as err:
        parse_choice("Octagam", sorted(PRODUCT_IDS), "product", "in the formulary")
    assert "'Octagam' could mean octagam-10 or octagam-5; choose one" in err.value.message


# --- numbers bounded, text as text (issue 15, parser part) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "spec", "fragment"),
    [
        (
            "9" * 400 + " mg/kg/min",
            MAX_RATE,
            "has 400 digits; no figure this program takes needs more than 20",
        ),
        ("9" * 5000 + " kg", WEIGHT, "has 5000 digits"),
        ("0." + "0" * 30 + "1 kg", WEIGHT, "has 32 digits"),
        ("inf kg", WEIGHT, "has no number"),
        ("nan kg", WEIGHT, "has no number"),
        (
            "1.000 kg",
            WEIGHT,
            "'1.000' is ambiguous: 1 with a decimal point, or 1000 with a thousands separator",
        ),
        ("1,000 kg", WEIGHT, "'1,000' is ambiguous: 1 with a decimal comma, or 1000"),
        ("1,500 mg", DOSE, "'1,500' is ambiguous: 1.5 with a decimal comma, or 1500"),
        ("5.9 ft", HEIGHT, "could be 5 ft 9 in (175.3 cm) or decimal feet (179.8 cm)"),
        ("5,11 ft", HEIGHT, "could be 5 ft 11 in (180.3 cm)"),
        ("5.75 ft", HEIGHT, "'5.75 ft' is decimal feet (175.3 cm); type feet and inches"),
        ("70\u200b kg", WEIGHT, "invisible or control character (U+200B) at position 3"),
        ("70 kg\x1b[31m", WEIGHT, "control character (U+001B)"),
        ("70\u202e kg", WEIGHT, "(U+202E)"),
        ("70.5.5 kg", WEIGHT, "'70.5.5 kg' has more than one decimal point or comma"),
        ("1,000.5 kg", WEIGHT, "more than one decimal point or comma"),
        # 771.7 lb = 350.037 kg: the message must not round it onto the 350 kg limit it broke.
        ("771.7 lb", WEIGHT, "350.04 kg is outside the accepted range 0.3–350 kg"),
        ("0.29999 kg", WEIGHT, "0.29999 kg is outside the accepted range 0.3–350 kg"),
        ("250.001 cm", HEIGHT, "250.001 cm is outside"),
    ],
)
def test_numbers_bounded_and_text_as_text(text: str, spec, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_quantity(text, spec)
    assert err.value.field == spec.name
    assert fragment in err.value.message
    assert "\x1b" not in err.value.message and "\u200b" not in err.value.message
    assert len(err.value.message) < 300


def test_seventy_point_five_point_five_is_not_called_an_expression() -> None:
    with pytest.raises(InputError) as err:
        parse_quantity("70.5.5 kg", WEIGHT)
    assert "expression" not in err.value.message


def test_check_text_allows_ordinary_white_space_only() -> None:
    assert check_text("cardiology\treviewed\n", "override reason") == "cardiology\treviewed\n"
    for bad in ("\x00", "\x7f", "\u200d", "\u2028", "\ufeff"):
        with pytest.raises(InputError, match="invisible or control character"):
            check_text(f"ok{bad}", "override reason")


def test_settings_numbers_are_bounded_too() -> None:
    with pytest.raises(InputError, match="has 400 digits"):
        parse_number("9" * 400, "pump resolution")
    with pytest.raises(InputError, match="ambiguous"):
        parse_number("1.000", "standard volume")
    with pytest.raises(InputError, match="control character"):
        parse_number("1\x1b", "standard volume")


def test_a_fixed_time_regimen_below_the_pump_resolution_blames_the_dose() -> None:
    """Kawasaki infuses each day's dose over 10 h: 0.01 g over 10 h at 70 kg is 0.000238 mg/kg/min,
    below Privigen's start rate, so the dose (not the weight) is at fault."""
    with pytest.raises(InputError) as err:
        make_plan(patient(70), Order("privigen", "kawasaki", Q_(0.01, "g"), 1))
    assert err.value.field == "dose"
    assert "fixed 10 h runs at 0.000238 mg/kg/min" in err.value.message
    assert "below the pump resolution 0.1 mL/h" in err.value.message
