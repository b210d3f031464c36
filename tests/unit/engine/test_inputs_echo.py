"""Every input is shown back as entered and as read, choices by id and by name, so a second
clinician checks what was chosen, not only a code for it."""

from __future__ import annotations

from ivig_desktop.engine.inputs import echo_lines
from tests.helpers import patient, plan


def test_choices_are_echoed_by_id_and_name() -> None:
    p = plan(
        "octagam-5",
        "itp",
        pt=patient(70, 165, "female", 78, 1.4),
        risks=frozenset({"heart-failure", "diabetes"}),
        start_low=frozenset({"first-infusion"}),
    )
    lines = echo_lines(p)
    assert "Indication: itp (Immune thrombocytopenia (ITP))" in lines
    assert "Product: octagam-5 (Octagam 5 %)" in lines
    assert "Weight policy: auto (Automatic: adjusted weight when obese)" in lines
    risks = "diabetes (Diabetes mellitus), heart-failure (Heart failure / reduced cardiac function)"
    assert f"Risk factors: {risks}" in lines
    assert "Start low: first-infusion (first infusion)" in lines


def test_nothing_chosen_reads_none() -> None:
    lines = echo_lines(plan("privigen", "pid", pt=patient(70, 175)))
    assert "Risk factors: none" in lines and "Start low: none" in lines
