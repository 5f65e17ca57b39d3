"""Real worker processes (manage.py db_worker) against the same PostgreSQL: several take
the queue's tasks in parallel and no job runs twice (SKIP LOCKED). The roster import's test
kills one (children/tests/test_import_worker.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from jobs import services
from jobs.models import Job

from . import work

ROOT = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "stats"]}
}


def worker_env(**extra) -> dict:
    """The environment of a `manage.py db_worker` process on the test's database (a
    PostgreSQL database, or the SQLite file of the browser tests), with the test's keys so
    it reads what the test encrypted."""
    from django.conf import settings

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        host = db["HOST"] or "127.0.0.1"
        url = f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in ("TASKS_IMMEDIATE",)}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="shouhu.settings",
        SHOUHU_DEMO="1",
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        FIELD_LOOKUP_KEY=settings.FIELD_LOOKUP_KEY,
        **extra,
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="workers share PostgreSQL")
def test_two_workers_share_the_queue_and_run_each_job_once(settings):
    settings.TASKS = DATABASE_BACKEND
    jobs = [services.start(work.count, to=2) for _ in range(30)]
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0.1", "--verbosity", "0"]
    workers = [
        subprocess.Popen([*command, "--worker-id", f"w{n}"], cwd=ROOT, env=worker_env())
        for n in range(2)
    ]
    deadline = time.monotonic() + 60
    for process in workers:
        process.wait(timeout=max(1, deadline - time.monotonic()))
        assert process.returncode == 0
    states = Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", "attempts")
    assert set(states) == {(Job.State.DONE, 1)}
    takers = {tuple(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)}
    assert takers <= {("w0",), ("w1",)}  # each task taken by one worker, once
    assert DBTaskResult.objects.count() == 30
