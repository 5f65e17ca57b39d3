"""The visit schedule engine: for each active child, the required frequency (from the care
level), the last visit, the rolling due date, compliance for the current calendar period,
and the state. One module; pages, the daily command and the API read it from here."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from . import policy
from .models import Visit

OVERDUE, DUE_SOON, LATER, DONE = "overdue", "due_soon", "later", "done"


@dataclass
class Due:
    """Where one child stands on `today`."""

    child: object
    level: str
    last_visit: dt.date | None
    due_on: dt.date
    visited_this_period: bool
    state: str
    days_overdue: int


def with_visits(children):
    """Annotate children with their last visit date and that visit's follow-up date."""
    latest = Visit.objects.filter(child=OuterRef("pk")).order_by("-visited_on", "-id")
    return children.annotate(
        last_visit=Subquery(latest.values("visited_on")[:1]),
        follow_up=Subquery(latest.values("follow_up_on")[:1]),
    )


def due(child, today: dt.date) -> Due:
    """The schedule of a child annotated by `with_visits`.

    Never visited: due at once (from registration). Otherwise due one period after the last
    visit, or at the follow-up date a concern set, whichever comes first.
    """
    level = child.care_level
    last = child.last_visit
    if last is None:
        # Registration day in the county's time zone (created_at is stored in UTC).
        due_on = min(timezone.localdate(child.created_at), today)
    else:
        due_on = policy.add_period(level, last)
        if child.follow_up and child.follow_up > last:
            due_on = min(due_on, child.follow_up)
    visited = last is not None and last >= policy.period_start(level, today)
    if due_on < today:
        state = OVERDUE
    elif due_on <= today + dt.timedelta(days=policy.DUE_SOON_DAYS):
        state = DUE_SOON
    elif visited:
        state = DONE
    else:
        state = LATER
    return Due(child, level, last, due_on, visited, state, max(0, (today - due_on).days))


def worklist(children, today: dt.date) -> dict[str, list[Due]]:
    """A director's work: overdue first (oldest first), then due this week, then the rest
    of the period; children already done for the period are counted apart."""
    groups = {OVERDUE: [], DUE_SOON: [], LATER: [], DONE: []}
    for child in with_visits(children):
        item = due(child, today)
        groups[item.state].append(item)
    for items in groups.values():
        items.sort(key=lambda d: (d.due_on, d.child.name_pinyin))
    return groups


def visited_since(children, day: dt.date):
    """Annotate whether each child has a visit on or after `day`."""
    return children.annotate(
        visited=Exists(Visit.objects.filter(child=OuterRef("pk"), visited_on__gte=day))
    )


def compliance(children, today: dt.date) -> dict:
    """Share of special-attention children visited this month and of ordinary children this
    year, in two queries whatever the number of children."""
    from django.db.models import Count, Q

    from children.choices import CareLevel

    result = {}
    for level in (CareLevel.SPECIAL, CareLevel.ORDINARY):
        start = policy.period_start(level, today)
        # The aggregate must not reuse the annotation's name ("visited").
        counts = visited_since(children.filter(care_level=level), start).aggregate(
            total=Count("id"), done=Count("id", filter=Q(visited=True))
        )
        counts["visited"] = counts.pop("done")
        counts["share"] = counts["visited"] / counts["total"] if counts["total"] else None
        counts["since"] = start
        result[level] = counts
    return result
