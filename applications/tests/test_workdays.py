"""Working days with China's holidays and make-up days (chinesecalendar), and the fallback to
Monday–Friday for a year the calendar does not know."""

import datetime as dt

import chinese_calendar
import pytest

from applications.workdays import (
    add_workdays,
    is_workday,
    known,
    workdays_between,
    workdays_left,
)

D = dt.date


def test_national_day_week_is_off_and_its_make_up_saturday_is_on():
    # 2026: 1–7 October off (Thursday to Wednesday), Saturday 10 October a make-up day.
    assert not any(is_workday(D(2026, 10, day)) for day in range(1, 8))
    assert D(2026, 10, 10).weekday() == 5 and is_workday(D(2026, 10, 10))
    assert not is_workday(D(2026, 10, 11))  # an ordinary Sunday


def test_ten_working_days_across_national_day():
    # Opened Monday 28 September: 29, 30 Sep, then 8, 9, 10 (Saturday), 12–16 October.
    assert add_workdays(D(2026, 9, 28), 10) == D(2026, 10, 16)
    # Monday to Friday alone would have made it 12 October.
    assert workdays_between(D(2026, 9, 28), D(2026, 10, 16)) == 10
    assert workdays_between(D(2026, 9, 28), D(2026, 10, 7)) == 2


def test_days_left_and_late():
    due = D(2026, 10, 16)
    assert workdays_left(D(2026, 10, 14), due) == 2
    assert workdays_left(due, due) == 0
    assert workdays_left(D(2026, 10, 20), due) == -2  # Monday 19, Tuesday 20


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday():
    far = D(2040, 10, 1)  # a Monday; National Day, but the calendar has no 2040 yet
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(far)
    assert not known(far)
    assert is_workday(far)
    assert not is_workday(D(2040, 10, 6))  # Saturday
    assert add_workdays(D(2040, 10, 5), 5) == D(2040, 10, 12)  # Friday → next Friday
