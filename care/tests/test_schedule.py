"""The schedule engine: frequency by care level, rolling due date, period compliance."""

import datetime as dt

from care import policy, schedule
from care.services import record_visit
from children.models import Child
from core.testing import make_child

TODAY = dt.date(2026, 11, 28)


def due_of(child, today=TODAY):
    return schedule.due(schedule.with_visits(Child.objects.filter(pk=child.pk)).get(), today)


def test_a_newly_registered_child_is_due_at_once(world):
    child = make_child(world["a1"])
    item = due_of(child, today=dt.date.today())
    assert item.last_visit is None and item.state in {schedule.DUE_SOON, schedule.OVERDUE}
    assert item.due_on <= dt.date.today()


def test_an_ordinary_child_is_due_a_year_after_the_last_visit(world, director):
    child = make_child(world["a1"])
    record_visit(director, child, {"visited_on": dt.date(2026, 3, 10)})
    item = due_of(child)
    assert item.due_on == dt.date(2027, 3, 10) and item.visited_this_period
    assert item.state == schedule.DONE


def test_a_special_child_is_due_a_month_after_and_overdue_after_that(world, director):
    child = make_child(world["a1"], dibao=True)  # in difficulty: special attention
    assert child.care_level == "special"
    record_visit(director, child, {"visited_on": dt.date(2026, 10, 20)})
    item = due_of(child)
    assert item.due_on == dt.date(2026, 11, 20) and item.state == schedule.OVERDUE
    assert item.days_overdue == 8 and not item.visited_this_period


def test_month_ends_are_kept(world):
    assert policy.add_period("special", dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert policy.add_period("ordinary", dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert policy.period_start("special", TODAY) == dt.date(2026, 11, 1)
    assert policy.period_start("ordinary", TODAY) == dt.date(2026, 1, 1)


def test_a_concern_makes_a_follow_up_due_sooner(world, director):
    child = make_child(world["a1"])
    record_visit(
        director,
        child,
        {"visited_on": dt.date(2026, 11, 20), "study": "concern", "study_note": "成绩下滑"},
    )
    item = due_of(child)
    assert item.due_on == dt.date(2026, 12, 4)  # 14 days, not a month or a year


def test_compliance_counts_this_month_and_this_year(world, director):
    visited = make_child(world["a1"], "甲", dibao=True)
    make_child(world["a1"], "乙", dibao=True)
    ordinary = make_child(world["a1"], "丙")
    record_visit(director, visited, {"visited_on": dt.date(2026, 11, 2)})
    record_visit(director, ordinary, {"visited_on": dt.date(2026, 2, 2)})
    result = schedule.compliance(Child.objects.all(), TODAY)
    assert result["special"]["visited"] == 1 and result["special"]["total"] == 2
    assert result["ordinary"]["share"] == 1.0
