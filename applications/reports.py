"""Figures of applications for a jurisdiction: how many wait at each step, how long each step
took (median and longest, in working days), and how many are overdue in each township. Counts
only: no child is named (and nothing here is public)."""

import statistics
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import ApplicationStep
from .policy import State, Step

# The steps that end a wait, whose time taken the report shows.
TIMED_STEPS = (Step.CHECK, Step.DECIDE, Step.DECIDE_STOP)


@dataclass
class StepTime:
    step: str
    label: str
    count: int
    median: float | None
    longest: int | None


def by_state(applications) -> list[tuple[str, str, int]]:
    """(state, label, how many) for every state, in the procedure's order."""
    counts = dict(
        applications.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in State.choices]


def time_taken(applications) -> list[StepTime]:
    """For each step that ends a wait: how many were taken, and the median and longest
    working days they took (one query)."""
    taken: dict = {step: [] for step in TIMED_STEPS}
    rows = ApplicationStep.objects.filter(
        application__in=applications, step__in=TIMED_STEPS, working_days__isnull=False
    ).values_list("step", "working_days")
    for step, days in rows:
        taken[step].append(days)
    return [
        StepTime(
            step=step,
            label=str(Step(step).label),
            count=len(days),
            median=statistics.median(days) if days else None,
            longest=max(days) if days else None,
        )
        for step, days in taken.items()
    ]


def overdue_by_township(applications, today) -> list[dict]:
    """Open applications and those past their deadline, by township: [{code, name, open,
    overdue}], the most overdue first (one query)."""
    rows = (
        applications.open()
        .values("area__parent__code", "area__parent__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
        .order_by("-overdue", "area__parent__code")
    )
    return [
        {
            "code": row["area__parent__code"],
            "name": row["area__parent__name"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
