"""The verify banner and the "Independently checked by" box, before and after a signed check."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ivig_desktop.engine.signature import SignedCheck
from ivig_desktop.report.html import day_html, render_html
from ivig_desktop.report.text import VERIFY_BANNER, render_text
from ivig_desktop.store.signed_check import fingerprint
from tests.helpers import plan


def _checked():
    p = plan("privigen", "itp", dose="2 g/kg", days=2)
    signed = SignedCheck(
        "B. <Checker>", "A. Preparer", datetime(2026, 12, 1, 10, 5), p.formulary_revision, "s", fingerprint(p)
    )
    return p, replace(p, check=signed)


def test_an_unchecked_plan_must_be_verified_and_has_blank_check_lines() -> None:
    p, _ = _checked()
    assert render_text(p).splitlines()[1] == VERIFY_BANNER
    page = day_html(p, p.days[0])
    assert "Verify: this plan must be independently checked by a second clinician before use." in page
    assert "<td><b>Independently checked by</b><br>Signature: ____" in page
    assert "blind re-entry matched" not in page


def test_a_checked_plan_names_its_checker_and_time_on_every_day() -> None:
    _, p = _checked()
    assert render_text(p).splitlines()[1] == (
        "CHECKED: Independently checked by B. <Checker> on 2026-12-01 10:05 "
        f"(prepared by A. Preparer; formulary {p.formulary_revision})."
    )
    html = render_html(p)
    assert "Verify: this plan" not in html
    assert html.count("<p><b>Checked: Independently checked by B. &lt;Checker&gt; on 2026-12-01 10:05") == 2
    cell = (
        "<td><b>Independently checked by</b><br>Name: B. &lt;Checker&gt; (blind re-entry matched)<br>"
        "Date/time: 2026-12-01 10:05<br>Signature: "
    )
    assert html.count(cell) == 2  # both days
    # The other two boxes stay blank for their signatures.
    assert "<td><b>Prepared by</b><br>Signature: ____" in html
    assert "<td><b>Administered by</b><br>Signature: ____" in html
