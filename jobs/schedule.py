"""The scheduler: jobs that run at their times without crontab.

Each app declares its scheduled jobs in its tasks.py::

    schedule.every_day("care_daily", care_daily, at="01:10")
    schedule.every_hour("escalate_reports", escalate_reports, minute=5)

`manage.py scheduler` calls `tick()` every few seconds (`make run` starts it beside the web
server and a worker). A tick starts, for each scheduled job, its latest time that is due and
has no run yet: a run missed while the server was down runs when it comes back (once, not
once per missed day), and a job's times are in the service's time zone (Asia/Shanghai).
The run's row is unique per job and time, so two schedulers started by mistake start each
run once: the second one's insert fails and it moves on.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import services
from .models import Job, ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    """A job and when it runs: every day at `at` (HH:MM), every hour at `minute`."""

    name: str
    function: object
    every: str  # "day" or "hour"
    hour: int = 0
    minute: int = 0

    def latest_time(self, now: dt.datetime) -> dt.datetime:
        """The latest time at or before `now` the job was due (local time, aware)."""
        local = timezone.localtime(now)
        if self.every == "hour":
            due = local.replace(minute=self.minute, second=0, microsecond=0)
            return due if due <= local else due - dt.timedelta(hours=1)
        due = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return due if due <= local else due - dt.timedelta(days=1)

    @property
    def title(self) -> str:
        return str(self.function.work.title)

    @property
    def when(self) -> str:
        if self.every == "hour":
            return f"hh:{self.minute:02d}"
        return f"{self.hour:02d}:{self.minute:02d}"


_scheduled: dict[str, Scheduled] = {}


def every_day(name: str, function, *, at: str) -> None:
    """Run `function` (declared with @jobs.work) every day at `at` ("HH:MM", local time)."""
    hour, minute = (int(part) for part in at.split(":"))
    _scheduled[name] = Scheduled(name, function, "day", hour, minute)


def every_hour(name: str, function, *, minute: int = 0) -> None:
    """Run `function` every hour at `minute`."""
    _scheduled[name] = Scheduled(name, function, "hour", 0, minute)


def scheduled() -> list[Scheduled]:
    """The scheduled jobs, by their time of day."""
    return sorted(_scheduled.values(), key=lambda s: (s.every != "hour", s.hour, s.minute))


def start_run(entry: Scheduled, slot: dt.datetime) -> Job | None:
    """Start the run of `entry` for `slot` unless it exists; None when it did."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(name=entry.name, slot=slot)
    except IntegrityError:
        return None  # another scheduler took this time first
    job = services.start(entry.function)
    ScheduledRun.objects.filter(pk=run.pk).update(job=job)
    return job


def tick(now: dt.datetime | None = None) -> list[Job]:
    """Start every scheduled job that is due and not started for its latest time; put back
    in the queue the jobs of workers that stopped. Returns the jobs started."""
    now = now or timezone.now()
    started = []
    for entry in scheduled():
        slot = entry.latest_time(now)
        if ScheduledRun.objects.filter(name=entry.name, slot=slot).exists():
            continue
        job = start_run(entry, slot)
        if job is not None:
            started.append(job)
    services.requeue_stale(now)
    return started


def last_runs() -> list[tuple[Scheduled, ScheduledRun | None]]:
    """Each scheduled job with its latest run (and the run's job), for the operations page."""
    names = [entry.name for entry in scheduled()]
    latest = {}
    runs = ScheduledRun.objects.filter(name__in=names).select_related("job").order_by("-slot")
    # One query: the newest run per name among the last few days' runs.
    since = timezone.now() - dt.timedelta(days=3)
    for run in runs.filter(slot__gte=since):
        latest.setdefault(run.name, run)
    missing = [name for name in names if name not in latest]
    if missing:
        for run in runs.filter(name__in=missing):
            latest.setdefault(run.name, run)
    return [(entry, latest.get(entry.name)) for entry in scheduled()]
