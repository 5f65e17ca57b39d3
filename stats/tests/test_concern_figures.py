"""The dashboards' concern figures: kept current as concerns open and close, and each opens
the concerns list of exactly the concerns it counts, at every level."""

import datetime as dt

import pytest
from django.utils import timezone

from children.models import Concern
from children.services import concerns as concern_services
from stats import services
from stats.models import VillageStats
from stats.views import figure_link
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def test_open_and_overdue_concerns_are_counted_and_drill_down_to_the_same_concerns(
    client, world, director, county_officer, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        a1 = [make_child(world["a1"], name=n) for n in ("甲", "乙", "丙")]
        b1 = make_child(world["b1"], name="丁")
        opened = [
            concern_services.open_concern(director, c, "作业无人辅导", source="visit") for c in a1
        ]
        concern_services.open_concern(None, b1, "营养不良", source="visit")
        Concern.objects.filter(pk=opened[0].pk).update(due_on=today - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        concern_services.resolve(director, opened[2], "已安排课后辅导")
    services.refresh_all(today)  # the overdue one moved by date, as the nightly job sees it
    row = VillageStats.objects.get(area=world["a1"])
    assert (row.concerns_open, row.concerns_overdue) == (2, 1)
    assert services.totals(world["county"])["concerns_open"] == 3
    client.force_login(county_officer)
    for area in (world["a1"], world["a"], world["county"]):
        total = services.totals(area)
        for figure in ("concerns_open", "concerns_overdue"):
            listed = client.get(figure_link(area, figure)).context["page"].paginator.count
            assert listed == total[figure], (area.code, figure)


def test_a_step_that_leaves_the_child_alone_still_recounts_the_village(
    world, director, django_capture_on_commit_callbacks
):
    child = make_child(world["a1"])
    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_services.open_concern(director, child, "营养不良", source="visit")
    Concern.objects.filter(pk=concern.pk).update(due_on=timezone.localdate() - dt.timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        concern_services.take_action(director, concern, "联系了卫生院")
    assert VillageStats.objects.get(area=world["a1"]).concerns_overdue == 1
