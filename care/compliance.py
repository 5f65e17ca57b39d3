"""Compliance of an area and of the units below it: visits (special attention this month,
ordinary this year), overdue children, weekly activities. A fixed number of queries
whatever the number of children."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from areas.codes import Level
from areas.models import Area, ServicePoint
from children.choices import CareLevel
from children.models import Child

from . import policy, weekly
from .models import Activity, Visit

SPECIAL, ORDINARY = CareLevel.SPECIAL, CareLevel.ORDINARY


def _visited_since(day):
    return Exists(Visit.objects.filter(child=OuterRef("pk"), visited_on__gte=day))


def unit_field(area) -> str | None:
    """How children group into the units one level below `area`."""
    return {Level.COUNTY: "area__parent_id", Level.TOWNSHIP: "area_id"}.get(area.level)


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
    """Active children under `area` with what the figures read: visited this month / this
    year, visited within the rolling period, ever visited."""
    month, year = policy.period_start(SPECIAL, today), policy.period_start(ORDINARY, today)
    rolling_special = today - (policy.add_period(SPECIAL, today) - today)
    rolling_ordinary = today - (policy.add_period(ORDINARY, today) - today)
    return (
        Child.objects.within(area.prefix)
        .active()
        .annotate(
            month=_visited_since(month),
            year=_visited_since(year),
            recent_special=_visited_since(rolling_special),
            recent_ordinary=_visited_since(rolling_ordinary),
            ever=Exists(Visit.objects.filter(child=OuterRef("pk"))),
        )
    )


def figure_filters(today: dt.date) -> dict[str, Q]:
    """Each figure as a filter on `annotated_children`: the same definition for the counts
    and for the list of children behind a count (drill-down)."""
    special, ordinary = Q(care_level=SPECIAL), Q(care_level=ORDINARY)
    # A child registered today is due today, not yet overdue (as in the schedule engine).
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    registered_before = Q(ever=True) | Q(created_at__lt=midnight)
    return {
        "special": special,
        "special_visited": special & Q(month=True),
        "special_not_visited": special & Q(month=False),
        "special_overdue": special & Q(recent_special=False) & registered_before,
        "ordinary": ordinary,
        "ordinary_visited": ordinary & Q(year=True),
        "ordinary_not_visited": ordinary & Q(year=False),
        "ordinary_overdue": ordinary & Q(recent_ordinary=False) & registered_before,
    }


def visit_rows(area, today: dt.date):
    """Per unit below `area` (and the total): special and ordinary children, how many were
    visited in the current period, and how many are overdue on the rolling rule (no visit
    within one period; never visited counts as overdue from the day after registration)."""
    children = annotated_children(area, today)
    filters = figure_filters(today)
    counts = {name: Count("id", filter=filters[name]) for name in FIGURES}
    field = unit_field(area)
    units = list(Area.objects.filter(parent=area).order_by("code")) if field else []
    by_unit = {}
    if field:
        for row in children.values(field).annotate(**counts).order_by():
            by_unit[row[field]] = row
    total = children.aggregate(**counts)
    rows = [{"area": unit, **_shares(by_unit.get(unit.pk, {}))} for unit in units]
    return rows, _shares(total)


def _shares(row: dict) -> dict:
    row = {k: row.get(k, 0) for k in FIGURES}
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
