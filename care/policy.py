"""Visit policy (docs/rules.md §2): how often each care level is visited, and
when work counts as due soon or is escalated. Change the county's policy here."""

import datetime as dt

from children.choices import CareLevel

# Required visits: special attention once a calendar month, ordinary once a calendar year.
PERIOD = {CareLevel.SPECIAL: "month", CareLevel.ORDINARY: "year"}
DUE_SOON_DAYS = 7  # "due this week" on the worklist
ESCALATE_AFTER_DAYS = 15  # a special-attention child this overdue goes to the supervisor
# After a concern or an urgent finding, the follow-up is due within:
FOLLOW_UP_DAYS = {"concern": 14, "urgent": 2}


def period_start(level: str, day: dt.date) -> dt.date:
    """The first day of the calendar period the level's compliance is counted in."""
    if PERIOD[level] == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def add_period(level: str, day: dt.date) -> dt.date:
    """The rolling due date: one month or one year after `day` (end of month kept)."""
    if PERIOD[level] == "month":
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    else:
        year, month = day.year + 1, day.month
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
