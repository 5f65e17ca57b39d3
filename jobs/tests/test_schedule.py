import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection, connections

from jobs import schedule
from jobs.models import Job, ScheduledRun

from . import work

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def only_count(monkeypatch):
    """A schedule of one daily and one hourly job (the apps' own jobs left out)."""
    monkeypatch.setattr(
        schedule,
        "_scheduled",
        {
            "count_daily": schedule.Scheduled("count_daily", work.count, "day", 1, 10),
            "count_hourly": schedule.Scheduled("count_hourly", work.count, "hour", 0, 5),
        },
    )


def test_the_latest_time_due_is_local():
    daily = schedule.Scheduled("d", work.count, "day", 1, 10)
    assert daily.latest_time(at(2, 1, 9)) == at(1, 1, 10)
    assert daily.latest_time(at(2, 1, 10)) == at(2, 1, 10)
    hourly = schedule.Scheduled("h", work.count, "hour", 0, 5)
    assert hourly.latest_time(at(2, 9, 4)) == at(2, 8, 5)
    assert hourly.latest_time(at(2, 9, 30)) == at(2, 9, 5)


@pytest.mark.django_db
def test_each_job_runs_once_at_its_time_and_every_run_is_recorded(only_count):
    started = schedule.tick(at(2, 1, 20))
    assert {run.name for run in ScheduledRun.objects.all()} == {"count_daily", "count_hourly"}
    assert len(started) == 2
    assert schedule.tick(at(2, 1, 40)) == []  # nothing new is due
    assert [j.pk for j in schedule.tick(at(2, 2, 6))] != []  # the next hour's run
    run = ScheduledRun.objects.filter(name="count_daily").select_related("job").get()
    assert run.slot == at(2, 1, 10)
    assert run.job.state == Job.State.DONE
    assert run.job.started_at and run.job.finished_at
    assert run.job.outcome == {"counted": 3}
    latest = dict((entry.name, run) for entry, run in schedule.last_runs())
    assert latest["count_hourly"].slot == at(2, 2, 5)


@pytest.mark.django_db
def test_a_run_missed_while_the_server_was_down_runs_when_it_comes_back_once(only_count):
    schedule.tick(at(1, 1, 20))
    # Down from the 1st at 01:20 to the 4th at 09:00: three daily times missed.
    schedule.tick(at(4, 9, 0))
    daily = ScheduledRun.objects.filter(name="count_daily").order_by("slot")
    assert [run.slot for run in daily] == [at(1, 1, 10), at(4, 1, 10)]


@pytest.mark.django_db
def test_a_second_scheduler_does_not_start_a_run_again(only_count):
    entry = schedule._scheduled["count_daily"]
    assert schedule.start_run(entry, at(2, 1, 10)) is not None
    assert schedule.start_run(entry, at(2, 1, 10)) is None
    assert Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent schedulers: PostgreSQL")
def test_two_schedulers_at_the_same_moment_start_each_run_once(only_count):
    """Four schedulers tick at the same instant in parallel transactions: one run per job
    and time (SQLite lets one writer in at a time by itself)."""
    barrier = threading.Barrier(4)
    errors = []

    def scheduler():
        try:
            barrier.wait()
            schedule.tick(at(2, 1, 20))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert ScheduledRun.objects.count() == 2
    assert Job.objects.count() == 2


def test_the_apps_declare_their_daily_and_hourly_jobs():
    names = {entry.name for entry in schedule.scheduled()}
    assert {
        "care_daily",
        "escalate_reports",
        "escalate_referrals",
        "open_due_stops",
        "escalate_applications",
        "clean_up",
    } <= names


def test_the_daily_clean_up_gives_sqlite_its_planner_statistics(db):
    from django.db import connection

    from jobs.services import refresh_planner_statistics

    refresh_planner_statistics()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone() == (1,)
