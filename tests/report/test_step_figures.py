"""Every schedule table (the window's model, the text report, the printed sheet) prints a step's
figures from one function, so a pump rate can never be rounded two ways on one plan."""

from __future__ import annotations

from html import unescape

from ivig_desktop.engine.display import step_figures
from ivig_desktop.report.html import render_html
from ivig_desktop.report.text import render_text
from ivig_desktop.ui.models import ScheduleModel
from tests.helpers import patient, plan

# Privigen for PID at 70 kg: 0.4 g/kg = 28 g, given as 30 g = 300 mL of 100 mg/mL. Pump rate
# = mg/kg/min × 70 kg ÷ 100 mg/mL × 60 min/h: 0.5 → 21 mL/h, 1 → 42, 2 → 84, 4 → 168, 8 → 336;
# 30 min each, the last step runs the remaining 300 − 157.5 = 142.5 mL.
BY_HAND = [
    ("0.5", "21", "10.5", "10.5"),
    ("1", "42", "21", "31.5"),
    ("2", "84", "42", "73.5"),
    ("4", "168", "84", "157.5"),
    ("8", "336", "142.5", "300"),
]


def test_step_figures_by_hand() -> None:
    p = plan("privigen", "pid", pt=patient(70, 175))
    assert [step_figures(s) for s in p.days[0].schedule.steps] == BY_HAND


def test_window_text_and_sheet_print_the_same_cells(qapp) -> None:
    p = plan("octagam-5", "gbs", pt=patient(82, 178, age=60))
    html = unescape(render_html(p))
    text = render_text(p)
    model = ScheduleModel()
    for day in p.days:
        model.set_day(day)
        for row, step in enumerate(day.schedule.steps):
            cells = step_figures(step)
            assert tuple(model.data(model.index(row, col)) for col in range(2, 6)) == cells
            dose_rate, rate, volume, total = cells
            assert (
                f'<td align="right">{dose_rate}</td><td align="right"><b>{rate}</b></td>'
                f'<td align="right">{volume}</td><td align="right">{total}</td>'
            ) in html
            assert any(line.split()[-4:] == list(cells) for line in text.splitlines()), cells
