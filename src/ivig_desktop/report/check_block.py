"""The verify banner and the "Independently checked by" box, with or without a signed check.

One place, so the text plan, the printed sheet and the window say the same thing: a plan
without a signed double check must be checked before use; a plan with one names its checker
and the time. Only ``Plan.check`` (attached after its fingerprint was verified) counts.
"""

from __future__ import annotations

from html import escape

from ivig_desktop.engine.plan import Plan

VERIFY_BANNER = "VERIFY: this plan must be independently checked by a second clinician before use."


def banner(plan: Plan) -> str:
    """The text plan's second line."""
    if plan.check is None:
        return VERIFY_BANNER
    return f"CHECKED: {plan.check.sentence()}."


def banner_html(plan: Plan) -> str:
    """The printed sheet's verify line."""
    if plan.check is None:
        return (
            "<p><b>Verify: this plan must be independently checked by a second clinician before use.</b></p>"
        )
    return f"<p><b>Checked: {escape(plan.check.sentence())}.</b></p>"


def checked_by_cell(plan: Plan, blank: str) -> str:
    """The "Independently checked by" signature box: blank lines, or the checker and time filled in
    (the signature line stays, for a site that also wants it signed by hand)."""
    check = plan.check
    if check is None:
        return f"<td><b>Independently checked by</b><br>Signature: {blank}<br>Date/time: {blank}</td>"
    return (
        f"<td><b>Independently checked by</b><br>Name: {escape(check.checked_by)} "
        f"(blind re-entry matched)<br>Date/time: {escape(check.when)}<br>Signature: {blank}</td>"
    )
