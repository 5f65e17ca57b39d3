"""The visit schedule engine: for each active child, the required frequency (from the care
level), the last visit, the rolling due date, compliance for the current calendar period,
and the state. One module; pages, the daily command and the API read it from here."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from children.choices import CareLevel

from . import policy

OVERDUE, DUE_SOON, LATER, DONE = "overdue", "due_soon", "later", "done"
# The care levels' names (lazily translated): a worklist row shows its child's.
LEVEL_LABELS = dict(CareLevel.choices)


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

    @property
    def level_label(self) -> str:
        """The care level's name, as child.get_care_level_display() writes it (which builds
        the field's choices anew on every call: a worklist shows a hundred rows)."""
        return LEVEL_LABELS.get(self.level, self.level)


def lowered_since(level: str, since, last) -> bool:
    """Ordinary again since the last visit: the concern that visit's follow-up was for is
    closed (an open concern keeps a child at special attention), so the follow-up no longer
    applies and the yearly schedule does."""
    return level == CareLevel.ORDINARY and since is not None and since > last


def with_visits(children):
    """Annotate children with their last visit date and that visit's follow-up date (from
    the summary the visit services keep: one join, not a search per child)."""
    return children.annotate(
        last_visit=F("visit_summary__last_visit"),
        follow_up=F("visit_summary__follow_up"),
    )


def due(child, today: dt.date) -> Due:
    """The schedule of a child annotated by `with_visits`.

    Never visited: due at once (from registration). Otherwise due one period after the last
    visit, or at the follow-up date a concern set, whichever comes first.
    """
    level = child.care_level
    last = child.last_visit
    since = child.care_level_since
    if last is None:
        # Registration day in the county's time zone (created_at is stored in UTC).
        due_on = min(timezone.localdate(child.created_at), today)
    else:
        due_on = policy.add_period(level, last)
        if since and since > last:  # the level changed after the last visit: due from then
            due_on = max(due_on, since)
        if child.follow_up and child.follow_up > last and not lowered_since(level, since, last):
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


# What `due` and the order of a worklist read of a child.
SCHEDULE_COLUMNS = ("pk", "name_pinyin", "care_level", "care_level_since", "created_at")


class ChildRow:
    """A child as a list reads it: the selected columns as attributes, no model instance
    (building two hundred instances of a sixty-column model cost a village's worklist more
    than its query)."""

    def __init__(self, columns: dict):
        self.__dict__.update(columns)


def worklist(
    children, today: dt.date, columns: tuple | None = None, named: dict | None = None
) -> dict[str, list[Due]]:
    """A director's work: overdue first (oldest first), then due this week, then the rest
    of the period; children already done for the period are counted apart.

    With `columns` (the child's field names) and `named` (name: expression, e.g. the
    village's name), each item's child is a `ChildRow` of those and the schedule's columns,
    not a model instance.
    """
    groups = {OVERDUE: [], DUE_SOON: [], LATER: [], DONE: []}
    rows = with_visits(children)
    if columns is not None or named:
        rows = map(
            ChildRow,
            rows.values(
                *SCHEDULE_COLUMNS, *(columns or ()), "last_visit", "follow_up", **(named or {})
            ),
        )
    for child in rows:
        item = due(child, today)
        groups[item.state].append(item)
    for items in groups.values():
        items.sort(key=lambda d: (d.due_on, d.child.name_pinyin))
    return groups


def not_overdue_since(level: str, today: dt.date) -> dt.date:
    """The earliest last-visit date whose rolling due date is not before `today`: a child of
    this level is overdue on the rolling rule exactly when its last visit is earlier."""
    day = today - dt.timedelta(days=370 if policy.PERIOD[level] == "year" else 33)
    while policy.add_period(level, day) < today:
        day += dt.timedelta(days=1)
    return day


def overdue_q(level: str, today: dt.date) -> Q:
    """The `due(...).state == OVERDUE` rule as a filter on children annotated by
    `with_visits`, so counts in SQL agree with the worklists child for child."""
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    never = Q(last_visit__isnull=True, created_at__lt=midnight)
    rolling = Q(last_visit__lt=not_overdue_since(level, today)) & (
        Q(care_level_since__isnull=True)
        | Q(care_level_since__lte=F("last_visit"))
        | Q(care_level_since__lt=today)
    )
    follow_up = Q(follow_up__gt=F("last_visit"), follow_up__lt=today)
    if level == CareLevel.ORDINARY:  # see lowered_since
        follow_up &= Q(care_level_since__isnull=True) | Q(care_level_since__lte=F("last_visit"))
    return Q(care_level=level) & (never | rolling | follow_up)


def visited_in_period_q(level: str, today: dt.date) -> Q:
    """Visited in the current calendar period (the `visited_this_period` of `due`)."""
    return Q(care_level=level, last_visit__gte=policy.period_start(level, today))
