"""The printed layout as HTML (pure, no Qt): every figure of the plan, the blanks a nurse fills in,
one page per infusion day, and nothing typed by a user reaching the page as markup."""

from __future__ import annotations

import re
from datetime import time
from html import escape

import pytest

from ivig_desktop.engine import display as d
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.plan import Plan
from ivig_desktop.report.html import render_html, vital_sign_checkpoints
from ivig_desktop.report.wording import compact
from tests.helpers import patient, plan
from tests.report.pdf_reading import ID_BLANKS, SIGNERS, rates, vial_rows

BREAK = 'style="page-break-before: always"'


@pytest.fixture(scope="module")
def itp() -> Plan:
    """Octagam 10 % for ITP, 70 kg man, 2 g/kg over 2 days, first step 08:00."""
    return plan("octagam-10", "itp", start=time(8, 0))


def all_pages(html: str) -> list[str]:
    """The HTML of each page: one top-level <div> per day, then one for the Sources."""
    body = html.split("<body>", 1)[1]
    parts = re.split(r"<div(?: style=\"page-break-before: always\")?>", body)
    assert parts[0] == ""
    return parts[1:]


def day_pages(html: str) -> list[str]:
    """The HTML of each day's page (the Sources page, always last, left out)."""
    pages = all_pages(html)
    assert pages[-1].startswith("<h2>Sources:"), pages[-1][:80]
    return pages[:-1]


def sources_page(html: str) -> str:
    return all_pages(html)[-1]


def test_octagam_itp_has_the_label_rates_and_the_day_doses(itp: Plan) -> None:
    html = render_html(itp)
    pages = day_pages(html)
    assert len(itp.days) == len(pages) == 2
    for day, page in zip(itp.days, pages, strict=True):
        assert rates(day) == ["42", "84", "168", "336", "504"]
        for rate in rates(day):
            assert f'<td align="right"><b>{rate}</b></td>' in page
        assert "<b>Give 70 g</b> (prescribed 70 g)" in page
        assert "<b>700 mL</b> (10 mL/kg)" in page
        assert "Start 08:00, <b>end 10:46</b> (2 h 46 min)" in page
        assert f">IVIG infusion schedule · Day {day.day} of 2 · date: ____" in page
    assert "= 140 g over 2 day(s)" in html


def test_every_step_row_matches_the_engine(itp: Plan) -> None:
    page = day_pages(render_html(itp))[0]
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td align=\"right\">([^<]*)</td>", page)
    steps = itp.days[0].schedule.steps
    expected = [
        ("08:00", "30 min", "1"),
        ("08:30", "30 min", "2"),
        ("09:00", "30 min", "4"),
        ("09:30", "30 min", "8"),
        ("10:00", "46 min", "12"),
    ]
    assert rows == expected
    assert len(steps) == len(expected)
    cumulative = [d.number(s.cumulative_volume.m_as("mL"), 1) for s in steps]
    assert cumulative == ["21", "63", "147", "315", "700"]
    for c in cumulative:
        assert f'<td align="right">{c}</td><td></td></tr>' in page


def test_blanks_and_signature_lines_on_every_day(itp: Plan) -> None:
    for page in day_pages(render_html(itp)):
        for blank in ID_BLANKS:
            assert f"<td>{blank} <b>____" in page
        for who in SIGNERS:
            assert f"<td><b>{who}</b><br>Signature: ____" in page
        # the three signature blocks share one table row, which Qt never splits across pages
        assert re.search(r"<tr>(<td><b>[^<]+</b><br>Signature: _+<br>Date/time: _+</td>){3}</tr>", page)
        assert "<th>Lot number</th><th>Expiry</th>" in page
        assert "Actual start:" in page and "Actual stop:" in page and "Reactions / actions:" in page
        assert "independently checked by a second clinician" in page


def test_dosing_weight_policy_product_and_revision(itp: Plan) -> None:
    html = render_html(itp)
    assert "<b>Dosing weight 70 kg</b> (actual)" in html
    for page in day_pages(html):
        assert f"policy <i>{escape(itp.dosing.policy.name)}</i>; rates are per kg of it" in page
    # The reasoning behind the dosing weight is on the Sources page.
    assert f"[{itp.dosing.policy.id}]: {escape(itp.dosing.reason)}." in sources_page(html)
    assert "Automatic: adjusted weight when obese" in itp.dosing.policy.name
    assert "Rates are per kg of the dosing weight (70 kg)" in html
    assert "<b>Octagam 10 %</b> (Octapharma), 100 mg/mL (10 %)" in html
    assert "maximum 12 mg/kg/min" in html
    assert f"Formulary {escape(itp.formulary_revision)};" in html
    assert itp.formulary_revision  # a printout without the formulary revision could not be traced


