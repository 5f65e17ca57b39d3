"""Compliance of an area and of the units below it: visits (special attention this month,
ordinary this year), overdue children, weekly activities. The figures are the kept ones
(stats: a row per village, sums per township and county), so a page costs the same whatever
the number of children and visits; the lists behind them count live, by the same rules."""

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from areas.models import ServicePoint
from children.choices import CareLevel
from children.models import Child

from . import policy, schedule, weekly
from .models import Activity

SPECIAL, ORDINARY = CareLevel.SPECIAL, CareLevel.ORDINARY


FIGURES = [
    "special",
    "special_visited",
    "special_not_visited",
    "special_overdue",
    "ordinary",
    "ordinary_visited",
    "ordinary_not_visited",
    "ordinary_overdue",
]


def annotated_children(area, today: dt.date):
    """Active children under `area`, annotated like the schedule engine reads them."""
    return schedule.with_visits(Child.objects.within(area.prefix).active())


def figure_filters(today: dt.date) -> dict[str, Q]:
    """Each figure as a filter on `annotated_children`, built from the schedule engine's own
    rules: the counts, the lists behind them and the worklists agree child for child."""
    filters = {}
    for level, name in ((SPECIAL, "special"), (ORDINARY, "ordinary")):
        visited = schedule.visited_in_period_q(level, today)
        filters[name] = Q(care_level=level)
        filters[f"{name}_visited"] = visited
        start = policy.period_start(level, today)
        # Spelled out, not ~visited: a NULL last visit must count as "not visited".
        filters[f"{name}_not_visited"] = Q(care_level=level) & (
            Q(last_visit__isnull=True) | Q(last_visit__lt=start)
        )
        filters[f"{name}_overdue"] = schedule.overdue_q(level, today)
    return filters


# How to read the kept figures: (rows of the units below an area, the area's totals). The
# stats app keeps them and sits above care, so it hands them over (stats.apps) rather than
# care importing it.
_kept = None


def read_kept_figures(breakdown, totals) -> None:
    """Where visit_rows reads its figures from (stats.services.breakdown and totals)."""
    global _kept
    _kept = (breakdown, totals)


def visit_rows(area):
    """Per unit below `area` (and the total): special and ordinary children, how many were
    visited in the current period, and how many are overdue on the rolling rule (no visit
    within one period; never visited counts as overdue from the day after registration).

    Read from the kept figures, which stats counts with `figure_filters` after every change
    of a village's data and every night; the total says when its oldest row was counted.
    """
    if _kept is None:
        raise ImproperlyConfigured("care.compliance needs the stats app's kept figures")
    breakdown, totals = _kept
    rows = [{"area": row["area"], **_from_kept(row)} for row in breakdown(area)]
    total = totals(area)
    return rows, {**_from_kept(total), "villages": total["villages"], "oldest": total["oldest"]}


def _from_kept(kept: dict) -> dict:
    """The compliance figures of a kept row (stats names the ordinary level's count
    `ordinary_level`; the children not visited are those of the level less those visited)."""
    row = {
        "special": kept["special"],
        "special_visited": kept["special_visited"],
        "special_overdue": kept["special_overdue"],
        "ordinary": kept["ordinary_level"],
        "ordinary_visited": kept["ordinary_visited"],
        "ordinary_overdue": kept["ordinary_overdue"],
    }
    row["special_not_visited"] = row["special"] - row["special_visited"]
    row["ordinary_not_visited"] = row["ordinary"] - row["ordinary_visited"]
    row["special_share"] = row["special_visited"] / row["special"] if row["special"] else None
    row["ordinary_share"] = row["ordinary_visited"] / row["ordinary"] if row["ordinary"] else None
    return row


def activity_summary(area, today: dt.date, weeks: int = 5) -> dict:
    """Homes under `area`, and how many held an activity in this week and each of the last
    four ISO weeks."""
    homes = ServicePoint.objects.within(area.prefix).homes()
    total = homes.count()
    start = today - dt.timedelta(weeks=weeks - 1, days=today.weekday())
    held = set(
        Activity.objects.within(area.prefix)
        .filter(held_on__gte=start, held_on__lte=today)
        .values_list("home_id", "held_on")
    )
    per_week = {}
    for home_id, day in held:
        per_week.setdefault(weekly.week_of(day), set()).add(home_id)
    return {
        "homes": total,
        "weeks": [
            {"year": y, "week": w, "homes": len(per_week.get((y, w), ()))}
            for y, w in weekly.weeks_back(today, weeks)
        ],
    }
