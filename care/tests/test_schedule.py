"""The schedule engine: frequency by care level, rolling due date, period compliance."""

import datetime as dt

import pytest
from django.utils import timezone

from care import policy, schedule
from care.services import record_visit
from children.models import Child
from tests.personas import make_child

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
    Child.objects.filter(pk=child.pk).update(care_level_since=dt.date(2026, 1, 1))
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
    from care.compliance import visit_rows
    from stats.services import refresh_villages

    visited = make_child(world["a1"], "甲", dibao=True)
    make_child(world["a1"], "乙", dibao=True)
    ordinary = make_child(world["a1"], "丙")
    record_visit(director, visited, {"visited_on": dt.date(2026, 11, 2)})
    record_visit(director, ordinary, {"visited_on": dt.date(2026, 2, 2)})
    refresh_villages([world["a1"].pk], TODAY)  # the kept figures, counted on TODAY
    _rows, total = visit_rows(world["county"])
    assert total["special_visited"] == 1 and total["special"] == 2
    assert total["special_not_visited"] == 1
    assert total["ordinary_share"] == 1.0


@pytest.mark.parametrize("offset", [0, 5, 12, 31, 45, 200, 367, 460])
def test_the_counts_agree_with_the_worklists_child_for_child(world, director, offset):
    """The compliance figures and the schedule engine's states, on many days (month ends,
    29 February 2028, follow-ups, never-visited children registered earlier)."""
    from care.compliance import annotated_children, figure_filters

    today = dt.date(2027, 1, 31) + dt.timedelta(days=offset)
    history = [
        (None, True),
        (None, False),
        (dt.date(2026, 12, 31), True),
        (dt.date(2026, 12, 1), True),
        (dt.date(2026, 1, 31), False),
        (dt.date(2026, 2, 28), False),
        (dt.date(2027, 1, 30), True),
    ]
    for i, (last, special) in enumerate(history):
        child = make_child(world["a1"], f"童{i}", dibao=special)
        Child.objects.filter(pk=child.pk).update(
            created_at=timezone.make_aware(dt.datetime(2026, 1, 1))
        )
        if last:
            record_visit(director, child, {"visited_on": last})
    concern = make_child(world["a1"], "童关注")
    Child.objects.filter(pk=concern.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 1, 1))
    )
    record_visit(
        director,
        concern,
        {"visited_on": dt.date(2027, 1, 20), "study": "concern", "study_note": "厌学"},
    )
    # ordinary, visited long ago, raised to special attention on the 10th of February 2027
    raised = make_child(world["a1"], "童升级")
    Child.objects.filter(pk=raised.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 1, 1))
    )
    record_visit(director, raised, {"visited_on": dt.date(2026, 6, 1)})
    Child.objects.filter(pk=raised.pk).update(
        care_level="special", care_level_since=dt.date(2027, 2, 10)
    )
    children = annotated_children(world["county"], today)
    states = {c.pk: schedule.due(c, today) for c in children}
    filters = figure_filters(today)
    for level in ("special", "ordinary"):
        overdue = set(children.filter(filters[f"{level}_overdue"]).values_list("pk", flat=True))
        assert overdue == {
            pk for pk, d in states.items() if d.level == level and d.state == schedule.OVERDUE
        }, (level, today)
        visited = set(children.filter(filters[f"{level}_visited"]).values_list("pk", flat=True))
        assert visited == {
            pk for pk, d in states.items() if d.level == level and d.visited_this_period
        }, (level, today)


def test_a_child_raised_to_special_attention_is_due_from_that_day(world, director):
    child = make_child(world["a1"])
    record_visit(director, child, {"visited_on": dt.date(2026, 3, 1)})
    Child.objects.filter(pk=child.pk).update(
        care_level="special", care_level_since=dt.date(2026, 11, 20)
    )
    item = due_of(child, today=dt.date(2026, 11, 22))
    assert item.due_on == dt.date(2026, 11, 20) and item.days_overdue == 2  # not 235 days


def test_classification_records_when_the_level_changed(world, director):
    from children.services.concerns import open_concern

    child = make_child(world["a1"])
    assert child.care_level_since is not None
    Child.objects.filter(pk=child.pk).update(care_level_since=dt.date(2025, 1, 1))
    child.refresh_from_db()
    open_concern(director, child, "visit: safety urgent", source="visit")
    child.refresh_from_db()
    assert child.care_level == "special" and child.care_level_since > dt.date(2025, 1, 1)


def test_the_visit_schedule_follows_the_care_level_when_the_last_concern_is_resolved(
    world, director
):
    from care.models import Visit
    from children.models import Concern
    from children.services.concerns import resolve

    today = timezone.localdate()
    child = make_child(world["a1"], registered_on=today - dt.timedelta(days=60))
    data = {"visited_on": today - dt.timedelta(days=40), "study": "concern", "study_note": "缺课"}
    data.update({a: "fine" for a in Visit.ASPECTS if a != "study"})
    record_visit(director, child, data)
    item = due_of(child, today)
    assert item.level == "special" and item.state == schedule.OVERDUE  # monthly, and late
    resolve(director, Concern.objects.get(child=child), "已按时上学")
    item = due_of(child, today)
    assert item.level == "ordinary" and item.state != schedule.OVERDUE  # yearly again
    assert item.due_on > today
