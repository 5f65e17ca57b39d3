"""care 0009: the visits' and activities' snapshot revisions become field-level entries."""

import datetime as dt

import pytest

from care.models import Activity
from care.services import record_visit
from tests.migrating import migrate, migrated_back
from tests.personas import make_child

BEFORE = [("care", "0008_field_level_history")]
AFTER = [("care", "0009_revisions_to_changes")]

# Migrations run outside a transaction (tests/migrating.py).
pytestmark = pytest.mark.django_db(transaction=True)


def test_visit_revisions_become_the_fields_each_correction_changed(world, director):
    child = make_child(world["a1"], "王小明")
    visit = record_visit(director, child, {"visited_on": dt.date(2026, 11, 2), "problems": "无"})
    visit.problems, visit.actions = "作业未完成", "联系老师"
    visit.save()
    # Built before migrating back: the visit's table is the same at 0008.
    with migrated_back(BEFORE) as apps:
        Revision = apps.get_model("care", "VisitRevision")
        at = dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC)
        first = {"visited_on": "2026-11-02", "problems": "无", "actions": ""}
        second = {"visited_on": "2026-11-02", "problems": "作业未完成", "actions": ""}
        Revision.objects.create(visit_id=visit.pk, actor_id=director.pk, data=first)
        Revision.objects.create(visit_id=visit.pk, actor_id=None, data=second)
        Revision.objects.filter(data=first).update(at=at)
        Revision.objects.filter(data=second).update(at=at + dt.timedelta(days=1))
        apps = migrate(AFTER)
        Change = apps.get_model("care", "VisitChange")
        entries = list(Change.objects.filter(visit_id=visit.pk).order_by("at"))
        assert [e.changes for e in entries] == [
            {"problems": ["无", "作业未完成"]},
            {"actions": ["", "联系老师"]},  # the last: against the visit as it is now
        ]
        assert [e.at for e in entries] == [at, at + dt.timedelta(days=1)]
        assert [(e.actor_id, e.actor_username, e.kind) for e in entries] == [
            (director.pk, director.username, "updated"),
            (None, "", "updated"),
        ]


def test_activity_revisions_compare_the_children_who_came(world, director):
    first, second = make_child(world["a1"], "甲"), make_child(world["a1"], "乙")
    activity = Activity.objects.create(
        home=world["home_a1"], held_on=dt.date(2026, 11, 2), theme="safety", recorded_by=director
    )
    activity.children.set([first, second])
    with migrated_back(BEFORE) as apps:
        Revision = apps.get_model("care", "ActivityRevision")
        data = {"theme": "arts", "held_on": "2026-11-02", "children": [first.pk]}
        Revision.objects.create(activity_id=activity.pk, actor_id=director.pk, data=data)
        apps = migrate(AFTER)
        [entry] = apps.get_model("care", "ActivityChange").objects.all()
        assert entry.activity_id == activity.pk and entry.actor_username == director.username
        assert entry.changes == {
            "children": [[first.pk], sorted([first.pk, second.pk])],
            "theme": ["arts", "safety"],
        }
