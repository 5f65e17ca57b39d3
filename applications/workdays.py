"""Working days in China: weekends and public holidays off, make-up working days
(调休) on, as the State Council publishes them each year.

The calendar is the `chinesecalendar` package (import name `chinese_calendar`), which is
updated when the State Council publishes the next year's arrangement: a dependency bump, not
a hand-typed list here. For a year the package does not know yet (it raises
NotImplementedError) we fall back to Monday to Friday: a deadline then ignores that year's
holidays until the package is updated, which can only make it earlier, never later.
"""

import datetime as dt

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


def is_workday(day: dt.date) -> bool:
    """Whether `day` is a working day (holidays off, make-up Saturdays and Sundays on)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # A year the calendar does not know yet: Monday to Friday (see the module's note).
        return day.weekday() < 5


def known(day: dt.date) -> bool:
    """Whether the calendar knows `day`'s year (else is_workday counts Monday to Friday)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def add_workdays(start: dt.date, count: int) -> dt.date:
    """The day `count` working days after `start` (`start` itself not counted): a step
    begun on `start` with a limit of `count` working days is due by the end of that day."""
    day = start
    left = count
    while left > 0:
        day += ONE_DAY
        if is_workday(day):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """The working days after `start` up to and including `end` (0 when end ≤ start): how
    many working days a step begun on `start` and finished on `end` took."""
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if is_workday(day):
            count += 1
    return count


def workdays_left(today: dt.date, due: dt.date) -> int:
    """Working days left until `due` (0 on the day it is due), negative once past it: how
    many working days late."""
    if today <= due:
        return workdays_between(today, due)
    return -workdays_between(due, today)
