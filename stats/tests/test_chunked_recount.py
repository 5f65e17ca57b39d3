"""The nightly recount in chunks (stats.tasks) stores the same rows as the one-process
recount, and the roll-up after the chunks starts exactly once."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from areas.codes import Level
from areas.models import Area, ServicePoint
from care.models import Activity
from care.services import record_visit
from children import services as registry
from jobs import schedule
from jobs import services as jobs
from jobs.models import Job
from stats import services, tasks
from stats.models import FIGURES, AreaStats, Recount, RecountChunk, VillageStats
from tests.personas import make_child

pytestmark = pytest.mark.django_db

ROLLUP = "stats.tasks.refresh_rollup"


@pytest.fixture
def two_counties(world, county_officer, director):
    """The persona world and a second county of two villages, with children of each kind,
    visits, a closed record and a week's activity."""
    county = Area.objects.create(
        code="341602000000", name="谯城区", level=Level.COUNTY, parent=world["city"]
    )
    township = Area.objects.create(
        code="341602100000", name="花戏楼街道", level=Level.TOWNSHIP, parent=county
    )
    c1 = Area.objects.create(code="341602100201", name="东村", level=Level.VILLAGE, parent=township)
    c2 = Area.objects.create(code="341602100202", name="西村", level=Level.VILLAGE, parent=township)
    home = ServicePoint.objects.create(
        kind=ServicePoint.Kind.CHILDRENS_HOME, area=c1, name="东村儿童之家"
    )
    today = timezone.localdate()
    villages = [world["a1"], world["a2"], world["b1"], c1, c2]
    children = []
    for i in range(15):
        child = make_child(
            villages[i % len(villages)],
            f"孩子{i}",
            born=dt.date(2010 + i % 12, 1 + i % 12, 1 + i),
            father=("migrant", "at_home", "deceased")[i % 3],
            sex="MF"[i % 2],
            caregiver=i % 4 != 0,
            actor=county_officer,
        )
        children.append(child)
    for child in children[::3]:
        record_visit(county_officer, child, {"visited_on": today - dt.timedelta(days=3)})
    registry.close_child(county_officer, children[1], "moved_away", today)
    Activity.objects.create(home=home, held_on=today, theme="policy", recorded_by=director)
    Activity.objects.create(
        home=world["home_a1"], held_on=today, theme="policy", recorded_by=director
    )
    return {**world, "county2": county, "c1": c1, "c2": c2}


def stored_rows() -> dict:
    villages = {
        row.code: {name: getattr(row, name) for name in ["on", *FIGURES]}
        for row in VillageStats.objects.all()
    }
    areas = {
        row.code: {name: getattr(row, name) for name in ["on", "level", "villages", *FIGURES]}
        for row in AreaStats.objects.all()
    }
    return {"villages": villages, "areas": areas}


def test_the_chunked_recount_stores_the_same_rows_as_one_process(two_counties):
    services.refresh_all()
    expected = stored_rows()
    assert len(expected["villages"]) == 5 and len(expected["areas"]) == 5
    assert sum(row["children"] for row in expected["villages"].values()) == 14
    VillageStats.objects.all().delete()
    AreaStats.objects.all().delete()

    parent = jobs.start(tasks.refresh_stats, size=1)  # a chunk per county

    parent.refresh_from_db()
    assert parent.state == Job.State.DONE
    assert parent.outcome == {"chunks": 2, "villages": 5}
    assert stored_rows() == expected
    chunks = Job.objects.filter(kind="stats.tasks.refresh_chunk")
    assert sorted(job.outcome["villages"] for job in chunks) == [2, 3]
    assert {job.state for job in chunks} == {Job.State.DONE}
    rollup = Job.objects.get(kind=ROLLUP)
    assert rollup.state == Job.State.DONE
    assert rollup.outcome == {
        "villages": 5,
        "not_current": 0,
        "counties": 2,
        "children": 14,
        "unsummed": 0,
        "chunks": 2,
    }
    recount = Recount.objects.get()
    assert recount.chunks_done == 2 and recount.finished_at is not None


def test_a_county_is_never_split_between_chunks(two_counties):
    assert services.plan_chunks(1) == [(["341602"], 2), (["341623"], 3)]
    assert services.plan_chunks(5) == [(["341602", "341623"], 5)]
    assert services.plan_chunks() == [(["341602", "341623"], 5)]


def test_a_chunk_run_again_counts_once_and_the_rollup_starts_once(two_counties):
    recount = services.start_recount(size=1)
    first, second = RecountChunk.objects.filter(recount=recount).order_by("pk")
    assert services.finish_chunk(first.pk) is False
    assert services.finish_chunk(first.pk) is False  # its worker was cut off: it ran again
    recount.refresh_from_db()
    assert recount.chunks_done == 1 and recount.rolled_up_at is None
    assert services.finish_chunk(second.pk) is True  # the last one starts the roll-up
    assert services.finish_chunk(second.pk) is False
    recount.refresh_from_db()
    assert recount.chunks_done == 2 and recount.rolled_up_at is not None


def test_a_chunk_job_run_twice_starts_one_rollup(two_counties):
    recount = services.start_recount(size=1)
    parts = list(RecountChunk.objects.filter(recount=recount).order_by("pk"))
    for part in [parts[0], parts[0], parts[1], parts[1]]:
        jobs.start(tasks.refresh_chunk, chunk=part.pk)
    assert Job.objects.filter(kind=ROLLUP).count() == 1
    assert VillageStats.objects.count() == 5


def test_a_country_without_villages_still_closes_its_recount(db):
    parent = jobs.start(tasks.refresh_stats)
    parent.refresh_from_db()
    assert parent.outcome == {"chunks": 0, "villages": 0}
    assert Job.objects.get(kind=ROLLUP).state == Job.State.DONE
    assert Recount.objects.get().finished_at is not None


def test_the_recount_is_scheduled_nightly_on_the_stats_queue():
    entry = {e.name: e for e in schedule.scheduled()}["refresh_stats"]
    assert entry.function is tasks.refresh_stats and entry.when == "01:20"
    for work in (tasks.refresh_stats, tasks.refresh_chunk, tasks.refresh_rollup):
        assert work.work.queue == "stats"


def test_old_recounts_are_dropped(two_counties):
    old = Recount.objects.create(on=dt.date(2020, 1, 1))
    Recount.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(days=40))
    jobs.start(tasks.refresh_stats)
    assert not Recount.objects.filter(pk=old.pk).exists()
    assert Recount.objects.count() == 1


def test_the_command_counts_here_or_starts_the_job(two_counties):
    out = StringIO()
    call_command("refresh_stats", stdout=out)
    assert out.getvalue().startswith("5 villages recounted")
    assert not Job.objects.exists()
    out = StringIO()
    call_command("refresh_stats", "--in-workers", stdout=out)
    assert "started" in out.getvalue()
    assert Job.objects.get(kind="stats.tasks.refresh_stats").state == Job.State.DONE