def test_every_warning_is_printed_escaped_on_every_page(itp: Plan) -> None:
    """On each day's sheet in clinical words; in full, once, on the Sources page."""
    assert itp.warnings, "Octagam carries at least the maltose warning"
    html = render_html(itp)
    for page in day_pages(html):
        for w in itp.warnings:
            assert f"{escape(w.code)}: {escape(compact(w))}" in page
    for w in itp.warnings:
        assert f"{escape(w.code)}: {escape(w.message)}</li>" in sources_page(html)


def test_vital_sign_checkpoints_octagam(itp: Plan) -> None:
    expected = [
        ("Before start", "08:00"),
        ("15 min after start", "08:15"),
        ("Rate increase to 84 mL/h", "08:30"),
        ("Rate increase to 168 mL/h", "09:00"),
        ("Rate increase to 336 mL/h", "09:30"),
        ("Rate increase to 504 mL/h", "10:00"),
        ("End of infusion", "10:46"),
        ("30–60 min after the end", "11:16–11:46"),
    ]
    for day, page in zip(itp.days, day_pages(render_html(itp)), strict=True):
        assert vital_sign_checkpoints(itp, day) == expected
        for what, when in expected:
            assert f"<tr><td>{escape(what)}</td><td>{when}</td>" in page


def test_vital_sign_checkpoints_are_in_time_order() -> None:
    """The planned-time column is read top to bottom: it must run forwards. Bivigam's label holds
    its first rate for 10 min, so the first rate increase (08:10) comes before the 15-min check."""
    p = plan("bivigam", "pid", start=time(8, 0))
    assert d.duration(p.days[0].schedule.steps[0].duration) == "10 min"
    points = vital_sign_checkpoints(p, p.days[0])
    times = [when.split("–")[0] for _, when in points]
    assert all(re.fullmatch(r"\d\d:\d\d", t) for t in times), times
    assert times == sorted(times), points


def test_one_lot_and_expiry_row_per_physical_vial() -> None:
    for p in (plan("octagam-10", "itp"), plan("privigen", "gbs"), plan("bivigam", "pid", dose="0.8 g/kg")):
        for day, page in zip(p.days, day_pages(render_html(p)), strict=True):
            # Two vials to a row, each with an empty lot and an empty expiry cell to write in.
            rows = re.findall(r"<td>([^<]* vial \([^<]*\), \d+ of \d+)</td><td></td><td></td>", page)
            assert rows == vial_rows(day)
            assert len(rows) == sum(c.count for c in day.pick.counts) >= 1


def test_octagam_itp_pick_list(itp: Plan) -> None:
    assert vial_rows(itp.days[0]) == [
        "10 g vial (100 mL), 1 of 1",
        "30 g vial (300 mL), 1 of 2",
        "30 g vial (300 mL), 2 of 2",
    ]


@pytest.mark.parametrize(
    ("product", "indication", "days"), [("octagam-10", "itp", 2), ("privigen", "gbs", 5)]
)
def test_a_page_break_before_every_day_after_the_first(product: str, indication: str, days: int) -> None:
    p = plan(product, indication)
    html = render_html(p)
    assert len(p.days) == days
    # A break before every day after the first, and before the Sources page.
    assert html.count("page-break-before") == html.count(BREAK) == days
    pages = day_pages(html)
    assert len(pages) == days
    assert not html.split("<body>", 1)[1].startswith(f"<div {BREAK}")
    for i, page in enumerate(pages, start=1):
        headings = re.findall(r">IVIG infusion schedule · Day (\d+) of (\d+) · ", page)
        assert headings == [(str(i), str(days))]


def test_elapsed_times_without_a_clock() -> None:
    p = plan("octagam-10", "itp", start=None)
    pages = day_pages(render_html(p))
    for page in pages:
        assert "<tr><td>+0:00</td><td>30 min</td>" in page
        assert "<tr><td>+2:00</td><td>46 min</td>" in page
        assert "Start +0:00, <b>end +2:46</b>" in page
        assert "<td>30–60 min after the end</td><td>+3:16–+3:46</td>" in page
        assert not re.search(r"\b\d\d:\d\d\b", page)


