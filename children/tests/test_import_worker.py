"""A worker killed in the middle of a roster import's save (issue 17, point 5): nothing is
saved, the housekeeping puts the job back in the queue once, and the next worker saves
every row exactly once. Real `manage.py db_worker` processes against the test database."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from children import imports
from children.models import Child, ImportJob
from children.tasks import import_step
from children.tests.test_import import good_row, workbook
from jobs import services
from jobs.models import Job
from jobs.tests.test_workers import DATABASE_BACKEND, ROOT, worker_env

ROWS = 2000

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real workers share a PostgreSQL database (SQLite in memory cannot be shared)",
)


def worker(*extra, pause: float = 0.0) -> subprocess.Popen:
    env = worker_env(IMPORT_SAVE_PAUSE_SECONDS=str(pause))
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    command += ["--interval", "0.2", "--verbosity", "0", *extra]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_save_leaves_the_import_to_run_again_exactly_once(
    settings, director, world
):
    rows = [
        good_row(name=f"杀{i}", id_number="", birth_date=dt.date(2012, 1, 1) + dt.timedelta(days=i))
        for i in range(ROWS)
    ]
    upload = imports.create_job(director, "killed.xlsx", workbook(*rows))
    services.start(import_step, user=director, import_id=str(upload.pk), step="check")
    upload.refresh_from_db()
    assert upload.state == ImportJob.State.VALID, upload.report

    settings.TASKS = DATABASE_BACKEND  # from here on, jobs wait for a real worker
    assert imports.begin_save(upload)
    save = services.start(import_step, user=director, import_id=str(upload.pk), step="save")
    first = worker(pause=120)  # it waits inside the save's transaction, rows written
    try:
        wait_for(
            lambda: Job.objects.filter(pk=save.pk, state="running", step="saving").exists(),
            120,
            "the worker to start saving",
        )
        time.sleep(3)  # the rows are being written in the open transaction
        os.killpg(first.pid, signal.SIGKILL)  # no clean-up: as a machine going down
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    upload.refresh_from_db()
    assert upload.state == ImportJob.State.SAVING
    assert not Child.objects.filter(name__startswith="杀").exists()  # all or nothing
    assert Job.objects.get(pk=save.pk).state == Job.State.RUNNING  # no heartbeat from now on

    # The scheduler's housekeeping, once the heartbeat is old enough: put back once.
    later = timezone.now() + dt.timedelta(seconds=services.stale_after_seconds() + 1)
    assert services.requeue_stale(later) == 1
    assert services.requeue_stale(later) == 0
    assert Job.objects.get(pk=save.pk).state == Job.State.QUEUED

    second = worker("--batch")  # takes what waits, then stops
    try:
        second.wait(timeout=180)
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
    save.refresh_from_db()
    upload.refresh_from_db()
    assert (save.state, save.attempts) == (Job.State.DONE, 2)
    assert (upload.state, upload.saved_count) == (ImportJob.State.SAVED, ROWS)
    assert Child.objects.filter(name__startswith="杀").count() == ROWS  # once, not twice
