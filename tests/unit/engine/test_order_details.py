"""Order details: strict dates, plain one-line text, and the first-infusion date dating every day."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.order_details import OrderDetails, long_date, parse_date, short_date
from ivig_desktop.engine.units import Q_
from ivig_desktop.engine.vials import pick_vials
from tests.helpers import plan


def test_dates_are_iso_only() -> None:
    assert parse_date("2026-12-01", "date") == date(2026, 12, 1)
    assert parse_date("  2026-12-01 ", "date") == date(2026, 12, 1)
    assert parse_date("", "date") is None and parse_date(None, "date") is None
    for bad in ("01/12/2026", "2026-12-1", "2026/12/01", "20261201", "2026-12-01T08:00", "٢٠٢٦-١٢-٠١"):
        with pytest.raises(InputError, match="not a date as YYYY-MM-DD") as exc:
            parse_date(bad, "date")
        assert exc.value.field == "date"
    with pytest.raises(InputError, match="not a day of the calendar"):
        parse_date("2026-02-29", "date of birth")
    with pytest.raises(InputError, match="before 1900"):
        parse_date("1850-01-01", "date of birth")


def test_weekday_names_do_not_depend_on_locale() -> None:
    # 1 December 2026 is a Tuesday (hand-checked against a calendar).
    assert long_date(date(2026, 12, 1)) == "Tuesday 1 December 2026"
    assert short_date(date(2026, 12, 5)) == "Sat 5 Dec 2026"


def test_text_is_trimmed_one_line_and_bounded() -> None:
    d = OrderDetails.parse(patient_name="  Jane   Doe ", allergies="penicillin; latex", mrn="")
    assert d.patient_name == "Jane Doe" and d.allergies == "penicillin; latex" and d.mrn is None
    for bad in ("Jane\nDoe", "Jane\x00", "Jane\u2028Doe", "Jane\u202eDoe"):
        with pytest.raises(InputError, match="control character") as exc:
            OrderDetails.parse(patient_name=bad)
        assert exc.value.field == "patient name"
    with pytest.raises(InputError, match="101 characters long; at most 100") as exc:
        OrderDetails.parse(prescriber="x" * 101)
    assert exc.value.field == "prescriber"
    with pytest.raises(InputError, match="not an order detail"):
        OrderDetails.parse(nickname="Jo")


def test_date_of_birth_cannot_follow_the_infusion() -> None:
    with pytest.raises(InputError, match="after the first infusion date") as exc:
        OrderDetails.parse(date_of_birth="2027-01-01", first_date="2026-12-01")
    assert exc.value.field == "date of birth"


def test_only_entered_fields_are_kept() -> None:
    d = OrderDetails.parse(first_date="2026-12-01", prescriber="Dr A. Smith")
    assert d.as_text() == {"first_date": "2026-12-01", "prescriber": "Dr A. Smith"}
    assert not d.identified
    assert OrderDetails.parse(mrn="12345").identified
    assert OrderDetails().as_text() == {}


def test_each_day_of_a_dated_course_starts_on_its_own_date() -> None:
    p = plan("privigen", "gbs", start=time(22, 0), details=OrderDetails(first_date=date(2026, 12, 30)))
    assert p.dated
    starts = [day.schedule.start for day in p.days]
    assert starts == [datetime(2026, 12, d, 22, 0) for d in (30, 31)] + [
        datetime(2027, 1, d, 22, 0) for d in (1, 2, 3)
    ]
    # Steps after midnight fall on the next date.
    assert p.days[0].schedule.end.date() == date(2026, 12, 31)


def test_an_undated_plan_is_not_dated() -> None:
    p = plan("privigen", "gbs")
    assert not p.dated
    assert [day.schedule.start.day for day in p.days] == [1, 2, 3, 4, 5]


def test_waste_in_millilitres() -> None:
    # Privigen 10 %: 2 g from a 5 g / 50 mL vial leaves 3 g = 30 mL to discard.
    from ivig_desktop.engine.formulary import bundled_formulary

    vials = bundled_formulary().product("privigen").vials
    pick = pick_vials(Q_(2, "g"), vials, 0.1)
    assert pick.waste.m_as("g") == pytest.approx(3.0)
    assert pick.waste_volume.m_as("mL") == pytest.approx(30.0)
    # Octagam 5 % (50 mg/mL): 0.4 g from a 1 g / 20 mL vial leaves 0.6 g = 12 mL.
    vials5 = bundled_formulary().product("octagam-5").vials
    pick5 = pick_vials(Q_(0.4, "g"), vials5, 0.1)
    assert (pick5.opened.m_as("g"), pick5.waste.m_as("g")) == pytest.approx((1.0, 0.6))
    assert pick5.waste_volume.m_as("mL") == pytest.approx(12.0)
    assert pick_vials(Q_(70, "g"), vials, 0.1).waste_volume.m_as("mL") == 0.0


def test_cli_order_details_reach_the_order_and_replace_a_files(tmp_path) -> None:
    from ivig_desktop import cli
    from ivig_desktop.store.plan_file import load_plan_inputs
    from tests.helpers import cli_argv

    saved = tmp_path / "p.ivig"
    argv = cli_argv(date="2026-12-01", mrn="A1", prescriber="Dr A. Smith", save=str(saved))
    assert cli.main(argv) == 0
    details = load_plan_inputs(saved)[1].details
    assert details == OrderDetails(first_date=date(2026, 12, 1), mrn="A1", prescriber="Dr A. Smith")
    again = tmp_path / "q.ivig"
    assert cli.main(["plan", "--input", str(saved), "--date", "2026-12-08", "--save", str(again)]) == 0
    assert load_plan_inputs(again)[1].details == OrderDetails(
        first_date=date(2026, 12, 8), mrn="A1", prescriber="Dr A. Smith"
    )


def test_cli_refuses_a_bad_date_naming_it(capsys) -> None:
    from ivig_desktop import cli
    from tests.helpers import cli_argv

    assert cli.main(cli_argv(date="1/12/2026")) == 2
    err = capsys.readouterr().err
    assert err.startswith("ivig-desktop: error: date: '1/12/2026' is not a date as YYYY-MM-DD")