def test_twelve_hour_clock_and_past_midnight() -> None:
    p = plan("octagam-10", "itp", start=time(23, 0))
    page = day_pages(render_html(p, h12=True))[1]
    assert "<tr><td>11:00 PM</td><td>30 min</td>" in page
    assert "<tr><td>12:00 AM (+1 d)</td><td>30 min</td>" in page
    assert "<b>end 1:46 AM (+1 d)</b>" in page
    assert "<td>End of infusion</td><td>1:46 AM (+1 d)</td>" in page
    assert "<b>end 01:46 (+1 d)</b>" in day_pages(render_html(p))[1]


def test_user_typed_text_is_escaped() -> None:
    """An override reason is typed by a clinician: it must print as text, never as markup."""
    reason = '<b>Dr X</b> & "team" <img src=x>'
    p = plan(
        "octagam-10",
        "itp",
        pt=patient(150, 190),
        overrides=(Override("actual-weight", reason),),
    )
    html = render_html(p)
    assert "<img" not in html and "<b>Dr X" not in html
    assert escape(reason) in html
    # In the override warning and the block of entered inputs (issue 11: every input is shown back)
    # on each day's sheet, and on the Sources page in the full warning and the dosing-weight reason.
    assert html.count(escape(reason)) == 2 * len(p.days) + 2


def test_no_vial_sizes_prints_the_dose_instead_of_a_pick_list() -> None:
    # A site formulary listing no vials for a product (the bundled Gammaplex 10 % has them since the
    # label audit, issue 12).
    from dataclasses import replace

    from ivig_desktop.engine.plan import bundled_catalogue, make_plan

    cat = bundled_catalogue()
    bare = replace(cat.formulary.product("gammaplex-10"), vials=())
    cat = replace(cat, formulary=replace(cat.formulary, products={**cat.formulary.products, bare.id: bare}))
    p = make_plan(plan("gammaplex-10", "pid").patient, plan("gammaplex-10", "pid").order, cat)
    assert p.days[0].pick.counts == ()
    page = day_pages(render_html(p))[0]
    assert f"<tr><td>No vial sizes in the formulary: {d.fmt(p.days[0].dose, 'dose')}</td>" in page
    assert not re.search(r"vial \(.*\), \d+ of \d+", page)


def test_patient_figures_and_creatinine() -> None:
    p = plan("octagam-10", "itp", pt=patient(80, 170, sex="female", age=72, scr=1.3))
    html = render_html(p)
    assert "Weight 80 kg (date weighed: ____" in html and "); height 170 cm; female; age 72 y" in html
    assert "Serum creatinine 1.3 mg/dL; CrCl " in html
    assert f"CrCl {d.fmt(p.crcl.value, 'crcl')}" in html
    assert "Serum creatinine not entered; CrCl not calculated" in render_html(plan("octagam-10", "itp"))


def test_the_printout_shows_every_input_as_entered_and_the_dose_three_ways() -> None:
    """Issue 11: "180 lb (81.6 kg)", a risk factor that triggers nothing, the daily dose as typed."""
    from ivig_desktop.engine.patient import Patient, Sex
    from ivig_desktop.engine.plan import Order, make_plan
    from ivig_desktop.engine.quantities import parse_dose
    from ivig_desktop.engine.units import Q_
    from ivig_desktop.report.html import entered_block

    dose, per_day = parse_dose("1 g/kg/day")
    pt = Patient(Q_(180, "lb"), Q_(175, "cm"), Sex.FEMALE, Q_(45, "year"))
    p = make_plan(
        pt,
        Order("privigen", "itp", dose, 2, "actual", risks=frozenset({"corn-allergy"}), dose_per_day=per_day),
    )
    assert "corn" not in {w.code for w in p.warnings}  # Privigen has no corn: the factor triggers nothing
    block = entered_block(p)
    for shown in ("Weight: 180 lb (81.6 kg)", "Risk factors: corn-allergy", "Dose: 1 g/kg/day (daily)"):
        assert shown in block
    page = render_html(p)
    assert page.count(block) == len(p.days)
    # The dosing weight is used as printed, 81.6 kg (issue 12).
    assert "2 g/kg course = 1 g/kg/day × 2 days = 81.6 g/day (163.2 g course)" in page
