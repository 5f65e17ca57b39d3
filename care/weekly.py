"""Weekly activity compliance of children's homes, by ISO week (one query for any number of
homes)."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .models import Activity

# Months as a week's label writes them: "Nov" in English, "11月" in Chinese.
MONTHS = [
    pgettext_lazy("month in a week label", "Jan"),
    pgettext_lazy("month in a week label", "Feb"),
    pgettext_lazy("month in a week label", "Mar"),
    pgettext_lazy("month in a week label", "Apr"),
    pgettext_lazy("month in a week label", "May"),
    pgettext_lazy("month in a week label", "Jun"),
    pgettext_lazy("month in a week label", "Jul"),
    pgettext_lazy("month in a week label", "Aug"),
    pgettext_lazy("month in a week label", "Sep"),
    pgettext_lazy("month in a week label", "Oct"),
    pgettext_lazy("month in a week label", "Nov"),
    pgettext_lazy("month in a week label", "Dec"),
]


def week_of(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def week_label(year: int, week: int) -> str:
    """An ISO week as people say it, with its days: "2026年第48周（11月23日—29日）",
    "week 48 of 2026 (23–29 Nov)". Weeks that do not exist read as the bare numbers."""
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return f"{year}-{week}"
    sunday = monday + dt.timedelta(days=6)
    values = {
        "year": year,
        "week": week,
        "d1": monday.day,
        "d2": sunday.day,
        "mon1": MONTHS[monday.month - 1],
        "mon2": MONTHS[sunday.month - 1],
    }
    if monday.month == sunday.month:
        return _("week %(week)s of %(year)s (%(d1)s–%(d2)s %(mon1)s)") % values
    return _("week %(week)s of %(year)s (%(d1)s %(mon1)s – %(d2)s %(mon2)s)") % values


def weeks_back(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The ISO weeks from the current one back `count - 1` weeks, newest first."""
    return [week_of(today - dt.timedelta(weeks=i)) for i in range(count)]


@dataclass
class HomeWeeks:
    home: object
    weeks: list  # [(year, week, held: bool)], newest first
    streak: int  # consecutive weeks with an activity, up to the current or last week
    missed: list  # [(year, week)] without an activity, newest first

    @property
    def this_week(self) -> bool:
        return self.weeks[0][2]


def home_weeks(homes, today: dt.date, count: int = 12) -> list[HomeWeeks]:
    """Per home: which of the last `count` ISO weeks had an activity, the streak, the gaps."""
    homes = list(homes)
    weeks = weeks_back(today, count)
    start = today - dt.timedelta(weeks=count - 1, days=today.weekday())
    held = {
        (home_id, week_of(day))
        for home_id, day in Activity.objects.filter(
            home__in=homes, held_on__gte=start, held_on__lte=today
        ).values_list("home_id", "held_on")
    }
    result = []
    for home in homes:
        flags = [(year, week, (home.pk, (year, week)) in held) for year, week in weeks]
        # The current week may still get its activity: the streak counts from last week
        # when this week has none yet.
        run = flags if flags[0][2] else flags[1:]
        streak = 0
        for _y, _w, ok in run:
            if not ok:
                break
            streak += 1
        missed = [(y, w) for y, w, ok in flags[1:] if not ok]
        result.append(HomeWeeks(home, flags, streak, missed))
    return result
