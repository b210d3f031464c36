"""End-of-infusion clock words, by hand: a 22:00 start of 10 h 33 min ends "08:33 next day"."""

from __future__ import annotations

from datetime import datetime, timedelta

from ivig_desktop.engine.display import end_clock

START = datetime(2026, 3, 1, 22, 0)


def test_same_day_end_is_a_plain_time():
    assert end_clock(datetime(2026, 3, 1, 23, 59), START, elapsed=False) == "23:59"


def test_an_end_after_midnight_says_next_day():
    assert end_clock(START + timedelta(hours=10, minutes=33), START, elapsed=False) == "08:33 next day"


def test_twelve_hour_clock_and_two_days_later():
    end = START + timedelta(hours=26, minutes=5)  # 00:05 on 3 March
    assert end_clock(end, START, elapsed=False, h12=True) == "12:05 AM 2 days later"


def test_seconds_round_to_the_minute_before_the_day_is_decided():
    assert end_clock(datetime(2026, 3, 1, 23, 59, 40), START, elapsed=False) == "00:00 next day"


def test_without_a_clock_time_the_end_is_elapsed_time():
    assert end_clock(START + timedelta(hours=10, minutes=33), START, elapsed=True) == "+10:33"
